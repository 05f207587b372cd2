"""The dashboard: a page at ``/`` that refreshes itself, and the JSON it reads.

``GET /`` serves ``static/dashboard.html`` (with its script and style sheet under
``/dashboard/``; everything ships in the package, nothing is loaded from elsewhere). The page
reads two typed operations every two seconds:

- ``GET /v1/rounds?limit=N``: the chain head, the open round and when it closes, and the N most
  recent rounds the clearinghouse has a record of (bids, included, volume, price per constraint,
  revenue, payouts, surplus, chunks proven and missed, collateral slashed, links to the round's
  input file and outcome);
- ``GET /v1/provers``: every prover that asked or was assigned a chunk: capacity, collateral and
  balance (from the chain), earnings and chunks proven and missed (from the clearinghouse).

Reads are cheap: the figures of a cleared round are parsed once from its outcome file and kept
(they depend only on its input file, keyed by its hash), chain reads go through the API's
:class:`ChainView`, and each answer is reused for at most ``cache_seconds``.

Amounts are wei as decimal strings (JSON numbers stop being exact at 2^53); a price per constraint
is the exact fraction of wei and a decimal string of gwei.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from proofmarket.clearinghouse.chain_view import ChainView, TimedCache
from proofmarket.clearinghouse.database import AskRow, BidRow, ChunkRow, ChunkState, RoundRow, RoundState
from proofmarket.clearinghouse.schedule import close_block
from proofmarket.clearinghouse.service import Clearinghouse

from .models import ErrorBody, RoundStateName

GWEI = 10**9
#: Decimal places of gwei a price is written with when its decimal does not terminate sooner.
PRICE_PLACES = 18
#: How many rounds ``GET /v1/rounds`` answers by default, and at most.
DEFAULT_ROUNDS = 20
MAX_ROUNDS = 200
#: Round states whose outcome file holds what was (or is being) settled; in the others the
#: round has no outcome yet (open, closed) or none that moved money (failed).
_WITH_FIGURES = {RoundState.CLEARED, RoundState.SETTLE_SIGNED, RoundState.SETTLED, RoundState.RESOLVED, RoundState.EMPTY}
_MISSED = {ChunkState.SLASH_SIGNED, ChunkState.SLASHED}
#: The page's files: URL path -> (file in ``static/``, media type).
_ASSETS = {
    "/": ("dashboard.html", "text/html; charset=utf-8"),
    "/dashboard/dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    "/dashboard/dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
}
#: Only this server's own files, scripts and requests: the page works offline, and anything it
#: tried to load from elsewhere would be refused (and show as a console error).
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


# -- pure figures ------------------------------------------------------------------------------


def decimal_text(value: Fraction, places: int = PRICE_PLACES) -> str:
    """``value`` (≥ 0) in decimal: exact when its expansion ends within ``places`` digits after
    the point, else rounded half up to ``places`` digits. No exponent, no trailing zeros."""
    if value < 0:
        raise ValueError(f"a non-negative value is expected, got {value}")
    scaled = value * 10**places
    units, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        units += 1
    whole, fraction = divmod(units, 10**places)
    digits = f"{fraction:0{places}d}".rstrip("0") if places else ""
    return f"{whole}.{digits}" if digits else str(whole)


def terminates_within(value: Fraction, places: int = PRICE_PLACES) -> bool:
    """Whether ``decimal_text(value, places)`` is exact."""
    return (value * 10**places).denominator == 1


@dataclass(frozen=True)
class OutcomeFigures:
    """What a round's outcome file says, in exact integers: the figures of one dashboard row."""

    included: int
    constraints: int
    #: Wei per constraint; None when no bid was included (no trade, no price).
    price_wei: Fraction | None
    revenue_wei: int
    payouts_wei: int
    surplus_wei: int


def outcome_figures(document: dict[str, Any]) -> OutcomeFigures:
    """The figures of an outcome file (``roundfile.outcome_to_json``)."""
    included = len(document["included_bid_ids"])
    price = document["price"]
    return OutcomeFigures(
        included=included,
        constraints=sum(int(chunk["constraints"]) for chunk in document["chunks"]),
        price_wei=Fraction(int(price["num"]), int(price["den"])) if included else None,
        revenue_wei=int(document["revenue_wei"]),
        payouts_wei=int(document["payouts_wei"]),
        surplus_wei=int(document["surplus_wei"]),
    )


