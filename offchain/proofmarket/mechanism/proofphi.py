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

1. **Excess demand.** If the users still in do not fit (``G > C``, or the provers still in cannot
   carry them by :class:`~proofmarket.mechanism.supply.Feasibility`'s tests), the user clock
   rises: the lowest users leave until the rest fit.
2. **Redundant supply.** If the provers still in would carry the users even without the largest
   of them, the prover clock falls: the costliest prover leaves.
3. **Stop** when the prover clock is at or below the user clock.
4. **Price discovery.** If no user has left yet and two or more are in, the user clock rises
   once (the lowest user leaves), so the provers are priced by a user's bid, not by ``ρ``.
5. **Meet.** Otherwise the prover clock falls towards a target: ``π_u``, or, once a prover has
   left, the midpoint ``(π_u + π_p)/2``. The costliest prover still in leaves if its ask is above
   the target; if not, the clocks meet at the target (the user clock rises to it, users below it
   leave), and the rules run once more before rule 3 stops them.

Everyone still in trades: each user pays ``⌈π_u·g_i⌉``, each working prover ``⌊π_p·x_j⌋`` with
``π_p ≤ π_u``, so the round is budget balanced by construction. Work is rationed among the
provers still in by an order that does not look at their asks (largest capacity first, then id):
:meth:`~proofmarket.mechanism.supply.Feasibility.assign`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from proofmarket.exceptions import MechanismError
from proofmarket.mechanism.arithmetic import mul_div_up
from proofmarket.mechanism.assignment import WorkGroup
from proofmarket.mechanism.ordering import id_of, order_round
from proofmarket.mechanism.settlement import settle_outcome
from proofmarket.mechanism.supply import Feasibility
from proofmarket.mechanism.types import ZERO_PRICE, Ask, Bid, Outcome, Price, RoundConfig, RoundInput


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


def run_clocks(ordered_bids: list[Bid], ordered_asks: list[Ask], config: RoundConfig) -> tuple[ClockResult, Feasibility]:
    """Run the two clocks (rules 1–5 of the module docstring) to their stop.

    ``ordered_bids`` are by density, highest first, and ``ordered_asks`` by ask, lowest first
    (ties by id), so "the lowest user" is the last bid still in and "the costliest prover" the
    last ask still in. Each pass removes one agent or stops, and runs of rule 1 are found by
    bisection. Returns where the clocks stopped and the feasibility state (the provers in).
    """
    feasibility = Feasibility(ordered_bids, ordered_asks, config.capacity, config.max_bids_per_chunk)
    users, provers = len(ordered_bids), len(ordered_asks)
    user_price = Price(config.reserve_wei_per_constraint, 1)
    prover_price: Price | None = None  # above every ask until a prover leaves
    user_clock_moved = False

    def prover_leaves() -> Price:
        nonlocal provers
        provers -= 1
        feasibility.remove(provers, ordered_asks[provers])
        return Price(ordered_asks[provers].unit_cost_wei, 1)

    while True:
        if not feasibility.fits(users):  # rule 1
            users = feasibility.longest_fitting_prefix(users)
            user_price = density(ordered_bids[users])
            user_clock_moved = True
            continue
        if provers and feasibility.redundant(users):  # rule 2
            prover_price = prover_leaves()
            continue
        if prover_price is not None and price_at_most(prover_price, user_price):  # rule 3
            return ClockResult(users, provers, user_price, prover_price), feasibility
        if not user_clock_moved and users >= 2:  # rule 4
            users -= 1
            user_price = density(ordered_bids[users])
            user_clock_moved = True
            continue
        if not provers:
            return ClockResult(users, provers, user_price, user_price), feasibility
        target = user_price if prover_price is None else midpoint(user_price, prover_price)  # rule 5
        if not price_at_most(Price(ordered_asks[provers - 1].unit_cost_wei, 1), target):
            prover_price = prover_leaves()
            continue
        prover_price = target  # the clocks meet at the target: the user clock rises to it
        if not price_at_most(target, user_price):
            user_price = target
            users = count_at_least(ordered_bids, users, target)
            user_clock_moved = True


def midpoint(low: Price, high: Price) -> Price:
    """``(low + high) / 2``, exactly."""
    return Price.of(low.num * high.den + high.num * low.den, 2 * low.den * high.den)


def count_at_least(ordered_bids: list[Bid], users: int, price: Price) -> int:
    """How many of the first ``users`` bids have density ``≥ price`` (they come first)."""
    num, den = price.num, price.den
    return bisect_right(range(users), False, key=lambda index: ordered_bids[index].fee_wei * den < num * ordered_bids[index].constraints)


def charge_at_user_price(batch_bids: list[Bid], user_price: Price) -> dict[str, int]:
    """User ``i`` pays ``⌈π_u·g_i⌉``: its critical bid, at most ``b_i`` since ``d_i ≥ π_u``."""
    num, den = user_price.num, user_price.den  # den ≥ 1: a Price is in lowest terms
    return {bid.id: mul_div_up(num, bid.constraints, den) for bid in batch_bids}


def pay_at_prover_price(work_groups: list[WorkGroup], prover_price: Price) -> list[int]:
    """Prover ``j`` receives ``⌊π_p·x_j⌋``: its threshold for every constraint it carries."""
    return [prover_price.times_floor(group.constraints) for group in work_groups]


def clear_proofphi(round_input: RoundInput) -> Outcome:
    """Clear one round with the truthful ``proofphi``."""
    config = round_input.config
    ordered_bids, ordered_asks = order_round(round_input.bids, round_input.asks, config)
    clocks, feasibility = run_clocks(ordered_bids, ordered_asks, config)
    try:
        batch_bids, work_groups = feasibility.assign(clocks.users)
    except ValueError as error:
        raise MechanismError(f"proofphi: {error}") from error
    return settle_outcome(
        round_input,
        included_bid_ids=tuple(map(id_of, batch_bids)),
        charges_wei=charge_at_user_price(batch_bids, clocks.user_price),
        work_groups=work_groups,
        payments_wei=pay_at_prover_price(work_groups, clocks.prover_price),
        price=clocks.prover_price if batch_bids else ZERO_PRICE,
    )
