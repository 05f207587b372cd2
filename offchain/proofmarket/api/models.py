"""Request and response bodies of the bid API (pydantic), with strict number and hex parsing.

Integers may be JSON numbers or decimal strings of ASCII digits (wei amounts exceed 2^53);
anything else — floats, negatives, hex strings, other scripts' digits (``"١٠٠"``), signs, spaces,
values over the Solidity type's range — is refused with a message naming the field. Hex fields
are ``0x`` and ASCII hex digits only: no whitespace, no separators. The OpenAPI document states
each field's accepted forms (``anyOf`` integer or decimal string; hex patterns).

Every field of every model has a description (with its unit: wei, blocks, constraints) and an
example, which the OpenAPI document carries. Responses give every wei amount as a decimal string
(``WeiString``), never a JSON number; block numbers, round ids and counts are JSON integers.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from proofmarket.chain.typed_data import AskMessage, BidMessage, checksum_address
from proofmarket.clearinghouse.intake import SignedAsk, SignedBid
from proofmarket.mechanism.types import MECHANISM_NAMES

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

#: Response types: what the API writes (pydantic checks the server's own values against them).
WeiString = Annotated[str, Field(pattern=r"^[0-9]+$")]
DecimalString = Annotated[str, Field(pattern=r"^[0-9]+$")]
AddressOut = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
Hash32 = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$")]

#: Examples, one per kind of value, consistent across the models.
EXAMPLE_USER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
EXAMPLE_PROVER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"
EXAMPLE_MARKET = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EXAMPLE_TX_HASH = "0x6c5d3f2b8e1a4f0d9c7b2a1e3f4d5c6b7a8e9f0a1b2c3d4e5f60718293a4b5c6"
EXAMPLE_BID_DIGEST = "0x3b1f4c1a7e0d2c9b8a7f6e5d4c3b2a19087f6e5d4c3b2a1908f7e6d5c4b3a291"
EXAMPLE_ASK_DIGEST = "0xa4c2e8f01b3d5f7a9c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f57"
EXAMPLE_COMMITMENT = "0x1f2e3d4c5b6a79881726354453627180f9e8d7c6b5a4938271605f4e3d2c1b0a"
EXAMPLE_SETTLE_TX = "0x8e7d6c5b4a3928170f6e5d4c3b2a19081726354453627180f9e8d7c6b5a49382"
EXAMPLE_INPUT_HASH = "0x0c4b2a1f9e8d7c6b5a49382716051f2e3d4c5b6a798817263544536271809f8e"
EXAMPLE_OUTCOME_HASH = "0x7f58cf87f2388f7f6dda545300e2162a0643fcf9043855b47d92a58cf580825d"
EXAMPLE_SIGNATURE = (
    "0x" + "5e" * 32 + "2a" * 32 + "1b"
)


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    """An example of ``model``: each field's first example (a nested model's field has one built
    the same way), for the OpenAPI document's examples of composite fields."""
    return {name: field.examples[0] for name, field in model.model_fields.items() if field.examples}


_WEI_INPUT = (
    "A decimal string of ASCII digits (recommended: wei amounts exceed 2^53, the largest integer "
    "many JSON parsers keep exactly) or a JSON integer."
)
_UINT_INPUT = "A JSON integer or a decimal string of ASCII digits."


