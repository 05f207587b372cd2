"""The property harness: every check of docs/mechanism.md ("Properties the harness measures") over
many seeded instances, for every mechanism.

Instance ``i`` of property ``P`` is drawn from ``random.Random(f"{seed}:{P}:{i}")``, so a run is
reproducible and an instance does not depend on how many others the plan asks for; every
mechanism is measured on the same instances. Nothing here decides what the results should be:
the tallies are whatever the checks find.
"""

from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass, field
from typing import Callable

from proofmarket.mechanism import MECHANISM_NAMES, clear_round
from proofmarket.mechanism.roundfile import round_to_json
from proofmarket.mechanism.types import RoundInput
from proofmarket.sim import properties
from proofmarket.sim.workloads import FAMILIES, WorkloadShape, random_round

PROPERTY_NAMES = ("IR", "budget-balance", "capacity", "user-IC", "user-IC-rebate", "prover-IC", "sybil", "OCA", "welfare")
"""``user-IC`` and ``prover-IC`` are measured under the treasury and burn surplus policies, where
the truthful ``proofphi`` claims DSIC; ``user-IC-rebate`` re-runs the same user instances under
the rebate policy, whose pro-rata rebate lowers an included user's net price below its critical
bid (docs/mechanism.md)."""

ROUNDING_WEI = 1
"""A deviation counts as profitable only if it gains more than this: a charge is rounded up and
a payment down to the wei, so a report at a clock price can move one amount by one wei."""

OCA_SHAPE = WorkloadShape(min_bids=4, max_bids=16, min_asks=1, max_asks=4, max_constraints=1000)
"""OCA instances: transactions of up to 1000 constraints, so ``C`` from 250 to 16000 spans
"a few transactions" to "everything fits"."""


@dataclass(frozen=True)
class HarnessPlan:
    """How many instances each property gets (per mechanism)."""

    name: str
    outcome_instances: int
    """IR, budget balance, capacity and welfare: one clearing per instance and mechanism."""
    user_ic_instances: int
    prover_ic_instances: int
    sybil_instances: int
    oca_instances_per_capacity: int
    oca_capacities: tuple[int, ...] = (250, 500, 1000, 2000, 4000, 8000, 16000)


QUICK_PLAN = HarnessPlan("quick", 5_000, 200, 200, 100, 30)
FULL_PLAN = HarnessPlan("full", 100_000, 3_000, 3_000, 1_000, 300)
TINY_PLAN = HarnessPlan("tiny", 40, 6, 6, 4, 2, (500, 4000))
PLANS = {plan.name: plan for plan in (QUICK_PLAN, FULL_PLAN, TINY_PLAN)}


