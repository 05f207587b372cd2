"""The clearinghouse on PostgreSQL instead of SQLite: the same service, API and state machine,
another SQLAlchemy URL (``proofmarket serve --database postgresql+psycopg://...``).

A real server (offchain/proofmarket/postgres.py), a database of this module's own. PostgreSQL enforces what
SQLite lets pass (column lengths, types, transaction isolation), so a whole round with real
proofs, a crash and restart mid-round, and the bid API's batch intake run on it here.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from proofmarket.clearinghouse.database import BidRow, TransactionRow
from proofmarket.clearinghouse.service import SimulatedCrash
from tests.e2e.conftest import DEFAULT_SETTINGS, build_stack, crash_at


@pytest.fixture(scope="module")
def stack(web3, signers, tmp_path_factory, postgres_server):
    database_url = postgres_server.create_database("clearinghouse_e2e")
    stack = build_stack(web3, signers, tmp_path_factory.mktemp("postgres"), DEFAULT_SETTINGS, database_url=database_url)
    yield stack
    stack.server.stop()
    stack.node.close()


def test_the_clearinghouse_runs_on_postgresql(stack):
    assert stack.database_url.startswith("postgresql+psycopg://")
    assert stack.node.clearinghouse.store.engine.dialect.name == "postgresql"


def test_a_round_on_postgresql_moves_exactly_the_outcomes_amounts(stack):
    round_id, outcome, before, after = stack.run_random_round(bid_count=6)
    assert outcome["included_bid_ids"], "the round should include bids"
    stack.assert_moved_exactly(round_id, outcome, before, after)


def test_a_batch_on_postgresql_stores_each_accepted_bid_once(stack):
    round_id = stack.open_round()
    bids = stack.signed_bids(round_id, 8)
    first = stack.api.post_bids(bids)
    again = stack.api.post_bids(bids[:3])
    assert len(first["accepted"]) == 8 and first["rejected"] == []
    assert [refusal["index"] for refusal in again["rejected"]] == [0, 1, 2]
    assert all("duplicate" in refusal["error"] for refusal in again["rejected"])
    with stack.node.clearinghouse.store.session() as session:
        stored = session.scalar(select(func.count()).select_from(BidRow).where(BidRow.round_id == round_id))
    assert stored == 8


def test_killed_after_signing_on_postgresql_settles_once_after_restart(stack):
    stack.close(stack.open_round())
    stack.node.run_once()  # the batch test's round: settle it first, so the next one is clean
    round_id, digests = stack.open_round_with_bids()
    stack.restart(fault=crash_at("after_settle_signed"))
    with pytest.raises(SimulatedCrash):
        stack.node.run_once()
    assert stack.settlement_count(round_id) == 0
    stack.restart()
    stack.node.run_once()
    stack.assert_settled_once_with_every_bid(round_id, digests)
    with stack.node.clearinghouse.store.session() as session:
        logged = session.scalars(select(TransactionRow.transaction_hash).where(TransactionRow.round_id == round_id)).all()
    assert stack.node.clearinghouse.market.settlement_transaction(round_id) in logged