class BidIn(BaseModel):
    """A user's signed EIP-712 ``Bid {user, txHash, constraints, maxFee, round, nonce}`` (domain
    ``ProofMarket``, version ``1``, the market's chain id and address): the user offers to pay
    at most ``max_fee`` wei to have the rollup transaction ``tx_hash`` proven in round ``round``.
    The user's escrow on the market must cover ``max_fee``."""

    model_config = ConfigDict(extra="forbid")

    user: Address = Field(
        description="The user's address (0x and 40 hex digits, any case): the signer of the bid and the account "
        "whose escrow pays its charge.",
        examples=[EXAMPLE_USER],
    )
    tx_hash: Bytes32 = Field(
        description="The hash of the user's rollup (L2) transaction to be proven: 32 bytes, 0x and 64 hex digits. "
        "It is what the chunk commitment hashes (docs/zk.md), not an Ethereum transaction of the market.",
        examples=[EXAMPLE_TX_HASH],
    )
    constraints: PositiveUint64 = Field(
        description="The transaction's proving size, in constraints (1 to 2^64-1; at most the market's per-round "
        f"capacity, else 422). {_UINT_INPUT}",
        examples=[200],
    )
    max_fee: Uint256 = Field(
        description="The most the user pays for inclusion, in wei (10^-18 ether), for the whole transaction "
        "(not per constraint); at least the reserve × constraints (else 422) and covered by the user's escrow "
        f"(else 402). The charge is the mechanism's price, never above this. {_WEI_INPUT}",
        examples=["600000000000"],
    )
    round: Uint64 = Field(
        description="The round the bid is for: it must be the open round (GET /v1/health's open_round), else 422. "
        f"{_UINT_INPUT}",
        examples=[42],
    )
    nonce: Uint64 = Field(
        description="Any number the user chooses to tell two otherwise equal bids apart (0 to 2^63-1, the "
        f"clearinghouse's stored range; a larger one is a 422). {_UINT_INPUT}",
        examples=[7],
    )
    signature: Signature = Field(
        description="The user's EIP-712 signature of the Bid: 65 bytes r||s||v (v = 27 or 28, or 0/1), as "
        "eth_signTypedData_v4 and eth-account produce it, or the 64-byte EIP-2098 compact form r||vs; 0x and "
        "130 (or 128) hex digits. s must be low (s ≤ n/2), as on-chain.",
        examples=[EXAMPLE_SIGNATURE],
    )

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
    """Up to 1000 signed bids in one request; each is accepted or rejected on its own."""

    model_config = ConfigDict(extra="forbid")

    bids: list[BidIn] = Field(
        min_length=1,
        max_length=MAX_BATCH_BIDS,
        description=f"1 to {MAX_BATCH_BIDS} signed bids, each as POST /v1/bids takes it.",
        examples=[[example_of(BidIn)]],
    )


class AskIn(BaseModel):
    """A prover's signed EIP-712 ``Ask {prover, unitCost, round, nonce}``: the prover offers to
    prove up to its registered capacity in round ``round`` for at least ``unit_cost`` wei per
    constraint. The prover must be registered, not exiting, with free collateral for its
    capacity; its latest ask (highest nonce) in a round counts."""

    model_config = ConfigDict(extra="forbid")

    prover: Address = Field(
        description="The prover's address (0x and 40 hex digits, any case): the signer of the ask, registered on "
        "the market with registerProver.",
        examples=[EXAMPLE_PROVER],
    )
    unit_cost: Uint256 = Field(
        description="The least the prover accepts per constraint, in wei per constraint (1 gwei = 10^9 wei). "
        f"{_WEI_INPUT}",
        examples=["1000000000"],
    )
    round: Uint64 = Field(
        description=f"The round the ask is for: it must be the open round, else 422. {_UINT_INPUT}",
        examples=[42],
    )
    nonce: Uint64 = Field(
        description="Orders the prover's asks within a round: a new ask must have a higher nonce than the prover's "
        f"latest (else 409); the prover agent uses milliseconds since the epoch. 0 to 2^63-1. {_UINT_INPUT}",
        examples=[1764506400000],
    )
    signature: Signature = Field(
        description="The prover's EIP-712 signature of the Ask: 65 bytes r||s||v (v = 27 or 28, or 0/1) or the "
        "64-byte EIP-2098 compact form r||vs; 0x and 130 (or 128) hex digits; low s.",
        examples=[EXAMPLE_SIGNATURE],
    )

    def to_signed(self) -> SignedAsk:
        return SignedAsk(
            AskMessage(prover=self.prover, unit_cost=self.unit_cost, round=self.round, nonce=self.nonce), self.signature
        )


class Accepted(BaseModel):
    """A bid or ask the clearinghouse stored."""

    digest: Hash32 = Field(
        description="The EIP-712 digest of the signed message (0x and 64 hex digits): the bid's (or ask's) id in "
        "the round's input and outcome files and in the settlement.",
        examples=[EXAMPLE_BID_DIGEST],
    )
    round: int = Field(description="The round it was accepted for.", examples=[42])


