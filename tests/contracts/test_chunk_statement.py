"""A chunk's statement: settlement records its statement data's hash; submitProof checks the data
and the proof against the whole statement (round, chunk, prover, commitment, data); consumers read
provenChunk and roundProven."""

from dataclasses import replace

import pytest
from eth_utils import keccak

from proofmarket.chain.market import NO_STATEMENT_DATA, ChunkStatement, development_proof

from .helpers import Change, reverts

#: What a rollup's statement data looks like: abi.encode(preStateRoot, postStateRoot).
ROOTS = (7).to_bytes(32, "big") + (9).to_bytes(32, "big")


@pytest.fixture
def settled(rounds, funded, registered, alice, bob, prover_fast, prover_slow):
    """Chunk 0 (alice, prover_fast) carries statement data; chunk 1 (bob, prover_slow) none."""
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_000), rounds.bid(bob, round_id, 200, 2_000)]
    chunks = [
        rounds.chunk(prover_fast, round_id, 5, 1, 1_500, statement_data=ROOTS),
        rounds.chunk(prover_slow, round_id, 6, 1, 1_200),
    ]
    receipt = rounds.settle(round_id, bids, chunks)
    return round_id, chunks, receipt


def test_settlement_records_the_statement_data_hash(market, settled, prover_fast):
    round_id, chunks, receipt = settled
    assert market.chunk(round_id, 0).statement_data_hash == keccak(ROOTS)
    assert market.chunk(round_id, 1).statement_data_hash == NO_STATEMENT_DATA
    assigned = market.events(receipt, "ChunkAssigned")
    assert [event["statementDataHash"] for event in assigned] == [keccak(ROOTS), NO_STATEMENT_DATA]
    proven, statement = market.proven_chunk(round_id, 0)
    assert not proven
    assert statement == ChunkStatement(round_id, 0, prover_fast.address, chunks[0].commitment, keccak(ROOTS))


def test_submit_proof_with_the_statement_data_pays_and_the_views_say_proven(market, ledger, rounds, settled, prover_fast):
    round_id, _, _ = settled
    before = ledger.snapshot()
    market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0), ROOTS)
    ledger.assert_changes(before, prover_fast=Change(balance=1_500, locked=-15_000))
    proven, statement = market.proven_chunk(round_id, 0)
    assert proven and statement.data_hash == keccak(ROOTS)
    assert not market.round_proven(round_id)  # chunk 1 is still pending
    market.submit_proof(prover_fast, round_id, 1, rounds.proof(round_id, 1))
    assert market.round_proven(round_id)


@pytest.mark.parametrize("data", [b"", ROOTS[:32] + (8).to_bytes(32, "big")], ids=["no data", "another post-state root"])
def test_submit_proof_reverts_when_the_statement_data_is_not_the_settled_data(market, rounds, settled, prover_fast, data):
    round_id, _, _ = settled
    actual = keccak(data) if data else NO_STATEMENT_DATA
    with reverts("StatementDataMismatch", roundId=round_id, chunkIndex=0, expected=keccak(ROOTS), actual=actual):
        market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0), data)


def test_submit_proof_reverts_when_data_is_given_for_a_chunk_without_any(market, rounds, settled, prover_slow):
    round_id, _, _ = settled
    with reverts("StatementDataMismatch", roundId=round_id, chunkIndex=1, expected=NO_STATEMENT_DATA, actual=keccak(ROOTS)):
        market.submit_proof(prover_slow, round_id, 1, rounds.proof(round_id, 1), ROOTS)


@pytest.mark.parametrize(
    "change",
    [{"round_id": 1_000}, {"chunk_index": 1}, {"data_hash": NO_STATEMENT_DATA}],
    ids=["another round", "another chunk", "other statement data"],
)
def test_a_proof_of_another_statement_is_rejected(market, settled, prover_fast, change):
    """The same prover and transactions, but a proof bound to another round, chunk or data: a
    proof cannot be reused where the same transactions go to the same prover again."""
    round_id, _, _ = settled
    other = replace(market.chunk(round_id, 0).statement(round_id, 0), **change)
    with reverts("InvalidProof", roundId=round_id, chunkIndex=0, prover=prover_fast.address):
        market.submit_proof(prover_fast, round_id, 0, development_proof(other), ROOTS)


def test_a_proof_is_paid_once_even_for_the_same_transactions_in_a_later_round(
    market, rounds, funded, registered, alice, prover_fast
):
    tx_hash = b"\x61" * 32
    first = rounds.open_round()
    rounds.settle(first, [rounds.bid(alice, first, 10, 100, tx_hash=tx_hash)], [rounds.chunk(prover_fast, first, 1, 1, 10, commitment=b"\x05" * 32)])
    market.submit_proof(prover_fast, first, 0, proof := rounds.proof(first, 0))
    second = rounds.open_round()
    rounds.settle(second, [rounds.bid(alice, second, 10, 100, tx_hash=tx_hash)], [rounds.chunk(prover_fast, second, 1, 1, 10, commitment=b"\x05" * 32)])
    with reverts("InvalidProof", roundId=second, chunkIndex=0):
        market.submit_proof(prover_fast, second, 0, proof)


def test_round_proven_is_false_for_a_round_not_settled_and_true_for_an_empty_one(market, rounds):
    round_id = rounds.open_round()
    assert not market.round_proven(round_id)
    rounds.settle(round_id, [], [])
    assert market.round_proven(round_id)


def test_proven_chunk_of_a_chunk_that_does_not_exist_is_all_zero(market, settled):
    round_id, _, _ = settled
    proven, statement = market.proven_chunk(round_id, 5)
    assert not proven and statement == ChunkStatement(round_id, 5, "0x" + "00" * 20, b"\x00" * 32)
