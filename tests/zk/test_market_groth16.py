"""ProofMarket with the real Groth16ChunkVerifier: a valid proof pays; a proof of another
chunk, another round or another prover, or a malformed one, is rejected (issue 5)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from proofmarket.chain.market import ChunkStatus, ProofSubmission, deploy_market
from proofmarket.zk.commitment import chunk_commitment
from proofmarket.zk.prover import prove_chunk
from proofmarket.zk.verifier import ChunkProofMalformed, deploy_chunk_verifier, verify_chunk_proof

from ..contracts.helpers import Change, default_config, reverts
from .conftest import transaction_hashes

CAPACITY = 2_000


@pytest.fixture
def groth16_verifier(web3, owner):
    return deploy_chunk_verifier(web3, owner)


@pytest.fixture
def market(web3, owner, clearinghouse, treasury, groth16_verifier):
    config = default_config(clearinghouse.address, treasury.address, groth16_verifier.address, web3.eth.block_number + 1)
    return deploy_market(web3, owner, config)


@pytest.fixture
def participants(market, alice, bob, carol, prover_fast, prover_slow):
    for user in (alice, bob, carol):
        market.deposit(user, 1_000_000)
    collateral = market.config().collateral_per_constraint * CAPACITY
    market.register_prover(prover_fast, CAPACITY, collateral)
    market.register_prover(prover_slow, CAPACITY, collateral)


def settle_round(rounds, label, users, provers, bids_per_chunk, payments, tx_hashes=None):
    """Settles the open round: chunk j of provers[j] holds the next bids_per_chunk[j] bids; each
    chunk's commitment is the Poseidon commitment of its bids' transaction hashes."""
    round_id = rounds.open_round()
    tx_hashes = tx_hashes or transaction_hashes(f"{label} round {round_id}", len(users))
    bids = [rounds.bid(user, round_id, 100, 1_000, tx_hash=tx_hash) for user, tx_hash in zip(users, tx_hashes)]
    chunks, chunk_hashes, start = [], [], 0
    for prover, count, payment in zip(provers, bids_per_chunk, payments):
        hashes = tx_hashes[start : start + count]
        chunks.append(rounds.chunk(prover, round_id, 5, count, payment, commitment=chunk_commitment(hashes)))
        chunk_hashes.append(hashes)
        start += count
    rounds.settle(round_id, bids, chunks)
    return round_id, chunk_hashes


def proof_for(market, round_id, chunk_index, tx_hashes, **changes) -> bytes:
    """A real proof of ``tx_hashes`` for the chunk's recorded statement, with ``changes``."""
    statement = replace(market.chunk(round_id, chunk_index).statement(round_id, chunk_index), **changes)
    return prove_chunk(tx_hashes, statement.binding())


@pytest.fixture
def settled(rounds, participants, alice, bob, carol, prover_fast, prover_slow):
    """Round with two chunks: prover_fast proves alice's and bob's transactions (paid 1,000),
    prover_slow carol's (paid 500)."""
    return settle_round(rounds, "settled", [alice, bob, carol], [prover_fast, prover_slow], [2, 1], [1_000, 500])


def test_submit_proof_with_a_valid_groth16_proof_pays_the_prover(market, ledger, settled, prover_fast):
    round_id, chunk_hashes = settled
    proof = proof_for(market, round_id, 0, chunk_hashes[0])
    before = ledger.snapshot()
    receipt = market.submit_proof(prover_fast, round_id, 0, proof)
    collateral = market.config().collateral_per_constraint * 200
    ledger.assert_changes(before, prover_fast=Change(balance=1_000, locked=-collateral))
    assert market.chunk(round_id, 0).status == ChunkStatus.PROVEN
    (event,) = market.events(receipt, "ChunkProven")
    assert (event["prover"], event["payment"]) == (prover_fast.address, 1_000)


def test_submit_proof_rejects_a_proof_of_another_chunk(market, settled, prover_fast):
    round_id, chunk_hashes = settled
    other_chunk = proof_for(market, round_id, 1, chunk_hashes[1], prover=prover_fast.address)  # carol's chunk, for prover_fast
    with reverts("InvalidProof", roundId=round_id, chunkIndex=0, prover=prover_fast.address):
        market.submit_proof(prover_fast, round_id, 0, other_chunk)
    assert market.chunk(round_id, 0).status == ChunkStatus.PENDING


def test_submit_proof_rejects_a_proof_of_another_round(market, rounds, settled, alice, bob, prover_fast):
    first_round, first_hashes = settled
    second_round, _ = settle_round(rounds, "second", [alice, bob], [prover_fast], [2], [1_000])
    proof_of_first_round = proof_for(market, first_round, 0, first_hashes[0])
    with reverts("InvalidProof", roundId=second_round, chunkIndex=0, prover=prover_fast.address):
        market.submit_proof(prover_fast, second_round, 0, proof_of_first_round)
    market.submit_proof(prover_fast, first_round, 0, proof_of_first_round)


