"""Fixtures of the zero-knowledge tests: chunks proved once per session, a deployed verifier.

Proving is real (snarkjs through node, about a second per segment), so every chunk the tests
need is proved once, here, and shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_hash.auto import keccak

from proofmarket.chain.market import ChunkStatement
from proofmarket.zk.commitment import chunk_commitment
from proofmarket.zk.prover import ChunkProof, prove_chunk_segments
from proofmarket.zk.verifier import deploy_chunk_verifier


#: Computes each input's witness of a test circuit and prints its first ``argv[5]`` output signals.
WITNESS_SCRIPT = """
const snarkjs = require(require("path").join(process.argv[1], "snarkjs"));
const [wasm, directory, inputs] = [process.argv[2], process.argv[3], JSON.parse(process.argv[4])];
const count = Number(process.argv[5]);
(async () => {
    const outputs = [];
    for (const [index, input] of inputs.entries()) {
        const file = `${directory}/${index}.wtns`;
        await snarkjs.wtns.calculate(input, wasm, file);
        const witness = await snarkjs.wtns.exportJson(file);
        // signal 0 is the constant 1; the outputs come next
        outputs.push(Array.from({length: count}, (_, signal) => witness[signal + 1].toString()));
    }
    process.stdout.write(JSON.stringify(outputs), () => process.exit(0));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def compile_test_circuit(tmp_path_factory, name: str, outputs: int, private_inputs: int) -> Path:
    """tests/zk/circuits/<name>.circom compiled with circom2 (checked: BN254, its outputs and
    private inputs); returns its wasm."""
    from proofmarket.zk.circuit import read_r1cs_header
    from proofmarket.zk.field import SCALAR_FIELD_ORDER
    from proofmarket.zk.toolchain import node_modules_directory, run_circom

    build = tmp_path_factory.mktemp(name)
    circomlib = node_modules_directory() / "circomlib" / "circuits"
    run_circom("circom2", [Path(__file__).parent / "circuits" / f"{name}.circom", "--r1cs", "--wasm", "-l", circomlib, "-o", build])
    header = read_r1cs_header(build / f"{name}.r1cs")
    assert header.prime == SCALAR_FIELD_ORDER
    assert (header.public_outputs, header.private_inputs) == (outputs, private_inputs)
    return build / f"{name}_js" / f"{name}.wasm"


def circuit_outputs(wasm: Path, inputs: list[dict], directory: Path, outputs: int) -> list[list[int]]:
    """The first ``outputs`` output signals of the circuit's witness for each input."""
    import json

    from proofmarket.zk.toolchain import node_modules_directory, run_node

    output = run_node(
        "witness", ["-e", WITNESS_SCRIPT, node_modules_directory(), wasm, directory, json.dumps(inputs), str(outputs)]
    )
    return [[int(value) for value in values] for values in json.loads(output)]


def transaction_hashes(label: str, count: int) -> list[bytes]:
    """``count`` distinct 32-byte transaction hashes, reproducible from ``label``."""
    return [keccak(f"{label} transaction {index}".encode()) for index in range(count)]


@dataclass(frozen=True)
class ProvedChunk:
    """A chunk's transactions, its commitment, its prover and its proof."""

    tx_hashes: list[bytes]
    commitment: bytes
    prover: str
    proof: ChunkProof

    @property
    def encoded(self) -> bytes:
        return self.proof.encoded

    @property
    def statement(self) -> ChunkStatement:
        """The statement the chunk is proved for: chunk 0 of round 0, no statement data."""
        return ChunkStatement(0, 0, self.prover, self.commitment)


def prove(label: str, count: int, prover: str) -> ProvedChunk:
    tx_hashes = transaction_hashes(label, count)
    binding = ChunkStatement(0, 0, prover, chunk_commitment(tx_hashes)).binding()
    return ProvedChunk(tx_hashes, chunk_commitment(tx_hashes), prover, prove_chunk_segments(tx_hashes, binding))


@pytest.fixture(scope="session")
def zk_prover(signers):
    """The prover the session's chunks are proved for."""
    return signers[5]


@pytest.fixture(scope="session")
def one_transaction(zk_prover) -> ProvedChunk:
    """A chunk of 1 transaction: one segment."""
    return prove("one", 1, zk_prover.address)


@pytest.fixture(scope="session")
def five_transactions(zk_prover) -> ProvedChunk:
    """A chunk of 5 transactions: one segment."""
    return prove("five", 5, zk_prover.address)


@pytest.fixture(scope="session")
def two_segments(zk_prover) -> ProvedChunk:
    """A chunk of 70 transactions: segments of 64 and 6."""
    return prove("seventy", 70, zk_prover.address)


@pytest.fixture(scope="session")
def three_segments(zk_prover) -> ProvedChunk:
    """A chunk of 140 transactions: segments of 64, 64 and 12."""
    return prove("hundred forty", 140, zk_prover.address)


@pytest.fixture(scope="session")
def chunk_verifier(web3, signers):
    """One deployed Groth16ChunkVerifier for the session (it has no state)."""
    return deploy_chunk_verifier(web3, signers[0])
