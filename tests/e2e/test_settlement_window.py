"""A round the clearinghouse did not settle within the contract's settlement window: it is
marked FAILED with the reason instead of being cleared and signed again and again, and the
contract refuses its settlement for good (its signed bids are dead)."""

from __future__ import annotations

import pytest

from proofmarket.clearinghouse.database import RoundRow
from proofmarket.clearinghouse.ports import TransactionRejected
from proofmarket.network import mine_blocks


def test_round_past_its_settlement_window_fails_with_the_reason(stack):
    round_id, settlement = stack.cleared_not_settled(bid_count=4)
    last = stack.client.round_close_block(round_id) + stack.client.config().settlement_window_blocks
    mine_blocks(stack.web3, last - stack.web3.eth.block_number)  # the next block is past the window
    stack.restart()
    stack.node.run_once()
    assert stack.api.round_status(round_id)["state"] == "failed"
    with stack.node.clearinghouse.store.session() as session:
        failure = session.get(RoundRow, round_id).failure
    assert failure == (
        f"settlement window passed: round {round_id} could be settled up to block {last}, and the next block is {last + 1}"
    )
    assert stack.api.round_status(round_id)["failure"] == failure, "the API says why the round failed"
    mine_blocks(stack.web3, 1)  # gas estimation may run in the head block: move it past the window too
    with pytest.raises(TransactionRejected, match="SettlementWindowPassed"):
        stack.node.clearinghouse.market.sign_settlement(settlement)
    stack.node.run_once()
    assert stack.api.round_status(round_id)["state"] == "failed"
    assert stack.settlement_count(round_id) == 0
    stack.assert_conserved()
