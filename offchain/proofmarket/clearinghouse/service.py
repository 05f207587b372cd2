"""The clearinghouse's use cases: take bids and asks, and move each round to its end.

A round's life (``database.RoundState``)::

    OPEN --close--> CLOSED --clear--> CLEARED --sign--> SETTLE_SIGNED --mined--> SETTLED
    --all chunks proven or slashed--> RESOLVED          (CLOSED --nothing to settle--> EMPTY)

Intake stores a bid or ask only while its round is OPEN, checked in the transaction that stores
it; the round loop commits CLOSED before it reads the round's bids, in a transaction that
serialises with intake's (:func:`lock_rounds`). So every bid intake acknowledged is in the
round's input file, and no bid is stored for a round after it was read for clearing.

Every transition is committed to the database *before* the external effect that follows it:
the signed settlement transaction is stored before it is broadcast, so a clearinghouse killed at
any point and restarted finds the same transaction, rebroadcasts it if the node lost it, and
never signs a second settlement for the round (the contract refuses a second one anyway).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from proofmarket.chain.typed_data import AskMessage, BidMessage, Domain
from proofmarket.exceptions import UserInputError
from proofmarket.logs import event
from proofmarket.metrics import MarketMetrics
from proofmarket.mechanism import clear_round
from proofmarket.mechanism.roundfile import input_hash, outcome_to_json, parse_round, round_to_json
from proofmarket.mechanism.types import Ask, Bid, Outcome, Price, RoundConfig, RoundInput
from proofmarket.zk.commitment import chunk_commitment

from .admission import CandidateAsk, CandidateBid, admit_asks, admit_bids_within_escrow
from .database import (
    AskRow,
    BidRow,
    BidSource,
    ChunkRow,
    ChunkState,
    CursorRow,
    LoopStatusRow,
    MarketRow,
    RoundRow,
    RoundSequenceRow,
    RoundState,
    TransactionBodyRow,
    TransactionKind,
    TransactionRow,
    TransactionStatus,
    utc_now,
)
from .errors import (
    ConflictingAsk,
    DuplicateSubmission,
    IntakeError,
    MarketMismatch,
    RoundClosed,
    SequencerMissing,
    SettlementFailed,
    TransactionBodyInvalid,
)
from .health import LoopHealth
from .intake import SignedAsk, SignedBid
from .ports import (
    MarketParameters,
    MarketPort,
    PostedBid,
    Receipt,
    Sequencer,
    SequencerBid,
    SequencerChunk,
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

Result = TypeVar("Result")

#: How many times a round is cleared again after its settlement reverted (the chain moved
#: between clearing and mining, e.g. a user withdrew escrow) before it is marked FAILED.
MAX_SETTLEMENT_ATTEMPTS = 3

POSTED_BIDS_CURSOR = "posted_bids"

#: At most this many blocks of ``BidPosted`` events are read in one pass (nodes cap log queries).
MAX_SCAN_BLOCKS = 2_000

TERMINAL_ROUND_STATES = {RoundState.RESOLVED, RoundState.EMPTY, RoundState.FAILED}
#: A chunk in one of these states needs nothing more from the clearinghouse.
RESOLVED_CHUNK_STATES = {ChunkState.PROVEN, ChunkState.SLASHED, ChunkState.DISPUTED}


class SimulatedCrash(BaseException):
    """Raised by a fault hook in tests to stop the clearinghouse at a named point, as a kill would."""


class LeadershipLost(BaseException):
    """The round-loop lock is no longer this process's (its database session ended): a standby
    may run the loop now, so this process must not take another step. A ``BaseException`` so
    that no step's error handling retries past it."""


def no_faults(point: str) -> None:
    """The default fault hook: does nothing. Tests pass one that raises :class:`SimulatedCrash`."""


def always_leader() -> None:
    """The default leadership check: a clearinghouse used on its own (tests, the demo) leads."""


