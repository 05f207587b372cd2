"""The records of one round: inputs, prices, chunks and the outcome (docs/mechanism.md, "Model").

Every amount is an integer in wei and every size an integer in constraints; records are frozen
dataclasses and carry no behaviour beyond checking their own invariants. The rules live in the
mechanism modules as free functions over these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import gcd
from typing import Mapping

from proofmarket.exceptions import MechanismError

MECHANISM_NAMES = ("proofphi", "proofphi-v1", "trade-reduction", "pay-as-bid", "eip1559")
"""Every mechanism of docs/mechanism.md, the default first."""

DEFAULT_MECHANISM = "proofphi"

SURPLUS_POLICIES = ("treasury", "burn", "rebate")
"""Where the surplus ``R − Σ payouts`` goes (docs/mechanism.md, "Surplus policies"); treasury by default."""

UINT256_MAX = 2**256 - 1
"""Largest amount or size a round may carry: every number must fit the settlement contract."""


class InvalidRoundInputError(MechanismError):
    """A record of a round breaks a rule of the model (negative amount, zero size, duplicate id)."""

    def __init__(self, record: str, rule: str, value: object) -> None:
        self.record = record
        self.rule = rule
        self.value = value
        super().__init__(f"{record}: {rule} (got {value!r})")


def _require_integer(record: str, name: str, value: object, minimum: int) -> None:
    """Raise unless ``value`` is an int (not a bool) in ``[minimum, 2**256 − 1]``."""
    if type(value) is not int:
        raise InvalidRoundInputError(record, f"{name} must be an integer", value)
    if value < minimum:
        raise InvalidRoundInputError(record, f"{name} must be at least {minimum}", value)
    if value > UINT256_MAX:
        raise InvalidRoundInputError(record, f"{name} must fit in 256 bits", value)


def _require_id(record: str, value: object) -> None:
    """Raise unless ``value`` is a non-empty string (an EIP-712 digest in production)."""
    if not isinstance(value, str) or not value:
        raise InvalidRoundInputError(record, "id must be a non-empty string", value)


@dataclass(frozen=True, slots=True)
class Bid:
    """A user's bid: pay at most ``fee_wei`` in total to include a transaction of ``constraints``."""

    id: str
    fee_wei: int
    constraints: int

    def __post_init__(self) -> None:
        _require_id("bid", self.id)
        _require_integer(f"bid {self.id}", "fee_wei", self.fee_wei, 0)
        _require_integer(f"bid {self.id}", "constraints", self.constraints, 1)


@dataclass(frozen=True, slots=True)
class Ask:
    """A prover's ask: ``unit_cost_wei`` per constraint, for at most ``capacity`` constraints."""

    id: str
    unit_cost_wei: int
    capacity: int

    def __post_init__(self) -> None:
        _require_id("ask", self.id)
        _require_integer(f"ask {self.id}", "unit_cost_wei", self.unit_cost_wei, 0)
        _require_integer(f"ask {self.id}", "capacity", self.capacity, 1)


@dataclass(frozen=True, slots=True)
class RoundConfig:
    """The contract's configuration of a round.

    ``capacity`` is ``C``, ``reserve_wei_per_constraint`` is ``ρ``, ``surplus`` is the surplus
    policy, ``base_fee_wei_per_constraint`` is ``β`` (read by ``eip1559`` only), and
    ``max_bids_per_chunk`` is the most transactions one prover's chunk may hold (the contract's
    ``maxBidsPerChunk``, so that every chunk can be slashed in one block; 0: no bound).
    """

    capacity: int
    reserve_wei_per_constraint: int = 0
    surplus: str = "treasury"
    base_fee_wei_per_constraint: int = 0
    max_bids_per_chunk: int = 0

    def __post_init__(self) -> None:
        _require_integer("config", "capacity", self.capacity, 1)
        _require_integer("config", "reserve_wei_per_constraint", self.reserve_wei_per_constraint, 0)
        _require_integer("config", "base_fee_wei_per_constraint", self.base_fee_wei_per_constraint, 0)
        _require_integer("config", "max_bids_per_chunk", self.max_bids_per_chunk, 0)
        if self.surplus not in SURPLUS_POLICIES:
            raise InvalidRoundInputError("config", f"surplus must be one of {', '.join(SURPLUS_POLICIES)}", self.surplus)


