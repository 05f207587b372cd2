"""The clearinghouse's tables (SQLAlchemy 2.0), on SQLite by default or any SQLAlchemy URL.

Amounts in wei and other 256-bit values are stored as decimal strings: SQLite integers stop at
2^63, and the clearinghouse must never round money. Digests and hashes are 0x-prefixed hex.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .errors import DatabaseUnavailable


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class BidSource(str, enum.Enum):
    API = "api"
    CHAIN = "chain"


class RoundState(str, enum.Enum):
    """Where a round stands. Every transition is committed before the effect that follows it.

    OPEN -> CLOSED -> CLEARED -> SETTLE_SIGNED -> SETTLED -> RESOLVED
    CLOSED -> EMPTY (nothing to settle) ; any -> FAILED (needs an operator; the reason is stored)

    Intake stores a bid or ask only while its round is OPEN, checked in the transaction that
    stores it; CLOSED (committed before the round's bids are read for clearing) ends intake.
    """

    OPEN = "open"
    CLOSED = "closed"
    CLEARED = "cleared"
    SETTLE_SIGNED = "settle_signed"
    SETTLED = "settled"
    RESOLVED = "resolved"
    EMPTY = "empty"
    FAILED = "failed"


class ChunkState(str, enum.Enum):
    ASSIGNED = "assigned"
    PROVEN = "proven"
    SLASH_SIGNED = "slash_signed"
    SLASHED = "slashed"
    DISPUTED = "disputed"


class BidRow(Base):
    """A signed bid the clearinghouse accepted (from the API or a ``BidPosted`` event)."""

    __tablename__ = "bids"

    digest: Mapped[str] = mapped_column(String(66), primary_key=True)
    round_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user: Mapped[str] = mapped_column(String(42), index=True)
    tx_hash: Mapped[str] = mapped_column(String(66))
    constraints: Mapped[int] = mapped_column(BigInteger)
    max_fee_wei: Mapped[str] = mapped_column(String(80))
    nonce: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(140))
    source: Mapped[BidSource] = mapped_column(Enum(BidSource, native_enum=False, length=8))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class AskRow(Base):
    """A signed ask. Only the latest ask (highest nonce) of a prover in a round is used."""

    __tablename__ = "asks"
    __table_args__ = (UniqueConstraint("round_id", "prover", "nonce"),)

    digest: Mapped[str] = mapped_column(String(66), primary_key=True)
    round_id: Mapped[int] = mapped_column(BigInteger, index=True)
    prover: Mapped[str] = mapped_column(String(42), index=True)
    unit_cost_wei: Mapped[str] = mapped_column(String(80))
    nonce: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(140))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class RoundRow(Base):
    """One round's persisted state: its input file, outcome, and settlement transaction."""

    __tablename__ = "rounds"

    round_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    state: Mapped[RoundState] = mapped_column(Enum(RoundState, native_enum=False, length=16), default=RoundState.OPEN)
    input_json: Mapped[str | None] = mapped_column(Text)
    input_hash: Mapped[str | None] = mapped_column(String(66))
    outcome_json: Mapped[str | None] = mapped_column(Text)
    settle_transaction_hash: Mapped[str | None] = mapped_column(String(66))
    settle_raw_transaction: Mapped[str | None] = mapped_column(Text)
    settle_block: Mapped[int | None] = mapped_column(BigInteger)
    settle_gas_used: Mapped[int | None] = mapped_column(BigInteger)
    deadline_block: Mapped[int | None] = mapped_column(BigInteger)
    settle_history_json: Mapped[str | None] = mapped_column(Text)
    failure: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)


