"""The reference rollup's sequencer, as the clearinghouse's ``Sequencer`` port.

The rules are :mod:`proofmarket.rollup.sequencing`'s; this adapter reads the L1 deposit queue
(through ``pending_deposits``), rebuilds the round-start state from the documents of the earlier
settled rounds, and writes each chunk's statement data and its prover's witness (the chunk's
pre-state and operations: everything needed to prove it, by its prover or, after a missed
deadline, by anyone) into the round's document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from proofmarket.clearinghouse.ports import SequencerBid, SequencerChunk
from proofmarket.exceptions import UserInputError
from proofmarket.rollup.sequencing import (
    CHUNK_SLOTS,
    CandidateTransfer,
    admit_transfers,
    guaranteed_deposits,
    operation_from_json,
    replay,
    round_from_json,
    round_to_json,
    sequence_round,
    state_to_json,
)
from proofmarket.rollup.state import Deposit, RollupState, Transfer, address_value, transfer_hash

#: The most L1 deposits one round applies (each takes a free slot of a chunk anyway).
MAX_DEPOSITS_PER_ROUND = 256


def transfer_from_body(body: Mapping) -> Transfer:
    """A transfer body ``{"sender", "recipient", "amount", "nonce"}`` (addresses 0x-hex, amount a
    decimal string or integer); raises :class:`UserInputError` naming what is wrong."""
    if not isinstance(body, Mapping):
        raise UserInputError("a transfer is a JSON object with sender, recipient, amount and nonce")
    missing = [name for name in ("sender", "recipient", "amount", "nonce") if name not in body]
    if missing:
        raise UserInputError(f"the transfer lacks {', '.join(missing)}")
    extra = sorted(set(body) - {"sender", "recipient", "amount", "nonce"})
    if extra:
        raise UserInputError(f"unknown field(s) {', '.join(extra)}: a transfer has sender, recipient, amount and nonce")
    for name in ("sender", "recipient"):
        if not isinstance(body[name], str):
            raise UserInputError(f"{name} must be an address, 0x and 40 hex digits")
    try:
        amount = int(body["amount"]) if isinstance(body["amount"], (str, int)) and not isinstance(body["amount"], bool) else None
    except ValueError:
        amount = None
    if amount is None:
        raise UserInputError("amount must be an integer number of wei (a decimal string or a JSON integer)")
    nonce = body["nonce"]
    if isinstance(nonce, bool) or not isinstance(nonce, int):
        raise UserInputError("nonce must be a JSON integer")
    return Transfer(address_value(body["sender"]), address_value(body["recipient"]), amount, nonce)


def transfer_body(transfer: Transfer) -> dict:
    """The body ``POST /v1/transactions`` takes for ``transfer``."""
    return {
        "sender": f"0x{transfer.sender:040x}", "recipient": f"0x{transfer.recipient:040x}",
        "amount": str(transfer.amount), "nonce": transfer.nonce,
    }


@dataclass
class RollupSequencer:
    """The clearinghouse's sequencer for the reference rollup."""

    #: ``pending_deposits(position, limit)``: the L1 deposits after queue position ``position``
    #: (0: from the first), at most ``limit`` of them, in queue order.
    pending_deposits: Callable[[int, int], list[Deposit]]
    #: The market's ``maxBidsPerChunk`` (1 or 2: a chunk proof has 3 slots, deposits need one).
    max_bids_per_chunk: int
    #: Every address the L1 queue holds a deposit for (admission keeps the tree's room for them).
    deposit_recipients: Callable[[], frozenset[int]] = frozenset
    _cache: tuple[str, RollupState] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.guaranteed = guaranteed_deposits(self.max_bids_per_chunk)

    def transaction_hash(self, body: Mapping) -> bytes:
        """The transfer's hash, the ``txHash`` its bid carries."""
        return transfer_hash(transfer_from_body(body))

    def round_start(self, history: Sequence[Mapping]) -> RollupState:
        """The state the settled rounds of ``history`` leave (cached for the latest history)."""
        key = repr([(document["round"], [c["post_root"] for c in document["chunks"]]) for document in history])
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, replay(round_from_json(document) for document in history))
        return self._cache[1]

    def _pending(self, state: RollupState) -> list[Deposit]:
        return self.pending_deposits(state.deposits_applied, MAX_DEPOSITS_PER_ROUND)

    def admit(self, round_id: int, history: Sequence[Mapping], bids: Sequence[SequencerBid]) -> tuple[list[str], dict[str, str]]:
        state = self.round_start(history)
        candidates = [_candidate(bid) for bid in bids]
        return admit_transfers(state, self._pending(state), candidates, self.guaranteed, self.deposit_recipients())

    def sequence(self, round_id: int, history: Sequence[Mapping], chunks: Sequence[SequencerChunk]) -> dict:
        state = self.round_start(history)
        transfers = [[transfer_from_body(bid.body) for bid in chunk.bids] for chunk in chunks]
        sequenced, _ = sequence_round(state, round_id, transfers, self._pending(state), CHUNK_SLOTS)
        document = round_to_json(sequenced)
        for chunk in document["chunks"]:
            chunk["pre_state"] = state_to_json(state)
            state = state.apply_all(operation_from_json(op) for op in chunk["operations"])
        return document


def _candidate(bid: SequencerBid) -> CandidateTransfer:
    try:
        transfer = transfer_from_body(bid.body) if bid.body is not None else None
    except UserInputError:
        transfer = None
    return CandidateTransfer(bid.bid_id, address_value(bid.user), bid.tx_hash, transfer)
