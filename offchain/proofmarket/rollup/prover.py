"""Proving a rollup chunk with snarkjs (docs/rollup.md, "Proving").

``prove_rollup_chunk(pre_state, operations, binding)`` builds the witness input
(:mod:`proofmarket.rollup.witness`), proves it with the committed DEVELOPMENT artifacts through
the same node script as the segment circuit (``proofmarket.zk.prover.run_groth16_proofs``),
checks the public signals, and encodes the proof for ``RollupChunkVerifier``:
``abi.encode(uint256[8])`` = ``A.x, A.y, B.x_imag, B.x_real, B.y_imag, B.y_real, C.x, C.y``
(256 bytes; G2 imaginary part first, as the EIP-197 precompile reads it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from eth_abi import decode, encode
from eth_utils import keccak

from proofmarket.exceptions import UserInputError, ZkError
from proofmarket.zk.circuit import CircuitArtifacts, load_ceremony_record
from proofmarket.zk.encoding import proof_words_from_snarkjs
from proofmarket.zk.prover import ProvingFailed, run_groth16_proofs

from .circuit import ROLLUP_CIRCUIT, rollup_artifacts
from .sequencing import operation_from_json, state_from_json
from .state import Operation, RollupState, Transfer, transfer_hash
from .verifier import rollup_statement_data
from .witness import ChunkStatement, ChunkWitness, chunk_witness

#: Bytes of an encoded rollup chunk proof: eight words.
ROLLUP_PROOF_BYTES = 8 * 32


class RollupProofEncodingInvalid(ZkError, UserInputError):
    """Bytes are not an encoded rollup chunk proof."""

    def __init__(self, length: int):
        self.length = length
        super().__init__(f"a rollup chunk proof is {ROLLUP_PROOF_BYTES} bytes, got {length}")


@dataclass(frozen=True)
class RollupChunkProof:
    """A proved rollup chunk: the proof bytes, the statement, the witness, the timing."""

    encoded: bytes
    words: tuple[int, ...]
    snarkjs_proof: dict
    statement: ChunkStatement
    witness: ChunkWitness
    wall_seconds: float
    prove_milliseconds: float


def encode_rollup_proof(words: Sequence[int]) -> bytes:
    """``abi.encode(uint256[8])`` of the proof words."""
    if len(words) != 8:
        raise ZkError(f"a Groth16 proof has 8 words, got {len(words)}")
    return encode(["uint256[8]"], [list(words)])


def decode_rollup_proof(data: bytes) -> tuple[int, ...]:
    """The eight words of an encoded rollup chunk proof; raises :class:`RollupProofEncodingInvalid`."""
    if len(data) != ROLLUP_PROOF_BYTES:
        raise RollupProofEncodingInvalid(len(data))
    return tuple(decode(["uint256[8]"], data)[0])


def prove_rollup_chunk(
    pre_state: RollupState,
    operations: Sequence[Operation],
    binding: int,
    artifacts: CircuitArtifacts | None = None,
    verify: bool = True,
) -> RollupChunkProof:
    """Prove that ``operations`` take ``pre_state`` to its successor, for ``binding``.

    Raises what :func:`~proofmarket.rollup.witness.chunk_witness` raises for bad input,
    :class:`~proofmarket.zk.circuit.CircuitArtifactsMissing` without artifacts (or with
    artifacts built for another slot count), and :class:`ProvingFailed` if snarkjs fails.
    """
    artifacts = artifacts or rollup_artifacts()
    record = load_ceremony_record(artifacts, circuit=ROLLUP_CIRCUIT)
    witness = chunk_witness(pre_state, operations, binding, slots=record.segment_size)
    return prove_rollup_witness(witness, artifacts, verify)


def prove_rollup_witness(witness: ChunkWitness, artifacts: CircuitArtifacts | None = None, verify: bool = True) -> RollupChunkProof:
    """Prove a circuit input as it is (tests use it to try inputs the builder would not make)."""
    artifacts = artifacts or rollup_artifacts()
    (result,), wall_seconds = run_groth16_proofs(artifacts, [witness.circuit_input], verify)
    expected = witness.statement.public_signals()
    if result.get("publicSignals") != expected:
        raise ProvingFailed(f"public signals {result.get('publicSignals')} are not {expected}")
    words = proof_words_from_snarkjs(result["proof"])
    return RollupChunkProof(
        encoded=encode_rollup_proof(words),
        words=words,
        snarkjs_proof=result["proof"],
        statement=witness.statement,
        witness=witness,
        wall_seconds=wall_seconds,
        prove_milliseconds=float(result["witnessAndProofMilliseconds"]),
    )


class SequenceInvalid(ZkError):
    """The clearinghouse's sequence of a chunk does not match the chunk's statement on-chain."""


def prove_sequenced_chunk(tx_hashes: Sequence[bytes], statement, sequence: Mapping | None) -> bytes:
    """The encoded proof of an assigned rollup chunk (the prover agent's ``prove``): the
    assignment's ``sequence`` gives the pre-state and the operations; they are checked against the
    chunk's transactions and the statement's data hash before proving.

    Raises :class:`SequenceInvalid` if they do not match (proving would fail anyway)."""
    if sequence is None:
        raise SequenceInvalid(f"chunk {statement.round_id}/{statement.chunk_index} has no sequence: is this a rollup market?")
    pre_state = state_from_json(sequence["pre_state"])
    operations = [operation_from_json(operation) for operation in sequence["operations"]]
    transfers = [transfer_hash(op) for op in operations if isinstance(op, Transfer)]
    if transfers != [bytes(h) for h in tx_hashes]:
        raise SequenceInvalid("the sequence's transfers are not the chunk's transactions")
    post_root = pre_state.apply_all(operations).root
    if keccak(rollup_statement_data(pre_state.root, post_root)) != bytes(statement.data_hash):
        raise SequenceInvalid("the sequence's state roots are not the ones the chunk's statement binds")
    return prove_rollup_chunk(pre_state, operations, statement.binding()).encoded
