"""Worked examples, computed by hand from docs/mechanism.md, one rule per test, for every mechanism.

Each test spells out its arithmetic in comments; the numbers are small so a reader can redo it.
"""

from __future__ import annotations

import pytest

from proofmarket.mechanism import Ask, Bid, Chunk, Price, RoundConfig, RoundInput, clear_round
from proofmarket.mechanism.eip1559 import compute_next_base_fee


def round_of(mechanism, bids, asks, capacity=100, **config):
    return RoundInput(mechanism, RoundConfig(capacity=capacity, **config), tuple(bids), tuple(asks))


def money(outcome):
    """The outcome's money, in one comparable tuple."""
    return (outcome.revenue_wei, outcome.payouts_wei, outcome.surplus_wei, outcome.burn_wei, outcome.treasury_wei)


# --- proofphi-v1 (the paper's first price; the truthful proofphi is in test_proofphi.py) --------

# Users u1 (1000 for 10, d=100), u2 (450 for 5, d=90), u3 (300 for 10, d=30).
# Provers p1 (20/constraint, 15), p2 (25, 100), p3 (50, 100).
#   k=1: G=10, B=1000: u1 -> p1 (5 left);            a(p1)=20: 20·10 = 200 ≤ 1000   feasible
#   k=2: G=15, B=1450: u2 (5) -> p1 (0 left);        20·15 = 300 ≤ 1450             feasible
#   k=3: G=25, B=1750: u3 (10) does not fit p1 -> p2; a(p2)=25: 25·25 = 625 ≤ 1750  feasible
# k* = 3, f = 1750/25 = 70. Last working prover p2; next is p3 with 50·25 = 1250 ≤ 1750, so it is
# eligible and p = min(70, 50) = 50. p1 gets 50·15 = 750, p2 gets 50·10 = 500; surplus 1750 − 1250 = 500.
U1, U2, U3 = Bid("0xu1", 1000, 10), Bid("0xu2", 450, 5), Bid("0xu3", 300, 10)
P1, P2, P3 = Ask("0xp1", 20, 15), Ask("0xp2", 25, 100), Ask("0xp3", 50, 100)


def test_proofphi_v1_pays_the_next_eligible_ask_and_sends_the_surplus_to_the_treasury():
    outcome = clear_round(round_of("proofphi-v1", [U3, U1, U2], [P3, P2, P1]))
    assert outcome.included_bid_ids == ("0xu1", "0xu2", "0xu3")
    assert outcome.charges_wei == {"0xu1": 1000, "0xu2": 450, "0xu3": 300}
    assert outcome.chunks == (Chunk("0xp1", ("0xu1", "0xu2"), 15, 750), Chunk("0xp2", ("0xu3",), 10, 500))
    assert outcome.price == Price(50, 1)
    assert money(outcome) == (1750, 1250, 500, 0, 500)
    assert outcome.rebates_wei == {}


def test_proofphi_v1_rebates_the_surplus_pro_rata_rounding_down_with_dust_to_the_treasury():
    # S = 500, R = 1750: u1 ⌊500·1000/1750⌋ = 285, u2 ⌊500·450/1750⌋ = 128, u3 ⌊500·300/1750⌋ = 85;
    # Σ = 498, dust 2 to the treasury.
    outcome = clear_round(round_of("proofphi-v1", [U1, U2, U3], [P1, P2, P3], surplus="rebate"))
    assert outcome.rebates_wei == {"0xu1": 285, "0xu2": 128, "0xu3": 85}
    assert money(outcome) == (1750, 1250, 500, 0, 2)


def test_proofphi_v1_burns_the_surplus_under_the_burn_policy():
    outcome = clear_round(round_of("proofphi-v1", [U1, U2, U3], [P1, P2, P3], surplus="burn"))
    assert money(outcome) == (1750, 1250, 500, 500, 0)


