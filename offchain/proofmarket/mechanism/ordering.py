"""Admission and ordering of bids and asks (docs/mechanism.md, "Admit and order", every mechanism).

Bids are ordered by density ``d_i = b_i / g_i``, highest first; asks by unit cost, lowest
first; ties break by id ascending (as strings). Densities are compared exactly: see
:func:`density_sort_scale` for why an integer key is an exact stand-in for cross-multiplication.
"""

from __future__ import annotations

from itertools import compress, islice
from operator import attrgetter, eq

from proofmarket.mechanism.types import Ask, Bid, RoundConfig


def admit_bids(bids: tuple[Bid, ...] | list[Bid], config: RoundConfig) -> list[Bid]:
    """Step 1: keep the bids with ``g_i ≤ C`` and ``d_i ≥ ρ`` (exactly: ``b_i ≥ ρ·g_i``).

    Signatures and escrow are checked by the clearinghouse before a bid reaches the mechanism.
    """
    capacity = config.capacity
    reserve = config.reserve_wei_per_constraint
    if reserve == 0:
        return [bid for bid in bids if bid.constraints <= capacity]
    return [bid for bid in bids if bid.constraints <= capacity and bid.fee_wei >= reserve * bid.constraints]


def admit_asks(asks: tuple[Ask, ...] | list[Ask]) -> list[Ask]:
    """Step 1: every ask given is admitted.

    Registration, exit and free collateral are the clearinghouse's checks (it only passes the
    asks of provers who pass them), and an ask's capacity is its registered capacity.
    """
    return list(asks)


def density_sort_scale(bids: list[Bid]) -> int:
    """The scale ``M = (max g)²`` that makes ``⌊b·M / g⌋`` an exact density key.

    Rule: for two bids with ``b_1/g_1 > b_2/g_2`` the difference is
    ``(b_1·g_2 − b_2·g_1) / (g_1·g_2) ≥ 1 / (g_1·g_2) ≥ 1 / M``, so the scaled densities differ
    by at least 1 and their floors are strictly ordered; equal densities give equal keys. Hence
    ``⌊b_1·M/g_1⌋ ? ⌊b_2·M/g_2⌋`` orders exactly as ``b_1·g_2 ? b_2·g_1``.
    """
    largest = max((bid.constraints for bid in bids), default=1)
    return largest * largest


def density_key(bid: Bid, scale: int) -> int:
    """The exact integer density key ``⌊b·M / g⌋`` (``g ≥ 1``, so the division is safe)."""
    return bid.fee_wei * scale // bid.constraints


def order_bids_by_density(bids: list[Bid]) -> list[Bid]:
    """Step 2: bids by density, highest first; equal densities by id ascending.

    Sorts once on the exact integer key, then, only if two keys are equal, re-sorts by id each
    run of equal keys (the runs are found at C speed).
    """
    scale = density_sort_scale(bids)
    negated_keys = [-(bid.fee_wei * scale // bid.constraints) for bid in bids]
    order = sorted(range(len(bids)), key=negated_keys.__getitem__)
    ordered = list(map(bids.__getitem__, order))
    if len(set(negated_keys)) == len(negated_keys):
        return ordered  # no two equal densities: nothing to break
    sorted_keys = list(map(negated_keys.__getitem__, order))
    tie_starts = list(compress(range(len(sorted_keys) - 1), map(eq, sorted_keys, islice(sorted_keys, 1, None))))
    _sort_equal_key_runs_by_id(ordered, sorted_keys, tie_starts)
    return ordered


def _sort_equal_key_runs_by_id(ordered: list[Bid], sorted_keys: list[int], tie_starts: list[int]) -> None:
    """Re-sort in place, by id, each run of equal keys; ``tie_starts`` are the positions ``i``
    with ``key[i] == key[i + 1]``, ascending."""
    run_end = -1
    for position in tie_starts:
        if position < run_end:
            continue  # inside a run already sorted
        run_end = position + 1
        while run_end < len(sorted_keys) and sorted_keys[run_end] == sorted_keys[position]:
            run_end += 1
        ordered[position:run_end] = sorted(ordered[position:run_end], key=id_of)


id_of = attrgetter("id")
fee_of = attrgetter("fee_wei")
constraints_of = attrgetter("constraints")


def order_asks_by_cost(asks: list[Ask]) -> list[Ask]:
    """Step 2: asks by unit cost, lowest first; equal costs by id ascending."""
    return sorted(asks, key=lambda ask: (ask.unit_cost_wei, ask.id))


def order_round(bids: tuple[Bid, ...], asks: tuple[Ask, ...], config: RoundConfig) -> tuple[list[Bid], list[Ask]]:
    """Steps 1 and 2 together: the admitted bids by density and the admitted asks by cost."""
    return order_bids_by_density(admit_bids(bids, config)), order_asks_by_cost(admit_asks(asks))
