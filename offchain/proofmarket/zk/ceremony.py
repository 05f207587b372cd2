"""The development trusted setup of a circuit: ``proofmarket zk setup`` for the segment circuit
(docs/zk.md), ``proofmarket rollup setup`` for the rollup's chunk circuit (docs/rollup.md).

DEVELOPMENT CEREMONY -- NOT FOR PRODUCTION. Every contribution is a snarkjs *beacon* with a
public, fixed hash, so the whole setup is a deterministic function of the circuit: anyone can
rebuild it bit for bit (``--check`` does), and anyone can therefore rebuild its toxic waste and
forge proofs. That is the point for development (reproducible artifacts, no secret to keep) and
the reason it must never secure real funds.

Steps: compile the circuit with circom2 (r1cs, wasm); powers of tau for the smallest power that
fits (``new``, ``beacon``, ``prepare phase2``; kept in the cache, keyed by power and beacon, as
the only slow step); Groth16 ``setup`` and a ``zkey beacon``; export the verifying key; write the
artifacts, the ceremony record and the generated Solidity verifying key.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from proofmarket.chain.paths import cache_directory
from proofmarket.exceptions import ZkError

from .circuit import (
    DEVELOPMENT_LABEL,
    SEGMENT_CIRCUIT,
    CircuitArtifacts,
    CircuitSpec,
    read_r1cs_header,
    repository_relative,
    sha256_file,
)
from .codegen import write_verifying_key_solidity
from .field import SCALAR_FIELD_ORDER
from .toolchain import node_modules_directory, package_version, run_circom, run_snarkjs

#: The public beacon of the powers-of-tau phase (hex).
POWERS_OF_TAU_BEACON = hashlib.sha256(b"proofmarket development ceremony: powers of tau").hexdigest()

#: The public beacon of the circuit-specific (Groth16) phase (hex).
GROTH16_BEACON = hashlib.sha256(b"proofmarket development ceremony: groth16").hexdigest()

#: snarkjs's beacon iterates its hash 2^exponent times.
BEACON_ITERATIONS_EXPONENT = 10

#: The smallest powers-of-tau power snarkjs handles well.
MINIMUM_POWER = 8


@dataclass(frozen=True)
class SetupEvent:
    """Progress of one step: ``state`` is ``started``, ``finished`` or ``cached``."""

    index: int
    total: int
    description: str
    state: str
    seconds: float = 0.0


@dataclass(frozen=True)
class SetupResult:
    """What a setup produced."""

    artifacts: CircuitArtifacts
    solidity_path: Path
    segment_size: int
    constraints: int
    power: int
    seconds: float


class SetupMismatch(ZkError):
    """``--check``: a rebuilt artifact differs from the committed one."""

    def __init__(self, differences: list[str]):
        self.differences = differences
        super().__init__("the development ceremony is not reproduced: " + "; ".join(differences))


def required_power(constraints: int, public_inputs: int, public_outputs: int) -> int:
    """The smallest k with 2^k >= constraints + public signals + 1 (snarkjs's ``zkey new`` rule)."""
    return max(MINIMUM_POWER, (constraints + public_inputs + public_outputs).bit_length())


def _beacon_arguments(beacon: str) -> list[str]:
    return [beacon, str(BEACON_ITERATIONS_EXPONENT), "-n=proofmarket development beacon"]


class _Steps:
    """Numbers the steps and reports their start, end and duration."""

    def __init__(self, total: int, report: Callable[[SetupEvent], None]):
        self.index = 0
        self.total = total
        self.report = report

    def run(self, description: str, action: Callable[[], object]) -> object:
        self.index += 1
        self.report(SetupEvent(self.index, self.total, description, "started"))
        began = time.monotonic()
        result = action()
        self.report(SetupEvent(self.index, self.total, description, "finished", time.monotonic() - began))
        return result

    def skip(self, description: str) -> None:
        self.index += 1
        self.report(SetupEvent(self.index, self.total, description, "cached"))


def default_powers_of_tau_directory() -> Path:
    """Where prepared powers-of-tau files are kept: ``<cache>/zk/ptau`` (not committed)."""
    return cache_directory() / "zk" / "ptau"


def _powers_of_tau(power: int, steps: _Steps, directory: Path) -> Path:
    """The prepared (phase 2) powers-of-tau file of ``power`` in ``directory``, built once."""
    final = directory / f"pot{power}_{POWERS_OF_TAU_BEACON[:12]}_final.ptau"
    descriptions = [
        f"powers of tau 2^{power}: new",
        f"powers of tau 2^{power}: beacon",
        f"powers of tau 2^{power}: prepare phase 2 (the slow step)",
    ]
    if final.is_file():
        for description in descriptions:
            steps.skip(f"{description} [cached: {repository_relative(final)}]")
        return final
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        initial, contributed, prepared = (Path(scratch) / name for name in ("0000.ptau", "0001.ptau", "final.ptau"))
        steps.run(descriptions[0], lambda: run_snarkjs(descriptions[0], ["powersoftau", "new", "bn128", str(power), initial]))
        steps.run(
            descriptions[1],
            lambda: run_snarkjs(descriptions[1], ["powersoftau", "beacon", initial, contributed, *_beacon_arguments(POWERS_OF_TAU_BEACON)]),
        )
        steps.run(descriptions[2], lambda: run_snarkjs(descriptions[2], ["powersoftau", "prepare", "phase2", contributed, prepared]))
        prepared.replace(final)
    return final


def run_development_ceremony(
    artifacts: CircuitArtifacts,
    solidity_path: Path | None = None,
    report: Callable[[SetupEvent], None] = lambda event: None,
    key_label: str | None = None,
    powers_of_tau_directory: Path | None = None,
    circuit: CircuitSpec = SEGMENT_CIRCUIT,
) -> SetupResult:
    """Build ``circuit`` (default: the segment circuit) and run the development ceremony,
    writing into ``artifacts.directory``.

    Writes ``<name>.wasm``, ``<name>.zkey``, ``verification_key.json``,
    ``ceremony.json`` and the Solidity key at ``solidity_path`` (default: the committed one),
    whose header names the key file as ``key_label`` (default: its repository path). The
    prepared powers of tau are reused from ``powers_of_tau_directory`` (default: the cache).
    ``report`` receives a :class:`SetupEvent` when each step starts and ends. Raises
    :class:`~proofmarket.zk.toolchain.ZkCommandFailed` if a tool fails.
    """
    scratch_root = cache_directory() / "zk"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root, prefix="build-") as build:
        return _run_ceremony(
            Path(build),
            circuit,
            artifacts,
            solidity_path or circuit.solidity_key_path(),
            report,
            key_label or repository_relative(artifacts.verification_key),
            powers_of_tau_directory or default_powers_of_tau_directory(),
        )


