"""EIP-712 typed data of the market: the ``Bid`` and ``Ask`` messages, digests, signing, recovery.

Implements README.md "One round" steps 1-2 off-chain, byte for byte as ``ProofMarket.sol``
hashes them (docs/contract.md, "Signatures"):

- domain ``EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)``
  with name ``"ProofMarket"``, version ``"1"``;
- ``Bid(address user,bytes32 txHash,uint64 constraints,uint256 maxFee,uint64 round,uint64 nonce)``;
- ``Ask(address prover,uint256 unitCost,uint64 round,uint64 nonce)``.

The hashing is written out directly (keccak over 32-byte ABI words, with safe-pysha3's C keccak,
several times faster than eth-hash's pycryptodome backend) and recovery uses coincurve, because
the bid API must check thousands of signatures a second; the tests hold the digests equal to
eth-account's ``encode_typed_data`` and to the contract's own digest views.

Signatures are 65 bytes ``r || s || v`` (v = 27 or 28) as signers produce them; the contract
takes the 64-byte EIP-2098 compact form ``r || vs``, see :func:`to_compact`. Both forms are
accepted here. High-``s`` signatures and recoveries to the zero address are rejected, as on-chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from coincurve import PrivateKey, PublicKey
from eth_utils import to_checksum_address
from sha3 import keccak_256

from proofmarket.exceptions import UserInputError


def keccak(data: bytes) -> bytes:
    """keccak256 of ``data`` (the Ethereum hash, not NIST SHA3-256)."""
    return keccak_256(data).digest()


def checksum_address(raw: bytes) -> str:
    """EIP-55 checksum form of a 20-byte address (eth-utils' rule, with the fast keccak)."""
    lower = raw.hex()
    hashed = keccak_256(lower.encode()).hexdigest()
    return "0x" + "".join(char.upper() if int(nibble, 16) >= 8 else char for char, nibble in zip(lower, hashed))


DOMAIN_NAME = "ProofMarket"
DOMAIN_VERSION = "1"

DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
BID_TYPE = "Bid(address user,bytes32 txHash,uint64 constraints,uint256 maxFee,uint64 round,uint64 nonce)"
ASK_TYPE = "Ask(address prover,uint256 unitCost,uint64 round,uint64 nonce)"

DOMAIN_TYPEHASH = keccak(DOMAIN_TYPE.encode())
BID_TYPEHASH = keccak(BID_TYPE.encode())
ASK_TYPEHASH = keccak(ASK_TYPE.encode())

#: secp256k1 group order, and the largest canonical ``s`` (EIP-2).
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MAX_S = SECP256K1_N // 2

UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1


class InvalidTypedData(UserInputError):
    """A typed-data message field is out of range or malformed."""

    def __init__(self, field: str, value: Any, rule: str):
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value!r}: {rule}")


class InvalidSignature(UserInputError):
    """A signature is malformed, malleable (high s), or does not recover to an address."""

    def __init__(self, reason: str, signature: bytes):
        self.reason = reason
        self.signature = signature
        super().__init__(f"invalid signature 0x{signature.hex()}: {reason}")


# ----------------------------------------------------------------------------- encoding helpers


def address_bytes(field: str, address: str | bytes) -> bytes:
    """The 20 bytes of an address given as hex (checksum not required) or bytes."""
    if isinstance(address, (bytes, bytearray)):
        raw = bytes(address)
    elif isinstance(address, str) and address[:2] in ("0x", "0X"):
        try:
            raw = bytes.fromhex(address[2:])
        except ValueError:
            raw = b""
    else:
        raw = b""
    if len(raw) != 20:
        raise InvalidTypedData(field, address, "must be a 20-byte address")
    return raw


def bytes32(field: str, value: str | bytes) -> bytes:
    """32 bytes given as bytes or 0x-hex."""
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        try:
            value = bytes.fromhex(value[2:])
        except ValueError:
            pass
    if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
        raise InvalidTypedData(field, value, "must be 32 bytes")
    return bytes(value)


def _check_uint(field: str, value: Any, maximum: int) -> None:
    if type(value) is not int or not 0 <= value <= maximum:
        raise InvalidTypedData(field, value, f"must be an integer in [0, {maximum}]")


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _address_word(raw: bytes) -> bytes:
    return b"\x00" * 12 + raw


