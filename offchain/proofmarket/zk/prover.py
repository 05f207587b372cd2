"""Proving a chunk: ``prove_chunk(tx_hashes, binding) -> bytes`` (docs/zk.md, "Proving").

``binding`` is the statement's binding (``ChunkStatement.binding()``: round, chunk, prover,
commitment and statement-data hash, hashed into one field element), the circuit's third public
input: the proof is valid for that statement only.

The chunk's transactions are cut into segments of the circuit's size N (the ceremony record
says which N the artifacts were built for); one node process (``prove_segments.js``) computes
each segment's witness and Groth16 proof with snarkjs and checks it against the verifying key;
the proofs are encoded for ``submitProof``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from proofmarket.exceptions import ZkError

from .circuit import CircuitArtifacts, default_artifacts, load_ceremony_record
from .commitment import SegmentStatement, split_into_segments, transaction_field_elements
from .encoding import SegmentProof, encode_chunk_proof, proof_words_from_snarkjs
from .field import require_field_element
from .toolchain import ZkCommandFailed, node_modules_directory, run_node

#: The node script that proves segments with snarkjs.
PROVE_SCRIPT = Path(__file__).resolve().parent / "prove_segments.js"

#: Time allowed per segment before the prover gives up (a segment takes about a second).
SECONDS_PER_SEGMENT_LIMIT = 120.0


class ProvingFailed(ZkError):
    """snarkjs could not prove a segment, or its output is not what was asked for."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"proving the chunk failed: {reason}")


@dataclass(frozen=True)
class ChunkProof:
    """A proved chunk: the bytes for ``submitProof`` and how it was made."""

    encoded: bytes
    segments: tuple[SegmentProof, ...]
    statements: tuple[SegmentStatement, ...]
    segment_size: int
    #: The statement binding the proof was made for (the circuit's third public input).
    binding: int
    wall_seconds: float
    segment_milliseconds: tuple[float, ...]


def segment_circuit_input(statement: SegmentStatement, binding: int, segment_size: int) -> dict[str, object]:
    """The circuit input of one segment: public values, then transactions padded with zeros."""
    active = len(statement.transactions)
    if not 1 <= active <= segment_size:
        raise ZkError(f"a segment holds 1 to {segment_size} transactions, got {active}")
    padding = segment_size - active
    return {
        "previousCommitment": str(statement.previous_commitment),
        "nextCommitment": str(statement.next_commitment),
        "prover": str(binding),  # the circuit's name for its third public input
        "transactions": [str(value) for value in statement.transactions] + ["0"] * padding,
        "active": ["1"] * active + ["0"] * padding,
    }


def run_groth16_proofs(
    artifacts: CircuitArtifacts, circuit_inputs: Sequence[dict[str, object]], verify: bool = True
) -> tuple[list[dict], float]:
    """Prove each circuit input with snarkjs in one node process (``prove_segments.js``).

    Works for any circuit's artifacts. Returns snarkjs's results (``proof``, ``publicSignals``,
    ``witnessAndProofMilliseconds``), one per input, and the wall-clock seconds. With ``verify``,
    snarkjs also checks each proof against the verifying key. Raises :class:`ProvingFailed` if
    an input does not satisfy the circuit, snarkjs fails, or its output is unreadable.
    """
    request = {
        "wasm": str(artifacts.wasm),
        "zkey": str(artifacts.zkey),
        "verificationKey": str(artifacts.verification_key) if verify else None,
        "segments": list(circuit_inputs),
    }
    began = time.monotonic()
    try:
        output = run_node(
            "snarkjs proving",
            [PROVE_SCRIPT, node_modules_directory()],
            stdin=json.dumps(request),
            timeout_seconds=30.0 + SECONDS_PER_SEGMENT_LIMIT * len(circuit_inputs),
        )
    except ZkCommandFailed as error:
        raise ProvingFailed(error.output.strip() or str(error)) from error
    wall_seconds = time.monotonic() - began
    try:
        proved = json.loads(output)["segments"]
    except (ValueError, KeyError, TypeError) as error:
        raise ProvingFailed(f"unreadable output from {PROVE_SCRIPT.name}: {error!r}") from None
    if not isinstance(proved, list) or len(proved) != len(circuit_inputs):
        raise ProvingFailed(f"{len(proved)} proofs for {len(circuit_inputs)} inputs")
    return proved, wall_seconds


def prove_chunk_segments(
    tx_hashes: Sequence[bytes],
    binding: int,
    artifacts: CircuitArtifacts | None = None,
    verify: bool = True,
) -> ChunkProof:
    """Prove the chunk ``tx_hashes`` for the statement ``binding``; see :func:`prove_chunk`.

    With ``verify``, snarkjs also checks each proof against the verifying key before returning.
    """
    artifacts = artifacts or default_artifacts()
    record = load_ceremony_record(artifacts)
    binding = require_field_element("binding", binding)
    statements = split_into_segments(transaction_field_elements(tx_hashes), record.segment_size)
    proved, wall_seconds = run_groth16_proofs(
        artifacts, [segment_circuit_input(statement, binding, record.segment_size) for statement in statements], verify
    )
    segments = []
    for index, (statement, result) in enumerate(zip(statements, proved)):
        expected = [str(statement.previous_commitment), str(statement.next_commitment), str(binding)]
        if result.get("publicSignals") != expected:
            raise ProvingFailed(f"segment {index}: public signals {result.get('publicSignals')} are not {expected}")
        segments.append(SegmentProof(statement.next_commitment, proof_words_from_snarkjs(result["proof"])))
    return ChunkProof(
        encoded=encode_chunk_proof(segments),
        segments=tuple(segments),
        statements=tuple(statements),
        segment_size=record.segment_size,
        binding=binding,
        wall_seconds=wall_seconds,
        segment_milliseconds=tuple(float(result["witnessAndProofMilliseconds"]) for result in proved),
    )


def prove_chunk(tx_hashes: Sequence[bytes], binding: int) -> bytes:
    """The encoded chunk proof ``submitProof`` takes, for the chunk ``tx_hashes`` and the
    statement whose binding is ``binding`` (``ChunkStatement.binding()``).

    Proves with the committed development artifacts (or ``$PROOFMARKET_ZK_ARTIFACTS``).
    Raises :class:`~proofmarket.zk.commitment.ChunkEmpty`,
    :class:`~proofmarket.zk.field.TransactionHashInvalid` or
    :class:`~proofmarket.zk.field.FieldElementInvalid` for bad input,
    :class:`~proofmarket.zk.circuit.CircuitArtifactsMissing` without artifacts, and
    :class:`ProvingFailed` if snarkjs fails.
    """
    return prove_chunk_segments(tx_hashes, binding).encoded
