"""``proofmarket bench prove``: proving time and verification gas per chunk size.

Each size is proved with random transaction hashes through :func:`prove_chunk_segments` (the
same path as the prover agent), timed from the Python call to the encoded proof. With a web3
connection, each proof is also verified on chain and its gas read from a receipt.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from eth_account.signers.local import LocalAccount
from web3 import Web3

from proofmarket.chain.market import ChunkStatement
from proofmarket.exceptions import UserInputError
from proofmarket.zk.circuit import CircuitArtifacts, default_artifacts
from proofmarket.zk.commitment import chunk_commitment
from proofmarket.zk.prover import prove_chunk_segments
from proofmarket.zk.verifier import deploy_chunk_verifier, measure_verify_gas

#: The chunk sizes ``bench prove`` measures by default.
DEFAULT_SIZES = (1, 4, 16, 32, 64)


@dataclass(frozen=True)
class ProvingMeasurement:
    """One chunk size: its segments, the best wall time over the repeats, and gas if measured."""

    transactions: int
    segments: int
    wall_seconds: float
    snarkjs_seconds_per_segment: float
    proof_bytes: int
    verify_gas: int | None


def _sizes(sizes: Sequence[int]) -> list[int]:
    if not sizes or any(size < 1 for size in sizes):
        raise UserInputError(f"chunk sizes must be positive integers, got {list(sizes)}")
    return list(sizes)


def benchmark_proving(
    sizes: Sequence[int] = DEFAULT_SIZES,
    repeat: int = 1,
    chain: tuple[Web3, LocalAccount] | None = None,
    artifacts: CircuitArtifacts | None = None,
    on_measurement: Callable[[ProvingMeasurement], None] = lambda measurement: None,
) -> list[ProvingMeasurement]:
    """Prove a random chunk of each size ``repeat`` times; keep the fastest run of each.

    With ``chain`` (a web3 connection and a funded signer) the verifier is deployed once and
    each size's proof is verified by a transaction whose gas is reported. ``on_measurement`` is
    called as each size finishes. Raises :class:`UserInputError` for bad sizes or repeats.
    """
    if repeat < 1:
        raise UserInputError(f"repeat must be at least 1, got {repeat}")
    artifacts = artifacts or default_artifacts()
    verifier = deploy_chunk_verifier(*chain) if chain is not None else None
    measurements = []
    for size in _sizes(sizes):
        tx_hashes = [os.urandom(32) for _ in range(size)]
        prover = chain[1].address if chain is not None else "0x" + os.urandom(20).hex()
        statement = ChunkStatement(0, 0, prover, chunk_commitment(tx_hashes))
        runs = []
        for _ in range(repeat):
            began = time.monotonic()
            proof = prove_chunk_segments(tx_hashes, statement.binding(), artifacts)
            runs.append((time.monotonic() - began, proof))
        wall_seconds, proof = min(runs, key=lambda run: run[0])
        verify_gas = None
        if chain is not None and verifier is not None:
            verify_gas = measure_verify_gas(chain[0], chain[1], verifier, statement, proof.encoded).total
        measurement = ProvingMeasurement(
            transactions=size,
            segments=len(proof.segments),
            wall_seconds=wall_seconds,
            snarkjs_seconds_per_segment=sum(proof.segment_milliseconds) / len(proof.segment_milliseconds) / 1000,
            proof_bytes=len(proof.encoded),
            verify_gas=verify_gas,
        )
        on_measurement(measurement)
        measurements.append(measurement)
    return measurements