# ----------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class Domain:
    """The EIP-712 domain of one deployed market: name "ProofMarket", version "1"."""

    chain_id: int
    verifying_contract: str

    def __post_init__(self) -> None:
        _check_uint("chain_id", self.chain_id, UINT256_MAX)
        address_bytes("verifying_contract", self.verifying_contract)

    @cached_property
    def separator(self) -> bytes:
        """The domain separator (``hashStruct(EIP712Domain)``)."""
        return keccak(
            DOMAIN_TYPEHASH
            + keccak(DOMAIN_NAME.encode())
            + keccak(DOMAIN_VERSION.encode())
            + _word(self.chain_id)
            + _address_word(address_bytes("verifying_contract", self.verifying_contract))
        )


@dataclass(frozen=True)
class BidMessage:
    """A user's bid (docs/mechanism.md "Model": ``g_i = constraints``, ``b_i = max_fee``)."""

    user: str
    tx_hash: bytes
    constraints: int
    max_fee: int
    round: int
    nonce: int

    def __post_init__(self) -> None:
        address_bytes("user", self.user)
        object.__setattr__(self, "tx_hash", bytes32("tx_hash", self.tx_hash))
        _check_uint("constraints", self.constraints, UINT64_MAX)
        _check_uint("max_fee", self.max_fee, UINT256_MAX)
        _check_uint("round", self.round, UINT64_MAX)
        _check_uint("nonce", self.nonce, UINT64_MAX)

    def to_abi(self) -> tuple:
        """The tuple the contract's ``Bid`` ABI type takes."""
        return (
            to_checksum_address(self.user),
            self.tx_hash,
            self.constraints,
            self.max_fee,
            self.round,
            self.nonce,
        )

    def to_typed_data(self) -> dict:
        """The message as eth-account's ``encode_typed_data`` takes it."""
        return {
            "user": to_checksum_address(self.user),
            "txHash": self.tx_hash,
            "constraints": self.constraints,
            "maxFee": self.max_fee,
            "round": self.round,
            "nonce": self.nonce,
        }


@dataclass(frozen=True)
class AskMessage:
    """A prover's ask for one round (docs/mechanism.md "Model": ``a_j = unit_cost``)."""

    prover: str
    unit_cost: int
    round: int
    nonce: int

    def __post_init__(self) -> None:
        address_bytes("prover", self.prover)
        _check_uint("unit_cost", self.unit_cost, UINT256_MAX)
        _check_uint("round", self.round, UINT64_MAX)
        _check_uint("nonce", self.nonce, UINT64_MAX)

    def to_abi(self) -> tuple:
        """The tuple the contract's ``Ask`` ABI type takes."""
        return (to_checksum_address(self.prover), self.unit_cost, self.round, self.nonce)

    def to_typed_data(self) -> dict:
        """The message as eth-account's ``encode_typed_data`` takes it."""
        return {
            "prover": to_checksum_address(self.prover),
            "unitCost": self.unit_cost,
            "round": self.round,
            "nonce": self.nonce,
        }


#: Type definitions for eth-account's ``encode_typed_data`` (used by tests and wallets).
TYPED_DATA_TYPES = {
    "Bid": [
        {"name": "user", "type": "address"},
        {"name": "txHash", "type": "bytes32"},
        {"name": "constraints", "type": "uint64"},
        {"name": "maxFee", "type": "uint256"},
        {"name": "round", "type": "uint64"},
        {"name": "nonce", "type": "uint64"},
    ],
    "Ask": [
        {"name": "prover", "type": "address"},
        {"name": "unitCost", "type": "uint256"},
        {"name": "round", "type": "uint64"},
        {"name": "nonce", "type": "uint64"},
    ],
}


def domain_data(domain: Domain) -> dict:
    """The domain as eth-account's ``encode_typed_data`` takes it."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": domain.chain_id,
        "verifyingContract": to_checksum_address(domain.verifying_contract),
    }


# ----------------------------------------------------------------------------- digests


def bid_struct_hash(bid: BidMessage) -> bytes:
    """``hashStruct(bid)``: keccak of the type hash and the six fields as 32-byte words."""
    return keccak(
        BID_TYPEHASH
        + _address_word(address_bytes("user", bid.user))
        + bid.tx_hash
        + _word(bid.constraints)
        + _word(bid.max_fee)
        + _word(bid.round)
        + _word(bid.nonce)
    )


def ask_struct_hash(ask: AskMessage) -> bytes:
    """``hashStruct(ask)``: keccak of the type hash and the four fields as 32-byte words."""
    return keccak(
        ASK_TYPEHASH
        + _address_word(address_bytes("prover", ask.prover))
        + _word(ask.unit_cost)
        + _word(ask.round)
        + _word(ask.nonce)
    )


def bid_digest(domain: Domain, bid: BidMessage) -> bytes:
    """The 32-byte EIP-712 digest a user signs for ``bid``; equals the contract's ``bidDigest``."""
    return keccak(b"\x19\x01" + domain.separator + bid_struct_hash(bid))


