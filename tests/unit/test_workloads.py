"""The generators' amounts stay at the scale of a ZK-rollup prover market (issue: amounts reached
millions of ETH): a bid's fee between 0.001 gwei per constraint and 1 ETH, a round's bids at most
12 ETH, provers' costs, the reserve and the base fee at most a few hundred gwei per constraint."""

from __future__ import annotations

import random

import pytest

from proofmarket.sim.harness import OCA_SHAPE
from proofmarket.sim.workloads import FAMILIES, bench_round, random_round

GWEI = 10**9
ETHER = 10**18


def _rounds(family: str, count: int = 150):
    for index in range(count):
        yield random_round(random.Random(f"scale:{family}:{index}"), family=family)
        yield random_round(random.Random(f"scale-oca:{family}:{index}"), family=family, shape=OCA_SHAPE, capacity=4000)


@pytest.mark.parametrize("family", FAMILIES)
def test_generated_amounts_stay_within_a_realistic_range(family):
    largest_fee = 10**16 if family != "whale" else ETHER  # 0.01 ETH a transaction, 1 ETH for a whale
    largest_level = GWEI if family != "whale" else 100 * GWEI
    for round_input in _rounds(family):
        for bid in round_input.bids:
            assert 10**6 * bid.constraints <= bid.fee_wei <= largest_fee, bid  # ≥ 0.001 gwei per constraint
        assert sum(bid.fee_wei for bid in round_input.bids) <= 12 * ETHER
        for ask in round_input.asks:
            assert ask.unit_cost_wei <= 5 * largest_level, ask
        assert round_input.config.reserve_wei_per_constraint <= largest_level // 5
        assert round_input.config.base_fee_wei_per_constraint <= 2 * largest_level


def test_whale_rounds_reach_a_large_but_realistic_fee():
    largest = max(bid.fee_wei for round_input in _rounds("whale") for bid in round_input.bids)
    assert ETHER // 10 <= largest <= ETHER


def test_bench_rounds_stay_within_a_realistic_range():
    round_input = bench_round(random.Random(1), 2_000, 20)
    for bid in round_input.bids:
        assert GWEI // 100 * bid.constraints <= bid.fee_wei <= 10 * GWEI * bid.constraints <= 10**14
    assert sum(bid.fee_wei for bid in round_input.bids) <= ETHER
    assert all(GWEI // 1000 <= ask.unit_cost_wei <= GWEI for ask in round_input.asks)