@dataclass
class PropertyTally:
    """What one property measured for one mechanism.

    ``largest_gain`` is in wei (constraints for ``capacity``): the largest violation, the
    largest profitable deviation, or (``welfare``) the largest loss against the relaxed
    optimum. ``largest_relative_gain`` is the same as a share of the instance's total bids.
    ``witness`` is the instance (round JSON) and report of the largest one.
    """

    mechanism: str
    property: str
    instances: int = 0
    violations: int = 0
    largest_gain: int = 0
    largest_relative_gain: float = 0.0
    sum_relative_gain: float = 0.0
    sum_leftover_share: float = 0.0
    welfare_ratios: list[float] = field(default_factory=list)
    welfare_ratios_by_family: dict[str, list[float]] = field(default_factory=dict)
    violations_by_policy: dict[str, int] = field(default_factory=dict)
    instances_by_policy: dict[str, int] = field(default_factory=dict)
    violations_by_family: dict[str, int] = field(default_factory=dict)
    instances_by_family: dict[str, int] = field(default_factory=dict)
    net_violations: int = 0
    """``sybil`` and ``OCA``: instances whose gain exceeds the deviators' best solo deviations."""
    largest_net_gain: int = 0
    traded_constraints: int = 0
    """``welfare``: the constraints the mechanism included, summed over the instances."""
    optimum_constraints: int = 0
    """``welfare``: the constraints the relaxed optimum trades, summed over the instances."""
    witness: dict | None = None

    def record(
        self, violated: bool, gain: int, round_input: RoundInput, report: object = None, family: str | None = None
    ) -> None:
        """Count one instance (of ``family``, if given); keep it as the witness if its violation
        is the largest so far."""
        self.instances += 1
        policy = round_input.config.surplus
        self.instances_by_policy[policy] = self.instances_by_policy.get(policy, 0) + 1
        if family is not None:
            self.instances_by_family[family] = self.instances_by_family.get(family, 0) + 1
        relative = _share_of_bids(gain, round_input)
        self.sum_relative_gain += relative
        if not violated:
            return
        self.violations += 1
        self.violations_by_policy[policy] = self.violations_by_policy.get(policy, 0) + 1
        if family is not None:
            self.violations_by_family[family] = self.violations_by_family.get(family, 0) + 1
        self.largest_relative_gain = max(self.largest_relative_gain, relative)
        if self.witness is None or gain > self.largest_gain:
            self.largest_gain = gain
            self.witness = {"round": round_to_json(round_input), "report": repr(report), "gain": str(gain)}

    def record_welfare(self, welfare: properties.Welfare, round_input: RoundInput, family: str | None = None) -> None:
        """Count one instance of ``welfare``: a violation is a round that destroyed value
        (``Σ v − Σ c·x < 0``); the gain column tracks the loss against the relaxed optimum."""
        self.instances += 1
        loss = max(0, math.floor(welfare.optimum_bound_wei - welfare.achieved_wei))
        relative = _share_of_bids(loss, round_input)
        self.sum_relative_gain += relative
        self.largest_relative_gain = max(self.largest_relative_gain, relative)
        if welfare.achieved_wei < 0:
            self.violations += 1
        if self.witness is None or loss > self.largest_gain:
            self.largest_gain = loss
            self.witness = {"round": round_to_json(round_input), "report": "welfare loss", "gain": str(loss)}
        if welfare.ratio is not None:
            self.welfare_ratios.append(welfare.ratio)
            if family is not None:
                self.welfare_ratios_by_family.setdefault(family, []).append(welfare.ratio)


def _share_of_bids(amount: int, round_input: RoundInput) -> float:
    """``amount`` as a share of the instance's total bids (a float, for reports only)."""
    total_bids = sum(bid.fee_wei for bid in round_input.bids)
    return amount / total_bids if total_bids > 0 else 0.0


@dataclass
class HarnessResult:
    """Every tally, plus the series the plots need."""

    seed: int
    plan: HarnessPlan
    tallies: dict[tuple[str, str], PropertyTally]
    payments: dict[str, list[tuple[int, int]]]
    """Per mechanism, (user payments, prover payments) of the first instances."""
    oca_by_capacity: dict[str, dict[int, list[float]]]
    """Per mechanism and ``C``, each instance's joint OCA gain as a share of its total bids."""
    net_by_capacity: dict[str, dict[str, dict[int, list[float]]]] = field(default_factory=dict)
    """Per property (``sybil``, ``OCA``), mechanism and ``C``: each instance's gain net of the
    deviators' best solo deviations, as a share of its total bids."""

    def tally(self, mechanism: str, property_name: str) -> PropertyTally:
        return self.tallies[(mechanism, property_name)]


Progress = Callable[[str, int], None]
"""Called as ``advance(property_name, instances_done_since_last_call)``."""


def _instance_rng(seed: int, property_name: str, index: int) -> random.Random:
    return random.Random(f"{seed}:{property_name}:{index}")


def _for_mechanism(round_input: RoundInput, mechanism: str) -> RoundInput:
    return dataclasses.replace(round_input, mechanism=mechanism)


def _with_policy(round_input: RoundInput, policy: str) -> RoundInput:
    return dataclasses.replace(round_input, config=dataclasses.replace(round_input.config, surplus=policy))


def _without_rebate(round_input: RoundInput) -> RoundInput:
    """The instance under the treasury policy if it drew ``rebate`` (IC is claimed without it)."""
    return _with_policy(round_input, "treasury") if round_input.config.surplus == "rebate" else round_input


