"""``eip1559`` (docs/mechanism.md, "Other mechanisms"): the baseline the paper argues against.

A base fee per constraint ``β`` is an input. The density-ordered prefix with ``d_i ≥ β`` and
``Σ g ≤ C`` is included (the scan also stops at the first transaction the cheapest-first walk
cannot place: no prover left with room); each user pays its bid ``b_i``, of which ``β·g_i`` is
burned; the tips ``b_i − β·g_i`` are split among the provers, assigned cheapest first with no
eligibility test, pro rata to their constraints, rounding down. The next base fee is
``β' = β + ⌊β·(G − C/2) / (C/2) / 8⌋``.
"""

from __future__ import annotations

from proofmarket.mechanism.arithmetic import mul_div_down
from proofmarket.mechanism.assignment import BASE_FEE, WorkGroup, group_work, scan_feasible_prefix
from proofmarket.mechanism.ordering import id_of, order_round
from proofmarket.mechanism.proofphi_v1 import charge_bids
from proofmarket.mechanism.settlement import settle_outcome
from proofmarket.mechanism.types import ZERO_PRICE, Outcome, Price, RoundInput


def compute_next_base_fee(base_fee_wei_per_constraint: int, included_constraints: int, capacity: int) -> int:
    """``β' = β + ⌊β·(G − C/2) / (C/2) / 8⌋``, computed exactly as ``β + ⌊β·(2G − C) / (8C)⌋``.

    The floor rounds toward −∞ (a round below target lowers β by at least 1 when ``β > 0``).
    ``C ≥ 1``, so the divisor is positive; ``β' ≥ β − ⌈β/8⌉ ≥ 0``.
    """
    return base_fee_wei_per_constraint + (base_fee_wei_per_constraint * (2 * included_constraints - capacity)) // (
        8 * capacity
    )


def split_tips_pro_rata(work_groups: list[WorkGroup], tips_wei: int, included_constraints: int) -> list[int]:
    """Prover ``j`` receives ``⌊T·x_j / G⌋`` of the tips ``T`` (``G ≥ 1`` when there is work)."""
    return [mul_div_down(tips_wei, group.constraints, included_constraints) for group in work_groups]


def clear_eip1559(round_input: RoundInput) -> Outcome:
    """Clear one round with the EIP-1559-style baseline."""
    config = round_input.config
    base_fee = config.base_fee_wei_per_constraint
    ordered_bids, ordered_asks = order_round(round_input.bids, round_input.asks, config)
    batch = scan_feasible_prefix(
        ordered_bids, ordered_asks, config.capacity, BASE_FEE, base_fee, config.max_bids_per_chunk
    )
    batch_bids = ordered_bids[: batch.length]
    included_bid_ids = tuple(map(id_of, batch_bids))
    work_groups = group_work(ordered_asks, batch)
    base_fee_burn_wei = base_fee * batch.total_constraints
    tips_wei = batch.total_fees_wei - base_fee_burn_wei  # ≥ 0: every included b_i ≥ β·g_i
    empty = batch.length == 0
    return settle_outcome(
        round_input,
        included_bid_ids=included_bid_ids,
        charges_wei=charge_bids(included_bid_ids, batch_bids),
        work_groups=work_groups,
        payments_wei=[] if empty else split_tips_pro_rata(work_groups, tips_wei, batch.total_constraints),
        price=ZERO_PRICE if empty else Price.of(tips_wei, batch.total_constraints),
        base_fee_burn_wei=base_fee_burn_wei,
        next_base_fee_wei_per_constraint=compute_next_base_fee(base_fee, batch.total_constraints, config.capacity),
    )
