"""settleRound: every check of README.md "One round" step 4, and the exact money movement of a settlement."""

import dataclasses

import pytest
from eth_hash.auto import keccak

from proofmarket.chain.market import SCALAR_FIELD_ORDER, ChunkStatus, IncludedBid, Refund, SurplusPolicy, refund_list_hash
from proofmarket.chain.typed_data import MAX_S

from .helpers import COLLATERAL_PER_CONSTRAINT, PROVING_WINDOW_BLOCKS, SETTLEMENT_WINDOW_BLOCKS, Change, reverts


class RawSignatureBid(IncludedBid):
    """An included bid whose compact signature is sent exactly as given (to reach the contract's
    own signature checks, which the Python layer would refuse to encode)."""

    def __init__(self, included: IncludedBid, r: int, vs: int):
        super().__init__(included.bid, included.signature, included.charge)
        object.__setattr__(self, "raw", (r.to_bytes(32, "big"), vs.to_bytes(32, "big")))

    def to_abi(self):
        return (self.bid.to_abi(), self.raw, self.charge)


@pytest.fixture
def baseline(rounds, funded, registered, alice, prover_fast):
    """A valid one-chunk settlement of the open round: alice's 300-constraint bid, proven by prover_fast."""
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_000)]
    chunks = [rounds.chunk(prover_fast, round_id, 5, 1, 1_500)]
    return round_id, bids, chunks


# ----------------------------------------------------------------------------- success


def test_settle_moves_charges_locks_collateral_and_pays_the_treasury(
    market, ledger, rounds, funded, registered, alice, bob, prover_fast, prover_slow
):
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_000), rounds.bid(bob, round_id, 200, 2_500, charge=2_000)]
    chunks = [rounds.chunk(prover_fast, round_id, 5, 1, 2_100), rounds.chunk(prover_slow, round_id, 6, 1, 1_400)]
    rounds.close(round_id)
    before = ledger.snapshot()
    receipt = market.settle_round(rounds.clearinghouse, round_id, b"\x5a" * 32, (7, 1), bids, chunks)
    after = ledger.assert_changes(
        before,
        alice=Change(balance=-3_000),
        bob=Change(balance=-2_000),
        treasury=Change(balance=1_500),
        prover_fast=Change(locked=300 * COLLATERAL_PER_CONSTRAINT),
        prover_slow=Change(locked=200 * COLLATERAL_PER_CONSTRAINT),
    )
    assert after.totals.reserved - before.totals.reserved == 3_500

    state = market.round(round_id)
    assert state.settled and state.settled_at == receipt["blockNumber"]
    assert state.deadline == receipt["blockNumber"] + PROVING_WINDOW_BLOCKS
    assert (state.revenue, state.surplus, state.payments) == (5_000, 1_500, 3_500)
    assert (state.price_num, state.price_den, state.bid_count, state.chunk_count) == (7, 1, 2, 2)
    assert state.input_hash == b"\x5a" * 32 and state.surplus_policy == SurplusPolicy.TREASURY

    chunk = market.chunk(round_id, 0)
    assert (chunk.prover, chunk.constraints, chunk.status) == (prover_fast.address, 300, ChunkStatus.PENDING)
    assert (chunk.payment, chunk.collateral, chunk.commitment) == (2_100, 15_000, chunks[0].commitment)
    expected_refunds = [Refund(alice.address, 3_000, bids[0].bid.tx_hash)]
    assert chunk.refund_hash == refund_list_hash(expected_refunds) == market.refund_hash(expected_refunds)
    assert market.chunk(round_id, 1).refund_hash == refund_list_hash([Refund(bob.address, 2_000, bids[1].bid.tx_hash)])

    (settled,) = market.events(receipt, "RoundSettled")
    assert settled["roundId"] == round_id
    assert (settled["revenue"], settled["payments"], settled["surplus"]) == (5_000, 3_500, 1_500)
    assigned = market.events(receipt, "ChunkAssigned")
    assert [event["prover"] for event in assigned] == [prover_fast.address, prover_slow.address]


