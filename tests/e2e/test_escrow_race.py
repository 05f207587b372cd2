"""A user who withdraws after bidding is left out at clearing, not settled into a revert."""

from __future__ import annotations

import pytest

from proofmarket.clearinghouse.service import SimulatedCrash
from tests.e2e.conftest import crash_at


def _bid_then_withdraw_everything(stack, when: str):
    round_id = stack.open_round()
    stack.post_asks(round_id)
    runner, others = stack.users[0], stack.users[1:]
    runner_bids = stack.signed_bids(round_id, 2, users=[runner], gwei_per_constraint=9)  # above every other bid
    other_bids = stack.signed_bids(round_id, 4, users=others)
    accepted = stack.api.post_bids(runner_bids + other_bids)["accepted"]
    runner_digests = {answer["digest"] for answer in accepted[:2]}
    stack.close(round_id)
    if when == "before clearing":
        stack.client.withdraw(runner, stack.client.balance_of(runner.address))
        stack.node.run_once()
    else:  # between clearing (which included the runner) and settlement
        stack.restart(fault=crash_at("after_clear"))
        with pytest.raises(SimulatedCrash):
            stack.node.run_once()
        assert runner_digests & set(stack.outcome(round_id)["included_bid_ids"])
        stack.client.withdraw(runner, stack.client.balance_of(runner.address))
        stack.restart()
        stack.node.run_once()
    return round_id, runner, runner_digests


@pytest.mark.parametrize("when", ["before clearing", "after clearing"])
def test_withdrawn_users_bids_are_left_out_and_the_round_still_settles(stack, when):
    round_id, runner, runner_digests = _bid_then_withdraw_everything(stack, when)
    assert stack.settlement_count(round_id) == 1
    outcome = stack.outcome(round_id)
    assert outcome["included_bid_ids"], "the other users' bids still settle"
    assert not runner_digests & set(outcome["included_bid_ids"])
    assert stack.client.balance_of(runner.address) == 0
    assert stack.api.round_status(round_id)["state"] == "settled"
    stack.assert_conserved()
    stack.client.deposit(runner, 10**18)  # back in for the next test
