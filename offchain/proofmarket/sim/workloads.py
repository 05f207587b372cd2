"""Seeded generators of rounds for the property harness and the bench (docs/mechanism.md,
"Properties the harness measures": "many random and adversarial instances").

Every generator takes a ``random.Random`` and is a pure function of its state, so a seed
reproduces a run. Bids are truthful (a bid is its user's value ``v_i``) and asks are truthful
(an ask is its prover's cost ``c_j``): deviations are searched from there. Amounts are exact
integers in wei, at the scale of a ZK-rollup prover market: an instance's price level is drawn
per instance, 0.01, 0.1 or 1 gwei per constraint (10 or 100 gwei for ``whale`` rounds), so a
transaction of up to 10^6 constraints bids at most 0.01 ETH (1 ETH for a whale), a round's bids
add up to at most 12 ETH, and a prover's unit cost is at most 5 gwei (500 gwei for a whale).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from proofmarket.mechanism.types import SURPLUS_POLICIES, Ask, Bid, RoundConfig, RoundInput

FAMILIES = (
    "random",
    "lone-prover",
    "pivotal-prover",
    "tight-capacity",
    "equal-densities",
    "whale",
    "free-provers",
    "thick-market",
)
"""Instance families: one uniform random family and adversarial ones (a lone prover whose ask
is a reserve price; one large cheap prover beside small costly ones; a capacity ``C`` far
below demand; many equal densities (ties); whale fees of up to 1 ETH per transaction; provers of
cost 0) and a
thicker market (:data:`THICK_SHAPE`: 50–200 bids, 2–10 provers, transactions of at most 10^4
constraints), where the price of truthfulness should be small."""


@dataclass(frozen=True)
class WorkloadShape:
    """Ranges of an instance: bids, asks, and constraints per transaction."""

    min_bids: int = 2
    max_bids: int = 12
    min_asks: int = 1
    max_asks: int = 5
    max_constraints: int = 10**6


SMALL_SHAPE = WorkloadShape()

THICK_SHAPE = WorkloadShape(min_bids=50, max_bids=200, min_asks=2, max_asks=10, max_constraints=10**4)
"""The ``thick-market`` family's shape (it replaces the shape a caller passes)."""


def random_id(rng: random.Random) -> str:
    """A random 0x-prefixed 32-byte lowercase hex id, like an EIP-712 digest."""
    return f"0x{rng.getrandbits(256):064x}"


def _log_uniform_int(rng: random.Random, low: int, high: int) -> int:
    """An integer in ``[low, high]``, log-uniform (floats only to pick an exponent)."""
    exponent = rng.uniform(0.0, 1.0)
    return max(low, min(high, int(low * (high / low) ** exponent)))


GWEI = 10**9
ETHER = 10**18

