"""submitProof(round, chunk, proof): verified through IProofVerifier; the prover is paid."""

from dataclasses import replace

import pytest

from proofmarket.chain.market import ChunkStatus, development_proof

from .helpers import Change, reverts


@pytest.fixture
def settled(rounds, funded, registered, alice, bob, prover_fast, prover_slow):
    """Round with two chunks of the same commitment: prover_fast (alice, paid 1,500) and
    prover_slow (bob, paid 1,200)."""
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_000), rounds.bid(bob, round_id, 200, 2_000)]
    commitment = b"\x13" * 32  # a field element (< r)
    chunks = [
        rounds.chunk(prover_fast, round_id, 5, 1, 1_500, commitment=commitment),
        rounds.chunk(prover_slow, round_id, 6, 1, 1_200, commitment=commitment),
    ]
    rounds.settle(round_id, bids, chunks)
    return round_id, chunks


def test_submit_proof_pays_the_prover_and_unlocks_collateral(market, ledger, rounds, settled, prover_fast):
    round_id, chunks = settled
    before = ledger.snapshot()
    receipt = market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    after = ledger.assert_changes(before, prover_fast=Change(balance=1_500, locked=-15_000))
    # The payment becomes the prover's earnings: part of its balance, still in `reserved`
    # until collected (the registry slot holds it; no slot of its own).
    assert after.parties["prover_fast"].earnings == 1_500
    assert after.totals.reserved == before.totals.reserved
    assert market.chunk(round_id, 0).status == ChunkStatus.PROVEN
    (event,) = market.events(receipt, "ChunkProven")
    assert event == {
        "roundId": round_id,
        "chunkIndex": 0,
        "prover": prover_fast.address,
        "payment": 1_500,
        "submitter": prover_fast.address,
    }


def test_submit_proof_by_anyone_pays_the_assigned_prover(market, ledger, rounds, settled, reporter, prover_slow):
    round_id, chunks = settled
    before = ledger.snapshot()
    market.submit_proof(reporter, round_id, 1, rounds.proof(round_id, 1))
    ledger.assert_changes(before, prover_slow=Change(balance=1_200, locked=-10_000))


def test_submit_proof_on_the_deadline_block_is_accepted(market, ledger, rounds, settled, prover_fast):
    round_id, chunks = settled
    rounds.mine_to(market.round(round_id).deadline - 1)
    receipt = market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    assert receipt["blockNumber"] == market.round(round_id).deadline


def test_submit_proof_reverts_for_a_proof_copied_from_another_prover(market, rounds, settled, prover_fast, prover_slow):
    round_id, chunks = settled
    # chunk 1's statement, but naming prover_fast: a proof for another prover
    copied = development_proof(replace(market.chunk(round_id, 1).statement(round_id, 1), prover=prover_fast.address))
    with reverts("InvalidProof", roundId=round_id, chunkIndex=1, prover=prover_slow.address):
        market.submit_proof(prover_fast, round_id, 1, copied)


def test_submit_proof_reverts_for_a_proof_of_another_commitment(market, rounds, settled, prover_fast):
    round_id, _ = settled
    with reverts("InvalidProof", roundId=round_id, chunkIndex=0, prover=prover_fast.address):
        other = replace(market.chunk(round_id, 0).statement(round_id, 0), commitment=b"\x44" * 32)
        market.submit_proof(prover_fast, round_id, 0, development_proof(other))


def test_submit_proof_reverts_when_the_verifier_reverts(market, owner, rounds, settled, prover_fast):
    round_id, chunks = settled
    market.set_verifier(owner, market.address)  # no verifyChunkProof there: the call reverts
    with reverts("InvalidProof", roundId=round_id, chunkIndex=0):
        market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))


def test_submit_proof_reverts_when_chunk_not_found(market, settled, prover_fast):
    round_id, _ = settled
    with reverts("ChunkNotFound", roundId=round_id, chunkIndex=2):
        market.submit_proof(prover_fast, round_id, 2, b"")


def test_submit_proof_reverts_when_already_proven(market, rounds, settled, prover_fast):
    round_id, chunks = settled
    market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    with reverts("ChunkNotPending", roundId=round_id, chunkIndex=0, status=int(ChunkStatus.PROVEN)):
        market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))


def test_submit_proof_reverts_after_the_deadline(market, rounds, settled, prover_fast):
    round_id, chunks = settled
    deadline = market.round(round_id).deadline
    rounds.pass_deadline(round_id)
    with reverts("ProvingDeadlinePassed", roundId=round_id, chunkIndex=0, deadline=deadline):
        market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))


def test_submit_proof_works_while_paused(market, ledger, owner, rounds, settled, prover_fast):
    round_id, chunks = settled
    market.pause(owner)
    before = ledger.snapshot()
    market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    ledger.assert_changes(before, prover_fast=Change(balance=1_500, locked=-15_000))


def test_proven_prover_withdraws_its_payment(market, ledger, rounds, settled, prover_fast):
    round_id, chunks = settled
    market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    before = ledger.snapshot()
    receipt = market.withdraw(prover_fast, 1_000)
    after = ledger.assert_changes(before, prover_fast=Change(wallet=1_000, balance=-1_000))
    # The withdrawal collected all the earnings into the escrow balance, out of `reserved`.
    assert after.parties["prover_fast"].earnings == 0
    assert before.totals.reserved - after.totals.reserved == 1_500
    assert market.events(receipt, "Withdrawn") == [{"account": prover_fast.address, "amount": 1_000, "balance": 500}]


def test_prover_deposit_collects_its_earnings(market, ledger, rounds, settled, prover_fast):
    round_id, chunks = settled
    market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    before = ledger.snapshot()
    receipt = market.deposit(prover_fast, 100)
    after = ledger.assert_changes(before, prover_fast=Change(wallet=-100, balance=100))
    assert after.parties["prover_fast"].earnings == 0
    assert market.events(receipt, "Deposited") == [{"user": prover_fast.address, "amount": 100, "balance": 1_600}]


def test_prover_earnings_fund_its_bids(market, ledger, rounds, settled, alice, prover_fast, prover_slow):
    round_id, chunks = settled
    market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    # prover_fast holds no escrow of its own, only 1,500 of earnings: a 1,200 bid is covered.
    next_round = rounds.open_round()
    bids = [rounds.bid(prover_fast, next_round, 100, 1_200)]
    before = ledger.snapshot()
    rounds.settle(next_round, bids, [rounds.chunk(prover_slow, next_round, 1, 1, 100)])
    after = ledger.assert_changes(
        before, prover_fast=Change(balance=-1_200), prover_slow=Change(locked=5_000), treasury=Change(balance=1_100)
    )
    assert after.parties["prover_fast"].earnings == 0
    assert market.balance_of(prover_fast.address) == 300


def test_prover_earnings_survive_its_exit(market, ledger, rounds, settled, prover_fast):
    round_id, chunks = settled
    market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0))
    market.request_exit(prover_fast)
    rounds.mine_to(rounds.withdrawable_block(prover_fast.address))
    before = ledger.snapshot()
    market.withdraw_collateral(prover_fast)
    ledger.assert_changes(before, prover_fast=Change(wallet=100_000, collateral=-100_000))
    assert market.prover(prover_fast.address).earnings == 1_500
    assert not market.prover(prover_fast.address).registered
    market.register_prover(prover_fast, 10, 500)
    before = ledger.snapshot()
    market.withdraw(prover_fast, 1_500)
    ledger.assert_changes(before, prover_fast=Change(wallet=1_500, balance=-1_500))
