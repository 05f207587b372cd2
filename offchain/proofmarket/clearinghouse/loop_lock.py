"""One round loop per database: the lock ``proofmarket serve`` holds while it runs the loop.

Two round loops on one database would both clear, sign and broadcast the same rounds. The lock
is the operating system's or the database server's, so it is released when its holder exits,
however it exits (a kill included):

- SQLite: an exclusive ``flock`` on ``<database file>.round-loop.lock``, which names its holder;
- PostgreSQL: ``pg_try_advisory_lock`` on a session of its own, held open while the loop runs.

Another database has no lock here: :meth:`RoundLoopLock.acquire` refuses it rather than run
unguarded. An in-memory SQLite database belongs to one process and needs none.

A standby (``proofmarket serve --standby``) waits for the lock (:meth:`RoundLoopLock.wait`)
and takes over the round loop when the holder dies. A holder checks it still holds the lock
(:meth:`RoundLoopLock.held`) before each pass and before each transaction it signs: on
PostgreSQL the lock lives as long as its server session, which can end under a running process
(the server restarted, the connection was cut or terminated); from then on a standby may hold
it, and the old holder must stop acting.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .errors import RoundLoopLocked
from .store import Store

#: The advisory lock key on PostgreSQL (a database belongs to one market, so one key suffices).
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"proofmarket round loop").digest()[:8], "big", signed=True)


class RoundLoopLock:
    """Held while this process runs the round loop on ``store``'s database; :meth:`release` it."""

    def __init__(self, store: Store, file=None, connection: Connection | None = None):
        self.store, self._file, self._connection = store, file, connection

    @classmethod
    def acquire(cls, store: Store) -> RoundLoopLock:
        """Take the lock, or raise :class:`RoundLoopLocked` naming who holds it."""
        url = store.engine.url
        shown = url.render_as_string(hide_password=True)
        dialect = store.engine.dialect.name
        if dialect == "sqlite":
            if url.database in (None, "", ":memory:"):
                return cls(store)
            return cls(store, file=_lock_file(Path(url.database), shown))
        if dialect == "postgresql":
            return cls(store, connection=_advisory_lock(store, shown))
        raise RoundLoopLocked(shown, f"no round-loop lock for {dialect} databases here: use SQLite or PostgreSQL")

    @classmethod
    def wait(
        cls, store: Store, stop: threading.Event | None = None, poll_seconds: float = 1.0, on_wait=None
    ) -> RoundLoopLock | None:
        """Take the lock, waiting while another process holds it; None if ``stop`` is set first.

        ``on_wait(error)`` is called once, with the :class:`RoundLoopLocked` naming the holder,
        when the lock is first found taken. A database error while waiting (the server is down)
        is retried at the same pace."""
        stop = stop or threading.Event()
        told = False
        while not stop.is_set():
            try:
                return cls.acquire(store)
            except RoundLoopLocked as locked:
                if locked.holder.startswith("no round-loop lock"):
                    raise
                if not told and on_wait is not None:
                    on_wait(locked)
                told = True
            except Exception:  # noqa: BLE001 - the server may be restarting: keep waiting
                pass
            stop.wait(poll_seconds)
        return None

    def held(self) -> bool:
        """Whether this process still holds the lock. A file lock is held until released; an
        advisory lock until its session ends, which this asks the server (False if the
        session is gone or the server does not answer)."""
        if self._connection is None:
            return self._file is not None or self.store.engine.dialect.name == "sqlite"
        unsigned = ADVISORY_KEY & 0xFFFF_FFFF_FFFF_FFFF
        try:
            return bool(
                self._connection.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                        "AND pid = pg_backend_pid() AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid)"
                    ),
                    {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF},
                ).scalar()
            )
        except Exception:  # noqa: BLE001 - the session is gone: so is the lock
            return False

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                self._connection.close()
            except Exception:  # noqa: BLE001 - the session is gone, and the lock with it
                self._connection.invalidate()
            self._connection = None


def holder_name() -> str:
    """This process, as the lock and the loop's status name it."""
    return f"process {os.getpid()} on {socket.gethostname()}"


def _lock_file(database: Path, shown: str):
    path = database.with_name(database.name + ".round-loop.lock")
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise RoundLoopLocked(shown, f"lock file {path} held by {holder}") from None
    handle.seek(0)
    handle.truncate()
    handle.write(holder_name() + "\n")
    handle.flush()
    return handle


def _advisory_lock(store: Store, shown: str) -> Connection:
    connection = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar():
        return connection
    unsigned = ADVISORY_KEY & 0xFFFF_FFFF_FFFF_FFFF  # pg_locks shows a bigint key as two oids
    holder = connection.execute(
        text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
            "AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid) LIMIT 1"
        ),
        {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF},
    ).scalar()
    connection.close()
    described = f"server process {holder}" if holder else "another session"
    raise RoundLoopLocked(shown, f"PostgreSQL advisory lock {ADVISORY_KEY} held by {described}")