def chunk_missed(state: ChunkState, deadline_block: int | None, head: int) -> bool:
    """A chunk its prover did not prove by its deadline: slashed, being slashed, or overdue."""
    return state in _MISSED or (state == ChunkState.ASSIGNED and deadline_block is not None and head > deadline_block)


# -- response bodies ---------------------------------------------------------------------------

def _wei(description: str, example: str = "1500000000000") -> Any:
    return Field(
        description=f"{description}, in wei (a decimal string: amounts exceed 2^53).",
        pattern=r"^[0-9]+$",
        examples=[example],
    )


class PriceFraction(BaseModel):
    """An exact price per constraint in wei: ``numerator / denominator``, in lowest terms."""

    numerator: str = Field(description="Wei (a decimal string).", pattern=r"^[0-9]+$", examples=["3"])
    denominator: str = Field(description="Constraints (a decimal string, at least 1).", pattern=r"^[1-9][0-9]*$", examples=["1"])


class RoundSummary(BaseModel):
    """One round, as the clearinghouse recorded it. Outcome figures are null while the round has
    no outcome (``open``, ``closed``) or its outcome never settled (``failed``)."""

    round: int = Field(description="The round number.", examples=[7])
    state: RoundStateName = Field(description="Where the round stands (as in GET /v1/rounds/{round_id}).", examples=["resolved"])
    close_block: int = Field(description="The first block at which the round is closed to bids.", examples=[160])
    bids: int = Field(description="Signed bids accepted for the round (through the API and posted on-chain).", examples=[12])
    included: int | None = Field(description="Bids the auction included.", examples=[10])
    constraints: int | None = Field(description="Volume: the constraints of the included bids.", examples=[2400])
    price_gwei_per_constraint: str | None = Field(
        description=f"The clearing price in gwei per constraint, a decimal string: exact, or rounded half up to "
        f"{PRICE_PLACES} places when its decimal does not end (see price_exact). Null when nothing traded.",
        pattern=r"^[0-9]+(\.[0-9]+)?$",
        examples=["0.000000003"],
    )
    price_exact: bool | None = Field(description="Whether price_gwei_per_constraint is exact.", examples=[True])
    price_per_constraint: PriceFraction | None = Field(
        description="The clearing price, exact, in wei per constraint.",
        examples=[{"numerator": "3", "denominator": "1"}],
    )
    revenue_wei: str | None = _wei("What the included bids pay")
    payouts_wei: str | None = _wei("What the winning provers are paid")
    surplus_wei: str | None = _wei("Revenue less payouts (and any base-fee burn), routed by the surplus policy")
    chunks: int = Field(description="Chunks assigned at settlement.", examples=[2])
    chunks_proven: int = Field(description="Chunks whose proof was accepted on-chain.", examples=[2])
    chunks_missed: int = Field(description="Chunks not proven by their deadline (slashed, being slashed, or overdue).", examples=[0])
    chunks_slashed: int = Field(description="Chunks slashed.", examples=[0])
    collateral_slashed_wei: str = _wei("Collateral slashed from the provers of the slashed chunks")
    deadline_block: int | None = Field(description="The last block a chunk of the round may be proven in.", examples=[181])
    input_hash: str | None = Field(description="Keccak-256 of the round's input file (stored on-chain at settlement).", examples=["0x5a5f0c1e8a7f4f52a9c6e3b1d2f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2"])
    settle_transaction: str | None = Field(description="The settlement transaction's hash.", examples=["0x9f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"])
    settle_block: int | None = Field(description="The block the settlement was mined in.", examples=[161])
    input_url: str | None = Field(description="Where the round's input file is (once cleared).", examples=["/v1/rounds/7/input"])
    outcome_url: str | None = Field(description="Where the round's outcome file is (once cleared).", examples=["/v1/rounds/7/outcome"])
    failure: str | None = Field(description="Why the round failed, if it did.", examples=[None])


class OpenRound(BaseModel):
    """The round taking bids now."""

    round: int = Field(description="The open round's number.", examples=[7])
    close_block: int = Field(description="The first block at which it is closed to bids.", examples=[160])
    blocks_left: int = Field(description="Blocks from the chain head to its close block.", examples=[14])
    bids: int = Field(description="Bids accepted for it so far.", examples=[12])


