"""Gas of ``submitProof`` with a real Groth16 proof: the gas table's ``submitProof gas (groth16)``.

:func:`measure_groth16_submit_proof_gas` deploys ``Groth16ChunkVerifier`` and a ``ProofMarket``
using it, settles one round with one chunk of ``transactions`` bids whose commitment is the
Poseidon chunk commitment of their transaction hashes, proves the chunk with snarkjs and submits
the proof; the figure is ``gasUsed`` of that transaction's receipt (21,000 base cost and calldata
included), as in the rest of the gas table. The market is built with the gas table's own helpers
(:mod:`proofmarket.chain.benchmark`), so both measure the same market.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from web3 import Web3

from proofmarket.chain.benchmark import (
    COLLATERAL_PER_CONSTRAINT,
    CONSTRAINTS_PER_BID,
    MAX_FEE_PER_BID,
    UNIT_COST,
    bench_account,
    benchmark_config,
    fund_accounts,
    mine_blocks,
    signed_round,
)
from proofmarket.chain.market import deploy_market

from .commitment import chunk_commitment
from .prover import prove_chunk_segments
from .verifier import deploy_chunk_verifier


@dataclass(frozen=True)
class SubmitProofGas:
    """``submitProof``'s gas for a chunk of ``transactions`` proved in ``segments`` segments."""

    transactions: int
    segments: int
    proof_bytes: int
    gas_used: int


def measure_groth16_submit_proof_gas(web3: Web3, funder: LocalAccount, transactions: int = 1) -> SubmitProofGas:
    """Settle a one-chunk round of ``transactions`` bids, prove it for real, submit; return the gas.

    The proof is the prover's first payment (its balance goes from zero to non-zero), as for
    the development verifier's row of the gas table. ``funder`` pays for the accounts the
    benchmark uses (fresh ones on every call: they are derived from the current block number).
    Raises whatever the market, the chain layer or the prover raise if a step fails.
    """
    salt = web3.eth.block_number
    owner, clearinghouse, treasury, prover = (bench_account(f"groth16 {role}", salt) for role in ("owner", "clearinghouse", "treasury", "prover"))
    users = [bench_account(f"groth16 user {index}", salt) for index in range(transactions)]
    fund_accounts(web3, funder, [owner, clearinghouse, prover, *users], 10**19)

    verifier = deploy_chunk_verifier(web3, owner)
    config = benchmark_config(web3, clearinghouse.address, treasury.address, verifier.address, proving_window_blocks=1_000)
    market = deploy_market(web3, owner, config)
    for user in users:
        market.deposit(user, MAX_FEE_PER_BID)
    capacity = CONSTRAINTS_PER_BID * transactions
    market.register_prover(prover, capacity, COLLATERAL_PER_CONSTRAINT * capacity)

    mine_blocks(web3, funder, 1)
    round_id = market.current_round() - 1
    bids, chunks = signed_round(market, round_id, users, [prover], nonce=0, commit=chunk_commitment)
    market.settle_round(clearinghouse, round_id, keccak(b"groth16 gas benchmark inputs"), (UNIT_COST, 1), bids, chunks)

    statement = market.chunk(round_id, 0).statement(round_id, 0)
    proof = prove_chunk_segments([included.bid.tx_hash for included in bids], statement.binding())
    receipt = market.submit_proof(prover, round_id, 0, proof.encoded)
    return SubmitProofGas(
        transactions=transactions,
        segments=len(proof.segments),
        proof_bytes=len(proof.encoded),
        gas_used=int(receipt["gasUsed"]),
    )