PRICE_LEVELS_WEI = (GWEI // 100, GWEI // 10, GWEI)
"""An instance's typical fee per constraint (its price level ``L``): 0.01, 0.1 or 1 gwei.
Densities are drawn in ``[L/10, 10·L]`` and provers' unit costs in ``[L/20, 5·L]``."""

WHALE_PRICE_LEVELS_WEI = (10 * GWEI, 100 * GWEI)
"""The ``whale`` family's price levels: 10 or 100 gwei per constraint."""


def _price_level(rng: random.Random, family: str) -> int:
    """The instance's typical fee per constraint ``L``, in wei (:data:`PRICE_LEVELS_WEI`)."""
    if family == "whale":
        return rng.choice(WHALE_PRICE_LEVELS_WEI)
    return rng.choice(PRICE_LEVELS_WEI)


def generate_bids(rng: random.Random, count: int, level: int, shape: WorkloadShape, equal_density: bool) -> list[Bid]:
    """``count`` truthful bids: sizes log-uniform in ``[1, max_constraints]``, densities in
    ``[level/10, 10·level]`` (one shared density if ``equal_density``)."""
    shared_density = rng.randint(max(1, level // 10), 10 * level)
    bids = []
    for _ in range(count):
        constraints = _log_uniform_int(rng, 1, shape.max_constraints)
        if equal_density:
            fee = shared_density * constraints
        else:
            fee = rng.randint(max(0, level // 10) * constraints, 10 * level * constraints)
        bids.append(Bid(random_id(rng), fee, constraints))
    return bids


def generate_asks(rng: random.Random, count: int, level: int, demand: int, family: str) -> list[Ask]:
    """``count`` truthful asks, costs in ``[level/20, 5·level]``, capacities a share of demand."""
    asks = []
    for index in range(count):
        if family == "free-provers":
            unit_cost = 0
        elif family == "pivotal-prover" and index == 0:
            unit_cost = rng.randint(max(0, level // 20), level)
        else:
            unit_cost = rng.randint(max(0, level // 20), 5 * level)
        if family in ("lone-prover", "pivotal-prover") and index == 0:
            capacity = max(1, demand)
        else:
            capacity = max(1, int(demand * rng.uniform(0.05, 0.8)))
        asks.append(Ask(random_id(rng), unit_cost, capacity))
    return asks


def random_round(
    rng: random.Random,
    mechanism: str = "proofphi",
    family: str | None = None,
    shape: WorkloadShape = SMALL_SHAPE,
    capacity: int | None = None,
) -> RoundInput:
    """One random truthful round of ``family`` (drawn uniformly if ``None``).

    ``capacity`` fixes ``C``; otherwise ``C`` is a random share of the total demand (a small
    share for ``tight-capacity``). The reserve is 0 half of the time, the surplus policy is
    random, and ``β`` is 0 or near the price level.
    """
    family = family or rng.choice(FAMILIES)
    if family == "thick-market":
        shape = THICK_SHAPE
    level = _price_level(rng, family)
    bid_count = rng.randint(shape.min_bids, shape.max_bids)
    bids = generate_bids(rng, bid_count, level, shape, equal_density=family == "equal-densities")
    demand = sum(bid.constraints for bid in bids)
    if capacity is None:
        share = rng.uniform(0.05, 0.3) if family == "tight-capacity" else rng.uniform(0.3, 1.2)
        capacity = max(1, int(demand * share), max(bid.constraints for bid in bids) // 2)
    ask_count = 1 if family == "lone-prover" else rng.randint(max(shape.min_asks, 1), shape.max_asks)
    asks = generate_asks(rng, ask_count, level, demand, family)
    config = RoundConfig(
        capacity=capacity,
        reserve_wei_per_constraint=0 if rng.random() < 0.5 else rng.randint(0, level // 5),
        surplus=rng.choice(SURPLUS_POLICIES),
        base_fee_wei_per_constraint=0 if rng.random() < 0.3 else rng.randint(level // 10, 2 * level),
    )
    return RoundInput(mechanism, config, tuple(bids), tuple(asks))


def bench_round(rng: random.Random, bid_count: int, prover_count: int, mechanism: str = "proofphi") -> RoundInput:
    """A large round for the clearing bench.

    Fees are independent random wei amounts (0.01 … 10 gwei per constraint, sizes 1 … 10^4, so
    at most 10^-4 ETH a bid), provers' costs span 0.001 … 1 gwei per constraint, total prover
    capacity is ~60% and ``C`` ~50% of the demand, so the scan runs through about half the bids:
    the long-scan case.
    """
    bids = []
    for _ in range(bid_count):
        constraints = rng.randint(1, 10_000)
        bids.append(Bid(random_id(rng), rng.randint(GWEI // 100 * constraints, 10 * GWEI * constraints), constraints))
    demand = sum(bid.constraints for bid in bids)
    capacity_each = max(1, demand * 6 // 10 // prover_count)
    asks = [Ask(random_id(rng), rng.randint(GWEI // 1000, GWEI), capacity_each) for _ in range(prover_count)]
    return RoundInput(mechanism, RoundConfig(capacity=max(1, demand // 2)), tuple(bids), tuple(asks))
