"""The dashboard's pure figures: prices as decimal text (exact or rounded, never through a float),
a round's figures from its outcome file, and when a chunk counts as missed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofmarket.api.dashboard import chunk_missed, decimal_text, outcome_figures, terminates_within
from proofmarket.clearinghouse.database import ChunkState
from proofmarket.mechanism import clear_round
from proofmarket.mechanism.roundfile import outcome_to_json
from proofmarket.mechanism.types import Ask, Bid, RoundConfig, RoundInput

GWEI = 10**9


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Fraction(0), 18, "0"),
        (Fraction(3), 18, "3"),
        (Fraction(3 * GWEI, GWEI), 18, "3"),
        (Fraction(5, 2), 18, "2.5"),
        (Fraction(1, GWEI), 18, "0.000000001"),  # one wei per constraint, in gwei
        (Fraction(10**30 + 1, 10**18), 18, "1000000000000.000000000000000001"),  # past a float's precision
        (Fraction(1, 3), 18, "0.333333333333333333"),
        (Fraction(2, 3), 18, "0.666666666666666667"),  # rounded half up
        (Fraction(1, 2 * 10**18), 18, "0.000000000000000001"),  # exactly half: up
        (Fraction(1, 3 * 10**18), 18, "0"),
        (Fraction(7, 2), 0, "4"),
        (Fraction(999_999, 10**6), 3, "1"),  # rounding carries into the whole part
    ],
)
def test_decimal_text(value, places, text):
    assert decimal_text(value, places) == text


def test_decimal_text_refuses_a_negative_value():
    with pytest.raises(ValueError, match="non-negative"):
        decimal_text(Fraction(-1, 2))


def test_terminates_within():
    assert terminates_within(Fraction(1, GWEI))
    assert terminates_within(Fraction(5, 2), places=1)
    assert not terminates_within(Fraction(5, 4), places=1)
    assert not terminates_within(Fraction(1, 3))


@given(st.integers(min_value=0, max_value=2**256), st.integers(min_value=1, max_value=2**128))
def test_decimal_text_agrees_with_decimal_arithmetic(numerator, denominator):
    value = Fraction(numerator, denominator)
    with localcontext(prec=400):
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("1e-18"), rounding=ROUND_HALF_UP)
    text = decimal_text(value)
    assert Decimal(text) == expected
    assert "e" not in text.lower() and not (("." in text) and text.endswith("0"))
    assert (Fraction(text) == value) == terminates_within(value)


def test_outcome_figures_are_the_outcome_files_exact_integers():
    round_input = RoundInput(
        mechanism="proofphi",
        config=RoundConfig(capacity=1_000, reserve_wei_per_constraint=GWEI, surplus="treasury"),
        bids=tuple(Bid(id=f"b{index}", fee_wei=fee * GWEI, constraints=constraints)
                   for index, (fee, constraints) in enumerate([(900, 200), (700, 150), (300, 100), (90, 80)])),
        asks=(Ask(id="p0", unit_cost_wei=GWEI, capacity=600), Ask(id="p1", unit_cost_wei=2 * GWEI, capacity=600)),
    )
    outcome = clear_round(round_input)
    figures = outcome_figures(outcome_to_json(outcome))
    assert figures.included == len(outcome.included_bid_ids) > 0
    assert figures.constraints == sum(chunk.constraints for chunk in outcome.chunks)
    assert figures.price_wei == Fraction(outcome.price.num, outcome.price.den)
    assert (figures.revenue_wei, figures.payouts_wei, figures.surplus_wei) == (
        outcome.revenue_wei, outcome.payouts_wei, outcome.surplus_wei,
    )


def test_a_round_with_nothing_included_has_no_price():
    round_input = RoundInput(
        mechanism="proofphi",
        config=RoundConfig(capacity=1_000, reserve_wei_per_constraint=GWEI, surplus="treasury"),
        bids=(Bid(id="b0", fee_wei=100 * GWEI, constraints=100),),
        asks=(),
    )
    figures = outcome_figures(outcome_to_json(clear_round(round_input)))
    assert (figures.included, figures.constraints, figures.price_wei, figures.revenue_wei) == (0, 0, None, 0)


@pytest.mark.parametrize(
    ("state", "deadline", "head", "missed"),
    [
        (ChunkState.ASSIGNED, 100, 100, False),  # may still be proven in the deadline block
        (ChunkState.ASSIGNED, 100, 101, True),
        (ChunkState.ASSIGNED, None, 10**9, False),
        (ChunkState.PROVEN, 100, 500, False),
        (ChunkState.SLASH_SIGNED, 100, 101, True),
        (ChunkState.SLASHED, 100, 101, True),
    ],
)
def test_a_chunk_is_missed_once_its_deadline_passed_unproven(state, deadline, head, missed):
    assert chunk_missed(state, deadline, head) is missed
