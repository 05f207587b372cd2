"""Request and response bodies of the bid API (pydantic), with strict number and hex parsing.

Integers may be JSON numbers or decimal strings of ASCII digits (wei amounts exceed 2^53);
anything else — floats, negatives, hex strings, other scripts' digits (``"١٠٠"``), signs, spaces,
values over the Solidity type's range — is refused with a message naming the field. Hex fields
are ``0x`` and ASCII hex digits only: no whitespace, no separators. The OpenAPI document states
each field's accepted forms (``anyOf`` integer or decimal string; hex patterns).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from proofmarket.chain.typed_data import AskMessage, BidMessage, checksum_address
from proofmarket.clearinghouse.intake import SignedAsk, SignedBid

UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1
MAX_BATCH_BIDS = 1000
#: Longest decimal string accepted for an integer (2^256 has 78 digits; leading zeros allowed).
MAX_DECIMAL_DIGITS = 80

_DECIMAL = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9a-fA-F]*")


def _unsigned(maximum: int, minimum: int = 0):
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError("must be an integer (a JSON number or a decimal string)")
        if isinstance(value, str):
            # str.isdigit() and int() also take other scripts' digits ("١٠٠"): ASCII only here.
            if len(value) > MAX_DECIMAL_DIGITS or not _DECIMAL.fullmatch(value):
                raise ValueError(f"must be a non-negative decimal integer (ASCII digits 0-9), got {value[:40]!r}")
            value = int(value)
        if value < minimum:
            raise ValueError(f"must be at least {minimum}, got {value}")
        if value > maximum:
            raise ValueError(f"must be at most {maximum}, got {value}")
        return value

    return parse


def _hex_bytes(length: int | tuple[int, ...]):
    lengths = (length,) if isinstance(length, int) else length

    def parse(value: Any) -> bytes:
        if not isinstance(value, str) or not value.startswith("0x"):
            raise ValueError("must be a 0x-prefixed hex string")
        # bytes.fromhex() skips whitespace ("0x12 34"): only hex digits are taken here.
        if not _HEX.fullmatch(value, 2) or len(value) % 2:
            raise ValueError(f"is not valid hex (0x and an even number of hex digits 0-9a-f, nothing else), got {value[:40]!r}")
        data = bytes.fromhex(value[2:])
        if len(data) not in lengths:
            raise ValueError(f"must be {' or '.join(map(str, lengths))} bytes, got {len(data)}")
        return data

    return parse


def _address(value: Any) -> str:
    # typed_data's EIP-55 checksum (C keccak) gives eth-utils' answer several times faster.
    return checksum_address(_hex_bytes(20)(value))


def _integer_schema(maximum: int, minimum: int = 0) -> WithJsonSchema:
    """What the OpenAPI document says an integer field takes: a JSON number or a decimal string."""
    return WithJsonSchema({
        "anyOf": [
            {"type": "integer", "minimum": minimum, "maximum": maximum},
            {"type": "string", "pattern": f"^[0-9]{{1,{MAX_DECIMAL_DIGITS}}}$", "description": "decimal digits"},
        ],
        "description": f"an integer from {minimum} to {maximum}, as a JSON number or a decimal string",
    })


def _hex_schema(*digits: int) -> WithJsonSchema:
    alternatives = "|".join(f"[0-9a-fA-F]{{{count}}}" for count in digits)
    return WithJsonSchema({"type": "string", "pattern": f"^0x({alternatives})$"})


Uint64 = Annotated[int, BeforeValidator(_unsigned(UINT64_MAX)), _integer_schema(UINT64_MAX)]
PositiveUint64 = Annotated[int, BeforeValidator(_unsigned(UINT64_MAX, minimum=1)), _integer_schema(UINT64_MAX, 1)]
Uint256 = Annotated[int, BeforeValidator(_unsigned(UINT256_MAX)), _integer_schema(UINT256_MAX)]
Bytes32 = Annotated[bytes, BeforeValidator(_hex_bytes(32)), _hex_schema(64)]
Signature = Annotated[bytes, BeforeValidator(_hex_bytes((64, 65))), _hex_schema(128, 130)]
Address = Annotated[str, BeforeValidator(_address), _hex_schema(40)]


class BidIn(BaseModel):
    """A user's signed EIP-712 ``Bid``."""

    model_config = ConfigDict(extra="forbid")

    user: Address
    tx_hash: Bytes32
    constraints: PositiveUint64
    max_fee: Uint256
    round: Uint64
    nonce: Uint64
    signature: Signature

    def to_signed(self) -> SignedBid:
        return SignedBid(
            BidMessage(
                user=self.user,
                tx_hash=self.tx_hash,
                constraints=self.constraints,
                max_fee=self.max_fee,
                round=self.round,
                nonce=self.nonce,
            ),
            self.signature,
        )


class BidBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bids: list[BidIn] = Field(min_length=1, max_length=MAX_BATCH_BIDS)


class AskIn(BaseModel):
    """A prover's signed EIP-712 ``Ask``."""

    model_config = ConfigDict(extra="forbid")

    prover: Address
    unit_cost: Uint256
    round: Uint64
    nonce: Uint64
    signature: Signature

    def to_signed(self) -> SignedAsk:
        return SignedAsk(
            AskMessage(prover=self.prover, unit_cost=self.unit_cost, round=self.round, nonce=self.nonce), self.signature
        )


class Accepted(BaseModel):
    digest: str
    round: int


class Rejected(BaseModel):
    index: int
    status: int
    error: str


class BatchResult(BaseModel):
    accepted: list[Accepted]
    rejected: list[Rejected]


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer: one line saying what was wrong."""

    model_config = ConfigDict(extra="forbid")

    error: str


RoundStateName = Literal["open", "closed", "cleared", "settle_signed", "settled", "resolved", "empty", "failed"]
ChunkStateName = Literal["assigned", "proven", "slash_signed", "slashed"]


class Chunk(BaseModel):
    """A settled chunk: its prover, its transactions and bids, and whether it was proven."""

    round: int
    chunk: int
    prover: str
    commitment: str
    constraints: int
    payment_wei: str
    state: ChunkStateName
    tx_hashes: list[str]
    bids: list[str]


class Assignment(Chunk):
    deadline_block: int | None


class RoundStatus(BaseModel):
    """Where a round stands. ``closed``: over, not yet cleared; ``open``: taking bids now."""

    round: int
    state: RoundStateName
    bids: int
    input_hash: str | None
    settle_transaction: str | None
    settle_block: int | None
    deadline_block: int | None
    failure: str | None
    chunks: list[Chunk]
