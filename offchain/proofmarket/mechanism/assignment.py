"""Batch selection and work assignment (docs/mechanism.md, "proofphi-v1", steps 3 and 4; the walk is shared).

The greedy assignment of step 4 walks the ordered transactions and the ordered provers together:
a transaction goes whole to the current prover if it fits in what that prover has left, else
the walk moves on to the next prover (never back), so every working prover gets one contiguous
chunk and a prover may get nothing.

Why one upward scan decides every prefix in O(1) amortised time: the eligible provers of any
prefix (``a_j ≤ threshold``) are a *prefix of the ask order*, and where the walk places
transaction ``i`` depends only on transactions ``1..i`` and the capacities, not on how many
provers are eligible. So the walk is run once, incrementally, over all provers in ask order;
prefix ``1..k`` is placed using only eligible provers exactly when the prover that took
transaction ``k`` (the costliest used so far) is eligible for prefix ``k``. The walk's pointer
only moves forward, so the whole scan is O(n + m) after sorting.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from proofmarket.mechanism.types import Ask, Bid

AVERAGE_FEE = "average-fee"
"""Prooφ step 3: provers with ``a_j ≤ f_k = B_k / G_k`` (exactly ``a_j·G_k ≤ B_k``)."""

MARGINAL_DENSITY = "marginal-density"
"""trade-reduction: provers with ``a_j ≤ d_k = b_k / g_k`` (exactly ``a_j·g_k ≤ b_k``)."""

BASE_FEE = "base-fee"
"""eip1559: no prover test; the transaction itself needs ``d_k ≥ β`` (exactly ``b_k ≥ β·g_k``)."""

ELIGIBILITY_RULES = (AVERAGE_FEE, MARGINAL_DENSITY, BASE_FEE)


@dataclass(frozen=True, slots=True)
class PrefixScan:
    """The longest feasible prefix ``1..k`` of the bid order, as the greedy walk placed it.

    ``placements[i]`` is the index (in ask order) of the prover that took transaction ``i``;
    it never decreases. ``loads`` maps each prover index that got work to its constraints
    ``x_j``. ``total_constraints`` is ``G_k`` and ``total_fees_wei`` is ``B_k``.
    """

    placements: list[int]
    loads: dict[int, int]
    total_constraints: int
    total_fees_wei: int

    @property
    def length(self) -> int:
        """``k``: how many transactions the prefix holds."""
        return len(self.placements)


@dataclass(frozen=True, slots=True)
class WorkGroup:
    """A prover that got work: its ask, its chunk ``batch[start:end]`` and its constraints."""

    ask: Ask
    start: int
    end: int
    constraints: int


def scan_feasible_prefix(
    ordered_bids: list[Bid],
    ordered_asks: list[Ask],
    capacity: int,
    eligibility: str,
    base_fee_wei_per_constraint: int = 0,
    max_bids_per_chunk: int = 0,
) -> PrefixScan:
    """Scan prefixes upward and stop at the first infeasible one (step 3's stop rule).

    Prefix ``1..k`` is feasible when ``G_k ≤ C``, the greedy walk places transaction ``k``
    (some prover still has room for it, moving forward only; a prover holding
    ``max_bids_per_chunk`` transactions, when non-zero, has no room), and the ``eligibility``
    rule holds for the prover that took it (see the module docstring for why that one check
    suffices).

    Returns the longest feasible prefix as a :class:`PrefixScan`.
    Raises ``ValueError`` on an unknown eligibility rule.
    """
    if eligibility not in ELIGIBILITY_RULES:
        raise ValueError(f"unknown eligibility rule {eligibility!r}; expected one of {ELIGIBILITY_RULES}")
    placements: list[int] = []
    loads: dict[int, int] = {}
    if not ordered_asks:
        return PrefixScan(placements, loads, 0, 0)
    test_average = eligibility == AVERAGE_FEE
    test_marginal = eligibility == MARGINAL_DENSITY
    test_base_fee = eligibility == BASE_FEE
    prover_count = len(ordered_asks)
    prover = 0
    remaining = ordered_asks[0].capacity
    unit_cost = ordered_asks[0].unit_cost_wei
    placed_constraints = 0
    placed_fees = 0
    held = 0  # transactions the current prover holds
    for bid in ordered_bids:
        constraints = bid.constraints
        fee = bid.fee_wei
        total_constraints = placed_constraints + constraints
        if total_constraints > capacity:
            break
        if test_base_fee and fee < base_fee_wei_per_constraint * constraints:
            break
        if remaining < constraints or held == max_bids_per_chunk > 0:  # no room: on to the first later prover it fits
            next_prover = prover + 1
            while next_prover < prover_count and ordered_asks[next_prover].capacity < constraints:
                next_prover += 1
            if next_prover == prover_count:
                break
            _record_load(loads, prover, ordered_asks[prover].capacity - remaining)
            prover = next_prover
            remaining = ordered_asks[prover].capacity
            unit_cost = ordered_asks[prover].unit_cost_wei
            held = 0
        if test_average and unit_cost * total_constraints > placed_fees + fee:
            break
        if test_marginal and unit_cost * constraints > fee:
            break
        remaining -= constraints
        held += 1
        placed_constraints = total_constraints
        placed_fees += fee
        placements.append(prover)
    _record_load(loads, prover, ordered_asks[prover].capacity - remaining)
    return PrefixScan(placements, loads, placed_constraints, placed_fees)


def _record_load(loads: dict[int, int], prover: int, constraints: int) -> None:
    """Note a prover's load when the walk leaves it (a prover the walk skipped has none)."""
    if constraints > 0:
        loads[prover] = constraints


def drop_last_transaction(scan: PrefixScan, ordered_bids: list[Bid]) -> PrefixScan:
    """The same walk on ``1..k−1``: the placements of a prefix are a prefix of the placements
    (``trade-reduction`` includes ``1..K−1``). Raises ``ValueError`` on an empty scan."""
    if not scan.placements:
        raise ValueError("drop_last_transaction: the prefix is empty")
    last = ordered_bids[scan.length - 1]
    prover = scan.placements[-1]
    loads = dict(scan.loads)
    loads[prover] -= last.constraints
    if loads[prover] == 0:
        del loads[prover]
    return PrefixScan(
        scan.placements[:-1], loads, scan.total_constraints - last.constraints, scan.total_fees_wei - last.fee_wei
    )


def group_work(ordered_asks: list[Ask], scan: PrefixScan) -> list[WorkGroup]:
    """Step 4: one group per working prover, in ask order: its ask, its contiguous run of the
    batch (found by bisection, since placements never decrease) and its constraints."""
    groups: list[WorkGroup] = []
    placements = scan.placements
    for prover in sorted(scan.loads):
        start = bisect_left(placements, prover)
        end = bisect_right(placements, prover, start)
        groups.append(WorkGroup(ordered_asks[prover], start, end, scan.loads[prover]))
    return groups


def next_prover_ask(ordered_asks: list[Ask], scan: PrefixScan) -> Ask | None:
    """The first prover after the last one that got work, in ask order (``None`` if none).

    Eligibility is the caller's test: asks are sorted, so if this prover is not eligible, no
    later one is.
    """
    following = scan.placements[-1] + 1 if scan.placements else 0
    return ordered_asks[following] if following < len(ordered_asks) else None


def walk_provers(batch_bids: list[Bid], provers: list[Ask], max_bids_per_chunk: int = 0) -> list[WorkGroup] | None:
    """Place the batch, in its order, on ``provers`` in the order given: each transaction goes
    whole to the current prover if it fits in what that prover has left (and the prover holds
    fewer than ``max_bids_per_chunk`` transactions, when that is non-zero), else to the first
    later prover with room for it (never back). Returns one group per prover that got work, in
    walk order (so the groups cut the batch into contiguous runs), or ``None`` if a transaction
    finds no prover."""
    groups: list[WorkGroup] = []
    if not batch_bids:
        return groups
    if not provers:
        return None
    prover = 0
    remaining = provers[0].capacity
    start = 0
    for position, bid in enumerate(batch_bids):
        constraints = bid.constraints
        if remaining < constraints or position - start == max_bids_per_chunk > 0:
            if position > start:
                groups.append(WorkGroup(provers[prover], start, position, provers[prover].capacity - remaining))
            prover += 1
            while prover < len(provers) and provers[prover].capacity < constraints:
                prover += 1
            if prover == len(provers):
                return None
            remaining = provers[prover].capacity
            start = position
        remaining -= constraints
    groups.append(WorkGroup(provers[prover], start, len(batch_bids), provers[prover].capacity - remaining))
    return groups
