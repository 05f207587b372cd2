"""The chunk segment circuit: where its source and artifacts live, and what its setup recorded.

The artifacts proving needs (``chunk_segment.wasm``, ``chunk_segment.zkey``,
``verification_key.json``) and the ceremony record ``ceremony.json`` are committed in
``offchain/proofmarket/zk/artifacts/``; ``proofmarket zk setup`` rebuilds them (docs/zk.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from proofmarket.chain.paths import REPOSITORY_ROOT, contracts_directory
from proofmarket.exceptions import ZkError

#: The circuit's name: its source is ``circuits/<name>.circom``, its artifacts ``<name>.*``.
CIRCUIT_NAME = "chunk_segment"

#: The circuit source.
CIRCUIT_SOURCE = REPOSITORY_ROOT / "circuits" / f"{CIRCUIT_NAME}.circom"

#: The committed artifacts of the development ceremony.
DEFAULT_ARTIFACTS_DIRECTORY = Path(__file__).resolve().parent / "artifacts"

#: The generated Python module and Solidity file of Poseidon constants, and the circomlib file
#: they come from.
POSEIDON_CONSTANTS_MODULE = Path(__file__).resolve().parent / "poseidon_constants.py"
POSEIDON_CONSTANTS_SOLIDITY = REPOSITORY_ROOT / "contracts" / "libraries" / "PoseidonConstants.sol"
POSEIDON_WIDE_CONSTANTS_MODULE = Path(__file__).resolve().parent / "poseidon_wide_constants.py"
CIRCOMLIB_POSEIDON_CONSTANTS = "circomlib/circuits/poseidon_constants_old.circom"

#: The label every artifact of the development ceremony carries.
DEVELOPMENT_LABEL = "DEVELOPMENT CEREMONY -- NOT FOR PRODUCTION"


class CircuitArtifactsMissing(ZkError):
    """The circuit's artifacts are absent or do not match their ceremony record."""

    def __init__(self, directory: Path, reason: str):
        self.directory = directory
        self.reason = reason
        super().__init__(f"circuit artifacts in {directory} are unusable ({reason}): run `proofmarket zk setup`")


class R1csInvalid(ZkError):
    """A file is not an R1CS file circom wrote."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path} is not a readable R1CS file: {reason}")


def repository_relative(path: Path) -> str:
    """``path`` relative to the repository root when it is inside it, else absolute."""
    try:
        return str(Path(path).resolve().relative_to(REPOSITORY_ROOT))
    except ValueError:
        return str(path)


def verifying_key_solidity_path() -> Path:
    """The generated Solidity verifying key, beside the verifier contract."""
    return contracts_directory() / "verifiers" / "ChunkVerifyingKey.sol"


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class CircuitArtifacts:
    """The files of one circuit setup, all in ``directory``."""

    directory: Path

    @property
    def wasm(self) -> Path:
        """The witness generator circom compiled to WebAssembly."""
        return self.directory / f"{CIRCUIT_NAME}.wasm"

    @property
    def zkey(self) -> Path:
        """The Groth16 proving key (snarkjs zkey, after the final beacon)."""
        return self.directory / f"{CIRCUIT_NAME}.zkey"

    @property
    def verification_key(self) -> Path:
        """The Groth16 verifying key, as snarkjs exports it."""
        return self.directory / "verification_key.json"

    @property
    def record(self) -> Path:
        """The ceremony record: parameters, tool versions, and the SHA-256 of each artifact."""
        return self.directory / "ceremony.json"

    def files(self) -> dict[str, Path]:
        """The artifacts the record hashes, by file name."""
        return {path.name: path for path in (self.wasm, self.zkey, self.verification_key)}


def default_artifacts() -> CircuitArtifacts:
    """``$PROOFMARKET_ZK_ARTIFACTS`` or the committed ``offchain/proofmarket/zk/artifacts/``."""
    return CircuitArtifacts(Path(os.environ.get("PROOFMARKET_ZK_ARTIFACTS", DEFAULT_ARTIFACTS_DIRECTORY)))


@dataclass(frozen=True)
class CeremonyRecord:
    """What ``ceremony.json`` says about a setup (docs/zk.md, "Development ceremony")."""

    segment_size: int
    constraints: int
    public_inputs: int
    private_inputs: int
    powers_of_tau: int
    circuit_sha256: str
    artifact_sha256: dict[str, str]
    document: dict


def load_ceremony_record(artifacts: CircuitArtifacts, check_hashes: bool = False) -> CeremonyRecord:
    """Read ``ceremony.json``; with ``check_hashes``, also check every artifact's SHA-256.

    Raises :class:`CircuitArtifactsMissing` if the record or an artifact is missing, or an
    artifact's hash differs from the record's.
    """
    if not artifacts.record.is_file():
        raise CircuitArtifactsMissing(artifacts.directory, f"no {artifacts.record.name}")
    document = json.loads(artifacts.record.read_text())
    for name, path in artifacts.files().items():
        if not path.is_file():
            raise CircuitArtifactsMissing(artifacts.directory, f"no {name}")
        if check_hashes and sha256_file(path) != document["artifacts"][name]:
            raise CircuitArtifactsMissing(artifacts.directory, f"{name} differs from the one {artifacts.record.name} records")
    circuit = document["circuit"]
    return CeremonyRecord(
        segment_size=int(circuit["segment_size"]),
        constraints=int(circuit["constraints"]),
        public_inputs=int(circuit["public_inputs"]),
        private_inputs=int(circuit["private_inputs"]),
        powers_of_tau=int(document["powers_of_tau"]["power"]),
        circuit_sha256=circuit["source_sha256"],
        artifact_sha256=dict(document["artifacts"]),
        document=document,
    )


def segment_size_of_source(source_text: str) -> int:
    """N of the ``component main`` line of the circuit source (``ChunkSegment(N)``)."""
    match = re.search(r"component\s+main\b[^=]*=\s*ChunkSegment\(\s*(\d+)\s*\)\s*;", source_text)
    if match is None:
        raise ZkError(f"{CIRCUIT_SOURCE.name} has no `component main ... = ChunkSegment(N);` line")
    return int(match.group(1))


@dataclass(frozen=True)
class R1csHeader:
    """The header section of an R1CS file (iden3's r1cs binary format, version 1)."""

    field_size_bytes: int
    prime: int
    wires: int
    public_outputs: int
    public_inputs: int
    private_inputs: int
    labels: int
    constraints: int


def read_r1cs_header(path: Path) -> R1csHeader:
    """Parse the header section of the R1CS file at ``path``; raises :class:`R1csInvalid`."""
    data = Path(path).read_bytes()
    if data[:4] != b"r1cs":
        raise R1csInvalid(path, "no r1cs magic")
    version, sections = struct.unpack_from("<II", data, 4)
    if version != 1:
        raise R1csInvalid(path, f"version {version}, expected 1")
    offset = 12
    for _ in range(sections):
        section_type, size = struct.unpack_from("<IQ", data, offset)
        offset += 12
        if section_type == 1:
            (field_size,) = struct.unpack_from("<I", data, offset)
            prime = int.from_bytes(data[offset + 4 : offset + 4 + field_size], "little")
            wires, outputs, inputs, private, labels, constraints = struct.unpack_from("<IIIIQI", data, offset + 4 + field_size)
            return R1csHeader(field_size, prime, wires, outputs, inputs, private, labels, constraints)
        offset += size
    raise R1csInvalid(path, "no header section")
