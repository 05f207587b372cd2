"""The on-chain ``RollupChunkVerifier`` (docs/rollup.md, "Verifier"): its statement data, the
statement binding as the market computes it, deploying and calling it.

``verifyChunkProof(statement, statementData, proof)`` returns false for a well-formed proof of
another statement and reverts with a custom error for malformed data or bytes; this module turns
such a revert into :class:`RollupProofMalformed` carrying the error's name and arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

from proofmarket.chain.compiler import artifact
from proofmarket.chain.errors import ContractRevert, ErrorDecoder
from proofmarket.chain.transactions import call_function, send_transaction
from proofmarket.exceptions import ZkError
from proofmarket.zk.field import SCALAR_FIELD_ORDER

#: The verifier contract's name in contracts/rollup/.
ROLLUP_VERIFIER_CONTRACT = "RollupChunkVerifier"

#: The Solidity ``ChunkStatement`` as an ABI tuple (contracts/types/ChunkStatement.sol).
CHUNK_STATEMENT_ABI_TYPE = "(uint64,uint256,address,bytes32,bytes32)"


class RollupProofMalformed(ZkError):
    """The verifier reverted: the statement data or the proof bytes are not well formed."""

    def __init__(self, error_name: str, arguments: dict):
        self.error_name = error_name
        self.arguments = arguments
        rendered = ", ".join(f"{name}={value}" for name, value in arguments.items())
        super().__init__(f"the rollup verifier rejected its input as malformed: {error_name}({rendered})")


@dataclass(frozen=True)
class MarketChunkStatement:
    """What the market records for a chunk at settlement (Solidity ``ChunkStatement``)."""

    round_id: int
    chunk_index: int
    prover: str
    commitment: bytes
    data_hash: bytes

    def as_tuple(self) -> tuple:
        """The struct as web3 and eth_abi take it."""
        return (self.round_id, self.chunk_index, to_checksum_address(self.prover), self.commitment, self.data_hash)

    def binding(self) -> int:
        """``uint256(keccak256(abi.encode(statement))) mod r`` (``ChunkStatementLib.binding``)."""
        return int.from_bytes(keccak(encode([CHUNK_STATEMENT_ABI_TYPE], [self.as_tuple()])), "big") % SCALAR_FIELD_ORDER


def rollup_statement_data(pre_state_root: int, post_state_root: int) -> bytes:
    """The statement data of a rollup chunk: ``abi.encode(uint256 preStateRoot, uint256 postStateRoot)``."""
    return encode(["uint256", "uint256"], [pre_state_root, post_state_root])


def rollup_chunk_statement(
    round_id: int, chunk_index: int, prover: str, commitment: int, pre_state_root: int, post_state_root: int
) -> tuple[MarketChunkStatement, bytes]:
    """The market's statement of a rollup chunk and its statement data (``dataHash`` = their keccak256)."""
    data = rollup_statement_data(pre_state_root, post_state_root)
    return MarketChunkStatement(round_id, chunk_index, prover, commitment.to_bytes(32, "big"), keccak(data)), data


def deploy_rollup_verifier(web3: Web3, sender: LocalAccount, contracts_root: Path | None = None) -> Contract:
    """Deploy ``RollupChunkVerifier`` (its verifying key is compiled in) from ``sender``.

    ``contracts_root`` is the Solidity tree to compile (default: the project's ``contracts/``).
    """
    compiled = artifact(ROLLUP_VERIFIER_CONTRACT, contracts_root)
    factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    receipt = send_transaction(web3, sender, {"data": factory.constructor().data_in_transaction}, ErrorDecoder([compiled.abi]))
    return web3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)


def verify_rollup_proof(verifier: Contract, statement: MarketChunkStatement, statement_data: bytes, proof: bytes) -> bool:
    """Call ``verifyChunkProof``: true or false, or :class:`RollupProofMalformed` if it reverts."""
    call = verifier.functions.verifyChunkProof(statement.as_tuple(), statement_data, proof)
    try:
        return bool(call_function(call, ErrorDecoder([verifier.abi])))
    except ContractRevert as revert:
        raise RollupProofMalformed(revert.error_name, revert.arguments) from revert


def measure_rollup_verify_gas(
    web3: Web3, sender: LocalAccount, verifier: Contract, statement: MarketChunkStatement, statement_data: bytes, proof: bytes
) -> int:
    """``gasUsed`` of a ``verifyChunkProof`` transaction with a valid proof (raises otherwise)."""
    if not verify_rollup_proof(verifier, statement, statement_data, proof):
        raise ZkError("gas is measured on a valid proof; this one does not verify")
    data = verifier.encode_abi("verifyChunkProof", args=[statement.as_tuple(), statement_data, proof])
    receipt = send_transaction(web3, sender, {"to": verifier.address, "data": data, "gas": 1_000_000})
    return int(receipt["gasUsed"])