def test_settle_computes_chunk_constraints_from_its_bids(market, rounds, funded, registered, alice, bob, carol, prover_fast, prover_slow):
    round_id = rounds.open_round()
    bids = [
        rounds.bid(alice, round_id, 100, 1_000),
        rounds.bid(bob, round_id, 250, 1_000),
        rounds.bid(carol, round_id, 400, 1_000),
    ]
    chunks = [rounds.chunk(prover_fast, round_id, 1, 2, 350), rounds.chunk(prover_slow, round_id, 1, 1, 400)]
    rounds.settle(round_id, bids, chunks)
    assert market.chunk(round_id, 0).constraints == 350
    assert market.chunk(round_id, 1).constraints == 400
    hashes = [included.bid.tx_hash for included in bids]
    assert market.refunds_from_settlement(round_id) == [
        [Refund(alice.address, 1_000, hashes[0]), Refund(bob.address, 1_000, hashes[1])],
        [Refund(carol.address, 1_000, hashes[2])],
    ]


def test_settle_accepts_an_empty_round(market, ledger, rounds):
    round_id = rounds.open_round()
    rounds.close(round_id)
    before = ledger.snapshot()
    market.settle_round(rounds.clearinghouse, round_id, b"\x01" * 32, (0, 1), [], [])
    ledger.assert_changes(before)
    state = market.round(round_id)
    assert state.settled and (state.revenue, state.bid_count, state.chunk_count) == (0, 0, 0)


def test_settle_accepts_a_user_with_several_bids(market, ledger, rounds, funded, registered, alice, prover_fast):
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_000, nonce=0), rounds.bid(alice, round_id, 300, 3_000, nonce=1)]
    rounds.close(round_id)
    before = ledger.snapshot()
    market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (5, 1), bids, [rounds.chunk(prover_fast, round_id, 5, 2, 3_000)])
    ledger.assert_changes(
        before,
        alice=Change(balance=-6_000),
        treasury=Change(balance=3_000),
        prover_fast=Change(locked=600 * COLLATERAL_PER_CONSTRAINT),
    )


def test_settle_with_payments_equal_to_charges_leaves_no_surplus(market, ledger, baseline, rounds, prover_fast):
    round_id, bids, _ = baseline
    rounds.close(round_id)
    before = ledger.snapshot()
    market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (10, 1), bids, [rounds.chunk(prover_fast, round_id, 5, 1, 3_000)])
    ledger.assert_changes(before, alice=Change(balance=-3_000), prover_fast=Change(locked=15_000))
    assert market.round(round_id).surplus == 0


# ----------------------------------------------------------------------------- who, when, once


def test_settle_reverts_when_caller_is_not_the_clearinghouse(market, rounds, baseline, mallory):
    round_id, bids, chunks = baseline
    rounds.close(round_id)
    with reverts("NotClearinghouse", caller=mallory.address):
        market.settle_round(mallory, round_id, b"\x00" * 32, (1, 1), bids, chunks)


def test_settle_reverts_when_round_not_closed(market, rounds, baseline):
    round_id, bids, chunks = baseline
    close = market.round_close_block(round_id)
    rounds.mine_to(close - 2)
    with reverts("RoundNotClosed", roundId=round_id, closeBlock=close):
        market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (1, 1), bids, chunks)


def test_settle_reverts_when_settlement_window_passed(market, rounds, baseline):
    round_id, bids, chunks = baseline
    last = market.round_close_block(round_id) + SETTLEMENT_WINDOW_BLOCKS
    rounds.mine_to(last + 1)
    with reverts("SettlementWindowPassed", roundId=round_id, lastBlock=last) as info:
        market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (1, 1), bids, chunks)
    assert info.value.arguments["currentBlock"] > last
    assert not market.round(round_id).settled


