"""The property harness can fail: on hand-built instances with a known profitable deviation or a
known broken outcome it reports a violation, with the gain computed by hand."""

from __future__ import annotations

import dataclasses
import json

from proofmarket.mechanism import Ask, Bid, Chunk, RoundConfig, RoundInput, clear_round
from proofmarket.mechanism import MECHANISM_NAMES
from proofmarket.sim.harness import PROPERTY_NAMES, TINY_PLAN, PropertyTally, run_harness
from proofmarket.sim.properties import (
    check_budget_balance,
    check_capacity,
    check_individual_rationality,
    measure_welfare,
    search_off_chain_agreement,
    search_prover_deviation,
    search_sybil_split,
    search_user_deviation,
)
from proofmarket.sim.report import render_markdown, write_reports

# A lone prover (cost 10, capacity 100) and two users: a (200 for 10, d=20), b (50 for 10, d=5).
# proofphi-v1 (first price): f_2 = 250/20 = 12.5 ≥ 10, both included, p = f = 12.5: the prover gets 250 for
# 20 constraints costing 200, utility 50. Asking 13 > 12.5 cuts the batch to a alone: f_1 = 20,
# the prover gets 200 for 10 constraints costing 100, utility 100: a gain of 50 (its ask is a
# reserve price).
LONE_PROVER = RoundInput(
    "proofphi-v1", RoundConfig(capacity=100), (Bid("0xa", 200, 10), Bid("0xb", 50, 10)), (Ask("0xp", 10, 100),)
)


def test_prover_ic_search_finds_the_lone_provers_reserve_price():
    deviation = search_prover_deviation(LONE_PROVER, "0xp")
    assert deviation.truthful_utility_wei == 50
    assert deviation.gain_wei == 50
    assert 25 / 2 < deviation.report <= 20  # any ask in (f_2, f_1] cuts b out


def test_a_profitable_deviation_is_counted_as_a_violation_with_its_gain():
    tally = PropertyTally("proofphi", "prover-IC")
    deviation = search_prover_deviation(LONE_PROVER, "0xp")
    tally.record(deviation.profitable, deviation.gain_wei, LONE_PROVER, deviation.report)
    tally.record(False, 0, LONE_PROVER)
    assert (tally.instances, tally.violations, tally.largest_gain) == (2, 1, 50)
    assert tally.witness["round"]["asks"] == [{"id": "0xp", "unit_cost_wei": "10", "capacity": "100"}]


def test_user_ic_search_finds_that_first_price_rewards_underbidding():
    # b pays its bid 50 for value 50 (utility 0). Bidding 0 keeps it included (f_2 = 200/20 = 10 ≥ 10)
    # and it pays 0: a gain of 50.
    deviation = search_user_deviation(LONE_PROVER, "0xb")
    assert (deviation.truthful_utility_wei, deviation.gain_wei, deviation.report) == (0, 50, 0)


def test_user_ic_search_finds_nothing_for_the_trade_reduction_price_taker():
    # Trade reduction on a (d=300), b (d=150), c (d=1): a is included at b's density whatever it bids
    # above it, and cannot lower its price; the search must not invent a gain.
    round_input = RoundInput(
        "trade-reduction",
        RoundConfig(capacity=1000),
        (Bid("0xa", 12000, 40), Bid("0xb", 9000, 60), Bid("0xc", 100, 100)),
        (Ask("0xp", 100, 80), Ask("0xq", 120, 500)),
    )
    assert search_user_deviation(round_input, "0xa").gain_wei == 0


def test_sybil_search_finds_identities_that_cut_the_batch_like_a_reserve_price():
    # The lone prover splits into two identities; with the cheaper one asking more than
    # f_2 = 12.5 (and at most f_1 = 20) only a is included: paid 200 for 10 constraints costing
    # 100, utility 100 against 50 truthful: a gain of 50.
    deviation = search_sybil_split(LONE_PROVER, "0xp")
    assert deviation.truthful_utility_wei == 50
    assert deviation.gain_wei == 50
    first_capacity, first_ask, second_ask = deviation.report
    assert 25 / 2 < min(first_ask, second_ask) <= 20


def test_sybil_search_finds_no_gain_where_the_next_ask_already_caps_the_price():
    # u (2000 for 40, d=50); A (10, 100), B (30, 100). Truthful: u -> A, a_next = B, p = 30. An
    # identity of A can only set the price by sitting before B in ask order, i.e. asking ≤ 30:
    # never more than B's 30, so splitting gains nothing.
    round_input = RoundInput(
        "proofphi-v1", RoundConfig(capacity=40), (Bid("0xu", 2000, 40),), (Ask("0xA", 10, 100), Ask("0xB", 30, 100))
    )
    deviation = search_sybil_split(round_input, "0xA")
    assert (deviation.truthful_utility_wei, deviation.gain_wei) == (800, 0)