class RoundsOverview(BaseModel):
    """The chain head, the open round, and the most recent rounds, newest first."""

    chain_id: int = Field(description="The chain's id.", examples=[31337])
    market_address: str = Field(description="The market contract's address.", examples=["0x5FbDB2315678afecb367f032d93F642f64180aa3"])
    head_block: int = Field(description="The chain head the clearinghouse sees.", examples=[146])
    round_length_blocks: int = Field(description="Blocks per round.", examples=[20])
    open_round: OpenRound = Field(
        description="The open round: its number, when it closes, and its bids so far.",
        examples=[{"round": 8, "close_block": 180, "blocks_left": 14, "bids": 3}],
    )
    rounds: list[RoundSummary] = Field(
        description="The most recent rounds the clearinghouse has a record of (a round with no bid and no ask has "
        "none), newest first; the open round is the first.",
        examples=[[]],
    )


class ProverSummary(BaseModel):
    """A prover that asked in some round or was assigned a chunk."""

    address: str = Field(description="The prover's address (EIP-55).", examples=["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"])
    registered: bool = Field(description="Registered on-chain now.", examples=[True])
    exiting: bool = Field(description="Has requested its exit.", examples=[False])
    capacity: int = Field(description="Constraints per round it can take (on-chain; the lower one while a decrease is pending).", examples=[1500])
    collateral_wei: str = _wei("Collateral deposited (on-chain)")
    locked_collateral_wei: str = _wei("Collateral locked by chunks not yet proven or slashed (on-chain)")
    balance_wei: str = _wei("Its withdrawable balance in the market now (on-chain; earnings not yet withdrawn included)")
    earned_wei: str = _wei("Payments for its proven chunks, all rounds")
    collateral_slashed_wei: str = _wei("Collateral slashed for its missed chunks, all rounds")
    chunks_proven: int = Field(description="Chunks it proved.", examples=[2])
    chunks_missed: int = Field(description="Chunks it did not prove by their deadline (slashed, being slashed, or overdue).", examples=[0])
    chunks_pending: int = Field(description="Chunks it may still prove (before their deadline).", examples=[1])
    last_ask_round: int | None = Field(description="The last round it asked in.", examples=[7])
    last_unit_cost_wei: str | None = Field(
        description="Its ask in that round: cost per constraint, in wei (a decimal string).", pattern=r"^[0-9]+$",
        examples=["2"],
    )


# -- the router --------------------------------------------------------------------------------


def _static_text(name: str) -> bytes:
    return resources.files("proofmarket.api").joinpath("static", name).read_bytes()


def dashboard_router(clearinghouse: Clearinghouse, view: ChainView, cache_seconds: float = 1.0) -> APIRouter:
    """The page at ``/`` and the operations it reads (``GET /v1/rounds``, ``GET /v1/provers``)."""
    router = APIRouter()
    reader = _DashboardReader(clearinghouse, view)
    rounds_cache = TimedCache(reader.rounds, cache_seconds)
    provers_cache = TimedCache(lambda _: reader.provers(), cache_seconds)

    for path, (name, media_type) in _ASSETS.items():
        content = _static_text(name)

        def asset(content: bytes = content, media_type: str = media_type) -> Response:
            headers = {"cache-control": "no-cache", "content-security-policy": CONTENT_SECURITY_POLICY,
                       "x-content-type-options": "nosniff"}
            return Response(content, media_type=media_type, headers=headers)

        router.add_api_route(path, asset, methods=["GET"], include_in_schema=False, response_class=Response)

    limit_refused = {422: {"model": ErrorBody, "description": f"limit is not an integer from 1 to {MAX_ROUNDS}"}}

    @router.get(
        "/v1/rounds", summary="Recent rounds", tags=["dashboard"], response_model=RoundsOverview, responses=limit_refused
    )
    def recent_rounds(
        limit: Annotated[
            int,
            Query(ge=1, le=MAX_ROUNDS, description="How many rounds, counting back from the open one.", examples=[20]),
        ] = DEFAULT_ROUNDS,
    ) -> RoundsOverview:
        """The chain head, the open round and when it closes, and the ``limit`` most recent rounds
        with their figures (the dashboard's table and chart), newest first."""
        return rounds_cache.get(limit)

    @router.get("/v1/provers", summary="Provers", tags=["dashboard"], response_model=list[ProverSummary])
    def provers() -> list[ProverSummary]:
        """Every prover that asked or was assigned a chunk, by address: capacity, collateral and
        balance from the chain; earnings and chunks proven and missed from the clearinghouse."""
        return provers_cache.get("all")

    return router


