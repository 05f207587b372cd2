"""Bids posted on-chain with ``postBid`` (the censorship-resistant path) beside bids sent to the
API: the round loop reads them through the real adapter (``MarketAdapter.posted_bids``, web3's
decoded ``BidPosted`` events), and the round they were posted in and the next one both settle
with every bid in their input files. A post the intake rules refuse is skipped; it never stops
the loop.
"""

from __future__ import annotations

import json
import random

from proofmarket.chain.typed_data import BidMessage, sign_bid

GWEI = 10**9


def high_bid(stack, user, round_id: int, constraints: int = 60) -> tuple[BidMessage, bytes]:
    """A bid far above every ask (10 gwei a constraint), so the round includes it."""
    stack.nonce += 1
    message = BidMessage(
        user=user.address, tx_hash=random.Random(stack.nonce).randbytes(32), constraints=constraints,
        max_fee=constraints * 10 * GWEI, round=round_id, nonce=stack.nonce,
    )
    return message, sign_bid(user, stack.client.domain, message)


def as_json(message: BidMessage, signature: bytes) -> dict:
    return {
        "user": message.user, "tx_hash": "0x" + message.tx_hash.hex(), "constraints": message.constraints,
        "max_fee": str(message.max_fee), "round": message.round, "nonce": message.nonce,
        "signature": "0x" + signature.hex(),
    }


def run_round_with_an_onchain_bid(stack) -> tuple[int, set[str]]:
    """Asks; three API bids, one bid posted on-chain, one more API bid; close; one pass of the
    loop. Returns the round and every bid's digest."""
    round_id = stack.open_round()
    stack.post_asks(round_id)
    users = stack.users
    first = [high_bid(stack, users[index], round_id) for index in range(3)]
    digests = {answer["digest"] for answer in stack.api.post_bids([as_json(*bid) for bid in first])["accepted"]}
    posted_message, posted_signature = high_bid(stack, users[0], round_id)
    stack.client.post_bid(users[0], posted_message, posted_signature)
    digests.add("0x" + stack.client.bid_digest(posted_message).hex())
    digests.add(stack.api.post_bid(as_json(*high_bid(stack, users[1], round_id)))["digest"])
    assert len(digests) == 5
    stack.close(round_id)
    stack.node.run_once()
    return round_id, digests


def assert_settled_with_every_bid(stack, round_id: int, digests: set[str]) -> None:
    status = stack.api.round_status(round_id)
    assert status["state"] == "settled", status
    assert status["bids"] == len(digests)
    assert {bid["id"] for bid in json.loads(stack.api.round_input(round_id))["bids"]} == digests
    included = set(stack.outcome(round_id)["included_bid_ids"])
    assert included and included <= digests
    assert stack.settlement_count(round_id) == 1
    stack.assert_conserved()


def test_a_bid_posted_on_chain_settles_with_the_api_bids_and_the_next_round_too(stack):
    round_id, digests = run_round_with_an_onchain_bid(stack)
    assert_settled_with_every_bid(stack, round_id, digests)
    assert stack.node.health()["status"] == "ok"

    next_round, next_digests = run_round_with_an_onchain_bid(stack)
    assert next_round == round_id + 1
    assert_settled_with_every_bid(stack, next_round, next_digests)


def test_a_post_the_intake_rules_refuse_is_skipped_and_the_round_settles(stack):
    round_id = stack.open_round()
    stack.post_asks(round_id)
    good = [high_bid(stack, user, round_id) for user in stack.users]
    digests = {answer["digest"] for answer in stack.api.post_bids([as_json(*bid) for bid in good])["accepted"]}
    # Signed for a round that is not open: the contract takes the post, the intake rules do not.
    future_message, future_signature = high_bid(stack, stack.users[2], round_id + 7)
    stack.client.post_bid(stack.users[2], future_message, future_signature)
    stack.close(round_id)
    stack.node.run_once()
    assert_settled_with_every_bid(stack, round_id, digests)
    assert stack.node.health()["status"] == "ok"
