"""``proofphi``, the default: truthful Prooφ as a double clock auction (docs/mechanism.md,
"proofphi").

Users are ordered by density and provers by ask, as in the paper; the round is then decided by
two clocks that only ever move against the agents they face:

- the *user clock* ``π_u`` (what an included user pays per constraint) starts at the reserve
  ``ρ`` and only rises: each time it rises, the lowest-density user still in leaves and the
  clock stands at that user's density;
- the *prover clock* ``π_p`` (what a working prover is paid per constraint) starts above every
  ask and only falls: each time it falls, the costliest prover still in leaves and the clock
  stands at that prover's ask.

Which clock moves next depends only on what is public (the sizes of the users still in, the
capacities of the provers still in, ``C``, and the clock positions), never on the value of
anyone still in. So an agent's report matters only through *when it leaves*, and each agent
meets the final clock as its price: staying in while the clock is better than its value and
leaving when it is not is a dominant strategy (a clock auction's argument; the written proof is
in docs/mechanism.md). The rules, in the order :func:`run_clocks` applies them:

1. **Excess demand.** If the users still in do not fit (``G > C`` or ``G > Σ e_j`` of the
   provers still in, with effective capacities from :mod:`~proofmarket.mechanism.supply`), the
   user clock rises: the lowest user leaves.
2. **Redundant supply.** If the provers still in would carry the users even without the largest
   of them (``Σ e_j − max e_j ≥ G``), the prover clock falls: the costliest prover leaves.
3. **Stop** when the prover clock is at or below the user clock.
4. **Price discovery.** If no user has left yet and two or more are in, the user clock rises
   once (the lowest user leaves), so the provers are priced by a user's bid, not by ``ρ``.
5. **Meet.** Otherwise the prover clock falls towards the user clock: the costliest prover
   leaves if its ask is above ``π_u``; if not, the clocks meet at ``π_u`` and the auction stops.

Everyone still in trades: each user pays ``⌈π_u·g_i⌉``, each working prover ``⌊π_p·x_j⌋`` with
``π_p ≤ π_u``, so the round is budget balanced by construction. Work is rationed among the
provers still in by an order that does not look at their asks (largest capacity first, then id):
the greedy walk of :func:`~proofmarket.mechanism.assignment.walk_provers`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Callable

from proofmarket.exceptions import MechanismError
from proofmarket.mechanism.assignment import WorkGroup, walk_provers
from proofmarket.mechanism.ordering import id_of, order_round
from proofmarket.mechanism.settlement import settle_outcome
from proofmarket.mechanism.supply import EffectiveSupply, effective_capacity
from proofmarket.mechanism.types import Ask, Bid, Outcome, Price, RoundInput


@dataclass(frozen=True, slots=True)
class ClockResult:
    """Where the clocks stopped: the first ``users`` bids of the density order and the first
    ``provers`` asks of the cost order are still in; ``user_price`` is ``π_u`` and
    ``prover_price`` is ``π_p`` (``≤ π_u``), both per constraint."""

    users: int
    provers: int
    user_price: Price
    prover_price: Price


def density(bid: Bid) -> Price:
    """``d_i = b_i / g_i`` as an exact price per constraint (``g_i ≥ 1``)."""
    return Price.of(bid.fee_wei, bid.constraints)


def price_at_most(left: Price, right: Price) -> bool:
    """``left ≤ right``, exactly (denominators are positive)."""
    return left.num * right.den <= right.num * left.den


def run_clocks(ordered_bids: list[Bid], ordered_asks: list[Ask], capacity: int, reserve_wei_per_constraint: int) -> ClockResult:
    """Run the two clocks (rules 1–5 of the module docstring) to their stop.

    ``ordered_bids`` are by density, highest first, and ``ordered_asks`` by ask, lowest first
    (ties by id), so "the lowest user" is the last bid still in and "the costliest prover" the
    last ask still in. Each pass removes one agent or stops, and runs of rule 1 are found by
    bisection, so the whole run is ``O((n + m) log m)`` after sorting, in practice ``O(m log n)``.
    """
    prefix_constraints = list(accumulate((bid.constraints for bid in ordered_bids), initial=0))
    prefix_largest = list(accumulate((bid.constraints for bid in ordered_bids), max, initial=0))
    prefix_largest_capacity = list(accumulate((ask.capacity for ask in ordered_asks), max, initial=0))
    supply = EffectiveSupply([ask.capacity for ask in ordered_asks])
    users, provers = len(ordered_bids), len(ordered_asks)
    user_price = Price(reserve_wei_per_constraint, 1)
    prover_price: Price | None = None  # above every ask until a prover leaves
    user_clock_moved = False

    def room(prefix: int) -> int:
        return min(capacity, supply.total(prefix_largest[prefix]))

    while True:
        demand = prefix_constraints[users]
        largest = prefix_largest[users]
        if demand > room(users):  # rule 1
            users = _longest_fitting_prefix(prefix_constraints, users, room)
            user_price = density(ordered_bids[users])
            user_clock_moved = True
            continue
        if provers and supply.total(largest) - effective_capacity(prefix_largest_capacity[provers], largest) >= demand:
            provers -= 1  # rule 2
            supply.remove(provers)
            prover_price = Price(ordered_asks[provers].unit_cost_wei, 1)
            continue
        if prover_price is not None and price_at_most(prover_price, user_price):  # rule 3
            return ClockResult(users, provers, user_price, prover_price)
        if not user_clock_moved and users >= 2:  # rule 4
            users -= 1
            user_price = density(ordered_bids[users])
            user_clock_moved = True
            continue
        if provers and not price_at_most(Price(ordered_asks[provers - 1].unit_cost_wei, 1), user_price):  # rule 5
            provers -= 1
            supply.remove(provers)
            prover_price = Price(ordered_asks[provers].unit_cost_wei, 1)
            continue
        return ClockResult(users, provers, user_price, user_price)


def _longest_fitting_prefix(prefix_constraints: list[int], users: int, room: Callable[[int], int]) -> int:
    """The largest ``k < users`` with ``G_k ≤ room(k)``: the users rule 1 leaves in after the
    user clock has risen past every user it has to (``k = 0`` always fits). ``room`` grows as
    ``k`` falls (a smaller largest transaction), and ``G_k`` falls, so the test is monotone."""
    first_not_fitting = bisect_right(range(users), False, key=lambda k: prefix_constraints[k] > room(k))
    return first_not_fitting - 1


def ration_order(active_asks: list[Ask]) -> list[Ask]:
    """The walk order among the provers still in: largest capacity first, then id. It does not
    look at asks, so a prover still in cannot change its load by changing its ask."""
    return sorted(active_asks, key=lambda ask: (-ask.capacity, ask.id))


def assign_work(batch_bids: list[Bid], active_asks: list[Ask]) -> list[WorkGroup]:
    """Walk the batch (density order) over :func:`ration_order`; the clocks guarantee it fits.

    Raises :class:`MechanismError` if it does not (a bug: see the effective-capacity proof).
    """
    groups = walk_provers(batch_bids, ration_order(active_asks))
    if groups is None:
        raise MechanismError("proofphi: the batch does not fit the provers still in (effective-capacity bound broken)")
    return groups


def charge_at_user_price(batch_bids: list[Bid], user_price: Price) -> dict[str, int]:
    """User ``i`` pays ``⌈π_u·g_i⌉``: its critical bid, at most ``b_i`` since ``d_i ≥ π_u``."""
    num, den = user_price.num, user_price.den
    return {bid.id: -(-(num * bid.constraints) // den) for bid in batch_bids}


def pay_at_prover_price(work_groups: list[WorkGroup], prover_price: Price) -> list[int]:
    """Prover ``j`` receives ``⌊π_p·x_j⌋``: its threshold for every constraint it carries."""
    return [prover_price.times_floor(group.constraints) for group in work_groups]


def clear_proofphi(round_input: RoundInput) -> Outcome:
    """Clear one round with the truthful ``proofphi``."""
    config = round_input.config
    ordered_bids, ordered_asks = order_round(round_input.bids, round_input.asks, config)
    clocks = run_clocks(ordered_bids, ordered_asks, config.capacity, config.reserve_wei_per_constraint)
    batch_bids = ordered_bids[: clocks.users]
    work_groups = assign_work(batch_bids, ordered_asks[: clocks.provers])
    return settle_outcome(
        round_input,
        included_bid_ids=tuple(map(id_of, batch_bids)),
        charges_wei=charge_at_user_price(batch_bids, clocks.user_price),
        work_groups=work_groups,
        payments_wei=pay_at_prover_price(work_groups, clocks.prover_price),
        price=clocks.prover_price if batch_bids else Price(0, 1),
    )
