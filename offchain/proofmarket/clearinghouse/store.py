"""The unit of work over the clearinghouse's database.

Use cases open one ``store.session()`` per step and commit it before any external effect
(a broadcast, a published file), so a crash leaves the database at a state the round's state
machine knows how to resume from.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.orm import Session, sessionmaker

from .database import make_engine


class Store:
    """Sessions over one database URL: ``sqlite:///path.db`` by default, or PostgreSQL
    (``postgresql+psycopg://...``, tested in tests/e2e/test_postgres.py)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, serialized: bool = False) -> Iterator[Session]:
        """A session that commits on success and rolls back on any exception.

        ``serialized``: on SQLite the transaction takes the database's write lock before its
        first read (``BEGIN IMMEDIATE``), so what it reads cannot change before it commits
        (intake's open-round check and the round's close rely on this). Other databases lock
        the rows they read with ``FOR SHARE`` / ``FOR UPDATE`` (see ``service``)."""
        session = self._sessions()
        try:
            if serialized and self.is_sqlite:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