#: After this long without a report from the round loop, an API process that runs none says
#: the loop is gone (``/v1/health`` degraded).
LOOP_STATUS_STALE_SECONDS = 30.0


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _bytes(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def price_gwei(price: Price) -> float:
    """A price per constraint in gwei (``num / den`` wei), as a number for the log."""
    return round(price.num / price.den / 10**9, 9)


def outcome_figures(outcome: Outcome) -> dict:
    """What the log says about a round's outcome: included bids, price, revenue, payouts, chunks."""
    return {
        "included": len(outcome.included_bid_ids),
        "price_gwei_per_constraint": price_gwei(outcome.price),
        "revenue_wei": outcome.revenue_wei,
        "payouts_wei": outcome.payouts_wei,
        "chunks": len(outcome.chunks),
    }


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


def lock_rounds(session: Session, round_ids, exclusive: bool = False) -> dict[int, RoundState]:
    """Each round's state, its row created OPEN if it has none, locked until the transaction
    ends: shared (``FOR SHARE``) for intake, exclusive (``FOR UPDATE``) to close it.

    Rule: intake stores a bid only if its round is OPEN in the same transaction, and the round
    loop commits CLOSED before it reads the round's bids; the locks make the two serialise, so
    every acknowledged bid is read for clearing. PostgreSQL (READ COMMITTED) waits on the row
    locks; SQLite ignores them, and the caller's session holds the whole database's write lock
    instead (``store.session(serialized=True)``).
    """
    ids = sorted(set(round_ids))
    if not ids:
        return {}

    def read(wanted):
        query = select(RoundRow.round_id, RoundRow.state).where(RoundRow.round_id.in_(wanted))
        return dict(session.execute(query.with_for_update(read=not exclusive)).all())

    states = read(ids)
    missing = [round_id for round_id in ids if round_id not in states]
    if missing:
        rows = [{"round_id": round_id, "state": RoundState.OPEN, "updated_at": utc_now()} for round_id in missing]
        dialect = session.get_bind().dialect.name
        if dialect in ("postgresql", "sqlite"):  # another transaction may create it meanwhile
            module = postgresql if dialect == "postgresql" else sqlite
            session.execute(module.insert(RoundRow).values(rows).on_conflict_do_nothing(index_elements=["round_id"]))
        else:
            session.execute(insert(RoundRow), rows)
        states.update(read(missing))
    return states


def bid_message(row: BidRow) -> BidMessage:
    return BidMessage(
        user=row.user,
        tx_hash=_bytes(row.tx_hash),
        constraints=row.constraints,
        max_fee=int(row.max_fee_wei),
        round=row.round_id,
        nonce=row.nonce,
    )


def _retry_on_conflict(action: Callable[[], Result]) -> Result:
    """Run an intake transaction; once more if another process inserted the same key at the
    same moment (PostgreSQL with several API processes): the retry sees that row and answers
    as for any duplicate."""
    try:
        return action()
    except IntegrityError:
        return action()


def _bid_row(bid: SignedBid, digest: str, source: BidSource) -> dict:
    return {
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
    #: The round loop's failing steps and lag (``/v1/health``).
    health: LoopHealth = field(default_factory=LoopHealth)
    #: Counters and histograms served at ``/metrics``.
    metrics: MarketMetrics = field(default_factory=MarketMetrics)
    _parameters: MarketParameters | None = field(default=None, repr=False)
    #: When each round's settlement was signed (monotonic clock), for the settlement duration.
    _signed_at: dict[int, float] = field(default_factory=dict, repr=False)
    #: Raises :class:`LeadershipLost` if this process no longer holds the round-loop lock;
    #: called before each step of the round loop and before each transaction is sent.
    check_leadership: Callable[[], None] = always_leader
    #: ``serve --api-only``: the round loop runs in another process, which reports its health
    #: in the database (``loop_status``); ``/v1/health`` reads it there.
    loop_elsewhere: bool = False
    #: Who runs the loop here (written with its status), when this process runs it.
    loop_holder: str = "this process"
    #: The deployment's sequencer (a rollup's), or None: then chunks carry no statement data.
    sequencer: Sequencer | None = None

    def __post_init__(self) -> None:
        """Count the round loop's failing steps in the metrics."""
        self.health.on_failure = self.metrics.round_loop_error

    def _transition(self, round_id: int, state: RoundState, message: str, level: int = logging.INFO, **figures) -> None:
        """Log a round's move to ``state`` (one line with its figures) and count it."""
        self.metrics.round_transitions.labels(state=state.value).inc()
        event(log, message, level, round=round_id, state=state.value, **figures)

    # -- reading the chain -------------------------------------------------------------------

    def parameters(self) -> MarketParameters:
        """The market's configuration (read once; the owner's changes apply from a restart)."""
        if self._parameters is None:
            self._parameters = self.market.parameters()
        return self._parameters

    def bind_market(self, chain_id: int, address: str, deploy_block: int) -> None:
        """Record the market in a new database; refuse a database recorded for another market.

        Raises :class:`MarketMismatch` naming both markets: a clearinghouse that took over
        another market's rounds, bids and cursors would settle nothing right."""
        wanted = f"{address} (chain {chain_id}, deployed in block {deploy_block})"
        with self.store.session(serialized=True) as session:
            row = session.get(MarketRow, 1)
            if row is None:
                session.add(MarketRow(id=1, chain_id=chain_id, address=address, deploy_block=deploy_block))
                return
            if (row.chain_id, row.address.lower(), row.deploy_block) != (chain_id, address.lower(), deploy_block):
                recorded = f"{row.address} (chain {row.chain_id}, deployed in block {row.deploy_block})"
                shown = self.store.engine.url.render_as_string(hide_password=True)
                raise MarketMismatch(shown, recorded, wanted)

    def health_report(self, head: int) -> dict:
        """``{"status": "ok"}``, or ``"degraded"`` with a ``reason``: the round loop is failing,
        has not completed a pass, or is more than a round's length behind ``head``; in an API
        process that runs no loop, as the loop last reported it in the database, or degraded if
        it has not reported for ``LOOP_STATUS_STALE_SECONDS``."""
        max_lag = max(self.parameters().round_length_blocks, 2)
        if not self.loop_elsewhere:
            return self.health.report(head, max_lag)
        with self.store.session() as session:
            row = session.get(LoopStatusRow, 1)
            if row is None:
                return {"status": "degraded", "reason": "no round loop has reported on this database yet"}
            holder, status, reason, last_head, updated = row.holder, row.status, row.reason, row.last_pass_head, row.updated_at
        if updated.tzinfo is None:  # SQLite returns naive datetimes
            updated = updated.replace(tzinfo=utc_now().tzinfo)
        silent = (utc_now() - updated).total_seconds()
        if silent > LOOP_STATUS_STALE_SECONDS:
            return {"status": "degraded", "reason": f"round loop silent for {silent:.0f} s (last run by {holder})"}
        if status != "ok":
            return {"status": "degraded", "reason": reason or "round loop degraded"}
        if last_head is not None and head - last_head > max_lag:
            reason = f"round loop behind the chain: its last complete pass read block {last_head}, the head is {head}"
            return {"status": "degraded", "reason": reason}
        return {"status": "ok"}

    def record_loop_status(self, head: int) -> None:
        """Write the loop's health where API processes read it (one row, after each pass)."""
        report = self.health.report(head, max(self.parameters().round_length_blocks, 2))
        with self.store.session() as session:
            row = session.get(LoopStatusRow, 1)
            if row is None:
                row = LoopStatusRow(id=1)
                session.add(row)
            row.holder, row.status, row.reason = self.loop_holder, report["status"], report.get("reason")
            row.last_pass_head, row.updated_at = self.health.last_pass_head, utc_now()

    # -- intake -------------------------------------------------------------------------------

    def store_bids(self, accepted: Sequence[tuple[SignedBid, str]], source: BidSource = BidSource.API) -> list[bool]:
        """Store validated ``(bid, digest)`` pairs in one transaction, all or none.

        Returns, for each pair, True if it was stored and False if its digest was already known
        (an earlier submission, or an earlier pair of the same call): a resubmission is harmless.
        Raises :class:`RoundClosed` (storing nothing) if a pair's round is no longer OPEN.
        """
        (result,) = self.store_bid_groups([accepted], source)
        if isinstance(result, IntakeError):
            raise result
        return result

    def store_bid_groups(
        self, groups: Sequence[Sequence[tuple[SignedBid, str]]], source: BidSource = BidSource.API
    ) -> list[list[bool] | IntakeError]:
        """Store several requests' bids in one transaction (the group commit's unit).

        Rule: a group is stored only if every one of its bids' rounds is OPEN, checked in this
        transaction with the rounds locked (see :func:`lock_rounds`); otherwise the group gets
        :class:`RoundClosed` and none of its bids is stored. Each stored group gets, per bid,
        True if new and False if its digest was already known.
        """
        return _retry_on_conflict(lambda: self._store_bid_groups(groups, source))

    def _store_bid_groups(self, groups, source: BidSource) -> list[list[bool] | IntakeError]:
        with self.store.session(serialized=True) as session:
            states = lock_rounds(session, {bid.message.round for group in groups for bid, _ in group})
            closed = {round_id for round_id, state in states.items() if state != RoundState.OPEN}
            digests = [digest for group in groups for _, digest in group]
            known = set()
            for start in range(0, len(digests), 500):  # keep the IN list within SQLite's limits
                part = digests[start : start + 500]
                known.update(session.scalars(select(BidRow.digest).where(BidRow.digest.in_(part))))
            results: list[list[bool] | IntakeError] = []
            rows = []
            for group in groups:
                refused = sorted({bid.message.round for bid, _ in group} & closed)
                if refused:
                    results.append(RoundClosed("bid", refused[0]))
                    continue
                stored = []
                for bid, digest in group:
                    if digest in known:
                        stored.append(False)
                        continue
                    known.add(digest)
                    stored.append(True)
                    rows.append(_bid_row(bid, digest, source))
                results.append(stored)
            if rows:  # one multi-row INSERT: intake's hot path (see bench intake)
                rows.sort(key=lambda row: row["digest"])  # processes inserting the same bids take their keys in one order
                # A Core insert of the table: the ORM's bulk path (per-row state and parameter
                # building) cost a quarter of a batch request's time in the profile.
                session.execute(BidRow.__table__.insert(), rows)
        return results

    def record_ask(self, ask: SignedAsk, digest: str) -> str:
        """Store a validated ask, in its round only while the round is OPEN.

        Rule: a prover's latest ask (highest nonce) in a round counts, so a re-sent ask replaces
        the earlier one by carrying a higher nonce. Raises :class:`DuplicateSubmission` for the
        same ask again, :class:`ConflictingAsk` for one whose nonce is not above the prover's
        latest in the round (naming that ask), :class:`RoundClosed` if the round closed."""
        return _retry_on_conflict(lambda: self._record_ask(ask, digest))

    def _record_ask(self, ask: SignedAsk, digest: str) -> str:
        message = ask.message
        with self.store.session(serialized=True) as session:
            if lock_rounds(session, [message.round])[message.round] != RoundState.OPEN:
                raise RoundClosed("ask", message.round)
            if session.get(AskRow, digest) is not None:
                raise DuplicateSubmission("ask", digest)
            latest = session.scalars(
                select(AskRow)
                .where(AskRow.round_id == message.round, AskRow.prover == message.prover)
                .order_by(AskRow.nonce.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.nonce >= message.nonce:
                raise ConflictingAsk(message.prover, message.round, message.nonce, latest.nonce, latest.digest)
            session.add(
                AskRow(
                    digest=digest,
                    round_id=message.round,
                    prover=message.prover,
                    unit_cost_wei=str(message.unit_cost),
                    nonce=message.nonce,
                    signature=_hex(ask.signature),
                )
            )
        return digest

    def posted_bids_cursor(self) -> int | None:
        """The last block whose ``BidPosted`` events are stored (None before the first scan)."""
        with self.store.session() as session:
            cursor = session.get(CursorRow, POSTED_BIDS_CURSOR)
            return cursor.block if cursor else None

    def scan_posted_bids(self, validate: Callable[[PostedBid], str]) -> int:
        """Read ``BidPosted`` events after the cursor (at most ``MAX_SCAN_BLOCKS`` blocks), keep
        the valid new ones, move the cursor; returns how many were stored.

        ``validate`` applies the intake rules (the round open at the post's block is the round
        the bid must be for) and returns the digest. A post it refuses (:class:`IntakeError`),
        or whose round already closed, is logged and skipped: an on-chain post is not a promise
        that the bid is good. Any other error (the node, the database) raises before the cursor
        moves, so the same blocks are read again on the next try.
        """
        head = self.market.block_number()
        cursor = self.posted_bids_cursor()
        start = cursor + 1 if cursor is not None else self.parameters().genesis_block
        if start > head:
            return 0
        end = min(head, start + MAX_SCAN_BLOCKS - 1)
        accepted = []
        for posted in self.market.posted_bids(start, end):
            try:
                accepted.append((SignedBid(posted.message, posted.signature), validate(posted)))
            except IntakeError as refusal:
                log.warning("posted bid skipped (block %s, transaction %s): %s", posted.block_number, posted.transaction_hash, refusal)
        results = self.store_bid_groups([[item] for item in accepted], BidSource.CHAIN)
        for (bid, digest), result in zip(accepted, results):
            if isinstance(result, IntakeError):
                log.warning("posted bid %s skipped: %s", digest, result)
        with self.store.session() as session:
            row = session.get(CursorRow, POSTED_BIDS_CURSOR)
            if row is None:
                session.add(CursorRow(name=POSTED_BIDS_CURSOR, block=end))
            else:
                row.block = end
        return sum(1 for result in results if result == [True])

    # -- the round state machine --------------------------------------------------------------

    def run_pass(self, validate_posted: Callable[[PostedBid], str]) -> list[int]:
        """One pass of the round loop: store posted bids, then advance every due round; returns
        the rounds that changed state.

        Never raises an ``Exception``: each step (the posted-bid scan, each round) runs under
        ``health``, which records a failure and retries the step with backoff while the other
        steps go on. A round closes only once the posted bids of every block before its close
        are stored, so an on-chain bid is never left out of its round.
        """
        self.check_leadership()
        ran, head = self.health.run("reading the chain head", self.market.block_number)
        if not ran:
            return []
        scanned, _ = self.health.run("reading posted bids", lambda: self.scan_posted_bids(validate_posted))
        ran, changed = self.health.run("listing due rounds", lambda: self.tick(step=self.health.run))
        if ran and scanned and not self.health.failing():
            self.health.pass_completed(head)
        self.health.run("reporting the loop's status", lambda: self.record_loop_status(head))
        return changed or []

    def tick(self, step=None) -> list[int]:
        """Advance every round that is due; returns the rounds that changed state.

        ``step(name, action)`` runs each round's advance (``LoopHealth.run`` isolates failing
        rounds from each other); by default a round's error propagates. A round closes only
        when the posted bids are stored up to its close (the ``posted_bids`` cursor)."""
        parameters = self.parameters()
        head = self.market.block_number()
        cursor = self.posted_bids_cursor()
        closed_through = -1  # no round closes before the posted bids were read once
        if cursor is not None:
            intake_through = min(head, cursor + 1)
            closed_through = round_at_block(intake_through, parameters.genesis_block, parameters.round_length_blocks) - 1
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

            def advance_round(round_id=round_id) -> bool:
                before = self.round_state(round_id)
                return self.advance(round_id, closable=round_id <= closed_through) != before

            if step is None:
                moved = advance_round()
            else:
                _, moved = step(f"round {round_id}", advance_round)
            if moved:
                changed.append(round_id)
        return changed

    def round_state(self, round_id: int) -> RoundState | None:
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            return row.state if row else None

    def advance(self, round_id: int, closable: bool = True) -> RoundState:
        """Take round ``round_id`` as far as it can go now; safe to call again at any time.

        ``closable=False`` keeps an OPEN round open even if the chain says it closed (the
        round loop has not stored every posted bid up to its close yet)."""
        for _ in range(2 * MAX_SETTLEMENT_ATTEMPTS + 6):
            self.check_leadership()
            state = self.round_state(round_id)
            unsettled = (None, RoundState.OPEN, RoundState.CLOSED, RoundState.CLEARED)
            if state in unsettled and self._settlement_window_passed(round_id):
                return self._fail_after_settlement_window(round_id)
            if state is None or state == RoundState.OPEN:
                if not (closable and self._is_closed(round_id)):
                    return state or RoundState.OPEN
                self._close_for_intake(round_id)
            elif state == RoundState.CLOSED:
                if not self._clear(round_id):
                    return RoundState.CLOSED
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
        self._transition(
            round_id, RoundState.FAILED, f"round {round_id} failed: settlement window passed", logging.ERROR,
            last_settlement_block=last_block, head=head,
        )
        return RoundState.FAILED

    def build_round_input(
        self, session: Session, round_id: int, history: Sequence[dict] = ()
    ) -> tuple[RoundInput, dict, dict]:
        """The mechanism's input for a round: admitted bids and asks, read against the chain now
        (and, with a sequencer, only the bids it admits on the state ``history`` leaves)."""
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
        if self.sequencer is not None:
            bids = self._sequencer_admitted(session, round_id, history, bids, bid_rows)
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
                max_bids_per_chunk=parameters.max_bids_per_chunk,
            ),
            bids=tuple(Bid(id=bid.digest, fee_wei=bid.max_fee_wei, constraints=bid.constraints) for bid in bids),
            asks=tuple(Ask(id=ask.digest, unit_cost_wei=ask.unit_cost_wei, capacity=status.capacity) for ask, status in asks),
        )
        return round_input, bid_rows, ask_rows

    def _close_for_intake(self, round_id: int) -> None:
        """Commit CLOSED before reading the round's bids: from here on intake refuses the round
        (``RoundClosed``), and every bid intake stored before is committed (see
        :func:`lock_rounds`)."""
        bids = None
        with self.store.session(serialized=True) as session:
            if lock_rounds(session, [round_id], exclusive=True)[round_id] == RoundState.OPEN:
                session.get(RoundRow, round_id).state = RoundState.CLOSED
                bids = session.scalar(select(func.count()).select_from(BidRow).where(BidRow.round_id == round_id))
        if bids is not None:
            self._transition(round_id, RoundState.CLOSED, f"round {round_id} closed to intake", bids=bids)

    def _clear(self, round_id: int) -> bool:
        """Clear a CLOSED round from the bids and asks stored for it, against the chain now; with
        a sequencer, sequence it too. False if it must wait: the sequencer executes rounds in
        order, so an earlier round still being settled comes first."""
        started = time.monotonic()
        with self.store.session() as session:
            history = self._sequence_history(session, round_id) if self.sequencer is not None else []
            if history is None:
                return False
            row = session.get(RoundRow, round_id)
            round_input, bid_rows, _ = self.build_round_input(session, round_id, history)
            outcome = clear_round(round_input)
            if self.sequencer is not None and outcome.chunks:
                self._sequence(session, round_id, history, outcome, bid_rows)
            row.input_json = json.dumps(round_to_json(round_input), sort_keys=True)
            row.input_hash = _hex(input_hash(round_input))
            row.outcome_json = json.dumps(outcome_to_json(outcome), sort_keys=True)
            row.state = state = RoundState.CLEARED if outcome.included_bid_ids else RoundState.EMPTY
        self.metrics.clearing_seconds.observe(time.monotonic() - started)
        self._transition(
            round_id, state, f"round {round_id} {state.value}", bids=len(bid_rows), admitted=len(round_input.bids),
            asks=len(round_input.asks), **outcome_figures(outcome),
        )
        self._publish(round_id)
        self.fault("after_clear")
        return True

    # -- the sequencer ------------------------------------------------------------------------

    def _sequence_history(self, session: Session, round_id: int) -> list[dict] | None:
        """The sequence documents of the settled rounds before ``round_id``, in order; None while
        an earlier round is closed, cleared or being settled (its outcome is not final yet)."""
        in_flight = (RoundState.CLOSED, RoundState.CLEARED, RoundState.SETTLE_SIGNED)
        earlier = select(RoundRow.round_id).where(RoundRow.round_id < round_id, RoundRow.state.in_(in_flight))
        if session.scalars(earlier.limit(1)).first() is not None:
            return None
        return self.settled_sequences(session, before=round_id)

    def settled_sequences(self, session: Session, before: int | None = None, after: int | None = None) -> list[dict]:
        """The sequence documents of the settled rounds (before round ``before``, after round
        ``after``), in round order: the rounds whose execution the sequencer's state includes."""
        query = (
            select(RoundSequenceRow.document_json)
            .join(RoundRow, RoundRow.round_id == RoundSequenceRow.round_id)
            .where(RoundRow.state.in_((RoundState.SETTLED, RoundState.RESOLVED)))
            .order_by(RoundSequenceRow.round_id)
        )
        if before is not None:
            query = query.where(RoundSequenceRow.round_id < before)
        if after is not None:
            query = query.where(RoundSequenceRow.round_id > after)
        return [json.loads(document) for document in session.scalars(query)]

    def _sequencer_bids(self, session: Session, rows: Sequence[BidRow]) -> list[SequencerBid]:
        hashes = {row.tx_hash for row in rows}
        bodies = {
            body.tx_hash: json.loads(body.body_json)
            for body in session.scalars(select(TransactionBodyRow).where(TransactionBodyRow.tx_hash.in_(hashes)))
        }
        return [SequencerBid(row.digest, row.user, _bytes(row.tx_hash), bodies.get(row.tx_hash)) for row in rows]

    def _sequencer_admitted(self, session: Session, round_id: int, history, bids: list, bid_rows: dict) -> list:
        """The escrow-admitted ``bids`` the sequencer admits too (the others are logged)."""
        candidates = self._sequencer_bids(session, [bid_rows[bid.digest] for bid in bids])
        admitted, refused = self.sequencer.admit(round_id, history, candidates)
        if refused:
            event(
                log, f"round {round_id}: the sequencer refused {len(refused)} bid(s)", logging.WARNING, round=round_id,
                refused={digest: reason for digest, reason in sorted(refused.items())[:20]},
            )
        keep = set(admitted)
        return [bid for bid in bids if bid.digest in keep]

    def _sequence(self, session: Session, round_id: int, history, outcome: Outcome, bid_rows: dict) -> None:
        provers = {
            row.digest: row.prover
            for row in session.scalars(select(AskRow).where(AskRow.digest.in_([c.prover_id for c in outcome.chunks])))
        }
        chunks = [
            SequencerChunk(provers[chunk.prover_id], tuple(self._sequencer_bids(session, [bid_rows[b] for b in chunk.bid_ids])))
            for chunk in outcome.chunks
        ]
        document = self.sequencer.sequence(round_id, history, chunks)
        session.merge(RoundSequenceRow(round_id=round_id, document_json=json.dumps(document, sort_keys=True)))

    def round_sequence(self, session: Session, round_id: int) -> dict | None:
        """The round's sequence document, or None (no sequencer, or nothing sequenced)."""
        row = session.get(RoundSequenceRow, round_id)
        return json.loads(row.document_json) if row is not None else None

    def store_transaction_body(self, body: dict) -> str:
        """Keep a transaction body for the sequencer; returns its ``txHash`` (0x-hex). The same
        body twice is stored once. Raises ``UserInputError`` (from the sequencer) if malformed."""
        if self.sequencer is None:
            raise SequencerMissing()
        try:
            tx_hash = _hex(self.sequencer.transaction_hash(body))
        except UserInputError as error:
            raise TransactionBodyInvalid(str(error)) from None
        with self.store.session() as session:
            if session.get(TransactionBodyRow, tx_hash) is None:
                session.add(TransactionBodyRow(tx_hash=tx_hash, body_json=json.dumps(body, sort_keys=True)))
        return tx_hash

    def _publish(self, round_id: int) -> None:
        """Write the round's input file and outcome where anyone can fetch them (atomic rename)."""
        if self.publish_directory is None:
            return
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            documents = {"input": row.input_json, "outcome": row.outcome_json}
            sequence = session.get(RoundSequenceRow, round_id)
            if sequence is not None and row.state == RoundState.CLEARED:
                documents["sequence"] = sequence.document_json
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
        sequence = self.round_sequence(session, row.round_id)
        statement_data = [
            _bytes(chunk["statement_data"]) for chunk in sequence["chunks"]
        ] if sequence is not None else [b""] * len(outcome.chunks)
        if len(statement_data) != len(outcome.chunks):
            raise SettlementFailed(row.round_id, "the round's sequence does not have one entry per chunk")
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
                statement_data=statement_data[index],
            )
            for index, chunk in enumerate(outcome.chunks)
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
        self._signed_at[round_id] = time.monotonic()
        self._transition(
            round_id, RoundState.SETTLE_SIGNED, f"round {round_id} settlement signed", tx=signed.transaction_hash,
            nonce=signed.nonce, attempt=len(history["signed"]),
        )
        self.fault("after_settle_signed")
        self.check_leadership()
        self.market.broadcast(signed)
        self.fault("after_settle_broadcast")

    def _retry_or_fail(self, row: RoundRow, reason: str) -> None:
        """A settlement failed: adopt an earlier one of ours that did settle the round, else send
        the round back to clearing (FAILED after too many attempts)."""
        history = _settle_history(row)
        history["attempts"] += 1
        history["last_reason"] = reason
        row.settle_history_json = json.dumps(history)
        event(
            log, f"round {row.round_id} settlement failed: {reason}", logging.WARNING,
            round=row.round_id, attempt=history["attempts"], reason=reason,
        )
        if self.market.is_round_settled(row.round_id):
            settled_by = self.market.settlement_transaction(row.round_id)
            if settled_by in history["signed"]:
                row.settle_transaction_hash, row.state = settled_by, RoundState.SETTLE_SIGNED
            else:
                row.state = RoundState.FAILED
                row.failure = f"settled by {settled_by}, a transaction this clearinghouse did not sign"
            self._report_fallback(row)
            return
        row.settle_transaction_hash = row.settle_raw_transaction = None
        if history["attempts"] < MAX_SETTLEMENT_ATTEMPTS:
            row.state = RoundState.CLOSED  # cleared again; intake stays closed
        else:
            row.state = RoundState.FAILED
            row.failure = f"{history['attempts']} settlement attempts failed; the last: {reason}"
        self._report_fallback(row)

    def _report_fallback(self, row: RoundRow) -> None:
        """Log where a failed settlement left the round (adopted, cleared again, or FAILED)."""
        level = logging.ERROR if row.state == RoundState.FAILED else logging.INFO
        figures = {}
        if row.state == RoundState.FAILED:
            figures["reason"] = row.failure
        elif row.state == RoundState.SETTLE_SIGNED:
            figures["tx"] = row.settle_transaction_hash
        message = f"round {row.round_id} {row.state.value} after a failed settlement"
        self._transition(row.round_id, RoundState(row.state), message, level, **figures)

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
            self.check_leadership()
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
                signed_at = self._signed_at.pop(round_id, None)
                if signed_at is not None:  # unknown after a restart: not measured
                    self.metrics.settlement_seconds.observe(time.monotonic() - signed_at)
                self.metrics.settlement_gas.observe(receipt.gas_used)
                self._transition(
                    round_id, RoundState.SETTLED, f"round {round_id} settled", **outcome_figures(outcome),
                    gas_used=receipt.gas_used, tx=receipt.transaction_hash, block=receipt.block_number,
                    deadline_block=row.deadline_block,
                )
            else:
                self._retry_or_fail(row, f"transaction {receipt.transaction_hash} reverted")
                return True
        self.fault("after_settled")
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
        """Mark proven and disputed chunks, slash overdue ones; True once every chunk is resolved."""
        head = self.market.block_number()
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            deadline, settle_block = row.deadline_block, row.settle_block
            chunks = list(session.scalars(select(ChunkRow).where(ChunkRow.round_id == round_id)))
            charges = {bid_id: int(charge) for bid_id, charge in json.loads(row.outcome_json)["charges_wei"].items()}
        unresolved = 0
        for chunk in chunks:
            if chunk.state in RESOLVED_CHUNK_STATES:
                continue
            on_chain = self.market.chunk_state(round_id, chunk.chunk_index)
            if on_chain == "assigned" and head > deadline:
                on_chain = self._slash(chunk, charges)
            if on_chain == "proven":
                self._observe_proof_gas(round_id, chunk.chunk_index, settle_block)
            if ChunkState(on_chain) in RESOLVED_CHUNK_STATES:
                self._set_chunk_state(round_id, chunk.chunk_index, ChunkState(on_chain))
            else:
                unresolved += 1
        if unresolved == 0:
            with self.store.session() as session:
                session.get(RoundRow, round_id).state = RoundState.RESOLVED
                states = list(session.scalars(select(ChunkRow.state).where(ChunkRow.round_id == round_id)))
            self._transition(
                round_id, RoundState.RESOLVED, f"round {round_id} resolved", chunks=len(states),
                proven=states.count(ChunkState.PROVEN), slashed=states.count(ChunkState.SLASHED),
                disputed=states.count(ChunkState.DISPUTED),
            )
        return unresolved == 0

    def _observe_proof_gas(self, round_id: int, chunk_index: int, settle_block: int | None) -> None:
        """Add the gas of the transaction that proved the chunk to the metrics (if it is found)."""
        transaction = self.market.proof_transaction(round_id, chunk_index, settle_block or 0)
        receipt = self.market.receipt(transaction) if transaction else None
        if receipt is not None:
            self.metrics.proof_gas.observe(receipt.gas_used)

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
        self.check_leadership()
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
            event(
                log, f"round {chunk.round_id} chunk {chunk.chunk_index} slashed: prover {chunk.prover} missed its deadline",
                round=chunk.round_id, chunk=chunk.chunk_index, prover=chunk.prover,
                collateral_slashed_wei=self.parameters().collateral_wei_per_constraint * chunk.constraints,
                gas_used=receipt.gas_used, tx=receipt.transaction_hash,
            )
            return "slashed"
        # Pending, lost, or beaten by another reporter: the chain says where it stands.
        state = self.market.chunk_state(chunk.round_id, chunk.chunk_index)
        if state == "assigned" and receipt is not None:  # reverted: sign afresh next time
            with self.store.session() as session:
                stored = session.get(ChunkRow, key)
                stored.state = ChunkState.ASSIGNED
                stored.slash_transaction_hash = stored.slash_raw_transaction = None
        return state

    def _refunds(self, chunk: ChunkRow, charges: dict[str, int]) -> list[tuple[str, int, bytes]]:
        """The chunk's ``(user, charge, txHash)`` list in settlement order (what ``slash`` takes)."""
        with self.store.session() as session:
            digests = json.loads(chunk.bid_digests_json)
            users = {r.digest: r.user for r in session.scalars(select(BidRow).where(BidRow.digest.in_(digests)))}
        tx_hashes = json.loads(chunk.tx_hashes_json)
        return [
            (users[digest], charges[digest], _bytes(tx_hash))
            for digest, tx_hash in zip(digests, tx_hashes, strict=True)
        ]

    def _set_chunk_state(self, round_id: int, chunk_index: int, state: ChunkState) -> None:
        with self.store.session() as session:
            session.get(ChunkRow, (round_id, chunk_index)).state = state
