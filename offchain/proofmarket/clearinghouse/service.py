"""The clearinghouse's use cases: take bids and asks, and move each round to its end.

A round's life (``database.RoundState``)::

    OPEN --close, clear--> CLEARED --sign--> SETTLE_SIGNED --mined--> SETTLED --all chunks
    proven or slashed--> RESOLVED          (OPEN --nothing to settle--> EMPTY)

Every transition is committed to the database *before* the external effect that follows it:
the signed settlement transaction is stored before it is broadcast, so a clearinghouse killed at
any point and restarted finds the same transaction, rebroadcasts it if the node lost it, and
never signs a second settlement for the round (the contract refuses a second one anyway).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proofmarket.chain.typed_data import AskMessage, BidMessage, Domain
from proofmarket.mechanism import clear_round
from proofmarket.mechanism.roundfile import input_hash, outcome_to_json, parse_round, round_to_json
from proofmarket.mechanism.types import Ask, Bid, Outcome, RoundConfig, RoundInput
from proofmarket.zk.commitment import chunk_commitment

from .admission import CandidateAsk, CandidateBid, admit_asks, admit_bids_within_escrow
from .database import (
    AskRow,
    BidRow,
    BidSource,
    ChunkRow,
    ChunkState,
    CursorRow,
    RoundRow,
    RoundState,
    TransactionKind,
    TransactionRow,
    TransactionStatus,
    utc_now,
)
from .errors import DuplicateSubmission, SettlementFailed
from .intake import SignedAsk, SignedBid
from .ports import (
    MarketParameters,
    MarketPort,
    PostedBid,
    Receipt,
    Settlement,
    SettlementBid,
    SettlementChunk,
    SignedTransaction,
    StaleTransaction,
    TransactionRejected,
)
from .schedule import close_block, last_settlement_block, round_at_block
from .store import Store

log = logging.getLogger(__name__)

#: How many times a round is cleared again after its settlement reverted (the chain moved
#: between clearing and mining, e.g. a user withdrew escrow) before it is marked FAILED.
MAX_SETTLEMENT_ATTEMPTS = 3

POSTED_BIDS_CURSOR = "posted_bids"

TERMINAL_ROUND_STATES = {RoundState.RESOLVED, RoundState.EMPTY, RoundState.FAILED}


class SimulatedCrash(BaseException):
    """Raised by a fault hook in tests to stop the clearinghouse at a named point, as a kill would."""


def no_faults(point: str) -> None:
    """The default fault hook: does nothing. Tests pass one that raises :class:`SimulatedCrash`."""


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _bytes(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def _settle_history(row: RoundRow) -> dict:
    """The settlement transactions signed for a round and the failed attempts so far."""
    if row.settle_history_json:
        return json.loads(row.settle_history_json)
    return {"attempts": 0, "signed": [], "last_reason": None}


def _log_transaction(
    session: Session, signed: SignedTransaction, kind: TransactionKind, round_id: int, chunk_index: int | None = None
) -> None:
    session.add(
        TransactionRow(
            transaction_hash=signed.transaction_hash,
            kind=kind,
            round_id=round_id,
            chunk_index=chunk_index,
            nonce=signed.nonce,
            raw_transaction=signed.raw_transaction,
        )
    )


def _record_receipt(session: Session, receipt: Receipt | None, transaction_hash: str, status: TransactionStatus | None = None, detail: str | None = None) -> None:
    """Note what became of a logged transaction (mined, reverted, or abandoned)."""
    row = session.get(TransactionRow, transaction_hash)
    if row is None:
        return
    if receipt is not None:
        row.status = TransactionStatus.MINED if receipt.succeeded else TransactionStatus.REVERTED
        row.block_number, row.gas_used = receipt.block_number, receipt.gas_used
    if status is not None:
        row.status = status
    row.detail = detail or row.detail


def bid_message(row: BidRow) -> BidMessage:
    return BidMessage(
        user=row.user,
        tx_hash=_bytes(row.tx_hash),
        constraints=row.constraints,
        max_fee=int(row.max_fee_wei),
        round=row.round_id,
        nonce=row.nonce,
    )


def ask_message(row: AskRow) -> AskMessage:
    return AskMessage(prover=row.prover, unit_cost=int(row.unit_cost_wei), round=row.round_id, nonce=row.nonce)


@dataclass
class Clearinghouse:
    """The clearinghouse's dependencies, wired once (see ``bootstrap``); its methods are the use cases."""

    store: Store
    market: MarketPort
    domain: Domain
    mechanism: str = "proofphi"
    publish_directory: Path | None = None
    fault: Callable[[str], None] = no_faults
    #: How long one step waits for a receipt before leaving it to the next tick (the round
    #: loop must not stall on one transaction: it has other rounds to serve).
    receipt_timeout_seconds: float = 5.0
    _parameters: MarketParameters | None = field(default=None, repr=False)

    # -- reading the chain -------------------------------------------------------------------

    def parameters(self) -> MarketParameters:
        """The market's configuration (read once; the owner's changes apply from a restart)."""
        if self._parameters is None:
            self._parameters = self.market.parameters()
        return self._parameters

    # -- intake -------------------------------------------------------------------------------

    def store_bids(self, accepted: Sequence[tuple[SignedBid, str]], source: BidSource = BidSource.API) -> list[bool]:
        """Store validated ``(bid, digest)`` pairs in one transaction.

        Returns, for each pair, True if it was stored and False if its digest was already known
        (an earlier submission, or an earlier pair of the same call): a resubmission is harmless.
        """
        digests = [digest for _, digest in accepted]
        with self.store.session() as session:
            known = set()
            for start in range(0, len(digests), 500):  # keep the IN list within SQLite's limits
                part = digests[start : start + 500]
                known.update(session.scalars(select(BidRow.digest).where(BidRow.digest.in_(part))))
            stored, rows = [], []
            for bid, digest in accepted:
                if digest in known:
                    stored.append(False)
                    continue
                known.add(digest)
                stored.append(True)
                rows.append(
                    {
                        "digest": digest,
                        "round_id": bid.message.round,
                        "user": bid.message.user,
                        "tx_hash": _hex(bid.message.tx_hash),
                        "constraints": bid.message.constraints,
                        "max_fee_wei": str(bid.message.max_fee),
                        "nonce": bid.message.nonce,
                        "signature": _hex(bid.signature),
                        "source": source,
                        "received_at": utc_now(),
                    }
                )
            if rows:  # one multi-row INSERT: intake's hot path (see bench intake)
                session.execute(insert(BidRow), rows)
        return stored

    def record_ask(self, ask: SignedAsk, digest: str) -> str:
        """Store a validated ask; raises :class:`DuplicateSubmission` if seen before."""
        try:
            with self.store.session() as session:
                if session.get(AskRow, digest) is not None:
                    raise DuplicateSubmission("ask", digest)
                session.add(
                    AskRow(
                        digest=digest,
                        round_id=ask.message.round,
                        prover=ask.message.prover,
                        unit_cost_wei=str(ask.message.unit_cost),
                        nonce=ask.message.nonce,
                        signature=_hex(ask.signature),
                    )
                )
        except IntegrityError as error:  # same (round, prover, nonce) signed twice with other terms
            raise DuplicateSubmission("ask", digest) from error
        return digest

    def scan_posted_bids(self, validate: Callable[[PostedBid], str]) -> int:
        """Read ``BidPosted`` events since the cursor, keep the valid new ones; returns how many.

        ``validate`` applies the intake rules (the round open at the post's block is the round
        the bid must be for) and returns the digest; a bid it refuses is skipped: an on-chain
        post is not a promise that the bid is good.
        """
        head = self.market.block_number()
        with self.store.session() as session:
            cursor = session.get(CursorRow, POSTED_BIDS_CURSOR)
            start = cursor.block + 1 if cursor else self.parameters().genesis_block
        if start > head:
            return 0
        accepted = []
        for posted in self.market.posted_bids(start, head):
            bid = SignedBid(posted.message, posted.signature)
            try:
                accepted.append((bid, validate(posted)))
            except Exception as error:  # noqa: BLE001 - any refusal just skips the post
                log.info("posted bid skipped: %s", error)
        stored = self.store_bids(accepted, BidSource.CHAIN)
        with self.store.session() as session:
            cursor = session.get(CursorRow, POSTED_BIDS_CURSOR)
            if cursor is None:
                session.add(CursorRow(name=POSTED_BIDS_CURSOR, block=head))
            else:
                cursor.block = head
        return sum(stored)

    # -- the round state machine --------------------------------------------------------------

    def tick(self) -> list[int]:
        """Advance every round that is due; returns the rounds that changed state."""
        parameters = self.parameters()
        head = self.market.block_number()
        closed_through = round_at_block(head, parameters.genesis_block, parameters.round_length_blocks) - 1
        changed = []
        with self.store.session() as session:
            pending = set(
                session.scalars(select(RoundRow.round_id).where(RoundRow.state.not_in(TERMINAL_ROUND_STATES)))
            )
            with_bids = set(session.scalars(select(BidRow.round_id).distinct()))
            with_asks = set(session.scalars(select(AskRow.round_id).distinct()))
            started = set(session.scalars(select(RoundRow.round_id)))
        candidates = pending | ((with_bids | with_asks) - started)
        for round_id in sorted(candidates):
            if round_id > closed_through and round_id not in pending:
                continue
            before = self.round_state(round_id)
            after = self.advance(round_id)
            if after != before:
                changed.append(round_id)
        return changed

    def round_state(self, round_id: int) -> RoundState | None:
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            return row.state if row else None

    def advance(self, round_id: int) -> RoundState:
        """Take round ``round_id`` as far as it can go now; safe to call again at any time."""
        for _ in range(2 * MAX_SETTLEMENT_ATTEMPTS + 6):
            state = self.round_state(round_id)
            if state in (None, RoundState.OPEN, RoundState.CLEARED) and self._settlement_window_passed(round_id):
                return self._fail_after_settlement_window(round_id)
            if state is None or state == RoundState.OPEN:
                if not self._is_closed(round_id):
                    return state or RoundState.OPEN
                self._clear(round_id)
            elif state == RoundState.CLEARED:
                self._sign_settlement(round_id)
            elif state == RoundState.SETTLE_SIGNED:
                if not self._await_settlement(round_id):
                    return RoundState.SETTLE_SIGNED
            elif state == RoundState.SETTLED:
                if not self._resolve_chunks(round_id):
                    return RoundState.SETTLED
            else:
                return state
        return self.round_state(round_id)

    def _is_closed(self, round_id: int) -> bool:
        parameters = self.parameters()
        return self.market.block_number() >= close_block(
            round_id, parameters.genesis_block, parameters.round_length_blocks
        )

    def _last_settlement_block(self, round_id: int) -> int:
        parameters = self.parameters()
        return last_settlement_block(
            round_id, parameters.genesis_block, parameters.round_length_blocks, parameters.settlement_window_blocks
        )

    def _settlement_window_passed(self, round_id: int) -> bool:
        """Whether a settlement sent now would land after the round's last settlement block (the
        next block is the earliest it can be mined in)."""
        return self.market.block_number() >= self._last_settlement_block(round_id)

    def _fail_after_settlement_window(self, round_id: int) -> RoundState:
        """The contract would refuse the round for good (SettlementWindowPassed): mark it FAILED
        instead of clearing and signing it again and again."""
        last_block, head = self._last_settlement_block(round_id), self.market.block_number()
        with self.store.session() as session:
            row = session.get(RoundRow, round_id) or RoundRow(round_id=round_id, state=RoundState.OPEN)
            session.add(row)
            row.state = RoundState.FAILED
            row.failure = (
                f"settlement window passed: round {round_id} could be settled up to block {last_block}, "
                f"and the next block is {head + 1}"
            )
        log.warning("round %s: settlement window passed (last block %s, head %s): FAILED", round_id, last_block, head)
        return RoundState.FAILED

    def build_round_input(self, session: Session, round_id: int) -> tuple[RoundInput, dict, dict]:
        """The mechanism's input for a round: admitted bids and asks, read against the chain now."""
        parameters = self.parameters()
        bid_rows = {row.digest: row for row in session.scalars(select(BidRow).where(BidRow.round_id == round_id))}
        ask_rows = {row.digest: row for row in session.scalars(select(AskRow).where(AskRow.round_id == round_id))}
        escrow = {user: self.market.escrow_of(user) for user in {row.user for row in bid_rows.values()}}
        statuses = {prover: self.market.prover_status(prover) for prover in {row.prover for row in ask_rows.values()}}
        bids = admit_bids_within_escrow(
            (CandidateBid(r.digest, r.user, r.constraints, int(r.max_fee_wei)) for r in bid_rows.values()),
            escrow,
            parameters.capacity,
            parameters.reserve_wei_per_constraint,
        )
        asks = admit_asks(
            (CandidateAsk(r.digest, r.prover, int(r.unit_cost_wei), r.nonce) for r in ask_rows.values()),
            statuses,
            parameters.collateral_wei_per_constraint,
        )
        round_input = RoundInput(
            mechanism=self.mechanism,
            config=RoundConfig(
                capacity=parameters.capacity,
                reserve_wei_per_constraint=parameters.reserve_wei_per_constraint,
                surplus=parameters.surplus_policy,
            ),
            bids=tuple(Bid(id=bid.digest, fee_wei=bid.max_fee_wei, constraints=bid.constraints) for bid in bids),
            asks=tuple(Ask(id=ask.digest, unit_cost_wei=ask.unit_cost_wei, capacity=status.capacity) for ask, status in asks),
        )
        return round_input, bid_rows, ask_rows

    def _clear(self, round_id: int) -> None:
        with self.store.session() as session:
            row = session.get(RoundRow, round_id) or RoundRow(round_id=round_id, state=RoundState.OPEN)
            session.add(row)
            round_input, _, _ = self.build_round_input(session, round_id)
            outcome = clear_round(round_input)
            row.input_json = json.dumps(round_to_json(round_input), sort_keys=True)
            row.input_hash = _hex(input_hash(round_input))
            row.outcome_json = json.dumps(outcome_to_json(outcome), sort_keys=True)
            row.state = RoundState.CLEARED if outcome.included_bid_ids else RoundState.EMPTY
        self._publish(round_id)
        self.fault("after_clear")

    def _publish(self, round_id: int) -> None:
        """Write the round's input file and outcome where anyone can fetch them (atomic rename)."""
        if self.publish_directory is None:
            return
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            documents = {"input": row.input_json, "outcome": row.outcome_json}
        self.publish_directory.mkdir(parents=True, exist_ok=True)
        for name, text in documents.items():
            target = self.publish_directory / f"round-{round_id}.{name}.json"
            temporary = target.with_suffix(".tmp")
            temporary.write_text(text)
            temporary.replace(target)

    def settlement_for(self, session: Session, row: RoundRow) -> tuple[Settlement, Outcome]:
        """The ``settleRound`` arguments for a cleared round.

        The outcome is cleared again from the stored input file: clearing is deterministic, so
        this is the stored outcome, and the published file is the single source of truth.
        """
        outcome = clear_round(parse_round(row.input_json))
        ids = list(outcome.included_bid_ids)
        bid_rows = {r.digest: r for r in session.scalars(select(BidRow).where(BidRow.digest.in_(ids)))}
        ask_ids = [chunk.prover_id for chunk in outcome.chunks]
        ask_rows = {r.digest: r for r in session.scalars(select(AskRow).where(AskRow.digest.in_(ask_ids)))}
        chunk_order = [bid_id for chunk in outcome.chunks for bid_id in chunk.bid_ids]
        if chunk_order != ids:
            raise SettlementFailed(row.round_id, "the outcome's chunks are not contiguous runs of the included bids")
        bids = tuple(
            SettlementBid(bid_message(bid_rows[bid_id]), _bytes(bid_rows[bid_id].signature), outcome.charges_wei[bid_id])
            for bid_id in ids
        )
        chunks = tuple(
            SettlementChunk(
                ask=ask_message(ask_rows[chunk.prover_id]),
                ask_signature=_bytes(ask_rows[chunk.prover_id].signature),
                bid_count=len(chunk.bid_ids),
                payment_wei=chunk.payment_wei,
                commitment=chunk_commitment([_bytes(bid_rows[b].tx_hash) for b in chunk.bid_ids]),
            )
            for chunk in outcome.chunks
        )
        settlement = Settlement(
            round_id=row.round_id,
            input_hash=_bytes(row.input_hash),
            price_numerator=outcome.price.num,
            price_denominator=outcome.price.den,
            bids=bids,
            chunks=chunks,
        )
        return settlement, outcome

    def _sign_settlement(self, round_id: int) -> None:
        """Sign the settlement, store it, then broadcast it (in that order: see the module doc).

        If the contract would reject it now (the chain moved since clearing: a user withdrew, a
        prover exited), the round is cleared again against the chain as it is.
        """
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            settlement, _ = self.settlement_for(session, row)
            try:
                signed = self.market.sign_settlement(settlement)
            except TransactionRejected as rejection:
                self._retry_or_fail(row, rejection.reason)
                return
            row.settle_transaction_hash = signed.transaction_hash
            row.settle_raw_transaction = signed.raw_transaction
            row.state = RoundState.SETTLE_SIGNED
            history = _settle_history(row)
            history["signed"].append(signed.transaction_hash)
            row.settle_history_json = json.dumps(history)
            _log_transaction(session, signed, TransactionKind.SETTLE, round_id)
        self.fault("after_settle_signed")
        self.market.broadcast(signed)
        self.fault("after_settle_broadcast")

    def _retry_or_fail(self, row: RoundRow, reason: str) -> None:
        """A settlement failed: adopt an earlier one of ours that did settle the round, else send
        the round back to clearing (FAILED after too many attempts)."""
        history = _settle_history(row)
        history["attempts"] += 1
        history["last_reason"] = reason
        row.settle_history_json = json.dumps(history)
        log.warning("round %s: settlement failed (attempt %s): %s", row.round_id, history["attempts"], reason)
        if self.market.is_round_settled(row.round_id):
            settled_by = self.market.settlement_transaction(row.round_id)
            if settled_by in history["signed"]:
                row.settle_transaction_hash, row.state = settled_by, RoundState.SETTLE_SIGNED
            else:
                row.state = RoundState.FAILED
                row.failure = f"settled by {settled_by}, a transaction this clearinghouse did not sign"
            return
        row.settle_transaction_hash = row.settle_raw_transaction = None
        if history["attempts"] < MAX_SETTLEMENT_ATTEMPTS:
            row.state = RoundState.OPEN
        else:
            row.state = RoundState.FAILED
            row.failure = f"{history['attempts']} settlement attempts failed; the last: {reason}"

    def _await_settlement(self, round_id: int) -> bool:
        """Find the stored settlement's receipt, rebroadcasting it if the node lost it.

        Returns False while it is pending (the next tick looks again). If its nonce was taken by
        another transaction without it being mined, it can never be mined: the round goes back to
        CLEARED and is signed again (the contract settles a round once, so this is safe).
        """
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            signed = SignedTransaction(row.settle_transaction_hash, row.settle_raw_transaction, 0)
        receipt = self.market.receipt(signed.transaction_hash)
        if receipt is None:
            try:
                self.market.broadcast(signed)
            except StaleTransaction as stale:
                with self.store.session() as session:
                    _record_receipt(session, None, signed.transaction_hash, TransactionStatus.ABANDONED, str(stale))
                    self._retry_or_fail(session.get(RoundRow, round_id), str(stale))
                return True
            receipt = self.market.wait_for_receipt(signed.transaction_hash, self.receipt_timeout_seconds)
            if receipt is None:
                return False
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            _record_receipt(session, receipt, signed.transaction_hash)
            if receipt.succeeded:
                settlement, outcome = self.settlement_for(session, row)
                self._record_chunks(session, row, settlement, outcome)
                row.state = RoundState.SETTLED
                row.settle_block = receipt.block_number
                row.settle_gas_used = receipt.gas_used
                row.deadline_block = self.market.round_deadline(round_id)
                return True
            self._retry_or_fail(row, f"transaction {receipt.transaction_hash} reverted")
            return True

    def _record_chunks(self, session: Session, row: RoundRow, settlement: Settlement, outcome: Outcome) -> None:
        position = 0
        for index, (chunk, planned) in enumerate(zip(outcome.chunks, settlement.chunks)):
            bids = settlement.bids[position : position + planned.bid_count]
            position += planned.bid_count
            session.merge(
                ChunkRow(
                    round_id=row.round_id,
                    chunk_index=index,
                    prover=planned.ask.prover,
                    commitment=_hex(planned.commitment),
                    bid_digests_json=json.dumps(list(chunk.bid_ids)),
                    tx_hashes_json=json.dumps([_hex(bid.message.tx_hash) for bid in bids]),
                    constraints=chunk.constraints,
                    payment_wei=str(chunk.payment_wei),
                    state=ChunkState.ASSIGNED,
                )
            )

    def _resolve_chunks(self, round_id: int) -> bool:
        """Mark proven chunks, slash overdue ones; True once every chunk is proven or slashed."""
        head = self.market.block_number()
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            deadline = row.deadline_block
            chunks = list(session.scalars(select(ChunkRow).where(ChunkRow.round_id == round_id)))
            charges = {bid_id: int(charge) for bid_id, charge in json.loads(row.outcome_json)["charges_wei"].items()}
        unresolved = 0
        for chunk in chunks:
            if chunk.state in (ChunkState.PROVEN, ChunkState.SLASHED):
                continue
            on_chain = self.market.chunk_state(round_id, chunk.chunk_index)
            if on_chain == "assigned" and head > deadline:
                on_chain = self._slash(chunk, charges)
            if on_chain in ("proven", "slashed"):
                self._set_chunk_state(round_id, chunk.chunk_index, ChunkState(on_chain))
            else:
                unresolved += 1
        if unresolved == 0:
            with self.store.session() as session:
                session.get(RoundRow, round_id).state = RoundState.RESOLVED
        return unresolved == 0

    def _slash(self, chunk: ChunkRow, charges: dict[str, int]) -> str:
        """Slash an overdue chunk (signed once, stored before broadcast); returns its state after."""
        key = (chunk.round_id, chunk.chunk_index)
        if chunk.state == ChunkState.SLASH_SIGNED:
            signed = SignedTransaction(chunk.slash_transaction_hash, chunk.slash_raw_transaction, 0)
        else:
            signed = self.market.sign_slash(chunk.round_id, chunk.chunk_index, self._refunds(chunk, charges))
            with self.store.session() as session:
                stored = session.get(ChunkRow, key)
                stored.slash_transaction_hash = signed.transaction_hash
                stored.slash_raw_transaction = signed.raw_transaction
                stored.state = ChunkState.SLASH_SIGNED
                _log_transaction(session, signed, TransactionKind.SLASH, chunk.round_id, chunk.chunk_index)
        try:
            self.market.broadcast(signed)
            receipt = self.market.wait_for_receipt(signed.transaction_hash, self.receipt_timeout_seconds)
        except StaleTransaction as stale:
            receipt = None
            with self.store.session() as session:
                _record_receipt(session, None, signed.transaction_hash, TransactionStatus.ABANDONED, str(stale))
        if receipt is not None:
            with self.store.session() as session:
                _record_receipt(session, receipt, signed.transaction_hash)
        if receipt is not None and receipt.succeeded:
            return "slashed"
        # Pending, lost, or beaten by another reporter: the chain says where it stands.
        state = self.market.chunk_state(chunk.round_id, chunk.chunk_index)
        if state == "assigned" and receipt is not None:  # reverted: sign afresh next time
            with self.store.session() as session:
                stored = session.get(ChunkRow, key)
                stored.state = ChunkState.ASSIGNED
                stored.slash_transaction_hash = stored.slash_raw_transaction = None
        return state

    def _refunds(self, chunk: ChunkRow, charges: dict[str, int]) -> list[tuple[str, int]]:
        with self.store.session() as session:
            digests = json.loads(chunk.bid_digests_json)
            users = {r.digest: r.user for r in session.scalars(select(BidRow).where(BidRow.digest.in_(digests)))}
        return [(users[digest], charges[digest]) for digest in digests]

    def _set_chunk_state(self, round_id: int, chunk_index: int, state: ChunkState) -> None:
        with self.store.session() as session:
            session.get(ChunkRow, (round_id, chunk_index)).state = state
