"""ReferenceRollup.recordChunkProof: the way a proven chunk counts for the rollup when the market's
callback recorded nothing (the callback was off or short of gas, or the market's verifier was not
the rollup's): the proof must pass the rollup's own verifier for the market's statement.

The market uses DevelopmentProofVerifier, the insecure test verifier (its "proof" of a statement
is a hash anyone computes, bound to the statement's prover like a real proof).
"""

from __future__ import annotations

import dataclasses

from proofmarket.chain.market import ChunkStatus, development_proof
from tests.contracts.helpers import reverts

from .test_on_chunk_proven import accepting_verifier, one_transfer_round  # noqa: F401 (a fixture)


def proven_without_callback(sequencer, rounds, market, owner, alice, bob):
    """A round whose chunk is proven on the market with the callback off: nothing recorded."""
    market.update_config(owner, market.config().replace(consumer_gas_limit=0))
    planned = one_transfer_round(sequencer, alice, bob)
    sequencer.prove(planned)
    assert market.chunk(planned.round_id, 0).status == ChunkStatus.PROVEN
    return planned


def test_a_proof_is_recorded_and_the_round_finalizes(sequencer, rounds, market, rollup, owner, alice, bob, carol):
    planned = proven_without_callback(sequencer, rounds, market, owner, alice, bob)
    sequencer.confirm(planned)
    with reverts("ChunkNotProven", roundId=planned.round_id, chunkIndex=0):
        sequencer.finalize(planned)
    chunk = planned.chunks[0]
    receipt = rollup.record_chunk_proof(carol, planned.round_id, 0, chunk.statement_data, rounds.proof(planned.round_id, 0))
    assert rollup.events(receipt, "ChunkProofRecorded") == [
        {"roundId": planned.round_id, "chunkIndex": 0, "prover": chunk.prover.address}
    ]
    assert rollup.is_chunk_proof_recorded(planned.round_id, 0)
    sequencer.finalize(planned)
    assert rollup.state_root() == planned.post_state.root


def test_record_chunk_proof_reverts_when_already_recorded(sequencer, rounds, market, rollup, alice, bob, carol):
    planned = one_transfer_round(sequencer, alice, bob)
    sequencer.prove(planned)  # the callback records it
    with reverts("ChunkProofAlreadyRecorded", roundId=planned.round_id, chunkIndex=0):
        rollup.record_chunk_proof(carol, planned.round_id, 0, planned.chunks[0].statement_data, rounds.proof(planned.round_id, 0))


def test_record_chunk_proof_reverts_when_the_market_has_not_proven_the_chunk(sequencer, rounds, market, rollup, alice, bob, carol):
    planned = one_transfer_round(sequencer, alice, bob)
    with reverts("ChunkNotProvenOnMarket", roundId=planned.round_id, chunkIndex=0, status=int(ChunkStatus.PENDING)):
        rollup.record_chunk_proof(carol, planned.round_id, 0, planned.chunks[0].statement_data, rounds.proof(planned.round_id, 0))


def test_record_chunk_proof_reverts_when_the_rollups_verifier_refuses_the_proof(
    sequencer, rounds, market, rollup, owner, accepting_verifier, alice, bob, carol  # noqa: F811 (the fixture)
):
    planned = one_transfer_round(sequencer, alice, bob)
    chunk = planned.chunks[0]
    market.set_verifier(owner, accepting_verifier)
    market.submit_proof(chunk.prover, planned.round_id, 0, b"\x01", chunk.statement_data)
    with reverts("ProofInvalid", roundId=planned.round_id, chunkIndex=0, prover=chunk.prover.address):
        rollup.record_chunk_proof(carol, planned.round_id, 0, chunk.statement_data, b"\x01")
    # A proof for another prover's statement is refused too: the proof binds the assigned prover.
    statement = market.chunk(planned.round_id, 0).statement(planned.round_id, 0)
    foreign = development_proof(dataclasses.replace(statement, prover=carol.address))
    with reverts("ProofInvalid", prover=chunk.prover.address):
        rollup.record_chunk_proof(carol, planned.round_id, 0, chunk.statement_data, foreign)
    assert not rollup.is_chunk_proof_recorded(planned.round_id, 0)


def test_record_chunk_proof_reverts_when_the_statement_data_differs(sequencer, rounds, market, rollup, owner, alice, bob, carol):
    planned = proven_without_callback(sequencer, rounds, market, owner, alice, bob)
    forged = planned.chunks[0].statement_data[:-1] + b"\x07"
    with reverts("StatementDataMismatch"):
        rollup.record_chunk_proof(carol, planned.round_id, 0, forged, rounds.proof(planned.round_id, 0))