class _DashboardReader:
    """The queries behind the dashboard's operations (the database, then the chain view)."""

    def __init__(self, clearinghouse: Clearinghouse, view: ChainView):
        self.clearinghouse = clearinghouse
        self.view = view
        self.parameters = view.parameters
        #: (round, input hash) -> its outcome's figures: clearing is deterministic, so a round's
        #: figures change only if it is cleared again (a new input file, a new hash).
        self._figures: dict[tuple[int, str], OutcomeFigures] = {}

    def _close_block(self, round_id: int) -> int:
        return close_block(round_id, self.parameters.genesis_block, self.parameters.round_length_blocks)

    def rounds(self, limit: int) -> RoundsOverview:
        head = self.view.block_number()
        open_round = self.view.open_round()
        with self.clearinghouse.store.session() as session:
            rows = list(session.execute(
                select(
                    RoundRow.round_id, RoundRow.state, RoundRow.input_hash, RoundRow.settle_transaction_hash,
                    RoundRow.settle_block, RoundRow.deadline_block, RoundRow.failure,
                ).where(RoundRow.round_id <= open_round).order_by(RoundRow.round_id.desc()).limit(limit)
            ))
            if not rows or rows[0].round_id != open_round:
                rows = [_NoRow(open_round)] + rows[: limit - 1]
            ids = [row.round_id for row in rows]
            bids = dict(session.execute(
                select(BidRow.round_id, func.count()).where(BidRow.round_id.in_(ids)).group_by(BidRow.round_id)
            ).all())
            chunks = session.execute(
                select(ChunkRow.round_id, ChunkRow.state, ChunkRow.constraints).where(ChunkRow.round_id.in_(ids))
            ).all()
            wanted = [row.round_id for row in rows if row.input_hash and (row.round_id, row.input_hash) not in self._figures]
            if wanted:
                for round_id, input_hash, text in session.execute(
                    select(RoundRow.round_id, RoundRow.input_hash, RoundRow.outcome_json).where(RoundRow.round_id.in_(wanted))
                ):
                    if text:
                        self._figures[(round_id, input_hash)] = outcome_figures(json.loads(text))
        if len(self._figures) > 2 * MAX_ROUNDS:  # keep what the latest answers need, not every round ever
            shown = {(row.round_id, row.input_hash) for row in rows}
            self._figures = {key: value for key, value in self._figures.items() if key in shown}
        by_round: dict[int, list] = {}
        for chunk in chunks:
            by_round.setdefault(chunk.round_id, []).append(chunk)
        summaries = [self._summary(row, bids.get(row.round_id, 0), by_round.get(row.round_id, []), head, open_round)
                     for row in rows]
        close = self._close_block(open_round)
        return RoundsOverview(
            chain_id=self.parameters.chain_id,
            market_address=self.parameters.market_address,
            head_block=head,
            round_length_blocks=self.parameters.round_length_blocks,
            open_round=OpenRound(round=open_round, close_block=close, blocks_left=max(0, close - head), bids=bids.get(open_round, 0)),
            rounds=summaries,
        )

    def _summary(self, row, bid_count: int, chunks: list, head: int, open_round: int) -> RoundSummary:
        state = row.state or RoundState.OPEN
        if state == RoundState.OPEN and row.round_id < open_round:
            state = RoundState.CLOSED  # over; the round loop has not closed it yet
        figures = self._figures.get((row.round_id, row.input_hash)) if state in _WITH_FIGURES else None
        price = figures.price_wei if figures else None
        slashed = [chunk for chunk in chunks if chunk.state == ChunkState.SLASHED]
        cleared = row.input_hash is not None
        return RoundSummary(
            round=row.round_id,
            state=state.value,
            close_block=self._close_block(row.round_id),
            bids=bid_count,
            included=figures.included if figures else None,
            constraints=figures.constraints if figures else None,
            price_gwei_per_constraint=None if price is None else decimal_text(price / GWEI),
            price_exact=None if price is None else terminates_within(price / GWEI),
            price_per_constraint=None if price is None else PriceFraction(numerator=str(price.numerator), denominator=str(price.denominator)),
            revenue_wei=str(figures.revenue_wei) if figures else None,
            payouts_wei=str(figures.payouts_wei) if figures else None,
            surplus_wei=str(figures.surplus_wei) if figures else None,
            chunks=len(chunks),
            chunks_proven=sum(chunk.state == ChunkState.PROVEN for chunk in chunks),
            chunks_missed=sum(chunk_missed(chunk.state, row.deadline_block, head) for chunk in chunks),
            chunks_slashed=len(slashed),
            collateral_slashed_wei=str(sum(self.parameters.collateral_wei_per_constraint * chunk.constraints for chunk in slashed)),
            deadline_block=row.deadline_block,
            input_hash=row.input_hash,
            settle_transaction=row.settle_transaction_hash,
            settle_block=row.settle_block,
            input_url=f"/v1/rounds/{row.round_id}/input" if cleared else None,
            outcome_url=f"/v1/rounds/{row.round_id}/outcome" if cleared else None,
            failure=row.failure,
        )

    def provers(self) -> list[ProverSummary]:
        head = self.view.block_number()
        with self.clearinghouse.store.session() as session:
            addresses = set(session.scalars(select(AskRow.prover).distinct())) | set(
                session.scalars(select(ChunkRow.prover).distinct())
            )
            chunks = session.execute(
                select(ChunkRow.prover, ChunkRow.state, ChunkRow.constraints, ChunkRow.payment_wei, RoundRow.deadline_block)
                .join(RoundRow, RoundRow.round_id == ChunkRow.round_id)
            ).all()
            latest_round = select(AskRow.prover, func.max(AskRow.round_id).label("round_id")).group_by(AskRow.prover).subquery()
            asks = session.execute(
                select(AskRow.prover, AskRow.round_id, AskRow.nonce, AskRow.unit_cost_wei).join(
                    latest_round, (AskRow.prover == latest_round.c.prover) & (AskRow.round_id == latest_round.c.round_id)
                )
            ).all()
        names = {address.lower(): address for address in sorted(addresses)}
        tallies = {key: {"earned": 0, "slashed": 0, "proven": 0, "missed": 0, "pending": 0} for key in names}
        for chunk in chunks:
            tally = tallies[chunk.prover.lower()]
            if chunk.state == ChunkState.PROVEN:
                tally["proven"] += 1
                tally["earned"] += int(chunk.payment_wei)
            elif chunk_missed(chunk.state, chunk.deadline_block, head):
                tally["missed"] += 1
            elif chunk.state != ChunkState.DISPUTED:  # a disputed chunk is neither missed nor pending
                tally["pending"] += 1
            if chunk.state == ChunkState.SLASHED:
                tally["slashed"] += self.parameters.collateral_wei_per_constraint * chunk.constraints
        last_ask: dict[str, tuple[int, int, str]] = {}
        for ask in asks:
            key = ask.prover.lower()
            if key not in last_ask or (ask.round_id, ask.nonce) > last_ask[key][:2]:
                last_ask[key] = (ask.round_id, ask.nonce, ask.unit_cost_wei)
        summaries = []
        for key, address in sorted(names.items()):
            status = self.view.prover_status(address)
            tally = tallies[key]
            ask = last_ask.get(key)
            summaries.append(ProverSummary(
                address=address,
                registered=status.registered,
                exiting=status.exiting,
                capacity=status.capacity,
                collateral_wei=str(status.collateral_wei),
                locked_collateral_wei=str(status.locked_collateral_wei),
                balance_wei=str(self.view.escrow_of(address)),
                earned_wei=str(tally["earned"]),
                collateral_slashed_wei=str(tally["slashed"]),
                chunks_proven=tally["proven"],
                chunks_missed=tally["missed"],
                chunks_pending=tally["pending"],
                last_ask_round=ask[0] if ask else None,
                last_unit_cost_wei=ask[2] if ask else None,
            ))
        return summaries


@dataclass(frozen=True)
class _NoRow:
    """The open round when the clearinghouse has no record of it yet (no bid, no ask so far)."""

    round_id: int
    state: RoundState | None = None
    input_hash: str | None = None
    settle_transaction_hash: str | None = None
    settle_block: int | None = None
    deadline_block: int | None = None
    failure: str | None = None