def test_settle_on_the_last_block_of_the_settlement_window_is_accepted(market, ledger, rounds, baseline, alice, prover_fast):
    round_id, bids, chunks = baseline
    last = market.round_close_block(round_id) + SETTLEMENT_WINDOW_BLOCKS
    rounds.mine_to(last - 1)
    before = ledger.snapshot()
    receipt = market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (1, 1), bids, chunks)
    assert receipt["blockNumber"] == last
    ledger.assert_changes(
        before, alice=Change(balance=-3_000), prover_fast=Change(locked=15_000), treasury=Change(balance=1_500)
    )


def test_settle_reverts_when_round_already_settled(market, rounds, baseline):
    round_id, bids, chunks = baseline
    receipt = rounds.settle(round_id, bids, chunks)
    with reverts("RoundAlreadySettled", roundId=round_id, settledAt=receipt["blockNumber"]):
        market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (1, 1), [], [])


def test_settle_reverts_when_paused(market, rounds, baseline, owner):
    round_id, bids, chunks = baseline
    market.pause(owner)
    with reverts("MarketPaused"):
        rounds.settle(round_id, bids, chunks)


def test_settle_reverts_when_price_denominator_is_zero(market, rounds, baseline):
    round_id, bids, chunks = baseline
    rounds.close(round_id)
    with reverts("ZeroPriceDenominator"):
        market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (1, 0), bids, chunks)


# ----------------------------------------------------------------------------- chunk layout


def test_settle_reverts_when_a_chunk_is_empty(rounds, baseline, prover_slow):
    round_id, bids, chunks = baseline
    with reverts("EmptyChunk", chunkIndex=1):
        rounds.settle(round_id, bids, chunks + [rounds.chunk(prover_slow, round_id, 1, 0, 0)])


def test_settle_reverts_when_chunks_claim_more_bids_than_given(rounds, baseline, prover_fast):
    round_id, bids, _ = baseline
    with reverts("ChunkBidCountMismatch", assignedBids=2, includedBids=1):
        rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 2, 1_500)])


def test_settle_reverts_when_bids_are_left_without_a_chunk(rounds, baseline):
    round_id, bids, _ = baseline
    with reverts("ChunkBidCountMismatch", assignedBids=0, includedBids=1):
        rounds.settle(round_id, bids, [])


def test_settle_reverts_when_a_commitment_is_not_a_field_element(market, rounds, baseline, bob, prover_fast, prover_slow):
    round_id, bids, chunks = baseline
    bids = bids + [rounds.bid(bob, round_id, 100, 1_000)]
    for value in (SCALAR_FIELD_ORDER, 2**256 - 1):
        commitment = value.to_bytes(32, "big")
        outside = rounds.chunk(prover_slow, round_id, 5, 1, 500, commitment=commitment)
        with reverts("CommitmentNotInField", chunkIndex=1, commitment=commitment):
            rounds.settle(round_id, bids, chunks + [outside])


def test_settle_accepts_the_largest_field_element_as_a_commitment(market, rounds, baseline, prover_fast):
    round_id, bids, _ = baseline
    largest = (SCALAR_FIELD_ORDER - 1).to_bytes(32, "big")
    rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 1, 1_500, commitment=largest)])
    assert market.chunk(round_id, 0).commitment == largest


# ----------------------------------------------------------------------------- bids


def test_settle_reverts_when_bid_is_for_another_round(market, rounds, baseline, alice):
    round_id, _, chunks = baseline
    other = rounds.bid(alice, round_id + 1, 300, 3_000)
    with reverts("BidRoundMismatch", bidDigest=market.bid_digest(other.bid), bidRound=round_id + 1, roundId=round_id):
        rounds.settle(round_id, [other], chunks)