DEVIATION_FAMILIES = tuple(family for family in FAMILIES if family != "thick-market")
"""The families the IC searches run on: every family but the thick market, whose rounds of up to
200 bids would make each search re-clear thousands of times (its critical points grow with the
number of prefixes times the number of asks); the thick market is measured for welfare."""


def family_of(index: int, families: tuple[str, ...] = FAMILIES) -> str:
    """Instances take the families in turn, so each is measured (and reported) alike."""
    return families[index % len(families)]


def run_harness(
    plan: HarnessPlan,
    seed: int,
    mechanisms: tuple[str, ...] = MECHANISM_NAMES,
    advance: Progress | None = None,
) -> HarnessResult:
    """Run every property of the plan for every mechanism; ``advance`` reports progress."""
    advance = advance or (lambda name, count: None)
    result = HarnessResult(
        seed=seed,
        plan=plan,
        tallies={(m, p): PropertyTally(m, p) for m in mechanisms for p in PROPERTY_NAMES},
        payments={m: [] for m in mechanisms},
        oca_by_capacity={m: {c: [] for c in plan.oca_capacities} for m in mechanisms},
        net_by_capacity={
            name: {m: {c: [] for c in plan.oca_capacities} for m in mechanisms} for name in ("sybil", "OCA")
        },
    )
    measure_outcomes(result, mechanisms, advance)
    measure_deviations(result, mechanisms, advance)
    measure_off_chain_agreements(result, mechanisms, advance)
    return result


PAYMENT_SAMPLES = 3_000


def measure_outcomes(result: HarnessResult, mechanisms: tuple[str, ...], advance: Progress) -> None:
    """IR, budget balance, capacity and welfare: clear each instance once per mechanism."""
    for index in range(result.plan.outcome_instances):
        family = family_of(index)
        truthful = random_round(_instance_rng(result.seed, "outcome", index), family=family)
        optimum, optimum_volume = properties.relaxed_optimum(truthful)
        for mechanism in mechanisms:
            round_input = _for_mechanism(truthful, mechanism)
            outcome = clear_round(round_input)
            ir = properties.check_individual_rationality(round_input, outcome)
            result.tally(mechanism, "IR").record(ir.violated, ir.amount, round_input, ir.reason)
            budget = properties.check_budget_balance(round_input, outcome)
            budget_tally = result.tally(mechanism, "budget-balance")
            budget_tally.record(budget.violated, budget.amount, round_input, budget.reason)
            user_payments = outcome.revenue_wei - sum(outcome.rebates_wei.values())
            if user_payments > 0:
                budget_tally.sum_leftover_share += budget.leftover_wei / user_payments
            capacity = properties.check_capacity(round_input, outcome)
            result.tally(mechanism, "capacity").record(capacity.violated, capacity.amount, round_input, capacity.reason)
            welfare = properties.measure_welfare(round_input, outcome, optimum)
            welfare_tally = result.tally(mechanism, "welfare")
            welfare_tally.record_welfare(welfare, round_input, family)
            welfare_tally.traded_constraints += outcome.included_constraints
            welfare_tally.optimum_constraints += optimum_volume
            if index < PAYMENT_SAMPLES:
                result.payments[mechanism].append((user_payments, outcome.payouts_wei))
        advance("outcomes", 1)


def measure_deviations(result: HarnessResult, mechanisms: tuple[str, ...], advance: Progress) -> None:
    """User IC (also under the rebate policy) and prover IC: a sampled user or prover searches
    its misreports, on instances that take the families of :data:`DEVIATION_FAMILIES` in turn."""
    plan = result.plan
    searches = (
        ("user-IC", plan.user_ic_instances, "bids", properties.search_user_deviation),
        ("prover-IC", plan.prover_ic_instances, "asks", properties.search_prover_deviation),
    )
    for property_name, count, side, search in searches:
        for index in range(count):
            rng = _instance_rng(result.seed, property_name, index)
            family = family_of(index, DEVIATION_FAMILIES)
            truthful = _without_rebate(random_round(rng, family=family))
            target = rng.choice(getattr(truthful, side)).id
            for mechanism in mechanisms:
                round_input = _for_mechanism(truthful, mechanism)
                deviation = search(round_input, target)
                result.tally(mechanism, property_name).record(
                    deviation.gain_wei > ROUNDING_WEI,
                    deviation.gain_wei,
                    round_input,
                    {"target": target, "report": deviation.report},
                    family,
                )
                if property_name == "user-IC":
                    rebated = _with_policy(round_input, "rebate")
                    deviation = search(rebated, target)
                    result.tally(mechanism, "user-IC-rebate").record(
                        deviation.gain_wei > ROUNDING_WEI,
                        deviation.gain_wei,
                        rebated,
                        {"target": target, "report": deviation.report},
                        family,
                    )
            advance(property_name, 1)


