"""The canonical round file: parse, serialise, round-trip, refuse malformed files, hash."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings

from proofmarket.exceptions import RoundFileError, UserInputError
from proofmarket.mechanism import Ask, Bid, RoundConfig, RoundInput, clear_round
from proofmarket.mechanism.roundfile import (
    RoundFileFieldError,
    canonical_hash,
    canonical_json,
    canonical_round_json,
    input_hash,
    iter_rounds_jsonl,
    outcome_hash,
    outcome_to_json,
    parse_round,
    round_to_json,
)

from .mechanism_strategies import rounds

SPEC_EXAMPLE = {
    "mechanism": "proofphi",
    "config": {"capacity": 1000, "reserve_wei_per_constraint": 0, "surplus": "treasury", "base_fee_wei_per_constraint": 0},
    "bids": [{"id": "0xab", "fee_wei": 12000, "constraints": 40}],
    "asks": [{"id": "0xcd", "unit_cost_wei": 100, "capacity": 500}],
}


def test_parse_reads_the_example_of_the_specification():
    round_input = parse_round(json.dumps(SPEC_EXAMPLE))
    assert round_input == RoundInput(
        "proofphi", RoundConfig(1000, 0, "treasury", 0), (Bid("0xab", 12000, 40),), (Ask("0xcd", 100, 500),)
    )


def test_parse_accepts_decimal_strings_beyond_2_to_the_53():
    document = copy.deepcopy(SPEC_EXAMPLE)
    document["bids"][0]["fee_wei"] = "123456789012345678901234567"
    assert parse_round(document).bids[0].fee_wei == 123456789012345678901234567
    assert parse_round(json.dumps(document).encode()).bids[0].fee_wei == 123456789012345678901234567


def test_parse_fills_in_the_defaults_of_the_optional_fields():
    round_input = parse_round({"config": {"capacity": "7"}, "bids": [], "asks": []})
    assert round_input.mechanism == "proofphi"
    assert round_input.config == RoundConfig(capacity=7)


def test_serialise_writes_every_integer_as_a_decimal_string():
    document = round_to_json(parse_round(SPEC_EXAMPLE))
    assert document["bids"] == [{"id": "0xab", "fee_wei": "12000", "constraints": "40"}]
    assert document["config"]["capacity"] == "1000"
    # proofphi-v1 charges the bid and pays f = 12000/40 = 300 per constraint (the truthful
    # proofphi would not trade here: a lone user and a lone prover meet at the reserve, 0).
    outcome = outcome_to_json(clear_round(parse_round(dict(SPEC_EXAMPLE, mechanism="proofphi-v1"))))
    assert outcome["charges_wei"] == {"0xab": "12000"}
    assert outcome["price"] == {"num": "300", "den": "1"}
    assert outcome["chunks"] == [{"prover_id": "0xcd", "bid_ids": ["0xab"], "constraints": "40", "payment_wei": "12000"}]


@settings(max_examples=60, deadline=None)
@given(rounds())
def test_round_file_round_trips_through_json_text(round_input):
    assert parse_round(json.dumps(round_to_json(round_input))) == round_input


def _with(path, value):
    """The spec example with one field replaced (``value`` ``...`` deletes it)."""
    document = copy.deepcopy(SPEC_EXAMPLE)
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_with(("bids", 0, "fee_wei"), -5), "bids[0].fee_wei: must not be negative, got -5"),
        (_with(("bids", 0, "fee_wei"), "-5"), 'bids[0].fee_wei: must not be negative, got -5'),
        (_with(("bids", 0, "constraints"), 0), "bids[0].constraints: must be at least 1 (zero size), got 0"),
        (_with(("asks", 0, "capacity"), "0"), "asks[0].capacity: must be at least 1 (zero size), got 0"),
        (_with(("config", "capacity"), 0), "config.capacity: must be at least 1 (zero size), got 0"),
        (_with(("bids", 0, "fee_wei"), ...), "bids[0].fee_wei: missing field"),
        (_with(("asks", 0, "unit_cost_wei"), ...), "asks[0].unit_cost_wei: missing field"),
        (_with(("config", "capacity"), ...), "config.capacity: missing field"),
        (_with(("config",), ...), "config: missing field"),
        (_with(("bids",), ...), "bids: missing field"),
        (_with(("bids", 0, "fee_wei"), 1.5), "bids[0].fee_wei: must be an integer (a JSON number or a decimal string), got 1.5"),
        (_with(("bids", 0, "fee_wei"), "12e3"), 'bids[0].fee_wei: must be an integer (a JSON number or a decimal string), got "12e3"'),
        (_with(("bids", 0, "fee_wei"), True), "bids[0].fee_wei: must be an integer (a JSON number or a decimal string), got true"),
        (_with(("bids", 0, "fee_wei"), str(2**256)), "bids[0].fee_wei: must fit in 256 bits"),
        (_with(("bids", 0, "id"), ""), 'bids[0].id: must be a non-empty string, got ""'),
        (_with(("bids", 0, "tip"), 1), "bids[0].tip: unknown field"),
        (_with(("mechanism",), "vcg"), 'mechanism: must be one of proofphi, proofphi-v1, trade-reduction, pay-as-bid, eip1559, got "vcg"'),
        (_with(("config", "surplus"), "charity"), 'config.surplus: must be one of treasury, burn, rebate, got "charity"'),
        (_with(("asks",), {}), "asks: must be a list, got a JSON object"),
    ],
)
def test_parse_refuses_a_malformed_file_naming_the_field(document, message):
    with pytest.raises(RoundFileFieldError) as raised:
        parse_round(document)
    assert str(raised.value).startswith(message)
    assert isinstance(raised.value, RoundFileError) and isinstance(raised.value, UserInputError)


def test_parse_refuses_duplicate_ids_naming_both_positions():
    document = copy.deepcopy(SPEC_EXAMPLE)
    document["bids"].append({"id": "0xab", "fee_wei": 1, "constraints": 1})
    with pytest.raises(RoundFileFieldError, match=r'bids\[1\]\.id: duplicate bid id \(also bids\[0\]\), got "0xab"'):
        parse_round(document)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "round file: is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
        ("[]", "round file: must be a JSON object, not a JSON list"),
        (b"\xff", "round file: is not UTF-8"),
    ],
)
def test_parse_refuses_text_that_is_not_a_json_object(text, message):
    with pytest.raises(RoundFileFieldError) as raised:
        parse_round(text)
    assert str(raised.value).startswith(message)


def test_jsonl_errors_name_the_line():
    lines = [json.dumps(SPEC_EXAMPLE), "", json.dumps(_with(("bids", 0, "constraints"), -1))]
    with pytest.raises(RoundFileFieldError, match=r"^line 3: bids\[0\]\.constraints: must not be negative, got -1$"):
        list(iter_rounds_jsonl(lines))


# --- hashes ----------------------------------------------------------------------------------


def test_canonical_json_sorts_keys_and_has_no_whitespace():
    assert canonical_json({"b": "1", "a": ["x", None], "c": {"é": "2"}}) == b'{"a":["x",null],"b":"1","c":{"\\u00e9":"2"}}'


def test_canonical_hash_refuses_numbers_that_are_not_strings():
    with pytest.raises(TypeError):
        canonical_hash({"fee_wei": 1})


def test_input_hash_is_keccak256_of_the_canonical_json_and_is_pinned():
    # Recomputed with pycryptodome's keccak from the canonical bytes written out by hand, and
    # pinned, so a change of the canonical form (whose hash the chain stores) cannot go unnoticed.
    from Crypto.Hash import keccak

    canonical = (
        b'{"asks":[{"capacity":"500","id":"0xcd","unit_cost_wei":"100"}],'
        b'"bids":[{"constraints":"40","fee_wei":"12000","id":"0xab"}],'
        b'"config":{"base_fee_wei_per_constraint":"0","capacity":"1000","reserve_wei_per_constraint":"0","surplus":"treasury"},'
        b'"mechanism":"proofphi"}'
    )
    round_input = parse_round(SPEC_EXAMPLE)
    assert canonical_json(canonical_round_json(round_input)) == canonical
    expected = keccak.new(data=canonical, digest_bits=256).digest()
    assert input_hash(round_input) == expected == canonical_hash(round_input)
    assert expected.hex() == "fd8b4977e93c47264e65f825cf861eb1ec2935fbb9507e814c85c723bb54267e"


def test_input_hash_ignores_the_order_of_bids_and_asks_but_not_their_content():
    first = parse_round(_with(("bids",), [{"id": "0x1", "fee_wei": 1, "constraints": 1}, {"id": "0x2", "fee_wei": 2, "constraints": 1}]))
    second = parse_round(_with(("bids",), [{"id": "0x2", "fee_wei": 2, "constraints": 1}, {"id": "0x1", "fee_wei": 1, "constraints": 1}]))
    changed = parse_round(_with(("bids",), [{"id": "0x2", "fee_wei": 3, "constraints": 1}, {"id": "0x1", "fee_wei": 1, "constraints": 1}]))
    assert input_hash(first) == input_hash(second) != input_hash(changed)


def test_outcome_json_carries_both_hashes_and_the_outcome_hash_binds_the_input():
    outcome = clear_round(parse_round(SPEC_EXAMPLE))
    document = outcome_to_json(outcome)
    assert document["input_hash"] == "0x" + input_hash(parse_round(SPEC_EXAMPLE)).hex()
    body = {key: value for key, value in document.items() if key != "outcome_hash"}
    assert document["outcome_hash"] == "0x" + canonical_hash(body).hex() == "0x" + outcome_hash(outcome).hex()
    other = clear_round(parse_round(_with(("config", "surplus"), "burn")))
    assert outcome_to_json(other)["outcome_hash"] != document["outcome_hash"]
