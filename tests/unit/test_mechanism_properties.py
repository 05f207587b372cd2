"""Properties every mechanism must keep, for all inputs (hypothesis, wei-sized amounts), and the
fast clearing checked against a direct, quadratic transcription of docs/mechanism.md.

IR, budget balance, capacity and determinism are asserted for every mechanism (eip1559 pays
provers from tips with no eligibility test, so its prover-side IR is not a rule: only the user
side is asserted for it; the harness measures the rest).
"""

from __future__ import annotations

import dataclasses
import random
from functools import cmp_to_key

from hypothesis import given, settings
from hypothesis import strategies as st

from proofmarket.mechanism import MECHANISM_NAMES, Ask, Bid, RoundConfig, RoundInput, clear_round
from proofmarket.mechanism.ordering import order_bids_by_density
from proofmarket.mechanism.roundfile import outcome_to_json
from proofmarket.sim.properties import check_budget_balance, check_capacity, check_individual_rationality

from .mechanism_strategies import bids, rounds

PROPERTY_SETTINGS = settings(max_examples=120, deadline=None)


@PROPERTY_SETTINGS
@given(rounds())
def test_every_mechanism_charges_no_user_more_than_its_bid_and_pays_provers_their_ask(round_input):
    outcome = clear_round(round_input)
    bid_fees = {bid.id: bid.fee_wei for bid in round_input.bids}
    assert set(outcome.charges_wei) == set(outcome.included_bid_ids)
    assert all(charge <= bid_fees[bid_id] for bid_id, charge in outcome.charges_wei.items())
    assert all(outcome.rebates_wei.get(bid_id, 0) <= charge for bid_id, charge in outcome.charges_wei.items())
    if round_input.mechanism != "eip1559":
        assert not check_individual_rationality(round_input, outcome).violated


@PROPERTY_SETTINGS
@given(rounds())
def test_every_mechanism_pays_provers_no_more_than_users_pay_and_conserves_money(round_input):
    outcome = clear_round(round_input)
    user_payments = outcome.revenue_wei - sum(outcome.rebates_wei.values())
    assert outcome.payouts_wei <= user_payments
    assert outcome.revenue_wei == outcome.payouts_wei + outcome.burn_wei + outcome.treasury_wei + sum(outcome.rebates_wei.values())
    assert outcome.payouts_wei == sum(chunk.payment_wei for chunk in outcome.chunks)
    assert not check_budget_balance(round_input, outcome).violated


@PROPERTY_SETTINGS
@given(rounds())
def test_every_mechanism_stays_within_the_round_and_prover_capacities(round_input):
    outcome = clear_round(round_input)
    sizes = {bid.id: bid.constraints for bid in round_input.bids}
    capacities = {ask.id: ask.capacity for ask in round_input.asks}
    assert sum(sizes[bid_id] for bid_id in outcome.included_bid_ids) <= round_input.config.capacity
    assert all(chunk.constraints <= capacities[chunk.prover_id] for chunk in outcome.chunks)
    if round_input.config.max_bids_per_chunk:
        assert all(len(chunk.bid_ids) <= round_input.config.max_bids_per_chunk for chunk in outcome.chunks)
    assert len({chunk.prover_id for chunk in outcome.chunks}) == len(outcome.chunks)
    assert not check_capacity(round_input, outcome).violated


