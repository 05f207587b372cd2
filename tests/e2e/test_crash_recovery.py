"""The clearinghouse killed at the dangerous points of a round, then restarted.

Proving is not what these tests are about (test_full_rounds and test_missed_deadline prove for
real), so their chunks are left to the deadline; the py-evm pairing precompile is slow.

The kill is a :class:`SimulatedCrash` raised at a named point (a BaseException, so nothing
catches it); the restart is a new clearinghouse built over the same database file, with nothing
carried over in memory. In every case the round settles exactly once and no bid is lost.
"""

from __future__ import annotations

import pytest

from proofmarket.clearinghouse.service import SimulatedCrash
from proofmarket.network import mine_blocks
from tests.e2e.conftest import crash_at


def set_automine(web3, enabled: bool) -> None:
    """Stop or restart mining each transaction as it arrives (eth-tester or anvil)."""
    tester = getattr(web3.provider, "ethereum_tester", None)
    if tester is not None:
        tester.enable_auto_mine_transactions() if enabled else tester.disable_auto_mine_transactions()
        return
    response = web3.provider.make_request("evm_setAutomine", [enabled])
    assert "error" not in response, response


@pytest.mark.parametrize("point", ["after_clear", "after_settle_signed"])
def test_killed_between_cleared_and_settled_settles_once_after_restart(stack, point):
    round_id, digests = stack.open_round_with_bids()
    stack.restart(fault=crash_at(point))
    with pytest.raises(SimulatedCrash):
        stack.node.run_once()
    assert stack.settlement_count(round_id) == 0
    stack.restart()
    stack.node.run_once()
    stack.assert_settled_once_with_every_bid(round_id, digests)


def resolve_earlier_rounds(stack) -> None:
    """Let every earlier round reach its end (chunks left unproven are slashed) first."""
    deadlines = [stack.client.round(r).deadline for r in range(stack.open_round()) if stack.client.round(r).settled]
    if deadlines:
        mine_blocks(stack.web3, max(deadlines) + 1 - stack.web3.eth.block_number)
    stack.node.run_once()


def test_killed_between_settle_sent_and_mined_settles_once_after_restart(stack):
    resolve_earlier_rounds(stack)
    round_id, digests = stack.open_round_with_bids()
    stack.restart(fault=crash_at("after_settle_broadcast"))
    set_automine(stack.web3, False)
    try:
        with pytest.raises(SimulatedCrash):
            stack.node.run_once()
        stack.restart()
        stack.node.clearinghouse.receipt_timeout_seconds = 0.5
        stack.node.run_once()  # finds its stored transaction pending, sends it again: still one
        assert stack.api.round_status(round_id)["state"] == "settle_signed"
        assert stack.settlement_count(round_id) == 0
    finally:
        set_automine(stack.web3, True)
    mine_blocks(stack.web3, 1)
    stack.node.run_once()
    stack.assert_settled_once_with_every_bid(round_id, digests)


def test_a_second_settlement_of_a_round_is_refused_by_the_contract(stack):
    from proofmarket.clearinghouse.ports import TransactionRejected

    round_id, digests = stack.open_round_with_bids()
    stack.node.run_once()
    assert stack.settlement_count(round_id) == 1
    with stack.node.clearinghouse.store.session() as session:
        from proofmarket.clearinghouse.database import RoundRow

        settlement, _ = stack.node.clearinghouse.settlement_for(session, session.get(RoundRow, round_id))
    signed = stack.node.clearinghouse.market.sign_settlement  # the same signing path, a second time
    with pytest.raises(TransactionRejected) as failure:
        signed(settlement)
    assert failure.value.reason.startswith("RoundAlreadySettled(")
    stack.assert_settled_once_with_every_bid(round_id, digests)


def test_every_signed_transaction_is_in_the_log_with_what_became_of_it(stack):
    from sqlalchemy import select

    from proofmarket.clearinghouse.database import TransactionKind, TransactionRow, TransactionStatus

    with stack.node.clearinghouse.store.session() as session:
        logged = list(session.scalars(select(TransactionRow).where(TransactionRow.kind == TransactionKind.SETTLE)))
    mined = [row for row in logged if row.status == TransactionStatus.MINED]
    settled_rounds = {row.round_id for row in mined}
    assert len(mined) == len(settled_rounds), "one mined settlement per round"
    for row in mined:
        assert stack.client.settlement_transaction(row.round_id) == row.transaction_hash
        assert row.gas_used > 0 and row.raw_transaction.startswith("0x")
