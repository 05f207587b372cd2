"""The rollup's chunk circuit (circuits/rollup_chunk.circom): its spec for the shared setup code.

The DEVELOPMENT ceremony (``proofmarket rollup setup``) is ``proofmarket.zk.ceremony`` run with
:data:`ROLLUP_CIRCUIT`; its artifacts are committed in ``offchain/proofmarket/rollup/artifacts/``
and its Solidity key is ``contracts/rollup/RollupChunkVerifyingKey.sol`` (docs/rollup.md).
"""

from __future__ import annotations

from pathlib import Path

from proofmarket.zk.circuit import CircuitArtifacts, CircuitSpec

#: The rollup chunk circuit: public inputs in the order of the verifying key's IC points.
ROLLUP_CIRCUIT = CircuitSpec(
    name="rollup_chunk",
    template="RollupChunk",
    size_field="slots",
    public_inputs=("preStateRoot", "postStateRoot", "commitment", "binding"),
    description="the rollup chunk circuit",
    setup_command="proofmarket rollup setup",
    default_directory=Path(__file__).resolve().parent / "artifacts",
    environment_variable="PROOFMARKET_ROLLUP_ARTIFACTS",
    solidity_key=("rollup", "RollupChunkVerifyingKey.sol"),
)


def rollup_artifacts() -> CircuitArtifacts:
    """``$PROOFMARKET_ROLLUP_ARTIFACTS`` or the committed ``offchain/proofmarket/rollup/artifacts/``."""
    return ROLLUP_CIRCUIT.artifacts()