@dataclass(frozen=True, slots=True)
class RoundInput:
    """Everything a mechanism reads: its name, the config, the bids and the asks (any order)."""

    mechanism: str
    config: RoundConfig
    bids: tuple[Bid, ...]
    asks: tuple[Ask, ...]

    def __post_init__(self) -> None:
        if self.mechanism not in MECHANISM_NAMES:
            raise InvalidRoundInputError("round", f"mechanism must be one of {', '.join(MECHANISM_NAMES)}", self.mechanism)
        _require_unique_ids("bid", [bid.id for bid in self.bids])
        _require_unique_ids("ask", [ask.id for ask in self.asks])


def _require_unique_ids(kind: str, ids: list[str]) -> None:
    """Raise on the first id that occurs twice: ties break by id, so ids must be unique."""
    if len(set(ids)) == len(ids):
        return
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            raise InvalidRoundInputError("round", f"duplicate {kind} id", identifier)
        seen.add(identifier)


@dataclass(frozen=True, slots=True)
class Price:
    """An exact price per constraint ``num / den`` in wei, always in lowest terms, ``den ≥ 1``."""

    num: int
    den: int

    def __post_init__(self) -> None:
        if type(self.num) is not int or type(self.den) is not int or self.num < 0 or self.den < 1:
            raise InvalidRoundInputError("price", "num must be ≥ 0 and den ≥ 1, both integers", (self.num, self.den))
        if gcd(self.num, self.den) != 1:
            raise InvalidRoundInputError("price", "must be in lowest terms (use Price.of)", (self.num, self.den))

    @classmethod
    def of(cls, num: int, den: int) -> Price:
        """The price ``num / den`` reduced to lowest terms (``0 / x`` becomes ``0 / 1``)."""
        divisor = gcd(num, den)
        return cls(num // divisor, den // divisor)

    def times_floor(self, constraints: int) -> int:
        """``⌊p·x⌋``: what ``constraints`` constraints are paid at this price, rounded down."""
        return self.num * constraints // self.den

    def __float__(self) -> float:
        """For reports and plots only: never use the float for money."""
        return self.num / self.den


ZERO_PRICE = Price(0, 1)
"""The price of an empty round."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """One working prover's share: a contiguous run of the included order, and its payment."""

    prover_id: str
    bid_ids: tuple[str, ...]
    constraints: int
    payment_wei: int


@dataclass(frozen=True)
class Outcome:
    """What a mechanism decides for one round (docs/mechanism.md, "The round file", output).

    Conservation, for every mechanism and policy:
    ``revenue_wei == payouts_wei + burn_wei + treasury_wei + Σ rebates_wei``, and
    ``surplus_wei`` is the part of the revenue the surplus policy routed (the revenue less the
    payouts, less the base-fee burn under ``eip1559``).

    ``round_input`` is kept (not compared) so the canonical hashes can be computed on demand by
    :func:`proofmarket.mechanism.roundfile.input_hash` and ``outcome_hash`` (this module imports
    nothing from the round file: the records come first, their JSON and hashes after).
    """

    mechanism: str
    included_bid_ids: tuple[str, ...]
    charges_wei: Mapping[str, int]
    rebates_wei: Mapping[str, int]
    chunks: tuple[Chunk, ...]
    price: Price
    revenue_wei: int
    payouts_wei: int
    surplus_wei: int
    burn_wei: int
    treasury_wei: int
    next_base_fee_wei_per_constraint: int | None
    round_input: RoundInput = field(repr=False, compare=False)

    @property
    def included_constraints(self) -> int:
        """``G``: the constraints of the included transactions (the sum over the chunks)."""
        return sum(chunk.constraints for chunk in self.chunks)
