"""Several users and provers over several rounds, through the real API, service and proofs.

After each round every party's exact balance change equals the mechanism's outcome, and the
contract's conservation invariant holds.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("iteration", [0, 1])
def test_round_moves_exactly_the_outcomes_amounts(stack, iteration):
    round_id, outcome, before, after = stack.run_random_round(bid_count=6)
    assert outcome["included_bid_ids"], "the round should include bids"
    stack.assert_moved_exactly(round_id, outcome, before, after)


def test_every_settled_round_verifies(stack):
    from proofmarket.clearinghouse.chain_adapter import settled_round_from_chain
    from proofmarket.clearinghouse.verify import verify_round

    settled = [r for r in range(stack.open_round() + 1) if stack.client.round(r).settled]
    assert len(settled) >= 2
    for round_id in settled:
        report = verify_round(stack.api.round_input(round_id), settled_round_from_chain(stack.client, round_id))
        assert report.agrees, report.differences
