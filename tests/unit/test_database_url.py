"""A database URL that cannot work is a one-line user error that never shows the password."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from proofmarket.clearinghouse.database import make_engine
from proofmarket.clearinghouse.errors import DatabaseUnavailable
from proofmarket.exceptions import UserInputError
from proofmarket.network import free_loopback_port


def refusal(url: str) -> str:
    with pytest.raises(DatabaseUnavailable) as raised:
        make_engine(url)
    assert isinstance(raised.value, UserInputError)
    message = str(raised.value)
    assert "\n" not in message
    assert "hunter2" not in message
    return message


def test_a_string_that_is_not_a_url_is_refused_with_an_example():
    assert "not a SQLAlchemy URL (for example sqlite:///" in refusal("clearinghouse.db")


def test_a_driver_that_is_not_installed_is_named():
    message = refusal("postgresql+nodriver://owner:hunter2@db.example/market")
    assert "postgresql+nodriver://owner:***@db.example/market: no driver for it is installed" in message


def test_a_postgresql_server_that_is_not_there_is_refused_without_the_password():
    port = free_loopback_port()
    message = refusal(f"postgresql+psycopg://owner:hunter2@127.0.0.1:{port}/market")
    assert f"127.0.0.1:{port}/market: cannot open it: " in message
    assert "refused" in message.lower()


def test_a_sqlite_file_in_a_missing_directory_is_refused(tmp_path):
    message = refusal(f"sqlite:///{tmp_path / 'missing' / 'clearinghouse.db'}")
    assert "cannot open it: unable to open database file" in message


def test_a_sqlite_file_opens_and_gets_the_tables(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'clearinghouse.db'}")
    assert {"bids", "asks", "rounds", "chunks", "transactions"} <= set(inspect(engine).get_table_names())
    engine.dispose()
