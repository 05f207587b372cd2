"""The property checks of docs/mechanism.md ("Properties the harness measures"), one instance at a time.

Each check takes a *truthful* round (every bid is its user's value ``v_i``, every ask its
prover's cost ``c_j``) and reports what it found with exact integers:

- :func:`check_individual_rationality`, :func:`check_budget_balance`, :func:`check_capacity`
  look at one outcome;
- :func:`search_user_deviation`, :func:`search_prover_deviation`, :func:`search_sybil_split`,
  :func:`search_off_chain_agreement` re-clear the round under misreports (a grid plus the
  critical points where the outcome can change) and return the largest gain over truth;
- :func:`measure_welfare` compares ``Σ v_i − Σ c_j·x_j`` with the optimum of the relaxed
  problem (fractional transactions), an upper bound on the true optimum.

Utilities are quasi-linear: a user gets ``v_i − charge_i + rebate_i`` if included, else 0; a
prover gets its payments less ``c_j·x_j``. Chunks are assumed proven (no slashing here).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Iterable

from proofmarket.mechanism import clear_round
from proofmarket.mechanism.ordering import admit_bids, order_asks_by_cost, order_bids_by_density
from proofmarket.mechanism.types import UINT256_MAX, Ask, Bid, Outcome, RoundInput

Clear = Callable[[RoundInput], Outcome]


@dataclass(frozen=True)
class Finding:
    """One check on one instance: whether the property broke, and by how much (wei or
    constraints), plus the amount left over for budget balance."""

    violated: bool
    amount: int = 0
    leftover_wei: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Deviation:
    """The best misreport found: the gain over truth (0 if none helps), the report, the
    truthful utility, and how many misreports were tried."""

    gain_wei: int
    report: object
    truthful_utility_wei: int
    tried: int

    @property
    def profitable(self) -> bool:
        return self.gain_wei > 0


# --- utilities -------------------------------------------------------------------------------


def user_utility(outcome: Outcome, bid_id: str, value_wei: int) -> int:
    """``v_i − charge_i + rebate_i`` if the bid is included, else 0."""
    if bid_id not in outcome.charges_wei:
        return 0
    return value_wei - outcome.charges_wei[bid_id] + outcome.rebates_wei.get(bid_id, 0)


def prover_utility(outcome: Outcome, prover_ids: Iterable[str], unit_cost_wei: int) -> int:
    """Payments to the given identities less ``c·x`` for the constraints they got."""
    identities = set(prover_ids)
    return sum(
        chunk.payment_wei - unit_cost_wei * chunk.constraints for chunk in outcome.chunks if chunk.prover_id in identities
    )


# --- one outcome -----------------------------------------------------------------------------


def check_individual_rationality(round_input: RoundInput, outcome: Outcome) -> Finding:
    """IR: no included user is charged more than its bid, nobody else is charged, and no
    prover is paid less than ``a_j·x_j``. ``amount`` is the largest excess charge or shortfall."""
    bids = {bid.id: bid for bid in round_input.bids}
    asks = {ask.id: ask for ask in round_input.asks}
    worst = 0
    reasons = []
    if set(outcome.charges_wei) != set(outcome.included_bid_ids):
        reasons.append("charges a bid that is not included (or misses one)")
    for bid_id, charge in outcome.charges_wei.items():
        excess = charge - bids[bid_id].fee_wei if bid_id in bids else charge
        if excess > 0:
            worst = max(worst, excess)
            reasons.append(f"bid {bid_id} charged {charge} > bid")
    for chunk in outcome.chunks:
        shortfall = asks[chunk.prover_id].unit_cost_wei * chunk.constraints - chunk.payment_wei
        if shortfall > 0:
            worst = max(worst, shortfall)
            reasons.append(f"prover {chunk.prover_id} paid {chunk.payment_wei} < its ask × {chunk.constraints}")
    return Finding(bool(reasons), worst, reason="; ".join(reasons[:3]))


def check_budget_balance(round_input: RoundInput, outcome: Outcome) -> Finding:
    """Budget balance: ``Σ prover payments ≤ Σ user payments`` (charges less rebates), and the
    round's money is conserved: ``revenue = payouts + burn + treasury + Σ rebates``.
    ``leftover_wei`` is what the users paid beyond the provers' payments."""
    user_payments = sum(outcome.charges_wei.values()) - sum(outcome.rebates_wei.values())
    deficit = outcome.payouts_wei - user_payments
    reasons = []
    if deficit > 0:
        reasons.append(f"payouts {outcome.payouts_wei} > user payments {user_payments}")
    routed = outcome.payouts_wei + outcome.burn_wei + outcome.treasury_wei + sum(outcome.rebates_wei.values())
    if routed != outcome.revenue_wei or outcome.payouts_wei != sum(chunk.payment_wei for chunk in outcome.chunks):
        reasons.append(f"not conserved: revenue {outcome.revenue_wei} vs routed {routed}")
        deficit = max(deficit, abs(routed - outcome.revenue_wei))
    return Finding(bool(reasons), max(deficit, 0), leftover_wei=user_payments - outcome.payouts_wei, reason="; ".join(reasons))