def test_settle_reverts_when_bid_has_zero_constraints(market, rounds, baseline, alice):
    round_id, _, chunks = baseline
    empty = rounds.bid(alice, round_id, 0, 3_000)
    with reverts("ZeroConstraints", bidDigest=market.bid_digest(empty.bid)):
        rounds.settle(round_id, [empty], chunks)


def test_settle_reverts_when_charge_exceeds_max_fee(market, rounds, baseline, alice):
    round_id, _, chunks = baseline
    greedy = rounds.bid(alice, round_id, 300, 3_000, charge=3_001)
    with reverts("ChargeExceedsMaxFee", bidDigest=market.bid_digest(greedy.bid), charge=3_001, maxFee=3_000):
        rounds.settle(round_id, [greedy], chunks)


def test_settle_reverts_when_charge_is_below_reserve(market, rounds, baseline, alice):
    round_id, _, chunks = baseline
    cheap = rounds.bid(alice, round_id, 300, 3_000, charge=599)  # reserve 2 wei x 300
    with reverts("ChargeBelowReserve", charge=599, constraints=300, reservePerConstraint=2):
        rounds.settle(round_id, [cheap], chunks)


def test_settle_reverts_when_bid_signed_by_someone_else(market, rounds, baseline, alice, bob):
    round_id, bids, chunks = baseline
    forged = IncludedBid(bids[0].bid, market.sign_bid(bob, bids[0].bid), bids[0].charge)
    digest = market.bid_digest(forged.bid)
    with reverts("InvalidBidSignature", bidDigest=digest, user=alice.address, recovered=bob.address):
        rounds.settle(round_id, [forged], chunks)


def test_settle_reverts_when_bid_fields_are_tampered(market, rounds, baseline, alice):
    round_id, bids, chunks = baseline
    tampered_bid = dataclasses.replace(bids[0].bid, max_fee=30_000)
    tampered = IncludedBid(tampered_bid, bids[0].signature, 30_000)
    with reverts("InvalidBidSignature", user=alice.address):
        rounds.settle(round_id, [tampered], chunks)


def test_settle_reverts_when_bid_signed_for_another_domain(market, rounds, baseline, alice):
    from proofmarket.chain.typed_data import Domain, sign_bid

    round_id, bids, chunks = baseline
    other_chain = Domain(chain_id=market.domain.chain_id + 1, verifying_contract=market.address)
    replayed = IncludedBid(bids[0].bid, sign_bid(alice, other_chain, bids[0].bid), bids[0].charge)
    with reverts("InvalidBidSignature", user=alice.address):
        rounds.settle(round_id, [replayed], chunks)


def test_settle_reverts_when_signature_recovers_to_zero_for_a_zero_user(market, rounds, baseline):
    round_id, _, chunks = baseline
    nobody = rounds.bid(type("Nobody", (), {"address": "0x" + "00" * 20, "key": b"\x01" * 32})(), round_id, 300, 3_000)
    unrecoverable = RawSignatureBid(nobody, r=0, vs=1)  # ecrecover answers address(0)
    zero = "0x" + "00" * 20
    with reverts("InvalidBidSignature", user=zero, recovered=zero):
        rounds.settle(round_id, [unrecoverable], chunks)


def test_settle_reverts_when_signature_s_is_not_canonical(market, rounds, baseline):
    # In the compact form the top bit of vs is the parity, so s < 2^255; the only non-canonical
    # values it can carry are n/2 < s < 2^255. The contract rejects them before ecrecover.
    round_id, bids, chunks = baseline
    r = int.from_bytes(bids[0].signature[:32], "big")
    high = RawSignatureBid(bids[0], r=r, vs=MAX_S + 1)
    with reverts("NonCanonicalSignature", digest=market.bid_digest(bids[0].bid), s=MAX_S + 1):
        rounds.settle(round_id, [high], chunks)