def test_oca_search_finds_the_joint_gain_of_an_underbidding_user_and_its_prover():
    # b and the lone prover: b bids 0 (saves 50) and the prover asks 10: f_2 = 200/20 = 10, the
    # prover is paid 200 for cost 200 (loses 50 of its 50): joint 0. Better: b bids 0 and the prover
    # asks 13: b is cut out (0), the prover earns 100 instead of 50: joint gain 50.
    deviation = search_off_chain_agreement(LONE_PROVER, "0xb")
    assert deviation.gain_wei == 50


def test_ir_check_flags_an_overcharged_user_and_an_underpaid_prover():
    outcome = clear_round(LONE_PROVER)
    overcharged = dataclasses.replace(outcome, charges_wei={"0xa": 201, "0xb": 49})
    finding = check_individual_rationality(LONE_PROVER, overcharged)
    assert finding.violated and finding.amount == 1
    underpaid = dataclasses.replace(outcome, chunks=(Chunk("0xp", ("0xa", "0xb"), 20, 150),))
    finding = check_individual_rationality(LONE_PROVER, underpaid)
    assert finding.violated and finding.amount == 50  # 10·20 − 150


def test_ir_check_flags_eip1559_paying_a_costly_prover_below_its_cost():
    # β = 10: one user (500 for 20); the only prover costs 1000: tips 300 all go to it, cost 20000.
    round_input = RoundInput(
        "eip1559", RoundConfig(capacity=100, base_fee_wei_per_constraint=10), (Bid("0xe", 500, 20),), (Ask("0xp", 1000, 25),)
    )
    finding = check_individual_rationality(round_input, clear_round(round_input))
    assert finding.violated and finding.amount == 1000 * 20 - 300


def test_budget_check_flags_payouts_above_user_payments():
    outcome = clear_round(LONE_PROVER)
    broken = dataclasses.replace(outcome, payouts_wei=300, chunks=(Chunk("0xp", ("0xa", "0xb"), 20, 300),))
    finding = check_budget_balance(LONE_PROVER, broken)
    assert finding.violated and finding.amount == 50
    assert not check_budget_balance(LONE_PROVER, outcome).violated


def test_capacity_check_flags_a_round_over_c_and_a_prover_over_its_capacity():
    outcome = clear_round(LONE_PROVER)
    small = dataclasses.replace(LONE_PROVER, config=RoundConfig(capacity=15), asks=(Ask("0xp", 10, 12),))
    finding = check_capacity(small, outcome)
    assert finding.violated and finding.amount == 8  # 20 − 12 for the prover (20 − 15 for C)


def test_welfare_is_measured_against_the_relaxed_optimum():
    # Values 200 + 50, cost 10·20 = 200: welfare 50. Optimum: a alone (200 − 100 = 100), b's density
    # 5 is below the cost 10, so the relaxed optimum is 100 and the ratio 0.5.
    welfare = measure_welfare(LONE_PROVER, clear_round(LONE_PROVER))
    assert (welfare.achieved_wei, welfare.optimum_bound_wei, welfare.ratio) == (50, 100, 0.5)


def test_a_tiny_harness_run_is_reproducible_and_writes_every_report(tmp_path):
    first = run_harness(TINY_PLAN, seed=3)
    second = run_harness(TINY_PLAN, seed=3)
    assert render_markdown(first) == render_markdown(second)
    assert first.tally("proofphi", "IR").instances == TINY_PLAN.outcome_instances
    assert first.tally("proofphi", "IR").violations == 0
    assert first.tally("proofphi", "budget-balance").violations == 0
    assert first.tally("proofphi", "user-IC").violations == 0
    assert first.tally("proofphi", "prover-IC").violations == 0
    assert first.tally("proofphi-v1", "user-IC").violations > 0, "first price rewards shading: the search finds it"
    assert first.tally("eip1559", "OCA").instances == TINY_PLAN.oca_instances_per_capacity * len(TINY_PLAN.oca_capacities)
    paths = write_reports(first, tmp_path)
    assert {path.name for path in paths} == {
        "properties.json",
        "properties.md",
        "oca_gain_vs_capacity.png",
        "welfare_ratio.png",
        "payments.png",
    }
    document = json.loads((tmp_path / "properties.json").read_text())
    assert document["seed"] == 3 and len(document["results"]) == len(MECHANISM_NAMES) * len(PROPERTY_NAMES)
    assert set(document["sybil_and_oca_net_by_capacity"]) == {"sybil", "OCA"}
    assert all((tmp_path / name).read_bytes().startswith(b"\x89PNG") for name in ("payments.png", "welfare_ratio.png"))