def check_capacity(round_input: RoundInput, outcome: Outcome) -> Finding:
    """Capacity: ``Σ g ≤ C``, no prover over ``s_j`` (nor over ``max_bids_per_chunk`` bids, when
    set), and the chunks are a partition of the
    included order into contiguous runs whose sizes add up. ``amount`` is the largest excess."""
    bids = {bid.id: bid for bid in round_input.bids}
    asks = {ask.id: ask for ask in round_input.asks}
    included_constraints = sum(bids[bid_id].constraints for bid_id in outcome.included_bid_ids)
    worst = max(0, included_constraints - round_input.config.capacity)
    reasons = [f"Σ g = {included_constraints} > C"] if worst else []
    for chunk in outcome.chunks:
        excess = chunk.constraints - asks[chunk.prover_id].capacity
        if excess > 0:
            worst = max(worst, excess)
            reasons.append(f"prover {chunk.prover_id} over capacity by {excess}")
        bound = round_input.config.max_bids_per_chunk
        if bound and len(chunk.bid_ids) > bound:
            worst = max(worst, len(chunk.bid_ids) - bound)
            reasons.append(f"chunk of {chunk.prover_id} holds {len(chunk.bid_ids)} bids > {bound}")
        if sum(bids[bid_id].constraints for bid_id in chunk.bid_ids) != chunk.constraints:
            reasons.append(f"chunk of {chunk.prover_id} misstates its constraints")
    chained = tuple(bid_id for chunk in outcome.chunks for bid_id in chunk.bid_ids)
    if chained != tuple(outcome.included_bid_ids):
        reasons.append("chunks are not the included order cut into contiguous runs")
    return Finding(bool(reasons), worst, reason="; ".join(reasons[:3]))


# --- misreports ------------------------------------------------------------------------------


def _with_bid(round_input: RoundInput, bid_id: str, fee_wei: int) -> RoundInput:
    bids = tuple(Bid(bid.id, fee_wei, bid.constraints) if bid.id == bid_id else bid for bid in round_input.bids)
    return dataclasses.replace(round_input, bids=bids)


def _with_asks(round_input: RoundInput, ask_id: str, replacements: tuple[Ask, ...]) -> RoundInput:
    asks = tuple(new for ask in round_input.asks for new in (replacements if ask.id == ask_id else (ask,)))
    return dataclasses.replace(round_input, asks=asks)


