"""RollupChunkVerifier on the devnet (embedded, or anvil with --network): a real proof passes for
its statement and for no other; malformed data and bytes revert with the rule's error."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak

from proofmarket.rollup.verifier import (
    MarketChunkStatement,
    RollupProofMalformed,
    measure_rollup_verify_gas,
    rollup_statement_data,
    verify_rollup_proof,
)
from proofmarket.zk.field import BASE_FIELD_ORDER, SCALAR_FIELD_ORDER

from .conftest import ProvedRollupChunk

A, B, C = 0, 1, 2  # RollupChunkVerifier.ProofPoint


def with_data(statement: MarketChunkStatement, data: bytes) -> MarketChunkStatement:
    """The statement with the data hash of ``data``, as the market would record it."""
    return MarketChunkStatement(statement.round_id, statement.chunk_index, statement.prover, statement.commitment, keccak(data))


def verify(verifier, chunk: ProvedRollupChunk, statement=None, data=None, proof=None) -> bool:
    return verify_rollup_proof(
        verifier,
        chunk.statement if statement is None else statement,
        chunk.data if data is None else data,
        chunk.proof.encoded if proof is None else proof,
    )


def reverts(verifier, chunk, error_name, statement=None, data=None, proof=None, **arguments):
    with pytest.raises(RollupProofMalformed) as info:
        verify(verifier, chunk, statement, data, proof)
    assert info.value.error_name == error_name, str(info.value)
    for name, value in arguments.items():
        assert info.value.arguments[name] == value, str(info.value)


def proof_with(chunk: ProvedRollupChunk, word: int, value: int) -> bytes:
    words = bytearray(chunk.proof.encoded)
    words[32 * word : 32 * word + 32] = value.to_bytes(32, "big")
    return bytes(words)


def test_a_real_proof_is_valid_for_its_statement(rollup_verifier, full_chunk, one_transfer):
    assert verify(rollup_verifier, full_chunk)
    assert verify(rollup_verifier, one_transfer)


def test_the_binding_matches_the_contracts_decoding(rollup_verifier, full_chunk):
    pre, post = rollup_verifier.functions.decodeStatementData(full_chunk.statement.as_tuple(), full_chunk.data).call()
    assert (pre, post) == (full_chunk.proof.statement.pre_state_root, full_chunk.proof.statement.post_state_root)


def test_a_wrong_post_root_is_invalid(rollup_verifier, full_chunk):
    pre, post = full_chunk.proof.statement.pre_state_root, full_chunk.proof.statement.post_state_root
    for data in (rollup_statement_data(pre, post + 1), rollup_statement_data(pre, pre), rollup_statement_data(pre + 1, post)):
        assert not verify(rollup_verifier, full_chunk, statement=with_data(full_chunk.statement, data), data=data)


@pytest.mark.parametrize(
    "change",
    [
        {"round_id": 8},
        {"chunk_index": 3},
        {"prover": "0x" + "11" * 20},
    ],
)
def test_another_round_chunk_or_prover_is_invalid(rollup_verifier, full_chunk, change):
    statement = full_chunk.statement
    fields = {
        "round_id": statement.round_id,
        "chunk_index": statement.chunk_index,
        "prover": statement.prover,
        "commitment": statement.commitment,
        "data_hash": statement.data_hash,
    }
    fields.update(change)
    assert not verify(rollup_verifier, full_chunk, statement=MarketChunkStatement(**fields))


def test_a_proof_reused_for_another_statement_is_invalid(rollup_verifier, full_chunk, one_transfer):
    assert not verify(rollup_verifier, one_transfer, proof=full_chunk.proof.encoded)
    assert not verify(rollup_verifier, full_chunk, proof=one_transfer.proof.encoded)


def test_another_commitment_is_invalid(rollup_verifier, full_chunk, one_transfer):
    statement = full_chunk.statement
    other = MarketChunkStatement(statement.round_id, statement.chunk_index, statement.prover, one_transfer.statement.commitment, statement.data_hash)
    assert not verify(rollup_verifier, full_chunk, statement=other)


def test_altered_proof_points_still_on_the_curve_are_invalid(rollup_verifier, full_chunk):
    words = full_chunk.proof.words
    negated_c = proof_with(full_chunk, 7, BASE_FIELD_ORDER - words[7])
    assert not verify(rollup_verifier, full_chunk, proof=negated_c)


def test_malformed_statement_data_reverts(rollup_verifier, full_chunk):
    short = full_chunk.data[:32]
    reverts(rollup_verifier, full_chunk, "StatementDataLengthInvalid", statement=with_data(full_chunk.statement, short), data=short, length=32)
    other = rollup_statement_data(1, 2)
    reverts(rollup_verifier, full_chunk, "StatementDataHashMismatch", data=other)
    too_big = rollup_statement_data(SCALAR_FIELD_ORDER, 2)
    reverts(rollup_verifier, full_chunk, "StateRootNotInField", statement=with_data(full_chunk.statement, too_big), data=too_big, index=0)
    too_big = rollup_statement_data(1, SCALAR_FIELD_ORDER)
    reverts(rollup_verifier, full_chunk, "StateRootNotInField", statement=with_data(full_chunk.statement, too_big), data=too_big, index=1)


def test_a_commitment_outside_the_field_reverts(rollup_verifier, full_chunk):
    statement = full_chunk.statement
    outside = MarketChunkStatement(statement.round_id, statement.chunk_index, statement.prover, b"\xff" * 32, statement.data_hash)
    reverts(rollup_verifier, full_chunk, "ChunkCommitmentNotInField", statement=outside)


def test_malformed_proof_bytes_revert(rollup_verifier, full_chunk):
    reverts(rollup_verifier, full_chunk, "ProofLengthInvalid", proof=full_chunk.proof.encoded + b"\x00", length=257)
    reverts(rollup_verifier, full_chunk, "ProofCoordinateNotInField", proof=proof_with(full_chunk, 3, BASE_FIELD_ORDER), word=3)
    reverts(rollup_verifier, full_chunk, "ProofPointNotOnCurve", proof=proof_with(full_chunk, 1, 1), point=A)
    reverts(rollup_verifier, full_chunk, "ProofPointNotOnCurve", proof=proof_with(full_chunk, 2, 1), point=B)
    reverts(rollup_verifier, full_chunk, "ProofPointNotOnCurve", proof=proof_with(full_chunk, 6, 0), point=C)


def test_verification_gas_is_measured(web3, signers, rollup_verifier, full_chunk):
    gas = measure_rollup_verify_gas(web3, signers[0], rollup_verifier, full_chunk.statement, full_chunk.data, full_chunk.proof.encoded)
    print(f"RollupChunkVerifier.verifyChunkProof gas: {gas}")
    assert 200_000 < gas < 400_000
