"""Request and response bodies of the bid API (pydantic), with strict number and hex parsing.

Integers may be JSON numbers or decimal strings (wei amounts exceed 2^53); anything else —
floats, negatives, hex strings, values over the Solidity type's range — is refused with a
message naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from proofmarket.chain.typed_data import AskMessage, BidMessage, checksum_address
from proofmarket.clearinghouse.intake import SignedAsk, SignedBid

UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1
MAX_BATCH_BIDS = 1000


def _unsigned(maximum: int, minimum: int = 0):
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError("must be an integer (a JSON number or a decimal string)")
        if isinstance(value, str):
            if not value.isdigit() or len(value) > 80:
                raise ValueError(f"must be a non-negative decimal integer, got {value[:40]!r}")
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
        try:
            data = bytes.fromhex(value[2:])
        except ValueError:
            raise ValueError("is not valid hex") from None
        if len(data) not in lengths:
            raise ValueError(f"must be {' or '.join(map(str, lengths))} bytes, got {len(data)}")
        return data

    return parse


def _address(value: Any) -> str:
    # typed_data's EIP-55 checksum (C keccak) gives eth-utils' answer several times faster.
    return checksum_address(_hex_bytes(20)(value))


Uint64 = Annotated[int, BeforeValidator(_unsigned(UINT64_MAX))]
PositiveUint64 = Annotated[int, BeforeValidator(_unsigned(UINT64_MAX, minimum=1))]
Uint256 = Annotated[int, BeforeValidator(_unsigned(UINT256_MAX))]
Bytes32 = Annotated[bytes, BeforeValidator(_hex_bytes(32))]
Signature = Annotated[bytes, BeforeValidator(_hex_bytes((64, 65)))]
Address = Annotated[str, BeforeValidator(_address)]


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