def test_proofphi_v1_stops_at_the_first_prefix_whose_average_fee_is_below_the_working_ask():
    # a (12000 for 40, d=300), b (9000 for 60, d=150), c (100 for 100, d=1); p (100, 80), q (120, 500).
    #   k=1: a -> p; 100·40 ≤ 12000.  k=2: b does not fit p's 40 -> q; 120·100 = 12000 ≤ 21000.
    #   k=3: G=200, B=21100: c -> q; 120·200 = 24000 > 21100: infeasible, stop. k* = 2, f = 210.
    # No prover after q: p = f = 210; p gets 210·40 = 8400, q gets 210·60 = 12600; surplus 0.
    bids = [Bid("0xa", 12000, 40), Bid("0xb", 9000, 60), Bid("0xc", 100, 100)]
    outcome = clear_round(round_of("proofphi-v1", bids, [Ask("0xp", 100, 80), Ask("0xq", 120, 500)], capacity=1000))
    assert outcome.included_bid_ids == ("0xa", "0xb")
    assert outcome.chunks == (Chunk("0xp", ("0xa",), 40, 8400), Chunk("0xq", ("0xb",), 60, 12600))
    assert outcome.price == Price(210, 1)
    assert money(outcome) == (21000, 21000, 0, 0, 0)


def test_proofphi_v1_skips_a_prover_the_next_transaction_does_not_fit():
    # y (600 for 30, d=20) does not fit "small" (10) -> "big" (50). small gets nothing, and is not
    # a_next (it comes before big). No prover after big: p = f = 20; big gets 600.
    outcome = clear_round(round_of("proofphi-v1", [Bid("0xy", 600, 30)], [Ask("0xsmall", 1, 10), Ask("0xbig", 2, 50)]))
    assert outcome.chunks == (Chunk("0xbig", ("0xy",), 30, 600),)
    assert outcome.price == Price(20, 1)


def test_proofphi_v1_admits_only_bids_within_capacity_and_at_or_above_the_reserve():
    # C = 50, ρ = 10: z1 (g 99 > C) and z2 (d = 9 < ρ) are ignored; z3 (d = 20 = 2ρ) and z4 (d = 10 = ρ) stay.
    # k=2: G = 20, B = 300, f = 15 ≥ 5. p = f = 15: w gets 300.
    bids = [Bid("0xz1", 990, 99), Bid("0xz2", 90, 10), Bid("0xz3", 200, 10), Bid("0xz4", 100, 10)]
    outcome = clear_round(round_of("proofphi-v1", bids, [Ask("0xw", 5, 100)], capacity=50, reserve_wei_per_constraint=10))
    assert outcome.included_bid_ids == ("0xz3", "0xz4")
    assert outcome.price == Price(15, 1)


def test_proofphi_v1_breaks_equal_densities_by_id_ascending():
    # "0x0a" (200 for 20) and "0x0b" (100 for 10) both have d = 10; 0x0a comes first and fills C = 20.
    outcome = clear_round(round_of("proofphi-v1", [Bid("0x0b", 100, 10), Bid("0x0a", 200, 20)], [Ask("0xp", 1, 100)], capacity=20))
    assert outcome.included_bid_ids == ("0x0a",)


def test_proofphi_v1_price_is_an_exact_fraction_and_payments_round_down():
    # Lone prover: a (200 for 10), b (50 for 10): f_2 = 250/20 = 25/2 ≥ 10, k* = 2, p = 25/2.
    # Payment ⌊25/2 · 20⌋ = 250. With 3 constraints on a second bid the floor shows:
    # a (200, 10), b (51, 3): f = 251/13; payment ⌊251/13 · 13⌋ = 251.
    outcome = clear_round(round_of("proofphi-v1", [Bid("0xa", 200, 10), Bid("0xb", 50, 10)], [Ask("0xp", 10, 100)]))
    assert outcome.price == Price(25, 2)
    assert outcome.chunks == (Chunk("0xp", ("0xa", "0xb"), 20, 250),)
    # Two provers at the same price, p = 7/3: x = 2 -> ⌊14/3⌋ = 4, x = 1 -> ⌊7/3⌋ = 2; surplus 7 − 6 = 1.
    bids = [Bid("0xa", 5, 2), Bid("0xb", 2, 1)]
    outcome = clear_round(round_of("proofphi-v1", bids, [Ask("0xp", 1, 2), Ask("0xq", 2, 5)]))
    assert outcome.price == Price(7, 3)
    assert [chunk.payment_wei for chunk in outcome.chunks] == [4, 2]
    assert money(outcome) == (7, 6, 1, 0, 1)


