"""Hypothesis strategies for rounds with wei-sized amounts, shared by the mechanism tests."""

from __future__ import annotations

from hypothesis import strategies as st

from proofmarket.mechanism import MECHANISM_NAMES, SURPLUS_POLICIES, Ask, Bid, RoundConfig, RoundInput

WEI = 10**24
"""Fees reach about a million ETH: far beyond 2^53, so any float would show."""


def _ids(prefix: str, count: int) -> list[str]:
    return [f"0x{prefix}{index:04x}" for index in range(count)]


@st.composite
def bids(draw, max_bids: int = 12, max_constraints: int = 600) -> list[Bid]:
    """Bids with fees up to 10^24 wei; a third of the time many share one density (ties)."""
    count = draw(st.integers(0, max_bids))
    ids = draw(st.permutations(_ids("b", count)))
    shared_density = draw(st.integers(0, WEI // max_constraints))
    tied = draw(st.booleans()) and draw(st.booleans())
    result = []
    for bid_id in ids:
        constraints = draw(st.integers(1, max_constraints))
        fee = shared_density * constraints if tied and draw(st.booleans()) else draw(st.integers(0, WEI))
        result.append(Bid(bid_id, fee, constraints))
    return result


@st.composite
def asks(draw, max_asks: int = 5, max_capacity: int = 1500) -> list[Ask]:
    """Asks with unit costs from 0 to 10^22 wei per constraint (around typical densities)."""
    count = draw(st.integers(0, max_asks))
    ids = draw(st.permutations(_ids("a", count)))
    cost = st.one_of(st.integers(0, 10**22), st.integers(0, 10**19), st.just(0))
    return [Ask(ask_id, draw(cost), draw(st.integers(1, max_capacity))) for ask_id in ids]


@st.composite
def configs(draw) -> RoundConfig:
    return RoundConfig(
        capacity=draw(st.integers(1, 2500)),
        reserve_wei_per_constraint=draw(st.one_of(st.just(0), st.integers(0, 10**21))),
        surplus=draw(st.sampled_from(SURPLUS_POLICIES)),
        base_fee_wei_per_constraint=draw(st.one_of(st.just(0), st.integers(0, 10**21))),
        max_bids_per_chunk=draw(st.one_of(st.just(0), st.integers(1, 4))),
    )


@st.composite
def rounds(draw, mechanism: str | None = None) -> RoundInput:
    """A whole round; the mechanism is drawn unless given. Half the time some asks cost exactly
    a bid's density (rounded down), so that ``a·G = B`` and ``a·g = b`` boundaries occur."""
    name = mechanism or draw(st.sampled_from(MECHANISM_NAMES))
    bid_list, ask_list = draw(bids()), draw(asks())
    if bid_list and draw(st.booleans()):
        densities = st.sampled_from([bid.fee_wei // bid.constraints for bid in bid_list])
        ask_list = [
            Ask(ask.id, draw(densities), ask.capacity) if draw(st.booleans()) else ask for ask in ask_list
        ]
    return RoundInput(name, draw(configs()), tuple(bid_list), tuple(ask_list))
