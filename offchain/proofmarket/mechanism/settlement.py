"""Payments, surplus routing and the outcome record (docs/mechanism.md, "Surplus policies").

Shared by every mechanism: each computes its charges, its prover payments and its price, then
:func:`settle_outcome` totals them, routes the surplus by the round's policy and checks budget
balance and conservation before anything leaves the mechanism.
"""

from __future__ import annotations

from dataclasses import dataclass

from proofmarket.exceptions import MechanismError
from proofmarket.mechanism.arithmetic import mul_div_down
from proofmarket.mechanism.assignment import WorkGroup
from proofmarket.mechanism.types import Chunk, Outcome, Price, RoundInput


class BudgetBalanceError(MechanismError):
    """The provers would be paid more than the users pay (a bug: no mechanism here allows it)."""

    def __init__(self, mechanism: str, revenue_wei: int, payouts_wei: int, base_fee_burn_wei: int) -> None:
        self.mechanism = mechanism
        self.revenue_wei = revenue_wei
        self.payouts_wei = payouts_wei
        self.base_fee_burn_wei = base_fee_burn_wei
        super().__init__(
            f"{mechanism}: payouts {payouts_wei} + base-fee burn {base_fee_burn_wei} exceed revenue {revenue_wei}"
        )


@dataclass(frozen=True)
class SurplusRouting:
    """Where the surplus went: per-user rebates, the burn and the treasury's share."""

    rebates_wei: dict[str, int]
    burn_wei: int
    treasury_wei: int


def route_surplus(policy: str, surplus_wei: int, charges_wei: dict[str, int], revenue_wei: int) -> SurplusRouting:
    """Route the surplus ``S = R − Σ payouts`` by the round's policy.

    - ``treasury``: the treasury gets ``S``.
    - ``burn``: ``S`` is burned.
    - ``rebate``: each included user ``i`` gets ``⌊S·charge_i / R⌋``; the dust
      ``S − Σ rebates`` goes to the treasury. With ``R = 0`` there is nothing to rebate.

    Raises ``ValueError`` on an unknown policy (RoundConfig has already refused one).
    """
    if policy == "treasury":
        return SurplusRouting({}, 0, surplus_wei)
    if policy == "burn":
        return SurplusRouting({}, surplus_wei, 0)
    if policy != "rebate":
        raise ValueError(f"unknown surplus policy {policy!r}")
    if revenue_wei == 0 or surplus_wei == 0:
        return SurplusRouting({bid_id: 0 for bid_id in charges_wei}, 0, surplus_wei)
    # R > 0 here, so the division is safe; each rebate is at most S·charge_i/R ≤ charge_i.
    rebates = {bid_id: mul_div_down(surplus_wei, charge, revenue_wei) for bid_id, charge in charges_wei.items()}
    return SurplusRouting(rebates, 0, surplus_wei - sum(rebates.values()))


def settle_outcome(
    round_input: RoundInput,
    included_bid_ids: tuple[str, ...],
    charges_wei: dict[str, int],
    work_groups: list[WorkGroup],
    payments_wei: list[int],
    price: Price,
    base_fee_burn_wei: int = 0,
    next_base_fee_wei_per_constraint: int | None = None,
) -> Outcome:
    """Total the round, route its surplus and build the :class:`Outcome`.

    ``payments_wei[j]`` is what ``work_groups[j]``'s prover is paid; its chunk is
    ``included_bid_ids[start:end]``. The surplus is
    ``revenue − payouts − base_fee_burn`` (the base-fee burn is ``eip1559``'s only).
    Raises :class:`BudgetBalanceError` if the surplus would be negative.
    """
    revenue_wei = sum(charges_wei.values())
    payouts_wei = sum(payments_wei)
    surplus_wei = revenue_wei - payouts_wei - base_fee_burn_wei
    if surplus_wei < 0:
        raise BudgetBalanceError(round_input.mechanism, revenue_wei, payouts_wei, base_fee_burn_wei)
    routing = route_surplus(round_input.config.surplus, surplus_wei, charges_wei, revenue_wei)
    chunks = tuple(
        Chunk(group.ask.id, included_bid_ids[group.start : group.end], group.constraints, payment)
        for group, payment in zip(work_groups, payments_wei, strict=True)
    )
    return Outcome(
        mechanism=round_input.mechanism,
        included_bid_ids=included_bid_ids,
        charges_wei=charges_wei,
        rebates_wei=routing.rebates_wei,
        chunks=chunks,
        price=price,
        revenue_wei=revenue_wei,
        payouts_wei=payouts_wei,
        surplus_wei=surplus_wei,
        burn_wei=base_fee_burn_wei + routing.burn_wei,
        treasury_wei=routing.treasury_wei,
        next_base_fee_wei_per_constraint=next_base_fee_wei_per_constraint,
        round_input=round_input,
    )
