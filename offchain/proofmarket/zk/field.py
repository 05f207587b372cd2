"""The BN254 (alt_bn128) fields and how a transaction hash becomes a field element (docs/zk.md).

The curve is the one of the EVM's precompiles 0x06-0x08 (EIP-196, EIP-197) and of circom's
default prime: circuit signals and Groth16 public inputs live in the scalar field ``r``; curve
point coordinates live in the base field ``p``.
"""

from __future__ import annotations

from proofmarket.exceptions import UserInputError, ZkError

#: The BN254 scalar field order r: circuit signals, public inputs, Poseidon.
SCALAR_FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617

#: The BN254 base field order p: coordinates of curve points.
BASE_FIELD_ORDER = 21888242871839275222246405745257275088696311157297823662689037894645226208583


class TransactionHashInvalid(ZkError, UserInputError):
    """A transaction hash is not 32 bytes."""

    def __init__(self, index: int, value: object):
        self.index = index
        self.value = value
        super().__init__(f"transaction hash {index} must be 32 bytes, got {value!r}")


class FieldElementInvalid(ZkError, UserInputError):
    """A value that must be a scalar field element is not an integer in [0, r)."""

    def __init__(self, name: str, value: object):
        self.name = name
        self.value = value
        super().__init__(f"{name} must be an integer in [0, r) (r = BN254 scalar field order), got {value!r}")


def transaction_field_element(tx_hash: bytes, index: int = 0) -> int:
    """The rule ``t = uint256(txHash) mod r``: the 32-byte hash read big-endian, reduced into r.

    ``index`` only labels the error. Raises :class:`TransactionHashInvalid` unless ``tx_hash`` is
    exactly 32 bytes (``bytes``, ``bytearray`` or ``HexBytes``).
    """
    if not isinstance(tx_hash, (bytes, bytearray)) or len(tx_hash) != 32:
        raise TransactionHashInvalid(index, tx_hash)
    return int.from_bytes(tx_hash, "big") % SCALAR_FIELD_ORDER


def require_field_element(name: str, value: object) -> int:
    """``value`` if it is an ``int`` (not a ``bool``) in ``[0, r)``; else :class:`FieldElementInvalid`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < SCALAR_FIELD_ORDER:
        raise FieldElementInvalid(name, value)
    return value
