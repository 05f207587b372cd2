"""Admission at clearing time (docs/mechanism.md "Admit and order"), as pure functions over chain snapshots.

Intake already checked each bid and ask when it arrived; the chain may have moved since (a user
withdrew escrow, a prover requested exit). These rules are applied once more on the state read
at the round's close, so a stale bid is left out of the round instead of reverting the whole
settlement.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cmp_to_key
from typing import Iterable, Mapping

from .ports import ProverStatus


@dataclass(frozen=True)
class CandidateBid:
    digest: str
    user: str
    constraints: int
    max_fee_wei: int


@dataclass(frozen=True)
class CandidateAsk:
    digest: str
    prover: str
    unit_cost_wei: int
    nonce: int


def _by_density_then_digest(first: CandidateBid, second: CandidateBid) -> int:
    """Higher density first (compared exactly by cross-multiplication), then digest ascending."""
    left = first.max_fee_wei * second.constraints
    right = second.max_fee_wei * first.constraints
    if left != right:
        return -1 if left > right else 1
    return -1 if first.digest < second.digest else (1 if first.digest > second.digest else 0)


def admit_bids_within_escrow(
    bids: Iterable[CandidateBid],
    escrow_by_user: Mapping[str, int],
    capacity: int,
    reserve_wei_per_constraint: int,
) -> list[CandidateBid]:
    """Keep the bids each user's escrow can pay for in full, best density first.

    Rule: for each user, walk its bids by density (highest first, digest ascending on ties) and
    keep a bid while the sum of the kept bids' ``max_fee_wei`` stays within the user's escrow.
    Bids over the round capacity or under the reserve density are dropped. Under a first-price
    rule the charge equals ``max_fee_wei``, so a kept set can always be charged in full.
    """
    eligible = [
        bid
        for bid in bids
        if bid.constraints <= capacity and bid.max_fee_wei >= reserve_wei_per_constraint * bid.constraints
    ]
    committed: dict[str, int] = {}
    admitted: list[CandidateBid] = []
    for bid in sorted(eligible, key=cmp_to_key(_by_density_then_digest)):
        spent = committed.get(bid.user, 0) + bid.max_fee_wei
        if spent <= escrow_by_user.get(bid.user, 0):
            committed[bid.user] = spent
            admitted.append(bid)
    return admitted


def latest_ask_per_prover(asks: Iterable[CandidateAsk]) -> list[CandidateAsk]:
    """A prover's ask in a round is its latest one: the highest nonce (digest breaks a tie)."""
    latest: dict[str, CandidateAsk] = {}
    for ask in asks:
        current = latest.get(ask.prover)
        if current is None or (ask.nonce, ask.digest) > (current.nonce, current.digest):
            latest[ask.prover] = ask
    return sorted(latest.values(), key=lambda ask: ask.digest)


def admit_asks(
    asks: Iterable[CandidateAsk],
    status_by_prover: Mapping[str, ProverStatus],
    collateral_wei_per_constraint: int,
) -> list[tuple[CandidateAsk, ProverStatus]]:
    """Keep asks of registered, non-exiting provers whose free collateral backs their capacity."""
    admitted = []
    for ask in latest_ask_per_prover(asks):
        status = status_by_prover.get(ask.prover)
        if status is None or not status.registered or status.exiting or status.capacity == 0:
            continue
        if status.free_collateral_wei < collateral_wei_per_constraint * status.capacity:
            continue
        admitted.append((ask, status))
    return admitted
