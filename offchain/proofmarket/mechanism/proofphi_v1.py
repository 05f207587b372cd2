"""``proofphi-v1``: the paper's first-price Prooφ (docs/mechanism.md, "proofphi-v1", steps 1–5).

Users by density, provers by ask; the batch is the longest prefix (stopping at the first
infeasible one) whose average fee ``f_k`` covers the asks of the provers the greedy walk uses;
users pay their bids; provers are paid the uniform ``p = min(f_k, a_next)`` per constraint,
rounded down; the surplus goes where the round's policy says.

Kept for comparison with the truthful default (:mod:`proofmarket.mechanism.proofphi`): measured,
users gain by shading their bids and provers by misreporting their asks (docs/mechanism.md).
"""

from __future__ import annotations

from proofmarket.mechanism.assignment import (
    AVERAGE_FEE,
    PrefixScan,
    WorkGroup,
    group_work,
    next_prover_ask,
    scan_feasible_prefix,
)
from proofmarket.mechanism.ordering import fee_of, id_of, order_round
from proofmarket.mechanism.settlement import settle_outcome
from proofmarket.mechanism.types import ZERO_PRICE, Ask, Bid, Outcome, Price, RoundConfig, RoundInput


def select_batch(ordered_bids: list[Bid], ordered_asks: list[Ask], config: RoundConfig) -> PrefixScan:
    """Step 3: the batch ``1..k*`` and where the greedy walk of step 4 placed it.

    Prefix ``1..k`` is feasible when ``G_k ≤ C`` and the greedy walk places it using only
    provers with ``a_j·G_k ≤ B_k``; the scan stops at the first infeasible prefix.
    """
    return scan_feasible_prefix(
        ordered_bids, ordered_asks, config.capacity, AVERAGE_FEE, max_bids_per_chunk=config.max_bids_per_chunk
    )


def compute_prover_price(batch: PrefixScan, ordered_asks: list[Ask]) -> Price:
    """Step 5: ``p = min(f_k, a_next)``; ``a_next`` is the first eligible prover after the last
    working one (none: ``p = f_k``). An empty batch has price 0.

    ``a_next`` is eligible when ``a_next·G_k ≤ B_k``, and then ``a_next ≤ f_k``, so the minimum
    is ``a_next`` itself.
    """
    if batch.length == 0:
        return ZERO_PRICE
    following = next_prover_ask(ordered_asks, batch)
    if following is not None and following.unit_cost_wei * batch.total_constraints <= batch.total_fees_wei:
        return Price(following.unit_cost_wei, 1)
    return Price.of(batch.total_fees_wei, batch.total_constraints)  # G_k ≥ 1: the batch is not empty


def pay_provers_uniformly(work_groups: list[WorkGroup], price: Price) -> list[int]:
    """Step 5: prover ``j`` receives ``⌊p·x_j⌋`` for its ``x_j`` constraints."""
    return [price.times_floor(group.constraints) for group in work_groups]


def charge_bids(included_bid_ids: tuple[str, ...], batch_bids: list[Bid]) -> dict[str, int]:
    """Step 5: first price, every included user pays its bid."""
    return dict(zip(included_bid_ids, map(fee_of, batch_bids)))


def clear_proofphi_v1(round_input: RoundInput) -> Outcome:
    """Clear one round with ``proofphi-v1`` (steps 1–5)."""
    ordered_bids, ordered_asks = order_round(round_input.bids, round_input.asks, round_input.config)
    batch = select_batch(ordered_bids, ordered_asks, round_input.config)
    batch_bids = ordered_bids[: batch.length]
    included_bid_ids = tuple(map(id_of, batch_bids))
    work_groups = group_work(ordered_asks, batch)
    price = compute_prover_price(batch, ordered_asks)
    return settle_outcome(
        round_input,
        included_bid_ids=included_bid_ids,
        charges_wei=charge_bids(included_bid_ids, batch_bids),
        work_groups=work_groups,
        payments_wei=pay_provers_uniformly(work_groups, price),
        price=price,
    )