class Rejected(BaseModel):
    """A bid of a batch that was refused; the others are unaffected."""

    index: int = Field(description="The bid's position in the request's ``bids`` list, from 0.", examples=[3])
    status: int = Field(
        description="The status POST /v1/bids would have answered for this bid alone (402, 409 or 422).",
        examples=[402],
    )
    error: str = Field(
        description="One line saying why.",
        examples=["insufficient escrow: 0x90F79bf6EB2c4f870365E785982E1f101E93b906 bids up to 600000000000 wei "
                  "but has 0 wei in escrow"],
    )


class BatchResult(BaseModel):
    """Each bid of a batch, accepted or rejected."""

    accepted: list[Accepted] = Field(
        description="The bids stored, in request order.", examples=[[example_of(Accepted)]]
    )
    rejected: list[Rejected] = Field(description="The bids refused, by ``index``.", examples=[[example_of(Rejected)]])


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer: one line saying what was wrong."""

    model_config = ConfigDict(extra="forbid")

    error: str = Field(
        description="One line naming the problem and the offending field or value.",
        examples=["invalid max_fee: must be a non-negative decimal integer (ASCII digits 0-9), got '1.5'"],
    )


RoundStateName = Literal["open", "closed", "cleared", "settle_signed", "settled", "resolved", "empty", "failed"]
ChunkStateName = Literal["assigned", "proven", "slash_signed", "slashed"]


class Chunk(BaseModel):
    """A settled chunk: its prover, its transactions and bids, and whether it was proven."""

    round: int = Field(description="The round it was settled in.", examples=[42])
    chunk: int = Field(
        description="Its index in the round's settlement, from 0 (the contract's chunk id).",
        examples=[0],
    )
    prover: AddressOut = Field(
        description="The address of the prover assigned the chunk (EIP-55 checksum form).", examples=[EXAMPLE_PROVER]
    )
    commitment: Hash32 = Field(
        description="The chunk commitment stored on-chain: a Poseidon hash chain over the chunk's tx_hashes in "
        "order, as bytes32 (docs/zk.md); the prover's proof binds it.",
        examples=[EXAMPLE_COMMITMENT],
    )
    constraints: int = Field(description="The chunk's size, in constraints (the sum of its bids').", examples=[600])
    payment_wei: WeiString = Field(
        description="What the prover is paid on proving the chunk in time, in wei, as a decimal string.",
        examples=["1800000000000"],
    )
    state: ChunkStateName = Field(
        description="assigned: waiting for a proof; proven: proof accepted and the prover paid; slash_signed: a "
        "slash transaction is signed and being sent; slashed: the deadline passed unproven, the collateral was "
        "slashed and the chunk's users refunded.",
        examples=["assigned"],
    )
    tx_hashes: list[Hash32] = Field(
        description="The users' rollup transaction hashes (each bid's tx_hash), in chunk order.",
        examples=[[EXAMPLE_TX_HASH]],
    )
    bids: list[Hash32] = Field(
        description="The digests of the chunk's bids (the ids POST /v1/bids answered), in chunk order.",
        examples=[[EXAMPLE_BID_DIGEST]],
    )


class Assignment(Chunk):
    """A chunk assigned to a prover, with the block its proof is due by."""

    deadline_block: int | None = Field(
        description="The last block at which the proof is accepted (the settlement's block + "
        "proving_window_blocks); after it anyone may slash the chunk. null only if the round's settlement is not "
        "recorded.",
        examples=[1234],
    )
    statement_data: str = Field(
        description="The chunk's statement data as settlement supplied it (0x-hex; 0x when none): for the reference "
        "rollup abi.encode(preStateRoot, postStateRoot). submitProof takes it as is.",
        pattern=r"^0x([0-9a-fA-F]{2})*$",
        examples=["0x"],
    )
    sequence: dict[str, Any] | None = Field(
        description="What the deployment's sequencer gives the prover to prove the chunk (the reference rollup: "
        "pre_root, post_root, pre_state with the accounts in index order, and the operations in slot order); null "
        "without a sequencer.",
        examples=[None],
    )


class TransactionIn(BaseModel):
    """A transaction body for the market's sequencer (a rollup's transfer), submitted before the
    bid that pays for it: the bid's ``tx_hash`` is the hash this answers."""

    model_config = ConfigDict(extra="forbid")

    body: dict[str, Any] = Field(
        description="The transaction as the deployment's sequencer defines it. The reference rollup's transfer: "
        "sender and recipient (addresses, 0x and 40 hex digits; the sender must be the bid's signer), amount (wei, "
        "a decimal string) and nonce (the sender's next L2 nonce, an integer). docs/rollup.md, \"Sequencing\".",
        examples=[{"sender": EXAMPLE_PROVER, "recipient": EXAMPLE_PROVER, "amount": "1000", "nonce": 0}],
    )


