"""slash(round, chunk, refunds): after the deadline, refunds first, then reporter and treasury."""

import pytest

from proofmarket.chain.market import ChunkStatus, Refund, SurplusPolicy

from .helpers import Change, reverts


#: The transaction alice's bid in ``settled`` pays for.
ALICE_TX_HASH = b"\xa1" * 32


@pytest.fixture
def settled(rounds, funded, registered, alice, bob, prover_fast):
    """One chunk for prover_fast: alice 300 constraints charged 3,000; paid 1,500; locks 15,000."""
    round_id = rounds.open_round()
    chunks = [rounds.chunk(prover_fast, round_id, 5, 1, 1_500)]
    rounds.settle(round_id, [rounds.bid(alice, round_id, 300, 3_000, tx_hash=ALICE_TX_HASH)], chunks)
    return round_id, chunks


def test_slash_refunds_users_and_splits_the_rest(market, ledger, rounds, settled, alice, reporter, prover_fast):
    round_id, _ = settled
    rounds.pass_deadline(round_id)
    before = ledger.snapshot()
    receipt = market.slash(reporter, round_id, 0)  # refunds rebuilt from the settlement calldata
    # pool = 1,500 reserved + 15,000 collateral; alice gets 3,000 back; 13,500 left: 20% reporter.
    after = ledger.assert_changes(
        before,
        alice=Change(balance=3_000),
        reporter=Change(balance=2_700),
        treasury=Change(balance=10_800),
        prover_fast=Change(collateral=-15_000, locked=-15_000),
    )
    assert before.totals.reserved - after.totals.reserved == 1_500
    assert market.chunk(round_id, 0).status == ChunkStatus.SLASHED
    (event,) = market.events(receipt, "ChunkSlashed")
    assert event == {
        "roundId": round_id,
        "chunkIndex": 0,
        "prover": prover_fast.address,
        "reporter": reporter.address,
        "collateralSlashed": 15_000,
        "refunded": 3_000,
        "reporterReward": 2_700,
        "treasuryShare": 10_800,
    }


def test_slash_pays_no_reporter_reward_to_the_slashed_prover(market, ledger, rounds, settled, alice, prover_fast):
    round_id, _ = settled
    rounds.pass_deadline(round_id)
    before = ledger.snapshot()
    receipt = market.slash(prover_fast, round_id, 0)
    # Same pool and refund as when another account reports; the 20% reporter share of the
    # 13,500 left goes to the treasury too: the prover recovers nothing of its penalty.
    ledger.assert_changes(
        before,
        alice=Change(balance=3_000),
        treasury=Change(balance=13_500),
        prover_fast=Change(collateral=-15_000, locked=-15_000),
    )
    (event,) = market.events(receipt, "ChunkSlashed")
    assert (event["reporter"], event["reporterReward"], event["treasuryShare"]) == (prover_fast.address, 0, 13_500)


def test_slash_refunds_pro_rata_when_reserve_and_collateral_fall_short(
    market, owner, ledger, rounds, funded, alice, bob, reporter, prover_fast
):
    market.update_config(owner, market.config().replace(collateral_per_constraint=0))
    market.register_prover(prover_fast, 1_000, 1)
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_000), rounds.bid(bob, round_id, 200, 2_000)]
    rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 2, 2_501)])
    rounds.pass_deadline(round_id)
    before = ledger.snapshot()
    market.slash(reporter, round_id, 0)
    # pool = 2,501 < 5,000 owed: alice floor(3000*2501/5000) = 1,500, bob floor(2000*2501/5000) = 1,000;
    # the 1 wei left: reporter floor(20%) = 0, treasury 1.
    ledger.assert_changes(before, alice=Change(balance=1_500), bob=Change(balance=1_000), treasury=Change(balance=1))


def test_slash_refunds_net_charges_under_rebate(market, owner, ledger, rounds, funded, registered, alice, bob, reporter, prover_fast):
    market.update_config(owner, market.config().replace(surplus_policy=SurplusPolicy.REBATE))
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_001), rounds.bid(bob, round_id, 200, 2_000)]
    rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 8, 2, 4_000)])
    rounds.pass_deadline(round_id)
    before = ledger.snapshot()
    market.slash(reporter, round_id, 0)
    # Rebates were 600 and 400 (test_surplus), so the net charges are 2,401 and 1,600.
    # pool = 4,000 + 25,000 = 29,000; left 24,999: reporter 4,999, treasury 20,000.
    ledger.assert_changes(
        before,
        alice=Change(balance=2_401),
        bob=Change(balance=1_600),
        reporter=Change(balance=4_999),
        treasury=Change(balance=20_000),
        prover_fast=Change(collateral=-25_000, locked=-25_000),
    )


