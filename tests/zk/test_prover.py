"""prove_chunk: real snarkjs proofs whose public signals are the documented chain; clear errors."""

from __future__ import annotations

import pytest

from proofmarket.zk import prover as prover_module
from proofmarket.zk.circuit import CircuitArtifacts, CircuitArtifactsMissing
from proofmarket.zk.commitment import ChunkEmpty, SegmentStatement, split_into_segments, transaction_field_elements
from proofmarket.zk.encoding import decode_chunk_proof
from proofmarket.zk.field import SCALAR_FIELD_ORDER, FieldElementInvalid, TransactionHashInvalid
from proofmarket.zk.prover import ProvingFailed, prove_chunk, segment_circuit_input

from .conftest import transaction_hashes

#: A statement binding (any field element; the market's is ChunkStatement.binding()).
BINDING = 12345


def test_proof_segments_follow_the_commitment_chain(three_segments):
    statements = split_into_segments(transaction_field_elements(three_segments.tx_hashes), 64)
    decoded = decode_chunk_proof(three_segments.encoded)
    assert [segment.next_commitment for segment in decoded] == [statement.next_commitment for statement in statements]
    assert decoded[-1].next_commitment.to_bytes(32, "big") == three_segments.commitment
    assert [len(statement.transactions) for statement in three_segments.proof.statements] == [64, 64, 12]
    assert len(three_segments.proof.segment_milliseconds) == 3


def test_prove_chunk_returns_the_encoded_proof():
    proof = prove_chunk(transaction_hashes("single", 1), BINDING)
    assert len(proof) == 64 + 288


def test_segment_input_pads_with_inactive_zeros():
    statement = SegmentStatement(previous_commitment=5, next_commitment=6, transactions=(7, 8))
    circuit_input = segment_circuit_input(statement, binding=9, segment_size=4)
    assert circuit_input == {
        "previousCommitment": "5",
        "nextCommitment": "6",
        "prover": "9",
        "transactions": ["7", "8", "0", "0"],
        "active": ["1", "1", "0", "0"],
    }


@pytest.mark.parametrize("binding", [-1, SCALAR_FIELD_ORDER, "0x1234", True, 1.5])
def test_prove_chunk_refuses_a_binding_that_is_not_a_field_element(binding):
    with pytest.raises(FieldElementInvalid):
        prove_chunk(transaction_hashes("bad binding", 1), binding)


def test_prove_chunk_refuses_bad_transactions():
    with pytest.raises(ChunkEmpty):
        prove_chunk([], BINDING)
    with pytest.raises(TransactionHashInvalid):
        prove_chunk([b"\x01" * 20], BINDING)


def test_prove_chunk_without_artifacts_says_to_run_setup(tmp_path):
    with pytest.raises(CircuitArtifactsMissing, match="proofmarket zk setup"):
        prover_module.prove_chunk_segments(transaction_hashes("no artifacts", 1), BINDING, CircuitArtifacts(tmp_path))


def test_a_statement_the_circuit_does_not_satisfy_fails_with_snarkjs_message(monkeypatch):
    def wrong_chain(elements, segment_size):
        (statement,) = split_into_segments(elements, segment_size)
        return [SegmentStatement(statement.previous_commitment, statement.next_commitment + 1, statement.transactions)]

    monkeypatch.setattr(prover_module, "split_into_segments", wrong_chain)
    with pytest.raises(ProvingFailed, match="segment 0: .*Assert Failed"):
        prove_chunk(transaction_hashes("wrong chain", 3), BINDING)
