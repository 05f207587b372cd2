"""A doctored settlement sent straight to the contract is rejected, each with its own error.

The honest settlement is the one the real clearinghouse builds for a real round; each test
changes one thing and sends it with the clearinghouse's own key.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from proofmarket.chain.errors import ContractRevert

from .conftest import send_settlement


@pytest.fixture(scope="module")
def cleared(stack):
    """A closed, cleared, not yet settled round and the clearinghouse's settlement for it."""
    return stack.cleared_not_settled(bid_count=6)


def with_bid(settlement, index, **changes):
    bids = list(settlement.bids)
    bids[index] = replace(bids[index], **changes)
    return replace(settlement, bids=tuple(bids))


def with_chunk(settlement, index, **changes):
    chunks = list(settlement.chunks)
    chunks[index] = replace(chunks[index], **changes)
    return replace(settlement, chunks=tuple(chunks))


def expect(stack, settlement, error_name):
    with pytest.raises(ContractRevert) as failure:
        send_settlement(stack, settlement)
    assert failure.value.error_name == error_name, str(failure.value)


def test_charge_over_max_fee_is_rejected(stack, cleared):
    _, settlement = cleared
    bid = settlement.bids[0]
    expect(stack, with_bid(settlement, 0, charge_wei=bid.message.max_fee + 1), "ChargeExceedsMaxFee")


def test_payment_under_the_ask_is_rejected(stack, cleared):
    _, settlement = cleared
    chunk = settlement.chunks[0]
    constraints = sum(b.message.constraints for b in settlement.bids[: chunk.bid_count])
    expect(stack, with_chunk(settlement, 0, payment_wei=chunk.ask.unit_cost * constraints - 1), "PaymentBelowAsk")


def test_payouts_over_revenue_are_rejected(stack, cleared):
    _, settlement = cleared
    revenue = sum(b.charge_wei for b in settlement.bids)
    expect(stack, with_chunk(settlement, 0, payment_wei=revenue + 1), "PaymentsExceedCharges")


def test_a_reused_bid_is_rejected(stack, cleared):
    _, settlement = cleared
    bids = (settlement.bids[0],) + settlement.bids
    doctored = with_chunk(replace(settlement, bids=bids), 0, bid_count=settlement.chunks[0].bid_count + 1)
    expect(stack, doctored, "BidReused")


def test_the_honest_settlement_still_settles_after_the_doctored_ones(stack, cleared):
    round_id, _ = cleared
    stack.restart()
    stack.node.run_once()
    assert stack.settlement_count(round_id) == 1
    assert stack.api.round_status(round_id)["state"] == "settled"
    stack.assert_conserved()