def _run_ceremony(
    build: Path,
    circuit: CircuitSpec,
    artifacts: CircuitArtifacts,
    solidity_path: Path,
    report: Callable[[SetupEvent], None],
    key_label: str,
    powers_of_tau_directory: Path,
) -> SetupResult:
    """The steps of :func:`run_development_ceremony`, with intermediate files in ``build``."""
    began = time.monotonic()
    steps = _Steps(total=8, report=report)
    segment_size = circuit.size_of_source(circuit.source.read_text())
    circomlib = node_modules_directory() / "circomlib" / "circuits"
    steps.run(
        f"compile {repository_relative(circuit.source)} (N = {segment_size}) with circom2",
        lambda: run_circom("circom2", [circuit.source, "--r1cs", "--wasm", "--O2", "-l", circomlib, "-o", build]),
    )
    r1cs = build / f"{circuit.name}.r1cs"
    header = read_r1cs_header(r1cs)
    if header.prime != SCALAR_FIELD_ORDER:
        raise ZkError(f"{r1cs} is over the prime {header.prime}, not BN254's scalar field")
    power = required_power(header.constraints, header.public_inputs, header.public_outputs)
    ptau = _powers_of_tau(power, steps, powers_of_tau_directory)

    initial_zkey, final_zkey = build / f"{circuit.name}_0000.zkey", build / f"{circuit.name}.zkey"
    verification_key = build / "verification_key.json"
    steps.run(
        f"groth16 setup ({header.constraints} constraints)",
        lambda: run_snarkjs("groth16 setup", ["groth16", "setup", r1cs, ptau, initial_zkey]),
    )
    steps.run(
        "zkey beacon",
        lambda: run_snarkjs("zkey beacon", ["zkey", "beacon", initial_zkey, final_zkey, *_beacon_arguments(GROTH16_BEACON)]),
    )
    steps.run(
        "export verification key",
        lambda: run_snarkjs("export verification key", ["zkey", "export", "verificationkey", final_zkey, verification_key]),
    )

    def install() -> None:
        artifacts.directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build / f"{circuit.name}_js" / f"{circuit.name}.wasm", artifacts.wasm)
        shutil.copyfile(final_zkey, artifacts.zkey)
        shutil.copyfile(verification_key, artifacts.verification_key)
        record = {
            "label": DEVELOPMENT_LABEL,
            "warning": (
                "Every contribution is a public beacon: anyone can recompute the toxic waste and "
                "forge proofs. For development and tests only; a production deployment needs a "
                "key from a real multi-party ceremony."
            ),
            "circuit": {
                "source": repository_relative(circuit.source),
                "source_sha256": sha256_file(circuit.source),
                circuit.size_field: segment_size,
                "constraints": header.constraints,
                "wires": header.wires,
                "public_inputs": header.public_inputs + header.public_outputs,
                "private_inputs": header.private_inputs,
                "compiler_flags": ["--O2"],
            },
            "powers_of_tau": {
                "power": power,
                "steps": ["new", "beacon", "prepare phase2"],
                "beacon_hash": POWERS_OF_TAU_BEACON,
                "beacon_iterations_exponent": BEACON_ITERATIONS_EXPONENT,
            },
            "groth16": {
                "steps": ["setup", "beacon"],
                "beacon_hash": GROTH16_BEACON,
                "beacon_iterations_exponent": BEACON_ITERATIONS_EXPONENT,
            },
            "tools": {name: package_version(name) for name in ("circom2", "circomlib", "snarkjs")},
            "artifacts": {name: sha256_file(path) for name, path in artifacts.files().items()},
        }
        artifacts.record.write_text(json.dumps(record, indent=2) + "\n")
        write_verifying_key_solidity(artifacts.verification_key, solidity_path, key_label, circuit)

    steps.run(f"write artifacts to {repository_relative(artifacts.directory)}", install)
    return SetupResult(artifacts, solidity_path, segment_size, header.constraints, power, time.monotonic() - began)


