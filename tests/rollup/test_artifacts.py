"""The committed DEVELOPMENT artifacts of the rollup chunk circuit are consistent (docs/rollup.md, "Ceremony")."""

from __future__ import annotations

import json

import pytest

from proofmarket.rollup.circuit import ROLLUP_CIRCUIT, rollup_artifacts
from proofmarket.rollup.witness import CHUNK_SLOTS
from proofmarket.zk.ceremony import GROTH16_BEACON, POWERS_OF_TAU_BEACON, required_power
from proofmarket.zk.circuit import DEVELOPMENT_LABEL, CircuitArtifacts, load_ceremony_record, repository_relative, sha256_file
from proofmarket.zk.codegen import parse_verifying_key, render_verifying_key_solidity

#: The zkey is committed: keep it small (docs/rollup.md gives its size).
ZKEY_SIZE_LIMIT = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def artifacts() -> CircuitArtifacts:
    return rollup_artifacts()


def test_committed_solidity_key_is_the_generators_output_for_the_committed_key(artifacts):
    expected = render_verifying_key_solidity(
        artifacts.verification_key.read_bytes(), repository_relative(artifacts.verification_key), ROLLUP_CIRCUIT
    )
    assert ROLLUP_CIRCUIT.solidity_key_path().read_text() == expected
    assert "written by `proofmarket rollup setup`" in expected
    assert "coefficient of binding" in expected


def test_every_artifact_matches_its_hash_in_the_ceremony_record(artifacts):
    record = load_ceremony_record(artifacts, check_hashes=True, circuit=ROLLUP_CIRCUIT)
    assert set(record.artifact_sha256) == {"rollup_chunk.wasm", "rollup_chunk.zkey", "verification_key.json"}
    assert artifacts.zkey.stat().st_size < ZKEY_SIZE_LIMIT


def test_circuit_source_is_the_one_the_ceremony_was_run_for(artifacts):
    record = load_ceremony_record(artifacts, circuit=ROLLUP_CIRCUIT)
    assert sha256_file(ROLLUP_CIRCUIT.source) == record.circuit_sha256, "circuit changed: run `proofmarket rollup setup`"
    assert ROLLUP_CIRCUIT.size_of_source(ROLLUP_CIRCUIT.source.read_text()) == record.segment_size == CHUNK_SLOTS
    assert record.public_inputs == 4
    assert required_power(record.constraints, record.public_inputs, 0) == record.powers_of_tau == 15


def test_ceremony_is_labelled_development_and_uses_the_public_beacons(artifacts):
    record = load_ceremony_record(artifacts, circuit=ROLLUP_CIRCUIT).document
    assert record["label"] == DEVELOPMENT_LABEL
    assert DEVELOPMENT_LABEL in ROLLUP_CIRCUIT.solidity_key_path().read_text()
    assert DEVELOPMENT_LABEL in (artifacts.directory / "README.md").read_text()
    assert record["powers_of_tau"]["beacon_hash"] == POWERS_OF_TAU_BEACON
    assert record["groth16"]["beacon_hash"] == GROTH16_BEACON


def test_verifying_key_is_a_four_input_groth16_key_on_the_curve(artifacts):
    key = parse_verifying_key(json.loads(artifacts.verification_key.read_text()), public_inputs=ROLLUP_CIRCUIT.public_inputs)
    assert len(key.ic) == 5