class ChunkRow(Base):
    """A settled chunk: which prover, which bids, and whether it was proven or slashed."""

    __tablename__ = "chunks"
    __table_args__ = (Index("ix_chunks_prover_state", "prover", "state"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.round_id"), primary_key=True)
    chunk_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    prover: Mapped[str] = mapped_column(String(42))
    commitment: Mapped[str] = mapped_column(String(66))
    bid_digests_json: Mapped[str] = mapped_column(Text)
    tx_hashes_json: Mapped[str] = mapped_column(Text)
    constraints: Mapped[int] = mapped_column(BigInteger)
    payment_wei: Mapped[str] = mapped_column(String(80))
    state: Mapped[ChunkState] = mapped_column(Enum(ChunkState, native_enum=False, length=16), default=ChunkState.ASSIGNED)
    slash_transaction_hash: Mapped[str | None] = mapped_column(String(66))
    slash_raw_transaction: Mapped[str | None] = mapped_column(Text)


class RoundSequenceRow(Base):
    """A round as the deployment's sequencer executed it (a rollup: each chunk's operations and
    state roots), written when the round is cleared; its chunks' statement data go into the
    settlement and its witnesses to the provers."""

    __tablename__ = "round_sequences"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.round_id"), primary_key=True)
    document_json: Mapped[str] = mapped_column(Text)


class TransactionBodyRow(Base):
    """A transaction body submitted for sequencing (``POST /v1/transactions``), by its hash: the
    ``txHash`` a bid carries."""

    __tablename__ = "transaction_bodies"

    tx_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    body_json: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class TransactionKind(str, enum.Enum):
    SETTLE = "settle"
    SLASH = "slash"


class TransactionStatus(str, enum.Enum):
    SIGNED = "signed"
    MINED = "mined"
    REVERTED = "reverted"
    ABANDONED = "abandoned"


class TransactionRow(Base):
    """Every transaction the clearinghouse signed, stored before it was broadcast: an audit log."""

    __tablename__ = "transactions"

    transaction_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    kind: Mapped[TransactionKind] = mapped_column(Enum(TransactionKind, native_enum=False, length=8))
    round_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chunk_index: Mapped[int | None] = mapped_column(Integer)
    nonce: Mapped[int] = mapped_column(BigInteger)
    raw_transaction: Mapped[str] = mapped_column(Text)
    status: Mapped[TransactionStatus] = mapped_column(
        Enum(TransactionStatus, native_enum=False, length=12), default=TransactionStatus.SIGNED
    )
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class MarketRow(Base):
    """The one market this database belongs to, recorded by the first clearinghouse that opened
    it: a clearinghouse for another market refuses the database (its rounds are not this one's)."""

    __tablename__ = "market"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=1)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    address: Mapped[str] = mapped_column(String(42))
    deploy_block: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class CursorRow(Base):
    """How far a log scanner has read (e.g. ``BidPosted`` events), so a restart resumes there."""

    __tablename__ = "cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    block: Mapped[int] = mapped_column(BigInteger)


class LoopStatusRow(Base):
    """How the round loop is doing, written by the process that holds the round-loop lock after
    each pass, so that API processes running no loop (``serve --api-only``) answer
    ``/v1/health`` for it."""

    __tablename__ = "loop_status"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=1)
    holder: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_pass_head: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


#: Serialises creating the tables on PostgreSQL: processes started together on a new database
#: (API workers, a standby) would otherwise race on ``CREATE TABLE`` and fail.
SCHEMA_LOCK_KEY = 0x70726F6F_66736368  # "proofsch"


def _enable_sqlite_safety(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(connection, _record):  # pragma: no cover - exercised through SQLite
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the tables created; SQLite gets WAL and full fsync.

    Raises :class:`DatabaseUnavailable` (one line, no password) if the URL is malformed, its
    driver is not installed, or the database cannot be reached."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        example = "for example sqlite:///path.db or postgresql+psycopg://user@host/name"
        raise DatabaseUnavailable(url.split("@")[-1], f"not a SQLAlchemy URL ({example})") from None
    shown = parsed.render_as_string(hide_password=True)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    try:
        # SQLite: a writer waits up to 30 s for another's lock (intake and the round loop
        # serialise on it at a round's close) instead of failing after pysqlite's 5 s.
        connect_args = {"check_same_thread": False, "timeout": 30.0} if is_sqlite else {}
        engine = create_engine(parsed, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as missing:
        raise DatabaseUnavailable(shown, f"no driver for it is installed ({missing})") from None
    if is_sqlite:
        _enable_sqlite_safety(engine)
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
                Base.metadata.create_all(connection)
        else:
            Base.metadata.create_all(engine)
    except OperationalError as unreachable:
        engine.dispose()
        first_line = str(unreachable.orig or unreachable).strip().splitlines()[0]
        raise DatabaseUnavailable(shown, f"cannot open it: {first_line}") from None
    return engine
