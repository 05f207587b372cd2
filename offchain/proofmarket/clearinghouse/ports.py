"""What the clearinghouse needs from the chain, as a narrow port.

The use cases in ``service`` take a :class:`MarketPort`; ``chain_adapter.MarketAdapter`` is
the real one over the deployed ``ProofMarket`` contract. Values are plain typed records, so the
use cases read like the round's rules and not like RPC plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence

from proofmarket.exceptions import ChainError


class TransactionRejected(ChainError):
    """The contract would revert the transaction (found when estimating its gas); ``reason`` says why."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"the contract rejects the transaction: {reason}")


class StaleTransaction(ChainError):
    """A stored signed transaction can no longer be mined: its nonce was used by another one."""

    def __init__(self, transaction_hash: str, reason: str):
        self.transaction_hash = transaction_hash
        super().__init__(f"transaction {transaction_hash} can no longer be mined: {reason}")


@dataclass(frozen=True)
class MarketParameters:
    """The contract's configuration, as the clearinghouse reads it once per round."""

    chain_id: int
    market_address: str
    capacity: int
    reserve_wei_per_constraint: int
    collateral_wei_per_constraint: int
    surplus_policy: str
    genesis_block: int
    round_length_blocks: int
    proving_window_blocks: int
    #: A round can be settled up to ``close_block + settlement_window_blocks``, never later.
    settlement_window_blocks: int
    #: The most bids one chunk may hold (the contract's ``maxBidsPerChunk``; 0: no bound).
    max_bids_per_chunk: int = 0


@dataclass(frozen=True)
class ProverStatus:
    registered: bool
    exiting: bool
    capacity: int
    collateral_wei: int
    locked_collateral_wei: int

    @property
    def free_collateral_wei(self) -> int:
        return self.collateral_wei - self.locked_collateral_wei


@dataclass(frozen=True)
class SignedTransaction:
    """A signed transaction kept in the database before it is broadcast."""

    transaction_hash: str
    raw_transaction: str
    nonce: int


@dataclass(frozen=True)
class Receipt:
    transaction_hash: str
    succeeded: bool
    block_number: int
    gas_used: int


@dataclass(frozen=True)
class SettlementBid:
    """One included bid as settlement needs it: the signed message and its charge."""

    message: object  # proofmarket.chain.typed_data.BidMessage
    signature: bytes
    charge_wei: int


@dataclass(frozen=True)
class SettlementChunk:
    """One working prover's chunk: its signed ask, how many bids (a contiguous run), payment."""

    ask: object  # proofmarket.chain.typed_data.AskMessage
    ask_signature: bytes
    bid_count: int
    payment_wei: int
    commitment: bytes
    #: The statement data the deployment's sequencer gave the chunk (empty: none).
    statement_data: bytes = b""


@dataclass(frozen=True)
class Settlement:
    round_id: int
    input_hash: bytes
    price_numerator: int
    price_denominator: int
    bids: tuple[SettlementBid, ...]
    chunks: tuple[SettlementChunk, ...]


@dataclass(frozen=True)
class PostedBid:
    """A bid posted on-chain with ``postBid`` (the censorship-resistant path)."""

    message: object  # BidMessage
    signature: bytes
    block_number: int
    #: The posting transaction (0x-hex), so a skipped post can be named in the log.
    transaction_hash: str = ""


class MarketPort(Protocol):
    def parameters(self) -> MarketParameters: ...

    def block_number(self) -> int: ...

    def escrow_of(self, user: str) -> int: ...

    def prover_status(self, prover: str) -> ProverStatus: ...

    def is_round_settled(self, round_id: int) -> bool: ...

    def sign_settlement(self, settlement: Settlement) -> SignedTransaction: ...

    def broadcast(self, signed: SignedTransaction) -> None: ...

    def receipt(self, transaction_hash: str) -> Receipt | None: ...

    def wait_for_receipt(self, transaction_hash: str, timeout_seconds: float) -> Receipt | None: ...

    def round_deadline(self, round_id: int) -> int: ...

    def settlement_transaction(self, round_id: int) -> str:
        """The hash of the transaction that settled ``round_id`` on-chain."""
        ...

    def chunk_state(self, round_id: int, chunk_index: int) -> str: ...

    def proof_transaction(self, round_id: int, chunk_index: int, from_block: int) -> str | None:
        """The hash of the transaction that proved the chunk (its ``ChunkProven`` event, looked
        for from ``from_block``), or None if there is none."""
        ...

    def sign_slash(
        self, round_id: int, chunk_index: int, refunds: Sequence[tuple[str, int, bytes]]
    ) -> SignedTransaction:
        """``slash(round_id, chunk_index, refunds)``; each refund is ``(user, charge, tx_hash)``."""
        ...

    def posted_bids(self, from_block: int, to_block: int) -> Sequence[PostedBid]: ...


@dataclass(frozen=True)
class SequencerBid:
    """A bid as a sequencer sees it: id (digest), signer, ``txHash`` and the submitted body, if any."""

    bid_id: str
    user: str
    tx_hash: bytes
    body: Mapping | None


@dataclass(frozen=True)
class SequencerChunk:
    """A chunk of a cleared round as a sequencer sees it: its prover and its bids, in order."""

    prover: str
    bids: tuple[SequencerBid, ...]


class Sequencer(Protocol):
    """A deployment's sequencer (``rollup.sequencer.RollupSequencer`` is the reference rollup's).

    ``history`` is the documents :meth:`sequence` returned for the earlier settled rounds, in
    round order: the sequencer's state is a function of them (and of the chain)."""

    def transaction_hash(self, body: Mapping) -> bytes:
        """The ``txHash`` of a submitted transaction body; raises ``UserInputError`` if malformed."""
        ...

    def admit(self, round_id: int, history: Sequence[Mapping], bids: Sequence[SequencerBid]) -> tuple[list[str], dict[str, str]]:
        """The ids of the bids the round may include, and why each other one is refused."""
        ...

    def sequence(self, round_id: int, history: Sequence[Mapping], chunks: Sequence[SequencerChunk]) -> dict:
        """The cleared round executed: a JSON document whose ``chunks[k]`` has the chunk's
        ``statement_data`` (0x-hex) and what its prover needs to prove it."""
        ...