class TransactionAccepted(BaseModel):
    """A transaction body the sequencer read and stored."""

    tx_hash: Hash32 = Field(
        description="The transaction's hash (for the reference rollup: Poseidon(sender, recipient, amount, nonce) as "
        "bytes32): the tx_hash of the bid that pays for it.",
        examples=[EXAMPLE_TX_HASH],
    )


class SettledSequences(BaseModel):
    """The sequence documents of a rollup market's settled rounds, in round order."""

    rounds: list[dict[str, Any]] = Field(
        description="One document per settled round with chunks, in round order, as the deployment's sequencer wrote "
        "it at settlement (the reference rollup: round, chunks with pre_root, post_root, pre_state, operations and "
        "statement_data, and the deposits applied; docs/rollup.md, \"Sequencing\"). The rollup's operator replays "
        "them to confirm and finalize rounds (proofmarket rollup operate).",
        examples=[[]],
    )


class RoundStatus(BaseModel):
    """Where a round stands. ``closed``: over, not yet cleared; ``open``: taking bids now."""

    round: int = Field(description="The round id.", examples=[42])
    state: RoundStateName = Field(
        description="open: taking bids now; closed: over, not cleared yet; cleared: the mechanism ran and the input "
        "file is published; settle_signed: the settleRound transaction is signed and being sent; settled: on-chain, "
        "chunks being proven; resolved: every chunk proven or slashed; empty: nothing traded (no settlement); "
        "failed: could not be settled (see failure).",
        examples=["settled"],
    )
    bids: int = Field(description="How many bids the clearinghouse holds for the round.", examples=[12])
    input_hash: Hash32 | None = Field(
        description="keccak256 of the round's canonical input file (GET /v1/rounds/{round_id}/input), as settleRound "
        "stores it on-chain; null until cleared.",
        examples=[EXAMPLE_INPUT_HASH],
    )
    settle_transaction: Hash32 | None = Field(
        description="The hash of the Ethereum transaction that called settleRound on the market; null until signed.",
        examples=[EXAMPLE_SETTLE_TX],
    )
    settle_block: int | None = Field(
        description="The block that transaction was mined in; null until mined.", examples=[1204]
    )
    deadline_block: int | None = Field(
        description="The last block at which a chunk's proof is accepted; null until settled.", examples=[1234]
    )
    failure: str | None = Field(
        description="Why the round failed (state failed), one line; else null.",
        examples=["settlement window passed: round 42 could be settled up to block 1300, and the next block is 1301"],
    )
    chunks: list[Chunk] = Field(
        description="The settled chunks, by index; empty until settled.", examples=[[example_of(Chunk)]]
    )


class MarketInfo(BaseModel):
    """The market's configuration, as the clearinghouse reads it from the contract."""

    chain_id: int = Field(description="The chain the market is on (EIP-155 chain id).", examples=[31337])
    market_address: AddressOut = Field(
        description="The ProofMarket contract's address (the EIP-712 verifyingContract; ``market`` in the "
        "deployment record).",
        examples=[EXAMPLE_MARKET],
    )
    capacity: int = Field(
        description="C: the most constraints one round can include (the contract's capacityPerRound).", examples=[10000]
    )
    reserve_wei_per_constraint: WeiString = Field(
        description="ρ: the reserve price, in wei per constraint; a bid's max_fee must be at least ρ × constraints.",
        examples=["1000000000"],
    )
    collateral_wei_per_constraint: WeiString = Field(
        description="κ: the collateral a prover locks per constraint of capacity, in wei per constraint.",
        examples=["1000000000000"],
    )
    surplus_policy: Literal["treasury", "burn", "rebate"] = Field(
        description="Where users' payments above provers' payouts go: to the treasury, burned, or rebated to users.",
        examples=["treasury"],
    )
    genesis_block: int = Field(
        description="The block at which round 0 opens (the contract's genesisBlock; the deployment record's "
        "deploy_block is the block the contract was deployed in, before it).",
        examples=[3],
    )
    round_length_blocks: int = Field(
        description="How many blocks each round lasts: round r takes bids in blocks [genesis_block + r × length, "
        "genesis_block + (r+1) × length) (`proofmarket deploy --round-length-blocks`).",
        examples=[20],
    )
    proving_window_blocks: int = Field(
        description="Blocks after settlement within which a chunk must be proven, else it can be slashed "
        "(`--proving-window-blocks`).",
        examples=[20],
    )
    settlement_window_blocks: int = Field(
        description="Blocks after a round closes within which it can be settled, never later "
        "(`--settlement-window-blocks`).",
        examples=[100],
    )
    max_bids_per_chunk: int = Field(
        description="The most bids one chunk may hold (so that its slash fits in a block); 0: no bound.",
        examples=[256],
    )


