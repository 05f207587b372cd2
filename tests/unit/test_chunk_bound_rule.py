"""admission.bound_bids_per_chunk: the clearinghouse never plans a chunk over the contract's
maxBidsPerChunk (settleRound would refuse it with TooManyBidsInChunk)."""

import pytest

from proofmarket.clearinghouse.admission import bound_bids_per_chunk
from proofmarket.mechanism import clear_round
from proofmarket.mechanism.types import Ask, Bid, RoundConfig, RoundInput


def _round(mechanism: str, bids: int) -> RoundInput:
    """``bids`` one-constraint bids (fees 100, 101, ...), one prover that can take them all."""
    return RoundInput(
        mechanism=mechanism,
        config=RoundConfig(capacity=10_000),
        bids=tuple(Bid(id=f"b{index:04d}", fee_wei=100 + index, constraints=1) for index in range(bids)),
        asks=(Ask(id="p0", unit_cost_wei=1, capacity=10_000),),
    )


@pytest.mark.parametrize("mechanism", ["pay-as-bid", "trade-reduction"])
def test_no_chunk_exceeds_the_bound_and_the_best_bids_stay(mechanism):
    round_input = _round(mechanism, 40)
    assert max(len(chunk.bid_ids) for chunk in clear_round(round_input).chunks) > 16
    bounded_input, outcome = bound_bids_per_chunk(round_input, clear_round, 16)
    assert outcome.chunks and max(len(chunk.bid_ids) for chunk in outcome.chunks) <= 16
    # What was cleared is the published input: clearing it again gives the same outcome.
    assert clear_round(bounded_input) == outcome
    kept = {bid.id for bid in bounded_input.bids}
    assert {f"b{index:04d}" for index in range(24, 40)} <= kept  # the densest bids are kept


def test_no_bound_is_one_plain_clearing():
    round_input = _round("pay-as-bid", 10)
    assert bound_bids_per_chunk(round_input, clear_round, None) == (round_input, clear_round(round_input))


def test_a_round_within_the_bound_is_unchanged():
    round_input = _round("pay-as-bid", 10)
    assert bound_bids_per_chunk(round_input, clear_round, 10) == (round_input, clear_round(round_input))
