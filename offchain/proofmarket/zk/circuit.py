"""The project's circuits: where their sources and artifacts live, and what their setups recorded.

A :class:`CircuitSpec` describes one circuit (its source, main template, public inputs, where its
committed artifacts and generated Solidity key live); :data:`SEGMENT_CIRCUIT` is the chunk
segment circuit (docs/zk.md), and ``proofmarket.rollup.circuit.ROLLUP_CIRCUIT`` the rollup's
chunk circuit (docs/rollup.md). For the segment circuit, the artifacts proving needs
(``chunk_segment.wasm``, ``chunk_segment.zkey``, ``verification_key.json``) and the ceremony
record ``ceremony.json`` are committed in ``offchain/proofmarket/zk/artifacts/``;
``proofmarket zk setup`` rebuilds them.
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
POSEIDON_WIDE_CONSTANTS_SOLIDITY = REPOSITORY_ROOT / "contracts" / "rollup" / "PoseidonWideConstants.sol"
CIRCOMLIB_POSEIDON_CONSTANTS = "circomlib/circuits/poseidon_constants_old.circom"

#: The label every artifact of the development ceremony carries.
DEVELOPMENT_LABEL = "DEVELOPMENT CEREMONY -- NOT FOR PRODUCTION"


class CircuitArtifactsMissing(ZkError):
    """The circuit's artifacts are absent or do not match their ceremony record."""

    def __init__(self, directory: Path, reason: str, setup_command: str = "proofmarket zk setup"):
        self.directory = directory
        self.reason = reason
        super().__init__(f"circuit artifacts in {directory} are unusable ({reason}): run `{setup_command}`")


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
    """The generated Solidity verifying key of the segment circuit, beside the verifier contract."""
    return contracts_directory() / "verifiers" / "ChunkVerifyingKey.sol"


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class CircuitSpec:
    """One circuit of the project and the places of its development setup's outputs.

    ``circuits/<name>.circom`` ends with ``component main ... = <template>(<size>, ...);``; the
    ceremony record stores ``<size>`` under ``size_field``. ``public_inputs`` are in the order
    of the verifying key's IC points; ``solidity_key`` is the generated key's path below
    ``contracts/``; ``description`` names the circuit in generated headers and
    ``setup_command`` is the command that runs its ceremony.
    """

    name: str
    template: str
    size_field: str
    public_inputs: tuple[str, ...]
    description: str
    setup_command: str
    default_directory: Path
    environment_variable: str
    solidity_key: tuple[str, ...]

    @property
    def source(self) -> Path:
        """The circuit source."""
        return REPOSITORY_ROOT / "circuits" / f"{self.name}.circom"

    def solidity_key_path(self) -> Path:
        """The generated Solidity verifying key."""
        return contracts_directory().joinpath(*self.solidity_key)

    def artifacts(self) -> CircuitArtifacts:
        """``$<environment_variable>`` or the committed artifacts directory."""
        return CircuitArtifacts(Path(os.environ.get(self.environment_variable, self.default_directory)), self.name)

    def size_of_source(self, source_text: str) -> int:
        """The first parameter of the ``component main`` line's template (N of ``ChunkSegment(N)``)."""
        pattern = rf"component\s+main\b[^=]*=\s*{self.template}\(\s*(\d+)\s*[,)]"
        match = re.search(pattern, source_text)
        if match is None:
            raise ZkError(f"{self.source.name} has no `component main ... = {self.template}(N, ...);` line")
        return int(match.group(1))


@dataclass(frozen=True)
class CircuitArtifacts:
    """The files of one circuit setup, all in ``directory``, named after the circuit."""

    directory: Path
    name: str = CIRCUIT_NAME

    @property
    def wasm(self) -> Path:
        """The witness generator circom compiled to WebAssembly."""
        return self.directory / f"{self.name}.wasm"

    @property
    def zkey(self) -> Path:
        """The Groth16 proving key (snarkjs zkey, after the final beacon)."""
        return self.directory / f"{self.name}.zkey"

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


#: The chunk segment circuit (docs/zk.md).
SEGMENT_CIRCUIT = CircuitSpec(
    name=CIRCUIT_NAME,
    template="ChunkSegment",
    size_field="segment_size",
    public_inputs=("previousCommitment", "nextCommitment", "prover"),
    description="the chunk segment circuit",
    setup_command="proofmarket zk setup",
    default_directory=DEFAULT_ARTIFACTS_DIRECTORY,
    environment_variable="PROOFMARKET_ZK_ARTIFACTS",
    solidity_key=("verifiers", "ChunkVerifyingKey.sol"),
)


def default_artifacts() -> CircuitArtifacts:
    """``$PROOFMARKET_ZK_ARTIFACTS`` or the committed ``offchain/proofmarket/zk/artifacts/``."""
    return SEGMENT_CIRCUIT.artifacts()


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


def load_ceremony_record(
    artifacts: CircuitArtifacts, check_hashes: bool = False, circuit: CircuitSpec = SEGMENT_CIRCUIT
) -> CeremonyRecord:
    """Read ``ceremony.json`` of ``circuit`` (default: the segment circuit); with
    ``check_hashes``, also check every artifact's SHA-256.

    :attr:`CeremonyRecord.segment_size` holds the circuit's size (the record's
    ``circuit.size_field``: N of the segment circuit, the slots of the rollup's).

    Raises :class:`CircuitArtifactsMissing` if the record or an artifact is missing, or an
    artifact's hash differs from the record's.
    """
    if not artifacts.record.is_file():
        raise CircuitArtifactsMissing(artifacts.directory, f"no {artifacts.record.name}", circuit.setup_command)
    document = json.loads(artifacts.record.read_text())
    for name, path in artifacts.files().items():
        if not path.is_file():
            raise CircuitArtifactsMissing(artifacts.directory, f"no {name}", circuit.setup_command)
        if check_hashes and sha256_file(path) != document["artifacts"][name]:
            raise CircuitArtifactsMissing(
                artifacts.directory, f"{name} differs from the one {artifacts.record.name} records", circuit.setup_command
            )
    circuit_document = document["circuit"]
    return CeremonyRecord(
        segment_size=int(circuit_document[circuit.size_field]),
        constraints=int(circuit_document["constraints"]),
        public_inputs=int(circuit_document["public_inputs"]),
        private_inputs=int(circuit_document["private_inputs"]),
        powers_of_tau=int(document["powers_of_tau"]["power"]),
        circuit_sha256=circuit_document["source_sha256"],
        artifact_sha256=dict(document["artifacts"]),
        document=document,
    )


def circuit_summary(artifacts: CircuitArtifacts | None = None) -> dict[str, object]:
    """The circuit's figures from its ceremony record (segment size, constraints, power, label)."""
    artifacts = artifacts or default_artifacts()
    record = load_ceremony_record(artifacts)
    if record.public_inputs != 3:
        raise ZkError(f"the ceremony record has {record.public_inputs} public inputs, the verifier expects 3")
    return {
        "segment_size": record.segment_size,
        "constraints": record.constraints,
        "powers_of_tau": record.powers_of_tau,
        "label": record.document["label"],
    }


def segment_size_of_source(source_text: str) -> int:
    """N of the ``component main`` line of the circuit source (``ChunkSegment(N)``)."""
    return SEGMENT_CIRCUIT.size_of_source(source_text)


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
