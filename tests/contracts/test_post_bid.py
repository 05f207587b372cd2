"""postBid(bid, signature): the censorship-resistant path; an event, nothing stored."""

from proofmarket.chain.market import IncludedBid

from .helpers import Change, reverts


def test_post_bid_emits_the_signed_bid(market, ledger, rounds, alice, reporter):
    included = rounds.bid(alice, rounds.open_round(), 300, 3_000)
    before = ledger.snapshot()
    receipt = market.post_bid(reporter, included.bid, included.signature)  # anyone may relay it
    ledger.assert_changes(before)
    (event,) = market.events(receipt, "BidPosted")
    assert event["bidDigest"] == market.bid_digest(included.bid)
    assert (event["user"], event["round"]) == (alice.address, included.bid.round)
    assert tuple(event["bid"].values()) == included.bid.to_abi()


def test_post_bid_reverts_when_signature_is_not_the_users(market, rounds, alice, bob):
    included = rounds.bid(alice, rounds.open_round(), 300, 3_000)
    with reverts("InvalidBidSignature", user=alice.address, recovered=bob.address):
        market.post_bid(bob, included.bid, market.sign_bid(bob, included.bid))


def test_post_bid_reverts_when_paused(market, owner, rounds, alice):
    included = rounds.bid(alice, rounds.open_round(), 300, 3_000)
    market.pause(owner)
    with reverts("MarketPaused"):
        market.post_bid(alice, included.bid, included.signature)


def test_posted_bid_is_settleable(market, ledger, rounds, funded, registered, alice, prover_fast):
    round_id = rounds.open_round()
    included = rounds.bid(alice, round_id, 300, 3_000)
    receipt = market.post_bid(alice, included.bid, included.signature)
    (event,) = market.events(receipt, "BidPosted")
    from proofmarket.chain.typed_data import BidMessage

    user, tx_hash, constraints, max_fee, bid_round, nonce = event["bid"].values()
    signature = event["signature"]["r"] + event["signature"]["vs"]  # compact form, as posted
    rebuilt = IncludedBid(BidMessage(user, tx_hash, constraints, max_fee, bid_round, nonce), signature, 3_000)
    before = ledger.snapshot()
    rounds.settle(round_id, [rebuilt], [rounds.chunk(prover_fast, round_id, 5, 1, 1_500)])
    ledger.assert_changes(before, alice=Change(balance=-3_000), treasury=Change(balance=1_500), prover_fast=Change(locked=15_000))