def test_proofphi_v1_accepts_a_prefix_whose_average_fee_equals_the_working_ask():
    # a (30 for 2), b (10 for 2): f_2 = 40/4 = 10 = the ask, so a·G ≤ B holds with equality and
    # both are included; one more constraint's worth of fee less and b would not be.
    outcome = clear_round(round_of("proofphi-v1", [Bid("0xa", 30, 2), Bid("0xb", 10, 2)], [Ask("0xp", 10, 10)]))
    assert outcome.included_bid_ids == ("0xa", "0xb")
    outcome = clear_round(round_of("proofphi-v1", [Bid("0xa", 30, 2), Bid("0xb", 9, 2)], [Ask("0xp", 10, 10)]))
    assert outcome.included_bid_ids == ("0xa",)


def test_proofphi_v1_clears_an_empty_round_without_provers():
    outcome = clear_round(round_of("proofphi-v1", [Bid("0xa", 100, 1)], []))
    assert outcome.included_bid_ids == () and outcome.chunks == ()
    assert outcome.price == Price(0, 1)
    assert money(outcome) == (0, 0, 0, 0, 0)


# --- trade-reduction -------------------------------------------------------------------------


def test_trade_reduction_drops_the_marginal_user_and_prices_everyone_at_its_density():
    # a (12000, 40, d=300), b (9000, 60, d=150), c (100, 100, d=1); p (100, 80), q (120, 500).
    #   k=1: a -> p, 100·40 ≤ 12000.  k=2: b -> q, 120·60 = 7200 ≤ 9000.  k=3: c -> q, 120·100 > 100: stop.
    # K = 2: include a; it pays ⌈9000·40/60⌉ = 6000. a -> p; next after p is q, 120 ≤ d_K = 150
    # (120·60 ≤ 9000), so p = 120; p gets 120·40 = 4800. Surplus 1200.
    bids = [Bid("0xa", 12000, 40), Bid("0xb", 9000, 60), Bid("0xc", 100, 100)]
    outcome = clear_round(round_of("trade-reduction", bids, [Ask("0xp", 100, 80), Ask("0xq", 120, 500)], capacity=1000))
    assert outcome.included_bid_ids == ("0xa",)
    assert outcome.charges_wei == {"0xa": 6000}
    assert outcome.chunks == (Chunk("0xp", ("0xa",), 40, 4800),)
    assert outcome.price == Price(120, 1)
    assert money(outcome) == (6000, 4800, 1200, 0, 1200)


def test_trade_reduction_rounds_charges_up_and_payments_down():
    # h (100 for 2, d=50), m (10 for 3, d=10/3); p (1, 100). K = 2: h pays ⌈10·2/3⌉ = ⌈6.67⌉ = 7.
    # No prover after p: price d_K = 10/3; p gets ⌊10/3·2⌋ = 6. Surplus 1.
    outcome = clear_round(round_of("trade-reduction", [Bid("0xh", 100, 2), Bid("0xm", 10, 3)], [Ask("0xp", 1, 100)]))
    assert outcome.charges_wei == {"0xh": 7}
    assert outcome.price == Price(10, 3)
    assert outcome.chunks == (Chunk("0xp", ("0xh",), 2, 6),)
    assert money(outcome) == (7, 6, 1, 0, 1)


def test_trade_reduction_accepts_a_marginal_density_equal_to_the_ask():
    # h (100 for 2), m (30 for 3, d = 10) and a prover asking exactly 10: a·g_K ≤ b_K with
    # equality, K = 2, h is included and pays ⌈30·2/3⌉ = 20; the prover gets 10·2 = 20.
    outcome = clear_round(round_of("trade-reduction", [Bid("0xh", 100, 2), Bid("0xm", 30, 3)], [Ask("0xp", 10, 100)]))
    assert outcome.charges_wei == {"0xh": 20}
    assert outcome.chunks == (Chunk("0xp", ("0xh",), 2, 20),)


