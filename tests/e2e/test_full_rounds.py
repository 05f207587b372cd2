"""Several users and provers over several rounds, through the real API, service and proofs.

After each round every party's exact balance change equals the mechanism's outcome, and the
contract's conservation invariant holds.
"""

from __future__ import annotations

from collections import Counter

import pytest


def _charges_by_user(stack, outcome: dict) -> Counter:
    users = {}
    for user in stack.users:
        users[user.address] = user.address
    charged: Counter = Counter()
    digests = set(outcome["included_bid_ids"])
    for round_bid in stack.submitted:
        if round_bid["digest"] in digests:
            charged[round_bid["user"]] += int(outcome["charges_wei"][round_bid["digest"]])
    return charged


@pytest.fixture(scope="module", autouse=True)
def remember_bids(stack):
    stack.submitted = []


def _run_round(stack, bid_count: int) -> tuple[int, dict, dict, dict]:
    round_id = stack.open_round()
    stack.post_asks(round_id)
    bids = stack.signed_bids(round_id, bid_count)
    answer = stack.api.post_bids(bids)
    assert answer["rejected"] == []
    for bid, accepted in zip(bids, answer["accepted"]):
        stack.submitted.append({"user": bid["user"], "digest": accepted["digest"]})
    before = stack.balances()
    stack.close(round_id)
    stack.node.run_once()
    outcome = stack.outcome(round_id)
    proven = stack.prove_all()
    assert proven == len(outcome["chunks"])
    stack.node.run_once()
    return round_id, outcome, before, stack.balances()


@pytest.mark.parametrize("iteration", [0, 1])
def test_round_moves_exactly_the_outcomes_amounts(stack, iteration):
    round_id, outcome, before, after = _run_round(stack, bid_count=6)
    assert outcome["included_bid_ids"], "the round should include bids"
    charged = _charges_by_user(stack, outcome)
    for user in stack.users:
        assert after[user.address] - before[user.address] == -charged[user.address]
    ask_to_prover = {}
    for chunk in stack.api.round_status(round_id)["chunks"]:
        ask_to_prover[chunk["chunk"]] = chunk["prover"]
    paid = Counter()
    for index, chunk in enumerate(outcome["chunks"]):
        paid[ask_to_prover[index]] += int(chunk["payment_wei"])
    for agent in stack.agents:
        assert after[agent.address] - before[agent.address] == paid[agent.address]
        assert after[f"collateral:{agent.address}"] == before[f"collateral:{agent.address}"]
    assert after[stack.treasury.address] - before[stack.treasury.address] == int(outcome["treasury_wei"])
    assert int(outcome["revenue_wei"]) == sum(charged.values())
    assert stack.api.round_status(round_id)["state"] == "resolved"
    stack.assert_conserved()


def test_every_settled_round_verifies(stack):
    from proofmarket.clearinghouse.chain_adapter import settled_round_from_chain
    from proofmarket.clearinghouse.verify import verify_round

    settled = [r for r in range(stack.open_round() + 1) if stack.client.round(r).settled]
    assert len(settled) >= 2
    for round_id in settled:
        report = verify_round(stack.api.round_input(round_id), settled_round_from_chain(stack.client, round_id))
        assert report.agrees, report.differences