def check_reproducible(
    committed: CircuitArtifacts,
    committed_solidity: Path | None = None,
    report: Callable[[SetupEvent], None] = lambda event: None,
    circuit: CircuitSpec = SEGMENT_CIRCUIT,
) -> SetupResult:
    """Rerun the whole ceremony of ``circuit``, powers of tau included, in a scratch directory
    and compare every output with the committed one.

    Raises :class:`SetupMismatch` listing the committed files that differ from their rebuild.
    """
    committed_solidity = committed_solidity or circuit.solidity_key_path()
    scratch_root = cache_directory() / "zk"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root) as scratch:
        rebuilt = CircuitArtifacts(Path(scratch) / "artifacts", circuit.name)
        result = run_development_ceremony(
            rebuilt,
            Path(scratch) / circuit.solidity_key[-1],
            report,
            key_label=repository_relative(committed.verification_key),
            powers_of_tau_directory=Path(scratch) / "ptau",
            circuit=circuit,
        )
        pairs = [
            *((rebuilt.directory / name, committed.directory / name) for name in [*committed.files(), committed.record.name]),
            (result.solidity_path, committed_solidity),
        ]
        differences = [
            f"{repository_relative(old)} differs from its rebuild"
            for new, old in pairs
            if not old.is_file() or sha256_file(new) != sha256_file(old)
        ]
        if differences:
            raise SetupMismatch(differences)
        return result
