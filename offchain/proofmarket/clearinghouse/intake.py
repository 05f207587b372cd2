"""Intake of signed bids and asks: the checks made when one arrives (API or ``postBid`` event).

Pure functions over values the caller read from the chain (escrow, prover status, the open
round); each refusal is its own :class:`IntakeError` naming the broken rule. Signatures are
recovered with the chain layer's fast EIP-712 code (coincurve).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from proofmarket.chain import typed_data
from proofmarket.chain.typed_data import AskMessage, BidMessage, Domain

from .errors import (
    BadSignature,
    BidBelowReserve,
    BidOverCapacity,
    InsufficientCollateral,
    InsufficientEscrow,
    NonceTooLarge,
    ProverExiting,
    UnknownProver,
    WrongRound,
)
from .ports import MarketParameters, ProverStatus


#: The largest nonce the clearinghouse stores (its tables keep nonces as signed 64-bit integers).
MAX_NONCE = 2**63 - 1


@dataclass(frozen=True)
class SignedBid:
    message: BidMessage
    signature: bytes


@dataclass(frozen=True)
class SignedAsk:
    message: AskMessage
    signature: bytes


def _same_address(first: str, second: str | None) -> bool:
    return second is not None and first.lower() == second.lower()


def check_bid_signature(domain: Domain, bid: SignedBid) -> str:
    """Rule: the EIP-712 signature recovers the bid's ``user``. Returns the digest as 0x-hex."""
    try:  # the digest is hashed once: it is both what was signed and the bid's id
        digest = typed_data.bid_digest(domain, bid.message)
        signer = typed_data.recover_signer(digest, bid.signature)
    except Exception:  # a malformed signature recovers nothing
        signer = None
    if not _same_address(bid.message.user, signer):
        raise BadSignature("bid", bid.message.user, signer)
    return "0x" + digest.hex()


def check_ask_signature(domain: Domain, ask: SignedAsk) -> str:
    """Rule: the EIP-712 signature recovers the ask's ``prover``. Returns the digest as 0x-hex."""
    try:
        digest = typed_data.ask_digest(domain, ask.message)
        signer = typed_data.recover_signer(digest, ask.signature)
    except Exception:
        signer = None
    if not _same_address(ask.message.prover, signer):
        raise BadSignature("ask", ask.message.prover, signer)
    return "0x" + digest.hex()


def validate_bid(
    bid: SignedBid, *, domain: Domain, parameters: MarketParameters, open_round: int, escrow_of: Callable[[str], int]
) -> str:
    """All intake rules for a bid; returns its digest. Cheap checks first, then the signature, and
    only then the user's escrow (``escrow_of(user)``, in wei: a read of the chain), so a bid
    refused for its round, size or fee costs no chain call."""
    message = bid.message
    if message.round != open_round:
        raise WrongRound("bid", message.round, open_round)
    if message.nonce > MAX_NONCE:
        raise NonceTooLarge("bid", message.nonce, MAX_NONCE)
    if message.constraints > parameters.capacity:
        raise BidOverCapacity(message.constraints, parameters.capacity)
    if message.max_fee < parameters.reserve_wei_per_constraint * message.constraints:
        raise BidBelowReserve(message.max_fee, message.constraints, parameters.reserve_wei_per_constraint)
    digest = check_bid_signature(domain, bid)
    escrow_wei = escrow_of(message.user)
    if escrow_wei < message.max_fee:
        raise InsufficientEscrow(message.user, message.max_fee, escrow_wei)
    return digest


def validate_ask(
    ask: SignedAsk, *, domain: Domain, parameters: MarketParameters, open_round: int, prover: ProverStatus
) -> str:
    """All intake rules for an ask; returns its digest."""
    message = ask.message
    if message.round != open_round:
        raise WrongRound("ask", message.round, open_round)
    if message.nonce > MAX_NONCE:
        raise NonceTooLarge("ask", message.nonce, MAX_NONCE)
    digest = check_ask_signature(domain, ask)
    if not prover.registered:
        raise UnknownProver(message.prover)
    if prover.exiting:
        raise ProverExiting(message.prover)
    required = parameters.collateral_wei_per_constraint * prover.capacity
    if prover.free_collateral_wei < required:
        raise InsufficientCollateral(message.prover, prover.free_collateral_wei, required)
    return digest
