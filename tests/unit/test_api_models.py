"""The bid API's field parsers, on any text: an integer field takes exactly the ASCII decimal
strings (and JSON integers) in range, a hex field exactly ``0x`` and the right number of hex
digits. Nothing Python's ``int()`` or ``bytes.fromhex()`` would also take (other scripts' digits,
underscores, whitespace) gets through."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from proofmarket.api import models
from proofmarket.api.models import UINT64_MAX, Bytes32, Uint64

DECIMAL = re.compile(r"[0-9]{1,80}")
HEX32 = re.compile(r"0x[0-9a-fA-F]{64}")


class Number(BaseModel):
    value: Uint64


class Hash(BaseModel):
    value: Bytes32


def parses(model: type[BaseModel], value) -> bool:
    try:
        model(value=value)
    except ValidationError:
        return False
    return True


digits_of_every_script = st.text(st.characters(categories=["Nd", "No", "Zs", "Cc"]) | st.sampled_from("0123456789_+-. "), max_size=25)


@settings(max_examples=400)
@given(st.one_of(st.text(max_size=25), digits_of_every_script))
@example("١٠٠")
@example("１００")
@example("1_000")
@example(" 7")
@example("7\n")
@example(str(UINT64_MAX + 1))
def test_an_integer_field_takes_exactly_the_ascii_decimal_strings_in_range(text):
    expected = bool(DECIMAL.fullmatch(text)) and int(text) <= UINT64_MAX
    assert parses(Number, text) == expected
    if expected:
        assert Number(value=text).value == int(text)


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_an_integer_field_takes_json_integers_in_range(number):
    assert parses(Number, number) == (0 <= number <= UINT64_MAX)


@pytest.mark.parametrize("value", [True, 1.0, 1.5, None, [1], {"v": 1}])
def test_an_integer_field_takes_no_other_json_type(value):
    assert not parses(Number, value)


hex_like = st.builds(
    lambda head, body: head + body,
    st.sampled_from(["0x", "0X", "", " 0x"]),
    st.text(st.sampled_from("0123456789abcdefABCDEF") | st.sampled_from(" \t\n\u00a0_-g٣"), min_size=60, max_size=68),
)


@settings(max_examples=400)
@given(st.one_of(hex_like, st.from_regex(HEX32, fullmatch=True)))
@example("0x" + "aB" * 32)
@example("0x" + "ab" * 31 + " ab")
@example("0x" + "ab" * 32 + "\n")
def test_a_hex_field_takes_exactly_0x_and_hex_digits(text):
    assert parses(Hash, text) == bool(HEX32.fullmatch(text))
    if HEX32.fullmatch(text):
        assert Hash(value=text).value == bytes.fromhex(text[2:])


# --- every field is documented -------------------------------------------------------------------

DOCUMENTED_MODELS = [
    models.BidIn, models.BidBatchIn, models.AskIn, models.Accepted, models.Rejected, models.BatchResult,
    models.ErrorBody, models.Chunk, models.Assignment, models.RoundStatus, models.MarketInfo, models.Health,
    models.RoundFileConfig, models.RoundFileBid, models.RoundFileAsk, models.RoundInputFile, models.OutcomeChunk,
    models.Price, models.RoundOutcomeFile,
]


@pytest.mark.parametrize("model", DOCUMENTED_MODELS, ids=lambda model: model.__name__)
def test_every_field_has_a_description_and_an_example(model):
    assert model.__doc__ and model.__doc__.strip()
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no description"
        assert field.examples, f"{model.__name__}.{name} has no example"


def test_the_examples_of_the_requests_are_valid_requests():
    bid = models.example_of(models.BidIn)
    assert models.BidIn(**bid).max_fee == int(bid["max_fee"])
    assert len(models.BidBatchIn(**models.example_of(models.BidBatchIn)).bids) == 1
    ask = models.example_of(models.AskIn)
    assert models.AskIn(**ask).unit_cost == int(ask["unit_cost"])


RESPONSE_MODELS = [m for m in DOCUMENTED_MODELS if m not in (models.BidIn, models.BidBatchIn, models.AskIn)]


@pytest.mark.parametrize("model", RESPONSE_MODELS, ids=lambda model: model.__name__)
def test_the_examples_of_the_responses_have_the_declared_types(model):
    for name, field in model.model_fields.items():
        for example in field.examples:
            TypeAdapter(field.annotation).validate_python(example, strict=True)
    model.model_validate(models.example_of(model), strict=True)  # the whole example: every field, nested ones too


def test_a_wei_amount_in_a_response_is_a_decimal_string():
    assert parses_out(models.WeiString, "600000000000")
    for value in (600000000000, "6e11", "-1", "0x10", "1.5", ""):
        assert not parses_out(models.WeiString, value)


def parses_out(kind, value) -> bool:
    try:
        TypeAdapter(kind).validate_python(value, strict=True)
    except ValidationError:
        return False
    return True