def measure_off_chain_agreements(result: HarnessResult, mechanisms: tuple[str, ...], advance: Progress) -> None:
    """Sybil and OCA, for each capacity ``C`` of the plan: a sampled prover splits into two
    identities; a sampled user and a prover collude. Each gain is also taken net of the
    deviators' best solo deviations (what they could gain without the split or the agreement)."""
    plan = result.plan
    sybil_per_capacity = max(1, plan.sybil_instances // len(plan.oca_capacities))
    for capacity in plan.oca_capacities:
        for index in range(sybil_per_capacity):
            rng = _instance_rng(result.seed, f"sybil-{capacity}", index)
            truthful = _without_rebate(random_round(rng, shape=OCA_SHAPE, capacity=capacity))
            target = rng.choice(truthful.asks).id
            for mechanism in mechanisms:
                round_input = _for_mechanism(truthful, mechanism)
                split = properties.search_sybil_split(round_input, target)
                solo = properties.search_prover_deviation(round_input, target)
                net = max(0, split.gain_wei - solo.gain_wei)
                _record_coalition(result, mechanism, "sybil", capacity, split, net, round_input, {"target": target})
            advance("sybil", 1)
        for index in range(plan.oca_instances_per_capacity):
            rng = _instance_rng(result.seed, f"OCA-{capacity}", index)
            truthful = random_round(rng, shape=OCA_SHAPE, capacity=capacity)
            target = rng.choice(truthful.bids).id
            total_bids = sum(bid.fee_wei for bid in truthful.bids)
            for mechanism in mechanisms:
                round_input = _for_mechanism(truthful, mechanism)
                deviation = properties.search_off_chain_agreement(round_input, target)
                solo = properties.search_user_deviation(round_input, target).gain_wei
                if deviation.report is not None:
                    solo += properties.search_prover_deviation(round_input, deviation.report[1]).gain_wei
                net = max(0, deviation.gain_wei - solo)
                _record_coalition(result, mechanism, "OCA", capacity, deviation, net, round_input, {"target": target})
                relative = deviation.gain_wei / total_bids if total_bids > 0 else 0.0
                result.oca_by_capacity[mechanism][capacity].append(relative)
            advance("OCA", 1)


def _record_coalition(
    result: HarnessResult,
    mechanism: str,
    property_name: str,
    capacity: int,
    deviation: properties.Deviation,
    net_gain: int,
    round_input: RoundInput,
    report: dict,
) -> None:
    """Count a Sybil or OCA instance: gross gain as a violation, and the net gain beside it."""
    tally = result.tally(mechanism, property_name)
    tally.record(
        deviation.gain_wei > ROUNDING_WEI, deviation.gain_wei, round_input, {**report, "report": deviation.report, "capacity": capacity}
    )
    if net_gain > ROUNDING_WEI:
        tally.net_violations += 1
        tally.largest_net_gain = max(tally.largest_net_gain, net_gain)
    total_bids = sum(bid.fee_wei for bid in round_input.bids)
    result.net_by_capacity[property_name][mechanism][capacity].append(net_gain / total_bids if total_bids > 0 else 0.0)


def planned_steps(plan: HarnessPlan) -> dict[str, int]:
    """How many ``advance`` steps each progress task will see."""
    return {
        "outcomes": plan.outcome_instances,
        "user-IC": plan.user_ic_instances,
        "prover-IC": plan.prover_ic_instances,
        "sybil": max(1, plan.sybil_instances // len(plan.oca_capacities)) * len(plan.oca_capacities),
        "OCA": plan.oca_instances_per_capacity * len(plan.oca_capacities),
    }
