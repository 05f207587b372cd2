"""The bid API refuses bad input with a 4xx and a one-line message naming the problem; never a 500."""

from __future__ import annotations

import os

import httpx
import pytest
from eth_account import Account

from proofmarket.chain.typed_data import AskMessage, sign_ask


@pytest.fixture(scope="module")
def http(stack):
    return httpx.Client(base_url=stack.server.url, timeout=30)


@pytest.fixture
def good_bid(stack):
    round_id = stack.open_round()
    return stack.signed_bids(round_id, 1)[0]


def refused(response: httpx.Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert "\n" not in message
    for word in words:
        assert word in message, message
    return message


def test_a_good_bid_is_accepted_with_its_digest(http, good_bid):
    response = http.post("/v1/bids", json=good_bid)
    assert response.status_code == 201, response.text
    assert response.json()["digest"].startswith("0x")


def test_a_resubmitted_bid_is_a_duplicate(http, good_bid):
    assert http.post("/v1/bids", json=good_bid).status_code == 201
    refused(http.post("/v1/bids", json=good_bid), 409, "duplicate")


def test_a_bid_signed_by_someone_else_has_a_bad_signature(http, good_bid):
    forged = dict(good_bid, user=Account.create().address)
    refused(http.post("/v1/bids", json=forged), 422, "bad signature")


def test_a_tampered_fee_breaks_the_signature(http, good_bid):
    tampered = dict(good_bid, max_fee=str(int(good_bid["max_fee"]) - 1))
    refused(http.post("/v1/bids", json=tampered), 422, "bad signature")


def test_a_bid_for_another_round_is_refused(http, stack, good_bid):
    refused(http.post("/v1/bids", json=dict(good_bid, round=good_bid["round"] + 5)), 422, "wrong round")


def test_a_bid_beyond_escrow_is_refused(http, stack):
    poor = Account.create()
    from proofmarket.chain.typed_data import BidMessage, sign_bid

    message = BidMessage(user=poor.address, tx_hash=os.urandom(32), constraints=10, max_fee=10**12, round=stack.open_round(), nonce=1)
    body = {
        "user": poor.address, "tx_hash": "0x" + message.tx_hash.hex(), "constraints": 10, "max_fee": str(10**12),
        "round": message.round, "nonce": 1, "signature": "0x" + sign_bid(poor, stack.client.domain, message).hex(),
    }
    refused(http.post("/v1/bids", json=body), 402, "insufficient escrow", poor.address)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("max_fee", -5, ("max_fee", "at least 0")),
        ("max_fee", "12.5", ("max_fee", "decimal integer")),
        ("max_fee", 1.5, ("max_fee", "integer")),
        ("max_fee", str(2**256), ("max_fee", "at most")),
        ("constraints", 0, ("constraints", "at least 1")),
        ("constraints", 2**64, ("constraints", "at most")),
        ("tx_hash", "0x1234", ("tx_hash", "32 bytes")),
        ("user", "not-an-address", ("user", "hex")),
        ("signature", "0xzz", ("signature", "hex")),
    ],
)
def test_malformed_numbers_and_hex_are_refused_naming_the_field(http, good_bid, field, value, words):
    refused(http.post("/v1/bids", json=dict(good_bid, **{field: value})), 422, *words)


def test_a_missing_field_is_named(http, good_bid):
    body = dict(good_bid)
    del body["nonce"]
    refused(http.post("/v1/bids", json=body), 422, "missing field", "nonce")


def test_malformed_json_is_a_400(http):
    response = http.post("/v1/bids", content=b"{not json", headers={"content-type": "application/json"})
    refused(response, 400, "malformed JSON")


def test_a_body_over_the_limit_is_a_413(http):
    response = http.post("/v1/bids", content=b"x" * 1_100_000, headers={"content-type": "application/json"})
    refused(response, 413, "body too large")


def test_an_ask_from_an_unregistered_prover_is_refused(http, stack):
    stranger = Account.create()
    message = AskMessage(prover=stranger.address, unit_cost=10**9, round=stack.open_round(), nonce=0)
    body = {"prover": stranger.address, "unit_cost": str(10**9), "round": message.round, "nonce": 0,
            "signature": "0x" + sign_ask(stranger, stack.client.domain, message).hex()}
    refused(http.post("/v1/asks", json=body), 422, "unknown prover")


def test_an_ask_from_an_exiting_prover_is_refused(http, stack, signers):
    leaving = signers[9]
    stack.client.register_prover(leaving, 100, 100 * stack.client.config().collateral_per_constraint)
    stack.client.request_exit(leaving)
    message = AskMessage(prover=leaving.address, unit_cost=10**9, round=stack.open_round(), nonce=0)
    body = {"prover": leaving.address, "unit_cost": str(10**9), "round": message.round, "nonce": 0,
            "signature": "0x" + sign_ask(leaving, stack.client.domain, message).hex()}
    refused(http.post("/v1/asks", json=body), 422, "prover exiting")


def test_a_batch_accepts_the_good_and_names_each_refusal(http, stack):
    round_id = stack.open_round()
    good, bad = stack.signed_bids(round_id, 2)
    bad = dict(bad, round=round_id + 3)
    response = http.post("/v1/bids/batch", json={"bids": [good, bad]})
    assert response.status_code == 200, response.text
    result = response.json()
    assert len(result["accepted"]) == 1
    assert result["rejected"][0]["index"] == 1 and "wrong round" in result["rejected"][0]["error"]


def test_unknown_round_documents_are_a_404(http):
    refused(http.get("/v1/rounds/999999/input"), 404, "round 999999")


def test_the_openapi_schema_is_served(http):
    schema = http.get("/openapi.json").json()
    assert "/v1/bids" in schema["paths"] and "/v1/asks" in schema["paths"]
