"""disputeCommitment(round, chunk, refunds): a recorded commitment that is not the chunk's
transactions' is shown on-chain; the prover is released unslashed, the users are refunded from the
chunk's payment, the rest is burned, and nobody is rewarded."""

import pytest

from proofmarket.chain.market import ChunkStatus, Refund, SurplusPolicy
from proofmarket.zk.commitment import chunk_commitment

from .helpers import Change, reverts

ALICE_TX = b"\xa1" * 32
BOB_TX = b"\xb0" * 32


@pytest.fixture
def settled(rounds, funded, registered, alice, bob, prover_fast, prover_slow):
    """Two chunks: alice's bid (charged 1,000, 100 constraints) paid 2,000 to prover_fast under a
    commitment that is NOT its transaction's; bob's (charged 5,000) paid 500 to prover_slow under
    its true commitment."""
    round_id = rounds.open_round()
    bids = [
        rounds.bid(alice, round_id, 100, 1_000, tx_hash=ALICE_TX),
        rounds.bid(bob, round_id, 100, 5_000, tx_hash=BOB_TX),
    ]
    chunks = [
        rounds.chunk(prover_fast, round_id, 20, 1, 2_000, commitment=chunk_commitment([ALICE_TX, BOB_TX])),
        rounds.chunk(prover_slow, round_id, 5, 1, 500, commitment=chunk_commitment([BOB_TX])),
    ]
    rounds.settle(round_id, bids, chunks)
    return round_id, chunks


def test_dispute_releases_the_prover_refunds_the_user_and_burns_the_rest(
    market, ledger, settled, alice, prover_fast
):
    round_id, chunks = settled
    before = ledger.snapshot()
    receipt = market.dispute_commitment(prover_fast, round_id, 0)  # refunds rebuilt from calldata
    after = ledger.assert_changes(
        before,
        alice=Change(balance=1_000),
        prover_fast=Change(locked=-100 * market.config().collateral_per_constraint),
    )
    assert before.totals.reserved - after.totals.reserved == 2_000
    assert after.totals.burned - before.totals.burned == 1_000
    assert market.chunk(round_id, 0).status == ChunkStatus.DISPUTED
    (event,) = market.events(receipt, "ChunkDisputed")
    assert event == {
        "roundId": round_id,
        "chunkIndex": 0,
        "prover": prover_fast.address,
        "disputer": prover_fast.address,
        "commitment": chunks[0].commitment,
        "recomputed": chunk_commitment([ALICE_TX]),
        "refunded": 1_000,
        "burned": 1_000,
    }
    ledger.assert_conservation()


def test_dispute_by_anyone_rewards_nobody(market, ledger, settled, alice, reporter, treasury, prover_fast):
    round_id, _ = settled
    before = ledger.snapshot()
    market.dispute_commitment(reporter, round_id, 0)
    ledger.assert_changes(
        before,
        alice=Change(balance=1_000),
        prover_fast=Change(locked=-100 * market.config().collateral_per_constraint),
    )  # reporter and treasury unchanged


def test_dispute_refunds_pro_rata_when_the_payment_falls_short(market, ledger, rounds, funded, registered, alice, bob, prover_fast):
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 10, 3_000, tx_hash=ALICE_TX), rounds.bid(bob, round_id, 10, 1_000, tx_hash=BOB_TX)]
    rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 1, 2, 1_001)])  # a random commitment
    before = ledger.snapshot()
    receipt = market.dispute_commitment(prover_fast, round_id, 0)
    # owed 4,000 > pool 1,001: alice 3,000·1,001/4,000 = 750, bob 250; 1 wei burned.
    ledger.assert_changes(
        before,
        alice=Change(balance=750),
        bob=Change(balance=250),
        prover_fast=Change(locked=-20 * market.config().collateral_per_constraint),
    )
    (event,) = market.events(receipt, "ChunkDisputed")
    assert (event["refunded"], event["burned"]) == (1_000, 1)


def test_dispute_refunds_net_charges_in_a_rebate_round(market, ledger, rounds, owner, funded, registered, alice, bob, prover_fast):
    market.update_config(owner, market.config().replace(surplus_policy=SurplusPolicy.REBATE))
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 10, 3_000, tx_hash=ALICE_TX), rounds.bid(bob, round_id, 10, 1_000, tx_hash=BOB_TX)]
    rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 1, 2, 2_000)])
    before = ledger.snapshot()
    market.dispute_commitment(prover_fast, round_id, 0)
    # Surplus 2,000 of revenue 4,000 was rebated at settlement: alice paid 1,500 net, bob 500.
    ledger.assert_changes(
        before,
        alice=Change(balance=1_500),
        bob=Change(balance=500),
        prover_fast=Change(locked=-20 * market.config().collateral_per_constraint),
    )


def test_dispute_reverts_when_the_commitment_matches(market, settled, prover_slow):
    round_id, chunks = settled
    with reverts("CommitmentMatches", roundId=round_id, chunkIndex=1, commitment=chunks[1].commitment):
        market.dispute_commitment(prover_slow, round_id, 1)


def test_dispute_reverts_when_refund_list_names_other_transactions(market, settled, alice, prover_fast):
    round_id, chunks = settled
    # The list of the transactions the commitment was made of is not the chunk's list.
    with reverts("RefundListMismatch", roundId=round_id, chunkIndex=0):
        market.dispute_commitment(prover_fast, round_id, 0, [Refund(alice.address, 1_000, BOB_TX)])


def test_dispute_reverts_when_the_chunk_is_resolved(market, rounds, settled, prover_fast, reporter):
    round_id, chunks = settled
    market.dispute_commitment(prover_fast, round_id, 0)
    with reverts("ChunkNotPending", roundId=round_id, chunkIndex=0, status=int(ChunkStatus.DISPUTED)):
        market.dispute_commitment(prover_fast, round_id, 0)
    rounds.pass_deadline(round_id)
    with reverts("ChunkNotPending", roundId=round_id, chunkIndex=0):
        market.slash(reporter, round_id, 0)
    with reverts("ChunkNotPending", roundId=round_id, chunkIndex=0):
        market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))


def test_dispute_reverts_for_a_chunk_that_does_not_exist(market, settled, prover_fast):
    round_id, _ = settled
    with reverts("ChunkNotFound", roundId=round_id, chunkIndex=2):
        market.dispute_commitment(prover_fast, round_id, 2, [])


def test_dispute_still_works_after_the_deadline(market, ledger, rounds, settled, alice, prover_fast):
    round_id, _ = settled
    rounds.pass_deadline(round_id)
    before = ledger.snapshot()
    market.dispute_commitment(prover_fast, round_id, 0)
    ledger.assert_changes(
        before, alice=Change(balance=1_000), prover_fast=Change(locked=-100 * market.config().collateral_per_constraint)
    )
