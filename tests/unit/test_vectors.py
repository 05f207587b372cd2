"""The shared test vectors (tests/vectors/): the mechanism library clears each input to the outcome
computed by hand, and each vector's own numbers add up (checked without the library)."""

from __future__ import annotations

from fractions import Fraction
from math import gcd

import pytest

from proofmarket.mechanism import clear_round
from proofmarket.mechanism.roundfile import outcome_to_json, parse_round

from ..vectors import OUTCOME_FIELDS, SETTLED_MECHANISMS, Vector, load_vectors

VECTORS = load_vectors()


def by_name(vectors: list[Vector]):
    return pytest.mark.parametrize("vector", vectors, ids=[vector.name for vector in vectors])


# ----------------------------------------------------------------------------- the library


@by_name(VECTORS)
def test_clear_round_gives_the_hand_computed_outcome(vector):
    outcome = outcome_to_json(clear_round(parse_round(vector.input)))
    mismatches = []
    for field in OUTCOME_FIELDS:
        expected, got = vector.expected[field], outcome[field]
        if field == "chunks":
            mismatches += _chunk_mismatches(expected, got)
        elif expected != got:
            mismatches.append(f"{field}: expected {expected!r}, got {got!r}")
    assert not mismatches, f"{vector.name} ({vector.about})\n  " + "\n  ".join(mismatches)


def _chunk_mismatches(expected: list[dict], got: list[dict]) -> list[str]:
    """One line per differing chunk field, naming the chunk by its index and prover."""
    if len(expected) != len(got):
        return [f"chunks: expected {len(expected)} chunks {expected!r}, got {len(got)} chunks {got!r}"]
    lines = []
    for index, (want, have) in enumerate(zip(expected, got)):
        for key in want.keys() | have.keys():
            if want.get(key) != have.get(key):
                where = f"chunks[{index}] ({want.get('prover_id')}).{key}"
                lines.append(f"{where}: expected {want.get(key)!r}, got {have.get(key)!r}")
    return lines


# ----------------------------------------------------------------------------- the vectors themselves


@by_name(VECTORS)
def test_vector_is_complete(vector):
    assert vector.about and "\n" not in vector.about, f"{vector.name}: 'about' must be one line"
    assert vector.worked, f"{vector.name}: 'worked' must show the hand computation"
    missing = [field for field in OUTCOME_FIELDS if field not in vector.expected]
    assert not missing, f"{vector.name}: expected outcome lacks {missing}"
    assert vector.expected["mechanism"] == vector.mechanism
    bid_ids = {bid["id"] for bid in vector.input["bids"]}
    ask_ids = {ask["id"] for ask in vector.input["asks"]}
    assert set(vector.parties["bids"]) == bid_ids, f"{vector.name}: parties.bids must name every bid's user"
    assert set(vector.parties["asks"]) == ask_ids, f"{vector.name}: parties.asks must name every ask's prover"
    provers = list(vector.parties["asks"].values())
    assert len(set(provers)) == len(provers), f"{vector.name}: one prover per ask (a prover takes one chunk a round)"


@by_name(VECTORS)
def test_vector_numbers_add_up(vector):
    """The rules a hand computation can slip on, checked from the vector's numbers alone."""
    config = vector.input["config"]
    bids = {bid["id"]: (int(bid["fee_wei"]), int(bid["constraints"])) for bid in vector.input["bids"]}
    asks = {ask["id"]: (int(ask["unit_cost_wei"]), int(ask["capacity"])) for ask in vector.input["asks"]}
    expected = vector.expected
    included = expected["included_bid_ids"]
    charges = {bid_id: int(charge) for bid_id, charge in expected["charges_wei"].items()}
    rebates = {bid_id: int(rebate) for bid_id, rebate in expected["rebates_wei"].items()}
    revenue, payouts, surplus = (int(expected[key]) for key in ("revenue_wei", "payouts_wei", "surplus_wei"))
    burn, treasury = int(expected["burn_wei"]), int(expected["treasury_wei"])
    chunks = expected["chunks"]

    assert list(charges) == included, "one charge per included bid, in the included order"
    assert [bid_id for chunk in chunks for bid_id in chunk["bid_ids"]] == included, "chunks cover the batch in order"
    assert revenue == sum(charges.values())
    assert payouts == sum(int(chunk["payment_wei"]) for chunk in chunks)
    for bid_id, charge in charges.items():
        assert charge <= bids[bid_id][0], f"IR: {bid_id} charged {charge} above its bid {bids[bid_id][0]}"
    provers = [chunk["prover_id"] for chunk in chunks]
    assert len(set(provers)) == len(provers), "one chunk per working prover"
    for chunk in chunks:
        unit_cost, capacity = asks[chunk["prover_id"]]
        constraints = int(chunk["constraints"])
        assert constraints == sum(bids[bid_id][1] for bid_id in chunk["bid_ids"]), f"{chunk['prover_id']}: x_j"
        assert constraints <= capacity, f"{chunk['prover_id']}: {constraints} constraints over its capacity {capacity}"
        if vector.mechanism != "eip1559":  # eip1559 has no ask test: a prover may be paid below its ask
            assert int(chunk["payment_wei"]) >= unit_cost * constraints, f"IR: {chunk['prover_id']} paid below its ask"
    assert sum(int(chunk["constraints"]) for chunk in chunks) <= int(config["capacity"])

    num, den = int(expected["price"]["num"]), int(expected["price"]["den"])
    assert den >= 1 and gcd(num, den) == 1, f"price {num}/{den} must be in lowest terms"
    if vector.mechanism in ("proofphi", "trade-reduction"):
        for chunk in chunks:  # the uniform price, rounded down
            assert int(chunk["payment_wei"]) == Fraction(num, den) * int(chunk["constraints"]) // 1

    base_fee_burn = int(config.get("base_fee_wei_per_constraint", 0)) * sum(int(c["constraints"]) for c in chunks)
    if vector.mechanism != "eip1559":
        base_fee_burn = 0
    assert surplus == revenue - payouts - base_fee_burn
    assert revenue == payouts + burn + treasury + sum(rebates.values()), "conservation"
    policy = vector.surplus_policy
    if policy == "rebate" and revenue > 0:
        assert rebates == {bid_id: surplus * charge // revenue for bid_id, charge in charges.items()}
        assert treasury == surplus - sum(rebates.values()), "the rebate dust goes to the treasury"
    else:
        assert rebates == {}
        assert (burn - base_fee_burn, treasury) == ((surplus, 0) if policy == "burn" else (0, surplus))


def test_vectors_cover_every_policy_and_mechanism():
    covered = {(vector.mechanism, vector.surplus_policy) for vector in VECTORS}
    for mechanism in ("proofphi", "proofphi-v1"):
        for policy in ("treasury", "burn", "rebate"):
            assert (mechanism, policy) in covered, f"no {mechanism} vector under the {policy} policy"
        rebated = [vector for vector in VECTORS if (vector.mechanism, vector.surplus_policy) == (mechanism, "rebate")]
        assert any(int(vector.expected["treasury_wei"]) > 0 for vector in rebated), f"no {mechanism} rebate vector with dust"
    assert {vector.mechanism for vector in VECTORS} >= {*SETTLED_MECHANISMS, "eip1559"}
    assert any(not vector.expected["included_bid_ids"] for vector in VECTORS), "no empty round"