def _valid_amounts(values: Iterable[int]) -> list[int]:
    """The distinct candidates that are valid amounts, ascending."""
    return sorted({value for value in values if 0 <= value <= UINT256_MAX})


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def user_report_candidates(round_input: RoundInput, bid: Bid) -> list[int]:
    """Misreports of ``b_i`` to try: ``v·t/16`` for ``t = 0..64`` (0 … 4v), and the critical
    points ±1 where the outcome can change: equal density with another bid, ``a_j·g_i``,
    ``ρ·g_i``, ``β·g_i``, and the fee that makes a prefix's average fee equal an ask."""
    value, size = bid.fee_wei, bid.constraints
    config = round_input.config
    points = [value * step // 16 for step in range(65)]
    critical = [config.reserve_wei_per_constraint * size, config.base_fee_wei_per_constraint * size]
    others = order_bids_by_density([other for other in admit_bids(round_input.bids, config) if other.id != bid.id])
    for other in others:
        critical.append(_ceil_div(other.fee_wei * size, other.constraints))
    costs = sorted({ask.unit_cost_wei for ask in round_input.asks})
    critical.extend(cost * size for cost in costs)
    fees_before, constraints_before = 0, 0
    for other in [None, *others]:
        if other is not None:
            fees_before += other.fee_wei
            constraints_before += other.constraints
        critical.extend(cost * (constraints_before + size) - fees_before for cost in costs)
    points.extend(point + delta for point in critical for delta in (-1, 0, 1))
    return _valid_amounts(points)


def prover_ask_candidates(round_input: RoundInput, ask: Ask) -> list[int]:
    """Misreports of ``a_j`` to try: ``c·t/8`` for ``t = 0..32`` (0 … 4c), and the critical
    points ±1: other asks, the reserve ``ρ``, bid densities, and every prefix's average fee."""
    cost = ask.unit_cost_wei
    points = [cost * step // 8 for step in range(33)]
    critical = [other.unit_cost_wei for other in round_input.asks if other.id != ask.id]
    critical.append(round_input.config.reserve_wei_per_constraint)
    ordered = order_bids_by_density(admit_bids(round_input.bids, round_input.config))
    fees, constraints = 0, 0
    for bid in ordered:
        critical.extend((bid.fee_wei // bid.constraints, _ceil_div(bid.fee_wei, bid.constraints)))
        fees += bid.fee_wei
        constraints += bid.constraints
        critical.append(fees // constraints)
    points.extend(point + delta for point in critical for delta in (-1, 0, 1))
    return _valid_amounts(points)


def search_user_deviation(round_input: RoundInput, bid_id: str, clear: Clear = clear_round) -> Deviation:
    """User IC: the largest ``u_i(report) − u_i(truth)`` over :func:`user_report_candidates`."""
    bid = next(bid for bid in round_input.bids if bid.id == bid_id)
    truthful = user_utility(clear(round_input), bid_id, bid.fee_wei)
    best_gain, best_report = 0, bid.fee_wei
    candidates = user_report_candidates(round_input, bid)
    for report in candidates:
        gain = user_utility(clear(_with_bid(round_input, bid_id, report)), bid_id, bid.fee_wei) - truthful
        if gain > best_gain:
            best_gain, best_report = gain, report
    return Deviation(best_gain, best_report, truthful, len(candidates))


def search_prover_deviation(round_input: RoundInput, ask_id: str, clear: Clear = clear_round) -> Deviation:
    """Prover IC: the largest ``u_j(ask) − u_j(truth)`` over :func:`prover_ask_candidates`
    (capacity stays as registered)."""
    ask = next(ask for ask in round_input.asks if ask.id == ask_id)
    truthful = prover_utility(clear(round_input), (ask_id,), ask.unit_cost_wei)
    best_gain, best_report = 0, ask.unit_cost_wei
    candidates = prover_ask_candidates(round_input, ask)
    for report in candidates:
        deviated = _with_asks(round_input, ask_id, (Ask(ask_id, report, ask.capacity),))
        gain = prover_utility(clear(deviated), (ask_id,), ask.unit_cost_wei) - truthful
        if gain > best_gain:
            best_gain, best_report = gain, report
    return Deviation(best_gain, best_report, truthful, len(candidates))


def _spread(values: list[int], count: int) -> list[int]:
    """Up to ``count`` values picked evenly from a sorted list (ends included)."""
    if len(values) <= count:
        return values
    return sorted({values[round(index * (len(values) - 1) / (count - 1))] for index in range(count)})


def search_sybil_split(round_input: RoundInput, ask_id: str, clear: Clear = clear_round, ask_choices: int = 7) -> Deviation:
    """Sybil: the prover splits its capacity ``s`` into two identities (``s/4``, ``s/2`` or
    ``3s/4`` and the rest) with asks chosen from ``{0, c}`` and an even spread of its
    :func:`prover_ask_candidates`; the gain is the two identities' joint utility at true cost
    less the truthful utility. A prover of capacity 1 cannot split (gain 0, nothing tried)."""
    ask = next(ask for ask in round_input.asks if ask.id == ask_id)
    cost = ask.unit_cost_wei
    truthful = prover_utility(clear(round_input), (ask_id,), cost)
    splits = sorted({ask.capacity * share // 4 for share in (1, 2, 3)} - {0, ask.capacity})
    choices = sorted({0, cost, *_spread(prover_ask_candidates(round_input, ask), ask_choices)})
    names = (f"{ask_id}.1", f"{ask_id}.2")
    best_gain, best_report, tried = 0, None, 0
    for first_capacity in splits:
        for first_cost in choices:
            for second_cost in choices:
                identities = (
                    Ask(names[0], first_cost, first_capacity),
                    Ask(names[1], second_cost, ask.capacity - first_capacity),
                )
                gain = prover_utility(clear(_with_asks(round_input, ask_id, identities)), names, cost) - truthful
                tried += 1
                if gain > best_gain:
                    best_gain, best_report = gain, (first_capacity, first_cost, second_cost)
    return Deviation(best_gain, best_report, truthful, tried)


def search_off_chain_agreement(round_input: RoundInput, bid_id: str, clear: Clear = clear_round) -> Deviation:
    """OCA: user ``i`` under-reports (any :func:`user_report_candidates` value up to ``v_i``)
    and pays a prover off chain; the transfer cancels in their joint utility, so the gain is
    ``max_j [u_i + u_j](deviation) − [u_i + u_j](truth)`` over every prover ``j``. The partner
    may also misreport its ask (grid ``c·{1/2, 1, 3/2, 2}`` and the other asks) together with
    the user; that joint search is done for the prover that proves ``i``'s transaction in the
    truthful outcome (or the cheapest prover if ``i`` is not included)."""
    bid = next(bid for bid in round_input.bids if bid.id == bid_id)
    value = bid.fee_wei
    asks = {ask.id: ask for ask in round_input.asks}
    truth = clear(round_input)
    truthful_user = user_utility(truth, bid_id, value)
    truthful_provers = {ask.id: prover_utility(truth, (ask.id,), ask.unit_cost_wei) for ask in round_input.asks}
    reports = [report for report in user_report_candidates(round_input, bid) if report <= value]
    best_gain, best_report, tried = 0, None, 0
    for report in reports:
        outcome = clear(_with_bid(round_input, bid_id, report))
        tried += 1
        user_gain = user_utility(outcome, bid_id, value) - truthful_user
        for ask in round_input.asks:
            gain = user_gain + prover_utility(outcome, (ask.id,), ask.unit_cost_wei) - truthful_provers[ask.id]
            if gain > best_gain:
                best_gain, best_report = gain, (report, ask.id, ask.unit_cost_wei)
    partner = _partner_of(truth, bid_id, round_input)
    if partner is not None:
        partner_cost = partner.unit_cost_wei
        ask_reports = {partner_cost // 2, partner_cost * 3 // 2, partner_cost * 2}
        ask_reports.update(ask.unit_cost_wei for ask in asks.values() if ask.id != partner.id)
        ask_reports.discard(partner_cost)
        for report in reports:
            for ask_report in sorted(ask_reports):
                deviated = _with_asks(
                    _with_bid(round_input, bid_id, report), partner.id, (Ask(partner.id, ask_report, partner.capacity),)
                )
                outcome = clear(deviated)
                tried += 1
                gain = (
                    user_utility(outcome, bid_id, value)
                    - truthful_user
                    + prover_utility(outcome, (partner.id,), partner_cost)
                    - truthful_provers[partner.id]
                )
                if gain > best_gain:
                    best_gain, best_report = gain, (report, partner.id, ask_report)
    return Deviation(best_gain, best_report, truthful_user + (truthful_provers[partner.id] if partner else 0), tried)


def _partner_of(outcome: Outcome, bid_id: str, round_input: RoundInput) -> Ask | None:
    """The prover of ``bid_id``'s chunk, else the cheapest prover (``None`` without provers)."""
    asks = {ask.id: ask for ask in round_input.asks}
    for chunk in outcome.chunks:
        if bid_id in chunk.bid_ids:
            return asks[chunk.prover_id]
    ordered = order_asks_by_cost(list(round_input.asks))
    return ordered[0] if ordered else None


# --- welfare ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Welfare:
    """``achieved_wei = Σ v_i − Σ c_j·x_j`` of an outcome and the relaxed optimum (a Fraction)."""

    achieved_wei: int
    optimum_bound_wei: Fraction

    @property
    def ratio(self) -> float | None:
        """achieved / optimum (a float, for reports), ``None`` when the optimum is 0."""
        if self.optimum_bound_wei <= 0:
            return None
        return float(Fraction(self.achieved_wei) / self.optimum_bound_wei)


def relaxed_optimal_welfare(round_input: RoundInput) -> Fraction:
    """The optimum with fractional transactions: match the highest-density constraint units
    with the cheapest prover units while density exceeds cost, up to ``C`` units in total and
    ``s_j`` per prover. Every transaction with ``g_i ≤ C`` counts (the reserve is a mechanism
    choice, so what it excludes is a loss). An upper bound on the whole-transaction optimum."""
    return relaxed_optimum(round_input)[0]


def relaxed_optimum(round_input: RoundInput) -> tuple[Fraction, int]:
    """The relaxed optimum's welfare and traded constraints (see :func:`relaxed_optimal_welfare`)."""
    capacity = round_input.config.capacity
    bids = order_bids_by_density([bid for bid in round_input.bids if bid.constraints <= capacity])
    asks = order_asks_by_cost(list(round_input.asks))
    total = Fraction(0)
    room = capacity
    ask_index, ask_left = 0, asks[0].capacity if asks else 0
    for bid in bids:
        units = bid.constraints
        while units > 0 and room > 0 and ask_index < len(asks):
            cost = asks[ask_index].unit_cost_wei
            if bid.fee_wei <= cost * bid.constraints:  # density no longer above cost: stop
                return total, capacity - room
            taken = min(units, ask_left, room)
            total += Fraction(bid.fee_wei * taken, bid.constraints) - cost * taken
            units -= taken
            room -= taken
            ask_left -= taken
            if ask_left == 0:
                ask_index += 1
                ask_left = asks[ask_index].capacity if ask_index < len(asks) else 0
        if room == 0 or ask_index >= len(asks):
            break
    return total, capacity - room


def measure_welfare(round_input: RoundInput, outcome: Outcome, optimum: Fraction | None = None) -> Welfare:
    """The outcome's welfare against :func:`relaxed_optimal_welfare` (pass ``optimum`` to reuse
    one computed for the same bids and asks)."""
    bids = {bid.id: bid for bid in round_input.bids}
    asks = {ask.id: ask for ask in round_input.asks}
    values = sum(bids[bid_id].fee_wei for bid_id in outcome.included_bid_ids)
    costs = sum(asks[chunk.prover_id].unit_cost_wei * chunk.constraints for chunk in outcome.chunks)
    return Welfare(values - costs, relaxed_optimal_welfare(round_input) if optimum is None else optimum)