def test_slash_reverts_before_the_deadline_passes(market, rounds, settled, reporter):
    round_id, _ = settled
    deadline = market.round(round_id).deadline
    rounds.mine_to(deadline - 1)
    with reverts("ProvingDeadlineNotPassed", roundId=round_id, chunkIndex=0, deadline=deadline):
        market.slash(reporter, round_id, 0)


def test_slash_reverts_when_refund_charge_is_inflated(market, rounds, settled, alice, reporter):
    round_id, _ = settled
    rounds.pass_deadline(round_id)
    expected = market.chunk(round_id, 0).refund_hash
    inflated = [Refund(alice.address, 3_001, ALICE_TX_HASH)]
    with reverts("RefundListMismatch", roundId=round_id, chunkIndex=0, expected=expected, actual=market.refund_hash(inflated)):
        market.slash(reporter, round_id, 0, inflated)


def test_slash_reverts_when_refund_goes_to_someone_else(market, rounds, settled, reporter, mallory):
    round_id, _ = settled
    rounds.pass_deadline(round_id)
    with reverts("RefundListMismatch"):
        market.slash(reporter, round_id, 0, [Refund(mallory.address, 3_000, ALICE_TX_HASH)])


def test_slash_reverts_when_refund_names_another_transaction(market, rounds, settled, alice, reporter):
    round_id, _ = settled
    rounds.pass_deadline(round_id)
    with reverts("RefundListMismatch"):
        market.slash(reporter, round_id, 0, [Refund(alice.address, 3_000, b"\xb2" * 32)])


def test_slash_reverts_when_refund_list_is_empty(market, rounds, settled, reporter):
    round_id, _ = settled
    rounds.pass_deadline(round_id)
    with reverts("RefundListMismatch", actual=b"\x00" * 32):
        market.slash(reporter, round_id, 0, [])


def test_slash_reverts_when_chunk_was_proven(market, rounds, settled, reporter, prover_fast):
    round_id, chunks = settled
    market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    rounds.pass_deadline(round_id)
    with reverts("ChunkNotPending", status=int(ChunkStatus.PROVEN)):
        market.slash(reporter, round_id, 0)


def test_slash_reverts_when_already_slashed(market, rounds, settled, reporter):
    round_id, _ = settled
    rounds.pass_deadline(round_id)
    market.slash(reporter, round_id, 0)
    with reverts("ChunkNotPending", status=int(ChunkStatus.SLASHED)):
        market.slash(reporter, round_id, 0)


def test_slash_reverts_when_chunk_not_found(market, rounds, settled, reporter):
    round_id, _ = settled
    with reverts("ChunkNotFound", roundId=round_id + 5, chunkIndex=0):
        market.slash(reporter, round_id + 5, 0, [])


def test_slashed_exiting_prover_leaves_with_what_is_left(market, ledger, rounds, settled, reporter, prover_fast):
    round_id, _ = settled
    market.request_exit(prover_fast)
    rounds.mine_to(rounds.withdrawable_block(prover_fast.address))
    with reverts("CollateralLocked", prover=prover_fast.address, locked=15_000):
        market.withdraw_collateral(prover_fast)
    rounds.pass_deadline(round_id)
    market.slash(reporter, round_id, 0)
    before = ledger.snapshot()
    market.withdraw_collateral(prover_fast)
    ledger.assert_changes(before, prover_fast=Change(wallet=85_000, collateral=-85_000))


def test_slash_works_while_paused(market, owner, ledger, rounds, settled, alice, reporter, prover_fast):
    round_id, _ = settled
    market.pause(owner)
    rounds.pass_deadline(round_id)
    before = ledger.snapshot()
    market.slash(reporter, round_id, 0)
    ledger.assert_changes(
        before,
        alice=Change(balance=3_000),
        reporter=Change(balance=2_700),
        treasury=Change(balance=10_800),
        prover_fast=Change(collateral=-15_000, locked=-15_000),
    )


def test_refunds_rebuilt_from_settlement_match_the_stored_hash(market, rounds, settled, alice):
    round_id, _ = settled
    (refunds,) = market.refunds_from_settlement(round_id)
    assert refunds == [Refund(alice.address, 3_000, ALICE_TX_HASH)]
    assert market.refund_hash(refunds) == market.chunk(round_id, 0).refund_hash