def test_settle_reverts_when_bid_reused(market, rounds, baseline, prover_fast):
    round_id, bids, _ = baseline
    with reverts("BidReused", bidDigest=market.bid_digest(bids[0].bid)):
        rounds.settle(round_id, bids * 2, [rounds.chunk(prover_fast, round_id, 5, 2, 3_000)])


def test_settle_reverts_when_bid_reused_across_chunks(market, rounds, baseline, prover_fast, prover_slow):
    round_id, bids, _ = baseline
    chunks = [rounds.chunk(prover_fast, round_id, 5, 1, 1_500), rounds.chunk(prover_slow, round_id, 5, 1, 1_500)]
    with reverts("BidReused", bidDigest=market.bid_digest(bids[0].bid)):
        rounds.settle(round_id, bids * 2, chunks)


def test_settle_reverts_when_escrow_does_not_cover_charge(market, rounds, baseline, mallory):
    round_id, _, chunks = baseline
    market.deposit(mallory, 2_999)
    poor = rounds.bid(mallory, round_id, 300, 3_000)
    with reverts("InsufficientEscrow", user=mallory.address, balance=2_999, charge=3_000):
        rounds.settle(round_id, [poor], chunks)


def test_settle_reverts_when_two_bids_of_one_user_exceed_its_escrow(market, rounds, baseline, mallory, prover_fast):
    round_id, _, _ = baseline
    market.deposit(mallory, 5_000)
    bids = [rounds.bid(mallory, round_id, 300, 3_000, nonce=0), rounds.bid(mallory, round_id, 300, 3_000, nonce=1)]
    with reverts("InsufficientEscrow", user=mallory.address, balance=2_000, charge=3_000):
        rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 2, 3_000)])


# ----------------------------------------------------------------------------- asks and provers


def test_settle_reverts_when_ask_is_for_another_round(market, rounds, baseline, prover_fast):
    round_id, bids, _ = baseline
    ask_chunk = rounds.chunk(prover_fast, round_id + 1, 5, 1, 1_500)
    with reverts("AskRoundMismatch", askDigest=market.ask_digest(ask_chunk.ask), askRound=round_id + 1, roundId=round_id):
        rounds.settle(round_id, bids, [ask_chunk])


def test_settle_reverts_when_ask_signed_by_someone_else(market, rounds, baseline, prover_fast, prover_slow):
    round_id, bids, chunks = baseline
    forged = dataclasses.replace(chunks[0], ask_signature=market.sign_ask(prover_slow, chunks[0].ask))
    with reverts("InvalidAskSignature", prover=prover_fast.address, recovered=prover_slow.address):
        rounds.settle(round_id, bids, [forged])


def test_settle_reverts_when_ask_unit_cost_is_tampered(market, rounds, baseline, prover_fast):
    round_id, bids, chunks = baseline
    tampered = dataclasses.replace(chunks[0], ask=dataclasses.replace(chunks[0].ask, unit_cost=1))
    with reverts("InvalidAskSignature", prover=prover_fast.address):
        rounds.settle(round_id, bids, [tampered])


def test_settle_reverts_when_prover_not_registered(rounds, baseline, mallory):
    round_id, bids, _ = baseline
    with reverts("ProverNotRegistered", prover=mallory.address):
        rounds.settle(round_id, bids, [rounds.chunk(mallory, round_id, 5, 1, 1_500)])


def test_settle_reverts_when_the_prover_exit_took_effect_before_the_round_closed(
    market, rounds, funded, registered, alice, prover_fast
):
    market.request_exit(prover_fast)
    exit_block = market.prover(prover_fast.address).exit_available_at
    rounds.mine_to(exit_block)
    round_id = rounds.open_round()  # closes after the exit block
    bids = [rounds.bid(alice, round_id, 300, 3_000)]
    with reverts("ProverExiting", prover=prover_fast.address, exitAvailableAt=exit_block):
        rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 1, 1_500)])


