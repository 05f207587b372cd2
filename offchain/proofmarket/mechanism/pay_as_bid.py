"""``pay-as-bid`` (docs/mechanism.md, "Other mechanisms"): Prooφ's selection and assignment, but each
prover is paid its own ask times its constraints (as Marlin Kalypso does).

Users pay their bids; the rest is the surplus. The outcome's ``price`` is the batch's average
fee ``f_k`` (the threshold the selection used); no payment is computed from it.
"""

from __future__ import annotations

from proofmarket.mechanism.assignment import PrefixScan, WorkGroup, group_work
from proofmarket.mechanism.ordering import id_of, order_round
from proofmarket.mechanism.proofphi_v1 import charge_bids, select_batch
from proofmarket.mechanism.settlement import settle_outcome
from proofmarket.mechanism.types import ZERO_PRICE, Outcome, Price, RoundInput


def pay_provers_their_asks(work_groups: list[WorkGroup]) -> list[int]:
    """Prover ``j`` receives ``a_j·x_j`` (exact: no rounding)."""
    return [group.ask.unit_cost_wei * group.constraints for group in work_groups]


def compute_average_fee(batch: PrefixScan) -> Price:
    """``f_k = B_k / G_k`` of the batch (0 for an empty batch, whose ``G_k`` is 0)."""
    if batch.length == 0:
        return ZERO_PRICE
    return Price.of(batch.total_fees_wei, batch.total_constraints)


def clear_pay_as_bid(round_input: RoundInput) -> Outcome:
    """Clear one round with pay-as-bid."""
    ordered_bids, ordered_asks = order_round(round_input.bids, round_input.asks, round_input.config)
    batch = select_batch(ordered_bids, ordered_asks, round_input.config)
    batch_bids = ordered_bids[: batch.length]
    included_bid_ids = tuple(map(id_of, batch_bids))
    work_groups = group_work(ordered_asks, batch)
    return settle_outcome(
        round_input,
        included_bid_ids=included_bid_ids,
        charges_wei=charge_bids(included_bid_ids, batch_bids),
        work_groups=work_groups,
        payments_wei=pay_provers_their_asks(work_groups),
        price=compute_average_fee(batch),
    )
