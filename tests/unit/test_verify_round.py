"""verify_round: the settled round is compared with the mechanism's outcome, difference by difference."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from proofmarket.clearinghouse.verify import SettledChunk, SettledRound, verify_round
from proofmarket.mechanism import clear_round
from proofmarket.mechanism.roundfile import input_hash, parse_round, round_to_json

ROUND_V1 = {
    "mechanism": "proofphi-v1",
    "config": {"capacity": 1000},
    "bids": [
        {"id": "0xb1", "fee_wei": "4000", "constraints": "40"},
        {"id": "0xb2", "fee_wei": "3000", "constraints": "50"},
        {"id": "0xb3", "fee_wei": "900", "constraints": "30"},
    ],
    "asks": [
        {"id": "0xa1", "unit_cost_wei": "10", "capacity": "60"},
        {"id": "0xa2", "unit_cost_wei": "20", "capacity": "100"},
    ],
}


# proofphi: eight users of 10 constraints (d = 100, 90, …, 30), two provers of capacity 50.
# ĝ = 10, e = 41 each; rule 4: u8 leaves, π_u = 30; rule 5: a2 asks 20 ≤ 30, the clocks meet at 30.
# Walk (equal capacities, by id): a1 takes u1..u5 (50), a2 u6, u7 (20): two chunks.
ROUND_PROOFPHI = {
    "mechanism": "proofphi",
    "config": {"capacity": 1000},
    "bids": [{"id": f"0xb{index}", "fee_wei": str(1100 - 100 * index), "constraints": "10"} for index in range(1, 9)],
    "asks": [
        {"id": "0xa1", "unit_cost_wei": "10", "capacity": "50"},
        {"id": "0xa2", "unit_cost_wei": "20", "capacity": "50"},
    ],
}


@pytest.fixture(params=[ROUND_PROOFPHI, ROUND_V1], ids=["proofphi", "proofphi-v1"])
def document(request) -> str:
    return json.dumps(request.param)


@pytest.fixture
def honest(document) -> SettledRound:
    """The settlement an honest clearinghouse makes: the mechanism's outcome, as the chain stores it."""
    round_input = parse_round(document)
    outcome = clear_round(round_input)
    return SettledRound(
        round_id=4,
        input_hash=input_hash(round_input),
        price_numerator=outcome.price.num,
        price_denominator=outcome.price.den,
        charges_wei=tuple((bid_id, outcome.charges_wei[bid_id]) for bid_id in outcome.included_bid_ids),
        chunks=tuple(
            SettledChunk(ask_digest=chunk.prover_id, prover="0x" + "11" * 20, bid_digests=chunk.bid_ids, payment_wei=chunk.payment_wei)
            for chunk in outcome.chunks
        ),
    )


def test_the_honest_settlement_agrees(document, honest):
    assert len(honest.chunks) == 2, "the example uses both provers"
    report = verify_round(document, honest)
    assert report.agrees, report.differences


def test_an_equal_price_in_other_terms_agrees(document, honest):
    scaled = replace(honest, price_numerator=honest.price_numerator * 3, price_denominator=honest.price_denominator * 3)
    assert verify_round(document, scaled).agrees


def test_a_doctored_input_file_is_caught_by_its_hash(document, honest):
    doctored = json.loads(document)
    doctored["bids"][2]["fee_wei"] = "901"
    report = verify_round(json.dumps(doctored), honest)
    assert any(line.startswith("input hash") for line in report.differences)


def test_a_different_charge_is_named(document, honest):
    charges = list(honest.charges_wei)
    charges[0] = (charges[0][0], charges[0][1] - 1)
    report = verify_round(document, replace(honest, charges_wei=tuple(charges)))
    assert report.differences == [f"charge of bid {charges[0][0]}: mechanism {charges[0][1] + 1} wei, settled {charges[0][1]} wei"]


def test_a_dropped_bid_is_named(document, honest):
    report = verify_round(document, replace(honest, charges_wei=honest.charges_wei[:-1]))
    assert any(line.startswith("included bids") for line in report.differences)


def test_a_different_payment_and_ask_are_named(document, honest):
    chunk = replace(honest.chunks[0], payment_wei=honest.chunks[0].payment_wei + 7, ask_digest="0xa9")
    report = verify_round(document, replace(honest, chunks=(chunk,) + honest.chunks[1:]))
    assert any("mechanism assigns ask" in line for line in report.differences)
    assert any("mechanism pays" in line for line in report.differences)


def test_a_missing_chunk_and_a_different_price_are_named(document, honest):
    report = verify_round(document, replace(honest, chunks=honest.chunks[:1], price_numerator=honest.price_numerator + 1))
    assert any(line.startswith("chunks:") for line in report.differences)
    assert any(line.startswith("price:") for line in report.differences)


def test_round_file_of_the_example_round_trips(document):
    assert round_to_json(parse_round(document))["bids"][0]["id"] == "0xb1"
