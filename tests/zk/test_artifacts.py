"""The committed DEVELOPMENT ceremony: its files agree with each other and with the circuit."""

from __future__ import annotations

import hashlib
import json

import pytest

from proofmarket.zk.ceremony import GROTH16_BEACON, POWERS_OF_TAU_BEACON, required_power
from proofmarket.zk.circuit import (
    CIRCUIT_SOURCE,
    DEVELOPMENT_LABEL,
    CircuitArtifacts,
    CircuitArtifactsMissing,
    default_artifacts,
    load_ceremony_record,
    repository_relative,
    segment_size_of_source,
    sha256_file,
    verifying_key_solidity_path,
)
from proofmarket.zk.codegen import VerifyingKeyInvalid, parse_verifying_key, render_verifying_key_solidity


@pytest.fixture(scope="module")
def artifacts() -> CircuitArtifacts:
    return default_artifacts()


def test_committed_solidity_key_is_the_generators_output_for_the_committed_key(artifacts):
    expected = render_verifying_key_solidity(
        artifacts.verification_key.read_bytes(), repository_relative(artifacts.verification_key)
    )
    assert verifying_key_solidity_path().read_text() == expected


def test_committed_solidity_key_holds_every_coordinate_of_the_json_key(artifacts):
    document = json.loads(artifacts.verification_key.read_text())
    solidity = verifying_key_solidity_path().read_text()
    numbers = [document["vk_alpha_1"][:2]] + [point[:2] for point in document["IC"]]
    numbers += [coordinate for name in ("vk_beta_2", "vk_gamma_2", "vk_delta_2") for coordinate in document[name][:2]]
    for pair in numbers:
        for value in pair:
            assert f"0x{int(value):064x}" in solidity


def test_every_artifact_matches_its_hash_in_the_ceremony_record(artifacts):
    record = load_ceremony_record(artifacts, check_hashes=True)
    assert set(record.artifact_sha256) == {"chunk_segment.wasm", "chunk_segment.zkey", "verification_key.json"}


def test_circuit_source_is_the_one_the_ceremony_was_run_for(artifacts):
    record = load_ceremony_record(artifacts)
    assert sha256_file(CIRCUIT_SOURCE) == record.circuit_sha256, "circuit changed: run `proofmarket zk setup`"
    assert segment_size_of_source(CIRCUIT_SOURCE.read_text()) == record.segment_size == 64
    assert record.public_inputs == 3
    assert required_power(record.constraints, record.public_inputs, 0) == record.powers_of_tau


def test_ceremony_is_labelled_development_everywhere(artifacts):
    record = load_ceremony_record(artifacts)
    assert record.document["label"] == DEVELOPMENT_LABEL == "DEVELOPMENT CEREMONY -- NOT FOR PRODUCTION"
    assert DEVELOPMENT_LABEL in verifying_key_solidity_path().read_text()
    assert DEVELOPMENT_LABEL in (artifacts.directory / "README.md").read_text()


def test_beacons_are_the_documented_public_strings(artifacts):
    record = load_ceremony_record(artifacts).document
    assert POWERS_OF_TAU_BEACON == hashlib.sha256(b"proofmarket development ceremony: powers of tau").hexdigest()
    assert GROTH16_BEACON == hashlib.sha256(b"proofmarket development ceremony: groth16").hexdigest()
    assert record["powers_of_tau"]["beacon_hash"] == POWERS_OF_TAU_BEACON
    assert record["groth16"]["beacon_hash"] == GROTH16_BEACON


def test_verifying_key_is_a_three_input_groth16_key_on_the_curve(artifacts):
    key = parse_verifying_key(json.loads(artifacts.verification_key.read_text()))
    assert len(key.ic) == 4


def test_verifying_key_parser_refuses_a_point_off_the_curve(artifacts):
    document = json.loads(artifacts.verification_key.read_text())
    document["IC"][2][1] = str(int(document["IC"][2][1]) + 1)
    with pytest.raises(VerifyingKeyInvalid, match=r"IC\[2\] is not on the curve"):
        parse_verifying_key(document)
    document = json.loads(artifacts.verification_key.read_text())
    document["nPublic"] = 2
    with pytest.raises(VerifyingKeyInvalid, match="nPublic is 2"):
        parse_verifying_key(document)


def test_missing_or_altered_artifacts_are_reported(tmp_path, artifacts):
    with pytest.raises(CircuitArtifactsMissing, match="no ceremony.json"):
        load_ceremony_record(CircuitArtifacts(tmp_path))
    for name in ("ceremony.json", "verification_key.json", "chunk_segment.wasm"):
        (tmp_path / name).write_bytes((artifacts.directory / name).read_bytes())
    with pytest.raises(CircuitArtifactsMissing, match="no chunk_segment.zkey"):
        load_ceremony_record(CircuitArtifacts(tmp_path))
    (tmp_path / "chunk_segment.zkey").write_bytes(b"not a zkey")
    with pytest.raises(CircuitArtifactsMissing, match="chunk_segment.zkey differs"):
        load_ceremony_record(CircuitArtifacts(tmp_path), check_hashes=True)