def test_a_proof_is_not_paid_twice_when_the_same_transactions_go_to_the_same_prover_again(
    market, rounds, ledger, participants, alice, bob, prover_fast
):
    tx_hashes = transaction_hashes("reused", 2)
    first, _ = settle_round(rounds, "reused", [alice, bob], [prover_fast], [2], [1_000], tx_hashes=tx_hashes)
    proof = proof_for(market, first, 0, tx_hashes)
    market.submit_proof(prover_fast, first, 0, proof)
    second, _ = settle_round(rounds, "reused", [alice, bob], [prover_fast], [2], [1_000], tx_hashes=tx_hashes)
    assert market.chunk(second, 0).commitment == market.chunk(first, 0).commitment
    before = ledger.snapshot()
    with reverts("InvalidProof", roundId=second, chunkIndex=0, prover=prover_fast.address):
        market.submit_proof(prover_fast, second, 0, proof)
    ledger.assert_changes(before)


def test_submit_proof_rejects_a_proof_made_for_another_prover(market, ledger, settled, prover_fast, prover_slow):
    round_id, chunk_hashes = settled
    # prover_slow knows the transactions and proves them, but binds its own address.
    stolen = proof_for(market, round_id, 0, chunk_hashes[0], prover=prover_slow.address)
    before = ledger.snapshot()
    with reverts("InvalidProof", roundId=round_id, chunkIndex=0, prover=prover_fast.address):
        market.submit_proof(prover_slow, round_id, 0, stolen)
    ledger.assert_changes(before)


def test_submit_proof_rejects_a_malformed_proof_and_the_verifier_says_why(market, groth16_verifier, settled, prover_fast):
    round_id, chunk_hashes = settled
    truncated = proof_for(market, round_id, 0, chunk_hashes[0])[:-1]
    with reverts("InvalidProof", roundId=round_id, chunkIndex=0, prover=prover_fast.address):
        market.submit_proof(prover_fast, round_id, 0, truncated)
    with pytest.raises(ChunkProofMalformed) as info:
        verify_chunk_proof(groth16_verifier, market.chunk(round_id, 0).statement(round_id, 0), truncated)
    assert (info.value.error_name, info.value.arguments) == ("ProofLengthInvalid", {"length": 351})


# ------------------------------------------------------------------ batched proofs


@pytest.fixture
def two_rounds(rounds, settled, alice, bob, prover_slow):
    """`settled`, and a second round whose one chunk (alice's and bob's transactions again,
    other hashes) prover_slow proves for 1,000. Returns [(round, chunk, hashes)] of all three chunks."""
    first_round, first_hashes = settled
    second_round, second_hashes = settle_round(rounds, "batched", [alice, bob], [prover_slow], [2], [1_000])
    return [(first_round, 0, first_hashes[0]), (first_round, 1, first_hashes[1]), (second_round, 0, second_hashes[0])]


def test_submit_proofs_with_real_groth16_proofs_pays_every_prover_for_less_than_two_proofs_gas(
    market, ledger, two_rounds, reporter, prover_fast, prover_slow
):
    entries = [ProofSubmission(r, c, proof_for(market, r, c, hashes)) for r, c, hashes in two_rounds]
    before = ledger.snapshot()
    receipt = market.submit_proofs(reporter, entries)
    collateral = market.config().collateral_per_constraint * 100  # per bid
    ledger.assert_changes(
        before,
        prover_fast=Change(balance=1_000, locked=-2 * collateral),
        prover_slow=Change(balance=500 + 1_000, locked=-3 * collateral),
    )
    assert [(event["roundId"], event["chunkIndex"]) for event in market.events(receipt, "ChunkProven")] == [
        (r, c) for r, c, _ in two_rounds
    ]
    # One pairing check of 3 + 3 pairs and 8 ecMul instead of three of 4 pairs and 2 ecMul: three
    # chunks cost less than two submitProof transactions (~255,000 each; measured ~439,000).
    assert receipt["gasUsed"] < 2 * 255_000, receipt["gasUsed"]


def test_submit_proofs_with_one_real_proof_for_another_prover_pays_nobody(market, ledger, two_rounds, reporter, prover_fast, prover_slow):
    entries = [ProofSubmission(r, c, proof_for(market, r, c, hashes)) for r, c, hashes in two_rounds]
    round_id, chunk_index, hashes = two_rounds[1]
    entries[1] = ProofSubmission(round_id, chunk_index, proof_for(market, round_id, chunk_index, hashes, prover=prover_fast.address))
    before = ledger.snapshot()
    with reverts("InvalidProof", roundId=round_id, chunkIndex=chunk_index, prover=prover_slow.address):
        market.submit_proofs(reporter, entries)
    ledger.assert_changes(before)