class Health(BaseModel):
    """Whether the clearinghouse's round loop keeps up, and where the chain is."""

    status: Literal["ok", "degraded"] = Field(
        description="ok, or degraded while a round-loop step is failing, before the loop's first complete pass, or "
        "when its last complete pass is more than a round's length behind the chain (HTTP 200 either way).",
        examples=["ok"],
    )
    reason: str | None = Field(
        default=None,
        description="Why it is degraded, one line; null when ok.",
        examples=["round loop behind the chain: its last complete pass read block 1180, the head is 1204"],
    )
    version: str = Field(description="The proofmarket package's version.", examples=["0.1.0"])
    chain_id: int = Field(description="The chain the market is on (EIP-155 chain id).", examples=[31337])
    market_address: AddressOut = Field(
        description="The ProofMarket contract's address (as in GET /v1/market).", examples=[EXAMPLE_MARKET]
    )
    block: int = Field(
        description="The chain's latest block number, as the clearinghouse's node reports it.",
        examples=[1204],
    )
    open_round: int = Field(
        description="The round taking bids now (the round of the chain's latest block): the round bids and asks "
        "must name.",
        examples=[60],
    )


# --- the round files (docs/mechanism.md, "The round file") -----------------------------------


class RoundFileConfig(BaseModel):
    """The round's parameters as the mechanism saw them."""

    capacity: DecimalString = Field(
        description="C: the most constraints the round includes, as a decimal string.",
        examples=["10000"],
    )
    reserve_wei_per_constraint: WeiString = Field(
        description="ρ, in wei per constraint, as a decimal string.", examples=["1000000000"]
    )
    surplus: Literal["treasury", "burn", "rebate"] = Field(description="The surplus policy.", examples=["treasury"])
    base_fee_wei_per_constraint: WeiString = Field(
        description="The eip1559 mechanism's base fee, in wei per constraint; 0 for the other mechanisms.",
        examples=["0"],
    )
    max_bids_per_chunk: DecimalString | None = Field(
        default=None,
        description="The most bids one chunk may hold, as a decimal string; left out when unbounded (0).",
        examples=["256"],
    )


class RoundFileBid(BaseModel):
    """A bid as the mechanism sees it."""

    id: Hash32 = Field(
        description="The bid's EIP-712 digest (the id POST /v1/bids answered).",
        examples=[EXAMPLE_BID_DIGEST],
    )
    fee_wei: WeiString = Field(description="The bid's max_fee, in wei, as a decimal string.", examples=["600000000000"])
    constraints: DecimalString = Field(
        description="The bid's size in constraints, as a decimal string.",
        examples=["200"],
    )


class RoundFileAsk(BaseModel):
    """An ask as the mechanism sees it."""

    id: Hash32 = Field(
        description="The ask's EIP-712 digest (the id POST /v1/asks answered); the outcome's chunks name their "
        "prover's address beside it.",
        examples=[EXAMPLE_ASK_DIGEST],
    )
    unit_cost_wei: WeiString = Field(
        description="The ask's unit_cost, in wei per constraint, as a decimal string.", examples=["1000000000"]
    )
    capacity: DecimalString = Field(
        description="The prover's registered capacity, in constraints, as a decimal string.", examples=["1000"]
    )


