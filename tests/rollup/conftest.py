"""Fixtures of the rollup tests: a funded L2 state, chunks proved once per session, the verifier.

Proving is real (snarkjs through node, a few seconds per chunk), so every chunk the tests need
is proved once, here, and shared. The verifier is compiled from the rollup's own Solidity files
(contracts/rollup/, the interface, the statement type, Bn254), so these tests do not depend on
the rest of the contracts tree.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from proofmarket.chain.paths import contracts_directory
from proofmarket.rollup.prover import RollupChunkProof, prove_rollup_chunk
from proofmarket.rollup.state import Deposit, Operation, RollupState, Transfer
from proofmarket.rollup.verifier import MarketChunkStatement, deploy_rollup_verifier, rollup_chunk_statement
from proofmarket.rollup.witness import chunk_witness

ALICE, BOB, CAROL, DAVE = 0xA11CE, 0xB0B, 0xCA401, 0xDA7E

#: The Solidity files RollupChunkVerifier is built from.
VERIFIER_SOURCES = (
    "interfaces/IProofVerifier.sol",
    "types/ChunkStatement.sol",
    "libraries/Bn254.sol",
    "rollup/RollupChunkVerifier.sol",
    "rollup/RollupChunkVerifyingKey.sol",
)


def funded_state() -> RollupState:
    """Alice 100, Bob 5, Carol 0 (three deposits)."""
    return RollupState().apply_all([Deposit(ALICE, 100), Deposit(BOB, 5), Deposit(CAROL, 0)])


@dataclass(frozen=True)
class ProvedRollupChunk:
    """A chunk's pre-state, operations, market statement, statement data and proof."""

    pre_state: RollupState
    operations: tuple[Operation, ...]
    statement: MarketChunkStatement
    data: bytes
    proof: RollupChunkProof


def prove(pre_state: RollupState, operations: list[Operation], round_id: int, chunk_index: int, prover: str) -> ProvedRollupChunk:
    """Execute the chunk, build the market's statement for it, and prove it for that statement."""
    executed = chunk_witness(pre_state, operations, 0)
    statement, data = rollup_chunk_statement(
        round_id, chunk_index, prover, executed.statement.commitment, pre_state.root, executed.post_state.root
    )
    proof = prove_rollup_chunk(pre_state, operations, statement.binding())
    return ProvedRollupChunk(pre_state, tuple(operations), statement, data, proof)


@pytest.fixture(scope="session")
def rollup_prover(signers):
    """The prover the session's rollup chunks are assigned to."""
    return signers[5]


@pytest.fixture(scope="session")
def full_chunk(rollup_prover) -> ProvedRollupChunk:
    """All three slots: a deposit to a new account, a transfer, a transfer to a new account."""
    operations = [Deposit(DAVE, 9), Transfer(ALICE, BOB, 30, 0), Transfer(BOB, 0xE, 35, 0)]
    return prove(funded_state(), operations, 7, 2, rollup_prover.address)


@pytest.fixture(scope="session")
def one_transfer(rollup_prover) -> ProvedRollupChunk:
    """One transfer and two no-op slots, on the same pre-state as ``full_chunk``."""
    return prove(funded_state(), [Transfer(BOB, CAROL, 5, 0)], 7, 3, rollup_prover.address)


@pytest.fixture(scope="session")
def rollup_contracts_root(tmp_path_factory) -> Path:
    """A Solidity tree with only the verifier's sources."""
    root = tmp_path_factory.mktemp("rollup-contracts")
    for relative in VERIFIER_SOURCES:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(contracts_directory() / relative, root / relative)
    return root


@pytest.fixture(scope="session")
def rollup_verifier(web3, signers, rollup_contracts_root):
    """One deployed RollupChunkVerifier for the session (it has no state)."""
    return deploy_rollup_verifier(web3, signers[0], rollup_contracts_root)
