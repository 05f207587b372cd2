"""``trade-reduction`` (docs/mechanism.md, "Other mechanisms"): McAfee's trade reduction,
generalised to sizes and capacities.

Scan as in Prooφ step 3, but prefix ``1..k`` is feasible when ``G_k ≤ C`` and the greedy walk
places it using only provers with ``a_j ≤ d_k`` (the marginal density, exactly
``a_j·g_k ≤ b_k``). ``K`` is the last feasible prefix; ``1..K−1`` are included (nothing if
``K ≤ 1``) and the marginal user ``K`` sets the prices: users pay ``⌈b_K·g_i / g_K⌉``, provers
the uniform ``p = min(d_K, a_next)`` per constraint, rounded down.
"""

from __future__ import annotations

from proofmarket.mechanism.arithmetic import mul_div_up
from proofmarket.mechanism.assignment import (
    MARGINAL_DENSITY,
    PrefixScan,
    drop_last_transaction,
    group_work,
    next_prover_ask,
    scan_feasible_prefix,
)
from proofmarket.mechanism.ordering import id_of, order_round
from proofmarket.mechanism.proofphi_v1 import pay_provers_uniformly
from proofmarket.mechanism.settlement import settle_outcome
from proofmarket.mechanism.types import ZERO_PRICE, Ask, Bid, Outcome, Price, RoundConfig, RoundInput


def find_marginal_prefix(ordered_bids: list[Bid], ordered_asks: list[Ask], config: RoundConfig) -> PrefixScan:
    """The prefix ``1..K`` (same stop rule as Prooφ), feasible under ``a_j·g_k ≤ b_k``."""
    return scan_feasible_prefix(
        ordered_bids, ordered_asks, config.capacity, MARGINAL_DENSITY, max_bids_per_chunk=config.max_bids_per_chunk
    )


def charge_at_marginal_density(batch_bids: list[Bid], marginal: Bid) -> dict[str, int]:
    """User ``i`` pays ``⌈b_K·g_i / g_K⌉`` (``g_K ≥ 1``); at most ``b_i`` since ``d_i ≥ d_K``."""
    return {bid.id: mul_div_up(marginal.fee_wei, bid.constraints, marginal.constraints) for bid in batch_bids}


def compute_reduced_price(marginal: Bid, ordered_asks: list[Ask], batch: PrefixScan) -> Price:
    """``p = min(d_K, a_next)``: ``a_next`` is the first prover with ``a_j ≤ d_K`` after the last
    one that got work among ``1..K−1`` (none: ``p = d_K``)."""
    following = next_prover_ask(ordered_asks, batch)
    if following is not None and following.unit_cost_wei * marginal.constraints <= marginal.fee_wei:
        return Price(following.unit_cost_wei, 1)
    return Price.of(marginal.fee_wei, marginal.constraints)


def clear_trade_reduction(round_input: RoundInput) -> Outcome:
    """Clear one round with trade reduction."""
    ordered_bids, ordered_asks = order_round(round_input.bids, round_input.asks, round_input.config)
    marginal_prefix = find_marginal_prefix(ordered_bids, ordered_asks, round_input.config)
    if marginal_prefix.length <= 1:
        return settle_outcome(round_input, (), {}, [], [], ZERO_PRICE)
    batch = drop_last_transaction(marginal_prefix, ordered_bids)
    marginal = ordered_bids[batch.length]
    batch_bids = ordered_bids[: batch.length]
    work_groups = group_work(ordered_asks, batch)
    price = compute_reduced_price(marginal, ordered_asks, batch)
    return settle_outcome(
        round_input,
        included_bid_ids=tuple(map(id_of, batch_bids)),
        charges_wei=charge_at_marginal_density(batch_bids, marginal),
        work_groups=work_groups,
        payments_wei=pay_provers_uniformly(work_groups, price),
        price=price,
    )
