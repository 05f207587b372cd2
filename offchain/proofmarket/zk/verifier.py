"""The on-chain ``Groth16ChunkVerifier``: deploy it, ask it about a proof, measure its gas.

``verifyChunkProof`` returns false for a well-formed proof of another statement and reverts with
a custom error for malformed bytes (contracts/verifiers/Groth16ChunkVerifier.sol); this module
turns such a revert (decoded by the chain layer, on the embedded devnet and on a node alike)
into :class:`ChunkProofMalformed` carrying the error's name and arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from proofmarket.chain.errors import ContractRevert, ErrorDecoder
from proofmarket.chain.market import ChunkStatement
from proofmarket.chain.transactions import call_function, deploy_contract, intrinsic_gas, send_transaction
from proofmarket.exceptions import ZkError

#: The verifier contract's name in contracts/verifiers/.
VERIFIER_CONTRACT = "Groth16ChunkVerifier"


class ChunkProofMalformed(ZkError):
    """The verifier reverted: the proof bytes (or the commitment) are not well formed."""

    def __init__(self, error_name: str, arguments: dict[str, Any]):
        self.error_name = error_name
        self.arguments = arguments
        rendered = ", ".join(f"{name}={value}" for name, value in arguments.items())
        super().__init__(f"the verifier rejected the proof as malformed: {error_name}({rendered})")


def deploy_chunk_verifier(web3: Web3, sender: LocalAccount) -> Contract:
    """Deploy ``Groth16ChunkVerifier`` (its verifying key is compiled in) from ``sender``."""
    return deploy_contract(web3, VERIFIER_CONTRACT, sender)


def verify_chunk_proof(verifier: Contract, statement: ChunkStatement, proof: bytes, statement_data: bytes = b"") -> bool:
    """Call ``verifyChunkProof`` for ``statement``: true or false, or :class:`ChunkProofMalformed`
    if it reverts.

    Other failures (no connection, no contract at the address) propagate as they are.
    """
    return _verdict(verifier, verifier.functions.verifyChunkProof(statement.to_abi(), statement_data, proof))


def verify_chunk_proofs(
    verifier: Contract,
    statements: list[ChunkStatement],
    proofs: list[bytes],
    statement_data: list[bytes] | None = None,
) -> bool:
    """Call ``verifyChunkProofs`` (one pairing check for all the chunks): true only if every
    proof is valid for its statement; :class:`ChunkProofMalformed` if it reverts (a malformed
    proof, or lists of different lengths)."""
    data = statement_data if statement_data is not None else [b""] * len(statements)
    call = verifier.functions.verifyChunkProofs([statement.to_abi() for statement in statements], data, proofs)
    return _verdict(verifier, call)


def _verdict(verifier: Contract, call: Any) -> bool:
    """The verifier's answer to ``call``; its revert as :class:`ChunkProofMalformed`."""
    try:
        return bool(call_function(call, ErrorDecoder([verifier.abi])))
    except ContractRevert as revert:
        raise ChunkProofMalformed(revert.error_name, revert.arguments) from revert


@dataclass(frozen=True)
class VerifyGas:
    """Gas of one ``verifyChunkProof`` transaction: ``total = intrinsic + execution``.

    ``intrinsic`` is 21,000 plus the calldata (16 gas per non-zero byte, 4 per zero byte,
    EIP-2028); ``execution`` is the verifier's own work. Inside ``submitProof`` the market pays
    ``execution`` plus the call and its own bookkeeping, and its own transaction's intrinsic cost.
    """

    total: int
    intrinsic: int
    execution: int


def measure_verify_gas(
    web3: Web3, sender: LocalAccount, verifier: Contract, statement: ChunkStatement, proof: bytes
) -> VerifyGas:
    """Send ``verifyChunkProof`` as a transaction from ``sender`` and read its gas from the receipt.

    Raises :class:`ChunkProofMalformed` if the proof is malformed and :class:`ZkError` if it is
    well formed but invalid (gas is measured for valid proofs).
    """
    if not verify_chunk_proof(verifier, statement, proof):
        raise ZkError("gas is measured on a valid proof; this one does not verify")
    data = verifier.encode_abi("verifyChunkProof", args=[statement.to_abi(), b"", proof])
    # NOTE: a fixed, ample limit instead of an estimate: estimating runs the pairings again and
    # again (slow on the embedded devnet), and the limit does not change the gas used.
    gas_limit = 1_000_000 + 200_000 * len(proof) // 288
    receipt = send_transaction(web3, sender, {"to": verifier.address, "data": data, "gas": gas_limit})
    calldata = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
    intrinsic = intrinsic_gas(calldata)
    return VerifyGas(total=int(receipt["gasUsed"]), intrinsic=intrinsic, execution=int(receipt["gasUsed"]) - intrinsic)