@settings(max_examples=80, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_every_mechanism_ignores_the_order_of_bids_and_asks(round_input, rng):
    shuffled_bids, shuffled_asks = list(round_input.bids), list(round_input.asks)
    rng.shuffle(shuffled_bids)
    rng.shuffle(shuffled_asks)
    shuffled = dataclasses.replace(round_input, bids=tuple(shuffled_bids), asks=tuple(shuffled_asks))
    assert outcome_to_json(clear_round(shuffled)) == outcome_to_json(clear_round(round_input))


@settings(max_examples=150, deadline=None)
@given(bids(max_bids=25, max_constraints=50))
def test_density_order_matches_cross_multiplication_then_id(bid_list):
    def by_cross_multiplication(left, right):
        if left.fee_wei * right.constraints != right.fee_wei * left.constraints:
            return -1 if left.fee_wei * right.constraints > right.fee_wei * left.constraints else 1
        return -1 if left.id < right.id else 1

    assert order_bids_by_density(bid_list) == sorted(bid_list, key=cmp_to_key(by_cross_multiplication))


def test_density_order_separates_densities_that_differ_by_one_part_in_10_to_the_48():
    # b/g = (10^24 + 1)/10^24 vs 1: a float sees two equal densities.
    close = [Bid("0x02", 10**24, 10**24), Bid("0x01", 10**24 + 1, 10**24 + 0)]
    assert [bid.id for bid in order_bids_by_density(close)] == ["0x01", "0x02"]
    sizes = [Bid("0x0b", 3 * 10**23 + 1, 3), Bid("0x0a", 10**23, 1)]
    assert [bid.id for bid in order_bids_by_density(sizes)] == ["0x0b", "0x0a"]


# --- the spec, transcribed directly (quadratic), as the reference ---------------------------


def _spec_order(round_input: RoundInput) -> tuple[list[Bid], list[Ask]]:
    config = round_input.config
    admitted = [
        bid
        for bid in round_input.bids
        if bid.constraints <= config.capacity and bid.fee_wei >= config.reserve_wei_per_constraint * bid.constraints
    ]

    def compare(left, right):
        left_side, right_side = left.fee_wei * right.constraints, right.fee_wei * left.constraints
        if left_side != right_side:
            return -1 if left_side > right_side else 1
        return -1 if left.id < right.id else 1

    return sorted(admitted, key=cmp_to_key(compare)), sorted(round_input.asks, key=lambda ask: (ask.unit_cost_wei, ask.id))


def _spec_greedy(prefix: list[Bid], eligible: list[Ask], max_bids: int = 0) -> list[tuple[Ask, list[Bid]]] | None:
    """Step 4 as written: each transaction whole to the current prover if it fits (and the
    prover holds fewer than ``max_bids`` transactions, if non-zero), else move on."""
    chunks: list[tuple[Ask, list[Bid]]] = []
    index, remaining = 0, eligible[0].capacity if eligible else 0
    current: list[Bid] = []
    for bid in prefix:
        while index < len(eligible) and (bid.constraints > remaining or len(current) == max_bids > 0):
            if current:
                chunks.append((eligible[index], current))
            current = []
            index += 1
            remaining = eligible[index].capacity if index < len(eligible) else 0
        if index == len(eligible):
            return None
        current.append(bid)
        remaining -= bid.constraints
    if current:
        chunks.append((eligible[index], current))
    return chunks


def _spec_prooφ(round_input: RoundInput) -> tuple[list[str], list[tuple[str, list[str], int]], tuple[int, int]]:
    """proofphi-v1 steps 1–5 recomputed from scratch for every prefix."""
    order, asks = _spec_order(round_input)
    best: tuple[int, list] = (0, [])
    for k in range(1, len(order) + 1):
        prefix = order[:k]
        fees, size = sum(b.fee_wei for b in prefix), sum(b.constraints for b in prefix)
        if size > round_input.config.capacity:
            break
        eligible = [ask for ask in asks if ask.unit_cost_wei * size <= fees]
        chunks = _spec_greedy(prefix, eligible, round_input.config.max_bids_per_chunk)
        if chunks is None:
            break
        best = (k, chunks)
    k, chunks = best
    if k == 0:
        return [], [], (0, 1)
    fees, size = sum(b.fee_wei for b in order[:k]), sum(b.constraints for b in order[:k])
    eligible = [ask for ask in asks if ask.unit_cost_wei * size <= fees]
    last = eligible.index(chunks[-1][0])
    if last + 1 < len(eligible):
        price = (eligible[last + 1].unit_cost_wei, 1)
    else:
        price = (fees, size)
    payments = [
        (ask.id, [b.id for b in members], price[0] * sum(b.constraints for b in members) // price[1])
        for ask, members in chunks
    ]
    return [b.id for b in order[:k]], payments, price


@settings(max_examples=200, deadline=None)
@given(rounds(mechanism="proofphi-v1"))
def test_proofphi_v1_matches_the_specification_recomputed_for_every_prefix(round_input):
    included, chunks, (num, den) = _spec_prooφ(round_input)
    outcome = clear_round(round_input)
    assert list(outcome.included_bid_ids) == included
    assert [(c.prover_id, list(c.bid_ids), c.payment_wei) for c in outcome.chunks] == chunks
    assert outcome.price.num * den == num * outcome.price.den


@settings(max_examples=100, deadline=None)
@given(rounds(mechanism="proofphi-v1"))
def test_prefix_feasibility_is_monotone_so_the_stop_rule_never_skips_a_feasible_prefix(round_input):
    # Once a prefix is infeasible every longer one is too: G grows, f_k falls (densities are in
    # descending order) and the greedy walk only moves to costlier provers. So the scan's "stop
    # at the first infeasible prefix" finds the longest feasible prefix.
    order, asks = _spec_order(round_input)
    feasible = []
    for k in range(1, len(order) + 1):
        fees, size = sum(b.fee_wei for b in order[:k]), sum(b.constraints for b in order[:k])
        eligible = [ask for ask in asks if ask.unit_cost_wei * size <= fees]
        walk = _spec_greedy(order[:k], eligible, round_input.config.max_bids_per_chunk)
        feasible.append(size <= round_input.config.capacity and walk is not None)
    assert feasible == sorted(feasible, reverse=True)


def test_clearing_a_large_round_is_linear_after_one_sort():
    # Not a timing test: 20000 bids against 200 provers clear, and agree with a shuffled copy.
    rng = random.Random(7)
    bids_list = [Bid(f"0x{index:05x}", rng.randint(1, 10**22), rng.randint(1, 500)) for index in range(20_000)]
    asks_list = [Ask(f"0xa{index:03x}", rng.randint(1, 10**19), 25_000) for index in range(200)]
    round_input = RoundInput("proofphi", RoundConfig(capacity=2_000_000), tuple(bids_list), tuple(asks_list))
    rng.shuffle(bids_list)
    shuffled = dataclasses.replace(round_input, bids=tuple(bids_list))
    for mechanism in MECHANISM_NAMES:
        first = clear_round(dataclasses.replace(round_input, mechanism=mechanism))
        second = clear_round(dataclasses.replace(shuffled, mechanism=mechanism))
        assert first == second
        assert first.included_bid_ids
