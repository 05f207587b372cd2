"""Decoding reverts into one exception type, on every devnet.

A revert reaches Python differently per backend: web3 on a node raises ``ContractCustomError``
(custom errors), ``ContractPanicError`` or ``ContractLogicError`` with the revert data; web3 on
the embedded eth-tester raises eth-tester's ``TransactionFailed`` whose message holds the raw
bytes (or the decoded reason of ``Error(string)``). :func:`revert_from_exception` turns each of
these into a :class:`ContractRevert` whose message reads like Solidity:
``ChargeExceedsMaxFee(bidDigest=0x.., charge=5, maxFee=4)``.

A limit of the embedded devnet: web3's eth-tester provider decodes any revert payload that
happens to parse as an ABI ``string`` as if it were ``Error(string)``, dropping the selector.
The market's errors avoid string arguments for that reason; a custom error whose first two
arguments are 32 and a matching length could still be reported as ``Error`` there (never on a node).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from proofmarket.exceptions import ChainError

#: Names of the members of the contract's enums, for readable messages.
ENUM_MEMBERS = {
    "enum ChunkStatus": ("None", "Pending", "Proven", "Slashed", "Disputed"),
    "enum SurplusPolicy": ("Treasury", "Burn", "Rebate"),
}

#: Solidity's panic codes (docs: "Panic via assert and error handling").
PANIC_REASONS = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "corrupt storage byte array",
    0x31: "pop on empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised function",
}

_ERROR_STRING = {"type": "error", "name": "Error", "inputs": [{"name": "message", "type": "string"}]}
_PANIC = {"type": "error", "name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]}


class ContractRevert(ChainError):
    """A contract call or transaction reverted; the revert data decoded against the ABI.

    Attributes: ``error_name`` (``"ChargeExceedsMaxFee"``, ``"Error"``, ``"Panic"``, or
    ``"UnknownError"``), ``arguments`` (dict by parameter name, addresses checksummed, bytes as
    bytes), ``data`` (the raw revert bytes) and ``transaction_hash`` when a mined transaction
    reverted.
    """

    def __init__(
        self,
        error_name: str,
        arguments: dict[str, Any],
        data: bytes,
        message: str,
        transaction_hash: str | None = None,
    ):
        self.error_name = error_name
        self.arguments = arguments
        self.data = data
        self.transaction_hash = transaction_hash
        super().__init__(message)


def _type_string(entry: dict) -> str:
    kind = entry["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_type_string(component) for component in entry["components"]) + ")" + kind[5:]
    return kind


def _format_value(value: Any, entry: dict) -> str:
    internal = entry.get("internalType", "")
    if internal in ENUM_MEMBERS and isinstance(value, int) and value < len(ENUM_MEMBERS[internal]):
        return ENUM_MEMBERS[internal][value]
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).rstrip(b"\x00")
        if entry["type"] == "bytes32" and text and all(32 <= byte < 127 for byte in text):
            return repr(text.decode())  # a short name packed into bytes32
        return "0x" + bytes(value).hex()
    if isinstance(value, str) and entry["type"] == "string":
        return repr(value)
    return str(value)


def _normalise(value: Any, entry: dict) -> Any:
    if entry["type"] == "address" and isinstance(value, str):
        return to_checksum_address(value)
    return value


@dataclass(frozen=True)
class _ErrorSignature:
    name: str
    inputs: tuple[dict, ...]

    @property
    def types(self) -> list[str]:
        return [_type_string(entry) for entry in self.inputs]


class ErrorDecoder:
    """Decodes revert data against the error entries of one or more ABIs."""

    def __init__(self, abis: Iterable[list[dict]] = ()):
        self._by_selector: dict[bytes, _ErrorSignature] = {}
        for entry in (_ERROR_STRING, _PANIC):
            self._add(entry)
        for abi in abis:
            for entry in abi:
                if entry.get("type") == "error":
                    self._add(entry)

    def _add(self, entry: dict) -> None:
        signature = _ErrorSignature(entry["name"], tuple(entry.get("inputs", ())))
        selector = keccak(f"{signature.name}({','.join(signature.types)})".encode())[:4]
        self._by_selector[selector] = signature

    def decode(self, data: bytes, transaction_hash: str | None = None) -> ContractRevert:
        """The :class:`ContractRevert` for revert ``data`` (unknown selectors are kept raw)."""
        data = bytes(data)
        signature = self._by_selector.get(data[:4]) if len(data) >= 4 else None
        if signature is None:
            shown = "0x" + data.hex() if data else "no data"
            return ContractRevert("UnknownError", {}, data, f"reverted ({shown})", transaction_hash)
        try:
            values = abi_decode(signature.types, data[4:])
        except Exception:
            return ContractRevert(
                "UnknownError", {}, data, f"reverted with malformed {signature.name} data 0x{data.hex()}", transaction_hash
            )
        arguments = {
            (entry.get("name") or f"arg{index}"): _normalise(value, entry)
            for index, (entry, value) in enumerate(zip(signature.inputs, values))
        }
        shown = ", ".join(
            f"{name}={_format_value(value, entry)}"
            for (name, value), entry in zip(arguments.items(), signature.inputs)
        )
        message = f"{signature.name}({shown})"
        if signature.name == "Panic":
            message += f": {PANIC_REASONS.get(arguments['code'], 'unknown panic code')}"
        return ContractRevert(signature.name, arguments, data, message, transaction_hash)


_BYTES_LITERAL = re.compile(r"""(b'(?:[^'\\]|\\.)*'|b"(?:[^"\\]|\\.)*")\s*$""", re.S)


def revert_data_from_exception(error: BaseException) -> bytes | str | None:
    """The revert data carried by a web3 or eth-tester exception.

    Returns bytes for raw revert data, a str for a reason eth-tester already decoded from
    ``Error(string)``, or None if the exception is not a revert.
    """
    from web3.exceptions import ContractLogicError

    if isinstance(error, ContractLogicError):
        data = error.data
        if isinstance(data, str) and data.startswith("0x"):
            return bytes.fromhex(data[2:])
        if isinstance(data, (bytes, bytearray)):
            return bytes(data)
        return str(error.message or error)
    try:
        from eth_tester.exceptions import TransactionFailed as TesterTransactionFailed
    except ImportError:  # pragma: no cover - eth-tester is a pinned dependency
        return None
    if isinstance(error, TesterTransactionFailed):
        message = str(error.args[0]) if error.args else ""
        if isinstance(error.args[0] if error.args else None, (bytes, bytearray)):
            return bytes(error.args[0])
        match = _BYTES_LITERAL.search(message)
        if match:
            return ast.literal_eval(match.group(1))
        return message
    return None


def revert_from_exception(
    error: BaseException, decoder: ErrorDecoder, transaction_hash: str | None = None
) -> ContractRevert | None:
    """The :class:`ContractRevert` an exception stands for, or None if it is no revert."""
    data = revert_data_from_exception(error)
    if data is None:
        return None
    if isinstance(data, str):
        reason = data.removeprefix("execution reverted: ").removeprefix("execution reverted")
        return ContractRevert("Error", {"message": reason}, b"", f"Error(message={reason!r})", transaction_hash)
    return decoder.decode(data, transaction_hash)
