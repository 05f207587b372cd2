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

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