def test_settle_reverts_when_prover_assigned_twice(rounds, baseline, bob, prover_fast):
    round_id, bids, _ = baseline
    bids = bids + [rounds.bid(bob, round_id, 100, 1_000)]
    chunks = [rounds.chunk(prover_fast, round_id, 5, 1, 1_500), rounds.chunk(prover_fast, round_id, 5, 1, 500, nonce=1)]
    with reverts("ProverAssignedTwice", prover=prover_fast.address):
        rounds.settle(round_id, bids, chunks)


def test_settle_reverts_when_chunk_exceeds_prover_capacity(rounds, baseline, alice, prover_fast, registered):
    round_id, _, _ = baseline
    big = rounds.bid(alice, round_id, registered + 1, 10 * (registered + 1))
    with reverts("ChunkExceedsProverCapacity", chunkIndex=0, prover=prover_fast.address, constraints=2_001, capacity=2_000):
        rounds.settle(round_id, [big], [rounds.chunk(prover_fast, round_id, 1, 1, 2_001)])


def test_settle_reverts_when_free_collateral_is_short(market, rounds, funded, registered, alice, bob, prover_fast):
    first = rounds.open_round()
    rounds.settle(first, [rounds.bid(alice, first, 1_500, 15_000)], [rounds.chunk(prover_fast, first, 1, 1, 1_500)])
    second = rounds.open_round()
    bids = [rounds.bid(bob, second, 1_000, 10_000)]
    # 100,000 collateral, 75,000 locked by the first round; the second chunk needs 50,000.
    with reverts("InsufficientFreeCollateral", prover=prover_fast.address, free=25_000, required=50_000):
        rounds.settle(second, bids, [rounds.chunk(prover_fast, second, 1, 1, 1_000)])


def test_settle_reverts_when_payment_is_below_the_ask(rounds, baseline, prover_fast):
    round_id, bids, _ = baseline
    with reverts("PaymentBelowAsk", chunkIndex=0, prover=prover_fast.address, payment=1_499, askTotal=1_500):
        rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 1, 1_499)])


# ----------------------------------------------------------------------------- round totals


def test_settle_reverts_when_round_capacity_exceeded(market, owner, rounds, baseline, bob, prover_slow):
    market.update_config(owner, market.config().replace(capacity_per_round=499))
    round_id, bids, chunks = baseline
    bids = bids + [rounds.bid(bob, round_id, 200, 2_000)]
    chunks = chunks + [rounds.chunk(prover_slow, round_id, 5, 1, 1_000)]
    with reverts("RoundCapacityExceeded", constraints=500, capacity=499):
        rounds.settle(round_id, bids, chunks)


def test_settle_reverts_when_payments_exceed_charges(rounds, baseline, prover_fast):
    round_id, bids, _ = baseline
    with reverts("PaymentsExceedCharges", payments=3_001, charges=3_000):
        rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 1, 3_001)])


def test_settle_reverts_when_payments_exceed_charges_under_rebate(market, owner, rounds, baseline, prover_fast):
    market.update_config(owner, market.config().replace(surplus_policy=SurplusPolicy.REBATE))
    round_id, bids, _ = baseline
    with reverts("PaymentsExceedCharges", payments=3_001, charges=3_000):
        rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 1, 3_001)])


def test_failed_settlement_leaves_the_round_open_for_a_valid_one(market, ledger, rounds, baseline, prover_fast):
    round_id, bids, chunks = baseline
    with reverts("PaymentsExceedCharges"):
        rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 1, 3_001)])
    before = ledger.snapshot()
    rounds.settle(round_id, bids, chunks)
    ledger.assert_changes(before, alice=Change(balance=-3_000), treasury=Change(balance=1_500), prover_fast=Change(locked=15_000))


def test_settle_input_hash_is_recorded(market, rounds, baseline):
    round_id, bids, chunks = baseline
    rounds.settle(round_id, bids, chunks, input_hash=keccak(b"round inputs"))
    assert market.round(round_id).input_hash == keccak(b"round inputs")
