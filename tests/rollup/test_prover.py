"""prove_rollup_chunk: real snarkjs proofs of the documented statement; snarkjs rejects forgeries."""

from __future__ import annotations

import json

import pytest

from proofmarket.rollup.circuit import rollup_artifacts
from proofmarket.rollup.prover import (
    ROLLUP_PROOF_BYTES,
    RollupProofEncodingInvalid,
    decode_rollup_proof,
    prove_rollup_chunk,
    prove_rollup_witness,
)
from proofmarket.rollup.state import OperationInvalid, Transfer
from proofmarket.rollup.witness import ChunkWitness, chunk_witness
from proofmarket.zk.circuit import CircuitArtifacts, CircuitArtifactsMissing
from proofmarket.zk.commitment import chunk_commitment_int
from proofmarket.zk.prover import ProvingFailed
from proofmarket.zk.toolchain import node_modules_directory, run_node

from .conftest import ALICE, BOB, funded_state

VERIFY_SCRIPT = """
const snarkjs = require(require("path").join(process.argv[1], "snarkjs"));
const key = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const [signals, proof] = [JSON.parse(process.argv[3]), JSON.parse(process.argv[4])];
snarkjs.groth16.verify(key, signals, proof).then(
    (valid) => process.stdout.write(JSON.stringify(valid), () => process.exit(0)),
    (error) => { console.error(error); process.exit(1); },
);
"""


def snarkjs_verifies(signals: list[str], proof: dict) -> bool:
    output = run_node(
        "verify",
        ["-e", VERIFY_SCRIPT, node_modules_directory(), rollup_artifacts().verification_key, json.dumps(signals), json.dumps(proof)],
    )
    return json.loads(output)


def test_a_valid_chunk_proves_its_statement(full_chunk):
    proof = full_chunk.proof
    post_state = full_chunk.pre_state.apply_all(full_chunk.operations)
    assert proof.statement.pre_state_root == full_chunk.pre_state.root
    assert proof.statement.post_state_root == post_state.root
    assert proof.statement.commitment == chunk_commitment_int(list(proof.witness.tx_hashes))
    assert proof.statement.binding == full_chunk.statement.binding()
    assert len(proof.witness.tx_hashes) == 2 and len(proof.encoded) == ROLLUP_PROOF_BYTES
    assert decode_rollup_proof(proof.encoded) == proof.words
    assert snarkjs_verifies(proof.statement.public_signals(), proof.snarkjs_proof)


def test_snarkjs_rejects_the_proof_for_a_forged_post_root_or_another_binding(full_chunk):
    signals = full_chunk.proof.statement.public_signals()
    for index in range(4):
        forged = list(signals)
        forged[index] = str(int(forged[index]) + 1)
        assert not snarkjs_verifies(forged, full_chunk.proof.snarkjs_proof), index


def test_a_forged_post_root_cannot_be_proved():
    witness = chunk_witness(funded_state(), [Transfer(ALICE, BOB, 1, 0)], 3)
    forged_input = dict(witness.circuit_input, postStateRoot=str(witness.statement.post_state_root + 1))
    forged = ChunkWitness(forged_input, witness.statement, witness.post_state, witness.tx_hashes)
    with pytest.raises(ProvingFailed, match="Assert Failed"):
        prove_rollup_witness(forged)


def test_an_invalid_transfer_has_no_witness():
    with pytest.raises(OperationInvalid, match="exceeds"):
        prove_rollup_chunk(funded_state(), [Transfer(BOB, ALICE, 6, 0)], 1)


def test_proving_without_artifacts_says_to_run_the_rollup_setup(tmp_path):
    with pytest.raises(CircuitArtifactsMissing, match="proofmarket rollup setup"):
        prove_rollup_chunk(funded_state(), [Transfer(ALICE, BOB, 1, 0)], 1, CircuitArtifacts(tmp_path, "rollup_chunk"))


def test_decoding_refuses_other_lengths():
    with pytest.raises(RollupProofEncodingInvalid):
        decode_rollup_proof(b"\x00" * 255)
