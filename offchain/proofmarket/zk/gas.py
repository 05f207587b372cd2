"""Gas of ``submitProof`` with a real Groth16 proof: the gas table's ``submitProof gas (groth16)``.

:func:`measure_groth16_submit_proof_gas` deploys ``Groth16ChunkVerifier`` and a ``ProofMarket``
using it, settles one round with one chunk of ``transactions`` bids whose commitment is the
Poseidon chunk commitment of their transaction hashes, proves the chunk with snarkjs and submits
the proof; the figure is ``gasUsed`` of that transaction's receipt (21,000 base cost and calldata
included), as in the rest of the gas table.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from web3 import Web3

from proofmarket.chain.market import ChunkAssignment, IncludedBid, MarketConfig, deploy_market
from proofmarket.chain.transactions import send_transaction
from proofmarket.chain.typed_data import AskMessage, BidMessage

from .commitment import chunk_commitment
from .prover import prove_chunk_segments
from .verifier import deploy_chunk_verifier

#: The benchmark market's numbers: each bid is 1,000 constraints at 2,000 wei per constraint.
CONSTRAINTS_PER_BID = 1_000
MAX_FEE_PER_BID = 2_000_000
UNIT_COST = 1_000
COLLATERAL_PER_CONSTRAINT = 10


@dataclass(frozen=True)
class SubmitProofGas:
    """``submitProof``'s gas for a chunk of ``transactions`` proved in ``segments`` segments."""

    transactions: int
    segments: int
    proof_bytes: int
    gas_used: int


def _account(label: str, salt: int) -> LocalAccount:
    return Account.from_key(keccak(f"proofmarket groth16 gas benchmark {label} {salt}".encode()))


def _mine(web3: Web3, funder: LocalAccount, blocks: int) -> None:
    """Mines ``blocks`` blocks with empty self-transfers (works on every devnet)."""
    for _ in range(blocks):
        send_transaction(web3, funder, {"to": funder.address, "value": 0, "gas": 21_000})


def measure_groth16_submit_proof_gas(web3: Web3, funder: LocalAccount, transactions: int = 1) -> SubmitProofGas:
    """Settle a one-chunk round of ``transactions`` bids, prove it for real, submit; return the gas.

    ``funder`` pays for the accounts the benchmark uses (fresh ones on every call: they are
    derived from the current block number). Raises whatever the market, the chain layer or the
    prover raise if a step fails.
    """
    salt = web3.eth.block_number
    owner, clearinghouse, treasury, prover = (_account(role, salt) for role in ("owner", "clearinghouse", "treasury", "prover"))
    users = [_account(f"user {index}", salt) for index in range(transactions)]
    for account in (owner, clearinghouse, prover, *users):
        send_transaction(web3, funder, {"to": account.address, "value": 10**19, "gas": 21_000})

    verifier = deploy_chunk_verifier(web3, owner)
    config = MarketConfig(
        clearinghouse=clearinghouse.address,
        treasury=treasury.address,
        verifier=verifier.address,
        genesis_block=web3.eth.block_number + 1,
        round_length_blocks=1,
        proving_window_blocks=1_000,
        exit_delay_blocks=1,
        capacity_per_round=10**12,
        reserve_per_constraint=1,
        collateral_per_constraint=COLLATERAL_PER_CONSTRAINT,
        reporter_share_bps=1_000,
    )
    market = deploy_market(web3, owner, config)
    for user in users:
        market.deposit(user, MAX_FEE_PER_BID)
    capacity = CONSTRAINTS_PER_BID * transactions
    market.register_prover(prover, capacity, COLLATERAL_PER_CONSTRAINT * capacity)

    _mine(web3, funder, 1)
    round_id = market.current_round() - 1
    tx_hashes = [keccak(f"groth16 gas benchmark transaction {index}".encode()) for index in range(transactions)]
    bids = []
    for user, tx_hash in zip(users, tx_hashes):
        bid = BidMessage(
            user=user.address,
            tx_hash=tx_hash,
            constraints=CONSTRAINTS_PER_BID,
            max_fee=MAX_FEE_PER_BID,
            round=round_id,
            nonce=0,
        )
        bids.append(IncludedBid(bid, market.sign_bid(user, bid), MAX_FEE_PER_BID))
    ask = AskMessage(prover=prover.address, unit_cost=UNIT_COST, round=round_id, nonce=0)
    chunk = ChunkAssignment(
        ask=ask,
        ask_signature=market.sign_ask(prover, ask),
        bid_count=transactions,
        payment=UNIT_COST * CONSTRAINTS_PER_BID * transactions,
        commitment=chunk_commitment(tx_hashes),
    )
    market.settle_round(clearinghouse, round_id, keccak(b"groth16 gas benchmark inputs"), (UNIT_COST, 1), bids, [chunk])

    proof = prove_chunk_segments(tx_hashes, prover.address)
    receipt = market.submit_proof(prover, round_id, 0, proof.encoded)
    return SubmitProofGas(
        transactions=transactions,
        segments=len(proof.segments),
        proof_bytes=len(proof.encoded),
        gas_used=int(receipt["gasUsed"]),
    )