def test_trade_reduction_includes_nothing_when_only_one_prefix_is_feasible():
    outcome = clear_round(round_of("trade-reduction", [Bid("0xa", 100, 2)], [Ask("0xp", 1, 100)]))
    assert outcome.included_bid_ids == () and money(outcome) == (0, 0, 0, 0, 0)


# --- pay-as-bid ------------------------------------------------------------------------------


def test_pay_as_bid_selects_like_proofphi_and_pays_each_prover_its_ask():
    # Same round as the Prooφ example: batch u1, u2 | u3 on p1 | p2. p1 gets 20·15 = 300, p2 25·10 = 250.
    # Revenue 1750, payouts 550, surplus 1200; price reports f = 70.
    outcome = clear_round(round_of("pay-as-bid", [U1, U2, U3], [P1, P2, P3]))
    assert outcome.included_bid_ids == ("0xu1", "0xu2", "0xu3")
    assert outcome.chunks == (Chunk("0xp1", ("0xu1", "0xu2"), 15, 300), Chunk("0xp2", ("0xu3",), 10, 250))
    assert outcome.price == Price(70, 1)
    assert money(outcome) == (1750, 550, 1200, 0, 1200)


# --- eip1559 ---------------------------------------------------------------------------------


def test_eip1559_burns_the_base_fee_and_splits_the_tips_pro_rata_rounding_down():
    # β = 10. e1 (500 for 20, d=25), e2 (331 for 30, d≈11.03), e3 (90 for 10, d=9 < β: stop).
    # Cheapest first, no eligibility: e1 -> pA (cost 1, 25: 5 left), e2 (30) -> pB (cost 1000!). G = 50, burn β·G = 500, tips T = 831 − 500 = 331.
    # pA ⌊331·20/50⌋ = 132, pB ⌊331·30/50⌋ = 198; dust 1 to the treasury. Price T/G = 331/50.
    # Next base fee: 10 + ⌊10·(2·50 − 100)/(8·100)⌋ = 10.
    bids = [Bid("0xe1", 500, 20), Bid("0xe2", 331, 30), Bid("0xe3", 90, 10)]
    asks = [Ask("0xpB", 1000, 100), Ask("0xpA", 1, 25)]
    outcome = clear_round(round_of("eip1559", bids, asks, base_fee_wei_per_constraint=10))
    assert outcome.included_bid_ids == ("0xe1", "0xe2")
    assert outcome.chunks == (Chunk("0xpA", ("0xe1",), 20, 132), Chunk("0xpB", ("0xe2",), 30, 198))
    assert outcome.price == Price(331, 50)
    assert money(outcome) == (831, 330, 1, 500, 1)
    assert outcome.next_base_fee_wei_per_constraint == 10


def test_eip1559_includes_a_bid_whose_density_equals_the_base_fee():
    # β = 10: e1 (200 for 20, d = 10 = β) is included, burns 200, tips 0: the prover gets 0.
    outcome = clear_round(round_of("eip1559", [Bid("0xe1", 200, 20)], [Ask("0xp", 0, 100)], base_fee_wei_per_constraint=10))
    assert outcome.included_bid_ids == ("0xe1",)
    assert money(outcome) == (200, 0, 0, 200, 0)


@pytest.mark.parametrize(
    ("included_constraints", "expected"),
    [
        (100, 1125),  # full: 1000 + ⌊1000·100/800⌋ = +12.5%
        (0, 875),  # empty: 1000 + ⌊−100000/800⌋ = −12.5%
        (50, 1000),  # at target
        (51, 1002),  # 1000 + ⌊2000/800⌋ = 1000 + 2
        (49, 997),  # 1000 + ⌊−2000/800⌋ = 1000 − 3 (floor toward −∞)
    ],
)
def test_eip1559_next_base_fee_follows_the_update_rule(included_constraints, expected):
    assert compute_next_base_fee(1000, included_constraints, 100) == expected


def test_eip1559_reports_no_next_base_fee_for_other_mechanisms():
    assert clear_round(round_of("proofphi-v1", [U1], [P1])).next_base_fee_wei_per_constraint is None