def ask_digest(domain: Domain, ask: AskMessage) -> bytes:
    """The 32-byte EIP-712 digest a prover signs for ``ask``; equals the contract's ``askDigest``."""
    return keccak(b"\x19\x01" + domain.separator + ask_struct_hash(ask))


# ----------------------------------------------------------------------------- signatures


def sign_digest(account: Any, digest: bytes) -> bytes:
    """Signs a 32-byte digest with ``account`` (an eth-account LocalAccount, or a private key).

    Returns 65 bytes ``r || s || v`` with canonical (low) ``s`` and ``v`` in {27, 28}.
    """
    key = getattr(account, "key", account)
    if isinstance(key, str):
        key = bytes.fromhex(key.removeprefix("0x"))
    signature = PrivateKey(bytes(key)).sign_recoverable(digest, hasher=None)
    return signature[:64] + bytes([signature[64] + 27])


def sign_bid(account: Any, domain: Domain, bid: BidMessage) -> bytes:
    """The 65-byte signature of ``bid`` by ``account`` (who should be ``bid.user``)."""
    return sign_digest(account, bid_digest(domain, bid))


def bid_request(bid: BidMessage, signature: bytes) -> dict:
    """The bid API's JSON body for a signed bid (``POST /v1/bids``; wei as a decimal string)."""
    return {
        "user": bid.user,
        "tx_hash": "0x" + bid.tx_hash.hex(),
        "constraints": bid.constraints,
        "max_fee": str(bid.max_fee),
        "round": bid.round,
        "nonce": bid.nonce,
        "signature": "0x" + signature.hex(),
    }


def sign_ask(account: Any, domain: Domain, ask: AskMessage) -> bytes:
    """The 65-byte signature of ``ask`` by ``account`` (who should be ``ask.prover``)."""
    return sign_digest(account, ask_digest(domain, ask))


def split_signature(signature: bytes) -> tuple[int, int, int]:
    """``(r, s, recovery_id)`` of a 65-byte ``r||s||v`` or 64-byte compact ``r||vs`` signature.

    Raises :class:`InvalidSignature` for another length, a bad ``v``, or a high ``s``.
    """
    signature = bytes(signature)
    if len(signature) == 65:
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:64], "big")
        v = signature[64]
        if v in (27, 28):
            recovery_id = v - 27
        elif v in (0, 1):
            recovery_id = v
        else:
            raise InvalidSignature(f"v={v} is not 0, 1, 27 or 28", signature)
    elif len(signature) == 64:
        r = int.from_bytes(signature[:32], "big")
        vs = int.from_bytes(signature[32:], "big")
        recovery_id = vs >> 255
        s = vs & ((1 << 255) - 1)
    else:
        raise InvalidSignature(f"{len(signature)} bytes, expected 65 (r,s,v) or 64 (r,vs)", signature)
    if s > MAX_S:
        raise InvalidSignature("s is above n/2 (malleable; use the canonical twin)", signature)
    if not 0 < r < SECP256K1_N or s == 0:
        raise InvalidSignature("r or s out of range", signature)
    return r, s, recovery_id


def to_compact(signature: bytes) -> tuple[bytes, bytes]:
    """The EIP-2098 compact form ``(r, vs)`` the contract takes, from either signature form."""
    r, s, recovery_id = split_signature(signature)
    return r.to_bytes(32, "big"), ((recovery_id << 255) | s).to_bytes(32, "big")


def recover_signer(digest: bytes, signature: bytes) -> str:
    """The checksum address that signed ``digest``. Raises :class:`InvalidSignature`."""
    r, s, recovery_id = split_signature(signature)
    try:
        public_key = PublicKey.from_signature_and_message(
            r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([recovery_id]), digest, hasher=None
        )
    except Exception as error:  # coincurve raises a bare Exception for unrecoverable signatures
        raise InvalidSignature(f"does not recover ({error})", bytes(signature)) from error
    address = keccak(public_key.format(compressed=False)[1:])[-20:]
    if address == b"\x00" * 20:
        raise InvalidSignature("recovers to the zero address", bytes(signature))
    return checksum_address(address)


def recover_bid_signer(domain: Domain, bid: BidMessage, signature: bytes) -> str:
    """The checksum address that signed ``bid`` (compare with ``bid.user``)."""
    return recover_signer(bid_digest(domain, bid), signature)


def recover_ask_signer(domain: Domain, ask: AskMessage, signature: bytes) -> str:
    """The checksum address that signed ``ask`` (compare with ``ask.prover``)."""
    return recover_signer(ask_digest(domain, ask), signature)