class RoundInputFile(BaseModel):
    """A round's input file, as the clearinghouse published it: keccak256 of its canonical JSON
    (keys sorted, no whitespace, bids and asks sorted by id; docs/mechanism.md) is the
    ``input_hash`` settleRound stored on-chain; ``proofmarket verify-round`` re-clears it."""

    mechanism: str = Field(
        description=f"The auction that cleared the round: {', '.join(MECHANISM_NAMES)} (docs/mechanism.md).",
        examples=["proofphi"],
    )
    config: RoundFileConfig = Field(description="The round's parameters.", examples=[example_of(RoundFileConfig)])
    bids: list[RoundFileBid] = Field(
        description="Every bid the round considered.", examples=[[example_of(RoundFileBid)]]
    )
    asks: list[RoundFileAsk] = Field(
        description="Every prover's latest ask for the round.", examples=[[example_of(RoundFileAsk)]]
    )


class OutcomeChunk(BaseModel):
    """A chunk of the outcome: which prover proves which bids, for what payment."""

    prover: AddressOut = Field(
        description="The prover's address (the signer of the ask prover_id). Added by the API beside the outcome "
        "file's fields, so not covered by outcome_hash.",
        examples=[EXAMPLE_PROVER],
    )
    prover_id: Hash32 = Field(
        description="The winning ask's id (its EIP-712 digest, as in the input file's asks): the mechanism names "
        "provers by ask.",
        examples=[EXAMPLE_ASK_DIGEST],
    )
    bid_ids: list[Hash32] = Field(
        description="The chunk's bids (digests), in chunk order.",
        examples=[[EXAMPLE_BID_DIGEST]],
    )
    constraints: DecimalString = Field(
        description="The chunk's size in constraints, as a decimal string.",
        examples=["600"],
    )
    payment_wei: WeiString = Field(
        description="The prover's payment for the chunk, in wei, as a decimal string.", examples=["1800000000000"]
    )


class Price(BaseModel):
    """A price in wei per constraint as an exact fraction num/den."""

    num: DecimalString = Field(description="Numerator, as a decimal string.", examples=["3000000000"])
    den: DecimalString = Field(description="Denominator (≥ 1), as a decimal string.", examples=["1"])


class RoundOutcomeFile(BaseModel):
    """A round's outcome: included bids, charges, chunks and payments (amounts in wei, as decimal
    strings). ``outcome_hash`` is keccak256 of the canonical JSON of this document without
    ``outcome_hash`` and without the chunks' ``prover`` addresses, which the API adds."""

    mechanism: str = Field(description="The auction that cleared the round.", examples=["proofphi"])
    input_hash: Hash32 = Field(
        description="keccak256 of the canonical input file (as stored on-chain).",
        examples=[EXAMPLE_INPUT_HASH],
    )
    included_bid_ids: list[Hash32] = Field(
        description="The bids included, in settlement order.",
        examples=[[EXAMPLE_BID_DIGEST]],
    )
    charges_wei: dict[str, WeiString] = Field(
        description="What each included bid pays, in wei, by bid id.", examples=[{EXAMPLE_BID_DIGEST: "600000000000"}]
    )
    rebates_wei: dict[str, WeiString] = Field(
        description="What each bid gets back under the rebate surplus policy, in wei, by bid id (empty otherwise).",
        examples=[{}],
    )
    chunks: list[OutcomeChunk] = Field(
        description="The chunks, in settlement order (index = the contract's chunk id).",
        examples=[[example_of(OutcomeChunk)]],
    )
    price: Price = Field(
        description="π_p: the provers' price, in wei per constraint, as an exact fraction.",
        examples=[example_of(Price)],
    )
    revenue_wei: WeiString = Field(description="Σ charges, in wei.", examples=["1800000000000"])
    payouts_wei: WeiString = Field(
        description="Σ payments to provers, in wei (≤ revenue_wei).",
        examples=["1800000000000"],
    )
    surplus_wei: WeiString = Field(description="revenue_wei − payouts_wei, in wei.", examples=["0"])
    burn_wei: WeiString = Field(description="The part of the surplus burned, in wei.", examples=["0"])
    treasury_wei: WeiString = Field(
        description="The part of the surplus credited to the treasury, in wei.",
        examples=["0"],
    )
    next_base_fee_wei_per_constraint: WeiString | None = Field(
        description="The eip1559 mechanism's next base fee, in wei per constraint; null for the other mechanisms.",
        examples=[None],
    )
    outcome_hash: Hash32 = Field(
        description="keccak256 of the outcome (see the schema's description).",
        examples=[EXAMPLE_OUTCOME_HASH],
    )
