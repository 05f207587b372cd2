"""The bid API's routes. Built by :func:`create_app` from an already-wired clearinghouse.

Status codes: 200/201 answered, 400 no body or malformed JSON, 402 escrow or collateral short,
404 no such round (not stored, not started, or not a round id), 405 wrong method, 408 the body
did not arrive in time, 409 duplicate, 413 body too large, 415 the body is not JSON, 422 a field
or a rule is wrong (bad signature, wrong round, unknown or exiting prover, ...), 500 a bug. Every
4xx and 5xx body is ``{"error": "<one line>"}``, and every operation declares in the OpenAPI
document each status it can answer, with that schema. Every field of the document is described
(unit, example; ``models.py``), and ``/docs`` and ``/redoc`` show it with files served from here,
not a CDN (``_serve_docs``). docs/api.md has the rules.
"""

from __future__ import annotations

import asyncio
import email.message
import functools
import json
import os
import re
from typing import Annotated, Any, Callable, Coroutine

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema
from sqlalchemy import func, select
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from proofmarket import __version__
from proofmarket.clearinghouse.database import AskRow, BidRow, ChunkRow, RoundRow
from proofmarket.clearinghouse.errors import DuplicateSubmission, IntakeError, RoundNotFound
from proofmarket.clearinghouse.intake import validate_ask, validate_bid
from proofmarket.clearinghouse.service import Clearinghouse
from proofmarket.clearinghouse.chain_view import ChainView
from proofmarket.clearinghouse.writer import GroupCommitWriter
from proofmarket.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE

from .dashboard import dashboard_router
from .models import (
    Accepted, AskIn, Assignment, BatchResult, BidBatchIn, BidIn, ChunkStateName, ErrorBody, Health, MarketInfo,
    Rejected, RoundInputFile, RoundOutcomeFile, RoundStatus, SettledSequences, TransactionAccepted, TransactionIn,
)

#: Largest request body accepted (a full batch of bids is about 400 KB).
MAX_BODY_BYTES = 1_048_576
#: Seconds a client has to send a request's whole body once its headers are in; then 408 and the
#: connection is closed. ``create_app(body_timeout_seconds=...)`` or the environment variable
#: ``PROOFMARKET_API_BODY_TIMEOUT`` change it.
BODY_TIMEOUT_SECONDS = 5.0
BODY_TIMEOUT_VARIABLE = "PROOFMARKET_API_BODY_TIMEOUT"
#: Round ids are stored as signed 64-bit integers; rounds are counted in blocks, so no real
#: round comes near this.
MAX_ROUND_ID = 2**63 - 1
ADDRESS_PATTERN = "^0x[0-9a-fA-F]{40}$"
#: Methods whose requests carry a body the API reads (and so times and limits).
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: Where the API serves Swagger UI's and ReDoc's files (from the fastapi-offline package: no CDN).
DOCS_ASSETS_PATH = "/docs-assets"
DOCS_ASSETS_PACKAGE = ("fastapi_offline", "static")

API_DESCRIPTION = """\
The clearinghouse's bid API: signed bids and asks in; round status, the round files and provers'
assignments out. docs/api.md has the rules.

- **Wei amounts** are decimal strings in every response (`"600000000000"`). Requests take a
  decimal string of ASCII digits or a JSON integer; send strings, since wei amounts exceed 2^53.
- **Units** are in each field's name or description: `_wei` is wei (10^-18 ether),
  `_wei_per_constraint` wei per constraint, `_blocks`/`_block` blocks of the market's chain,
  `constraints` the proving size.
- **Ids**: a bid's or ask's id is its EIP-712 digest (0x and 64 hex digits); provers and users are
  addresses (0x and 40 hex digits).
- **Errors**: every 4xx and 5xx body is `{"error": "<one line>"}`.
"""

def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message}, headers=headers)


_STATUS_MEANINGS = {
    400: "no body, or the body is not well-formed JSON",
    402: "the user's escrow (or the prover's free collateral) does not cover the bid (ask)",
    404: "no such resource",
    408: "the request body did not arrive in time; the connection is closed",
    409: "this signed bid or ask was already accepted",
    413: "the request body is over the size limit",
    415: "the body is not JSON (Content-Type must be application/json)",
    422: "a field or an intake rule is wrong; the message names it",
    500: "a server bug; the message says nothing more (the server log has the details)",
}


def _errors(*statuses: int, meanings: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error statuses, each with the one error schema."""
    meanings = _STATUS_MEANINGS | (meanings or {})
    return {status: {"model": ErrorBody, "description": meanings[status]} for status in statuses}


class NotFound(StarletteHTTPException):
    """A 404 whose message says what is not there (and what is)."""

    def __init__(self, message: str):
        super().__init__(404, message)


#: What any request with a body can be refused for: its size, its time, its envelope, its fields.
_BODY_ERRORS = (400, 408, 413, 415, 422)


def _describe_validation(error: RequestValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    message = first.get("msg", "invalid").removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        return f"malformed JSON: {first.get('ctx', {}).get('error', message)}"
    if first.get("type") == "missing":
        return f"missing field: {location}"
    if first.get("type") == "extra_forbidden":
        return f"unknown field: {location}"
    return f"invalid {location or 'body'}: {message}"


class _ClientGone(Exception):
    pass


class _TooLarge(Exception):
    pass


class RequestBodyLimits:
    """Reads a request's whole body before any route runs: at most ``max_bytes`` (else 413),
    within ``timeout_seconds`` of the request's headers (else 408). Either refusal closes the
    connection (``Connection: close``), since the rest of the body was never read.

    A declared ``Content-Length`` over the limit is refused without reading. The timeout is for
    the whole body, not per chunk, so a client trickling a byte at a time is cut off too.
    Written as a plain ASGI middleware: Starlette's ``@app.middleware("http")`` wraps every
    request in extra tasks and streams, a large share of the cost of a one-bid request.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(413, f"body too large: at most {self.max_bytes} bytes", scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.timeout_seconds):
                body = await self._read(receive)
        except TimeoutError:
            message = f"request timeout: the body did not arrive within {self.timeout_seconds:g} seconds"
            await self._refuse(408, message, scope, receive, send)
            return
        except _TooLarge:
            await self._refuse(413, f"body too large: at most {self.max_bytes} bytes", scope, receive, send)
            return
        except _ClientGone:
            return  # nobody to answer
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                raise _ClientGone
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                raise _TooLarge
        return b"".join(chunks)

    async def _refuse(self, status: int, message: str, scope: Scope, receive: Receive, send: Send) -> None:
        await _error(status, message, headers={"connection": "close"})(scope, receive, send)


def _one_line(text: str, limit: int = 120) -> str:
    """``text`` (a path from the client) shortened and escaped to printable ASCII on one line."""
    return text[:limit].encode("unicode_escape").decode("ascii")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the already-read ``body`` once, then waits on the connection."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    header = email.message.Message()
    header["content-type"] = content_type
    subtype = header.get_content_subtype()
    return header.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


class JsonBodyRoute(APIRoute):
    """A route that checks its JSON body's envelope before FastAPI parses it: 400 for no body,
    415 for a Content-Type other than ``application/json`` (or ``application/*+json``), 400 for
    bytes that are not UTF-8 (RFC 8259). Malformed JSON is FastAPI's 400, fields are 422."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler
        operation = f"{'/'.join(sorted(self.methods))} {self.path}"

        async def checked(request: Request) -> Response:
            body = await request.body()
            if not body:
                return _error(400, f"missing body: {operation} takes a JSON object (Content-Type: application/json)")
            content_type = request.headers.get("content-type")
            if not _is_json(content_type):
                given = f"got {content_type[:80]!r}" if content_type else "got no Content-Type"
                return _error(415, f"unsupported media type: the body must be application/json, {given}")
            if not body.isascii():
                try:
                    body.decode("utf-8")
                except UnicodeDecodeError as error:
                    return _error(400, f"malformed JSON: the body is not UTF-8 (byte {error.start})")
            return await handler(request)

        return checked


def _round_in_range(round_id: int) -> int:
    if round_id > MAX_ROUND_ID:
        raise NotFound(f"no round {round_id}: round ids go from 0 to {MAX_ROUND_ID}")
    return round_id


#: The round id in a path: ASCII decimal digits only (Starlette's ``int`` convertor), so a
#: negative, signed, non-ASCII or non-numeric id matches no route and is a 404 like any
#: unknown path. ``_round_in_range`` answers 404 for ids past the stored range.
RoundId = Annotated[int, Path(
    description="A round number: decimal digits, 0 to 2^63-1. A round that has not started is a 404.",
    examples=[42],
    json_schema_extra={"minimum": 0, "maximum": MAX_ROUND_ID},
)]


def create_app(
    clearinghouse: Clearinghouse,
    view: ChainView,
    writer: GroupCommitWriter,
    *,
    body_timeout_seconds: float | None = None,
) -> FastAPI:
    """The FastAPI application over one clearinghouse, its chain view and its bid writer.

    ``body_timeout_seconds`` (default ``$PROOFMARKET_API_BODY_TIMEOUT``, else 5): how long a
    client has to send a request's body."""
    if body_timeout_seconds is None:
        body_timeout_seconds = float(os.environ.get(BODY_TIMEOUT_VARIABLE) or BODY_TIMEOUT_SECONDS)
    if not body_timeout_seconds > 0:
        raise ValueError(f"the body timeout must be positive, got {body_timeout_seconds}")
    app = FastAPI(
        title="proofmarket bid API", version=__version__, description=API_DESCRIPTION, responses=_errors(500),
        docs_url=None, redoc_url=None,
    )
    app.router.route_class = JsonBodyRoute
    _serve_docs(app)
    parameters = view.parameters
    metrics = clearinghouse.metrics

    app.add_middleware(RequestBodyLimits, max_bytes=MAX_BODY_BYTES, timeout_seconds=body_timeout_seconds)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_request: Request, error: RequestValidationError):
        status = 400 if error.errors() and error.errors()[0].get("type") == "json_invalid" else 422
        return _error(status, _describe_validation(error))

    @app.exception_handler(IntakeError)
    async def on_intake_error(_request: Request, error: IntakeError):
        return _error(error.status_code, str(error))

    @app.exception_handler(RoundNotFound)
    async def on_round_not_found(_request: Request, error: RoundNotFound):
        return _error(404, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, error: StarletteHTTPException):
        # Ours (NotFound) carry their message; Starlette's own (unknown path, wrong method) get one.
        path = _one_line(request.scope["path"])  # not request.url, whose parsing drops tabs and newlines
        if isinstance(error, NotFound):
            message = str(error.detail)
        elif error.status_code == 404:
            hint = f" (a round id is decimal digits, 0 to {MAX_ROUND_ID})" if path.startswith("/v1/rounds/") else ""
            message = f"not found: nothing at {path}{hint}"
        elif error.status_code == 405:
            message = f"method not allowed: {request.method} {path}"
        else:
            message = str(error.detail)
        return _error(error.status_code, message, headers=error.headers)

    @app.exception_handler(Exception)
    async def on_bug(_request: Request, error: Exception):
        # Starlette re-raises the exception after this answer, and uvicorn logs it with its traceback.
        return _error(500, f"internal error: {type(error).__name__}; the server log has the details")

    def admit(bid: BidIn, escrow_of: Callable[[str], int] | None = None) -> tuple:
        signed = bid.to_signed()
        digest = validate_bid(
            signed, domain=clearinghouse.domain, parameters=parameters, open_round=view.open_round(),
            escrow_of=escrow_of or view.escrow_of,
        )
        return signed, digest

    @app.post("/v1/transactions", summary="Submit a transaction body", tags=["bids and asks"], status_code=201,
              response_model=TransactionAccepted, responses=_errors(*_BODY_ERRORS, 404, meanings={404: "this market has no sequencer"}))
    def submit_transaction(transaction: TransactionIn) -> TransactionAccepted:
        """Submit a transaction's body for the sequencer (a rollup market only); answers its hash,
        the tx_hash of the bid that pays for it. The same body twice is stored once."""
        return TransactionAccepted(tx_hash=clearinghouse.store_transaction_body(transaction.body))

    @app.post("/v1/bids", summary="Submit a bid", tags=["bids and asks"], status_code=201, response_model=Accepted,
              responses=_errors(*_BODY_ERRORS, 402, 409))
    def submit_bid(bid: BidIn) -> Accepted:
        """Submit one signed bid for the open round."""
        try:
            signed, digest = admit(bid)
            if not writer.submit([(signed, digest)])[0]:
                raise DuplicateSubmission("bid", digest)
        except IntakeError as error:
            metrics.bid_rejected(error)
            raise
        metrics.bids_accepted.inc()
        return Accepted(digest=digest, round=bid.round)

    @app.post("/v1/bids/batch", summary="Submit bids in a batch", tags=["bids and asks"], response_model=BatchResult,
              responses=_errors(*_BODY_ERRORS))
    def submit_bids(batch: BidBatchIn) -> BatchResult:
        """Submit up to 1000 signed bids; each is accepted or rejected on its own."""
        admitted, rejected = [], []
        escrow = functools.cache(view.escrow_of)  # each user's escrow read once per batch
        for index, bid in enumerate(batch.bids):
            try:
                admitted.append((index, *admit(bid, escrow)))
            except IntakeError as error:
                metrics.bid_rejected(error)
                rejected.append(Rejected(index=index, status=error.status_code, error=str(error)))
        try:
            stored = writer.submit([(signed, digest) for _, signed, digest in admitted])
        except IntakeError as error:  # e.g. the round closed meanwhile: none of them was stored
            for _ in admitted:
                metrics.bid_rejected(error)
            raise
        accepted = []
        for (index, signed, digest), is_new in zip(admitted, stored):
            if is_new:
                metrics.bids_accepted.inc()
                accepted.append(Accepted(digest=digest, round=signed.message.round))
            else:
                duplicate = DuplicateSubmission("bid", digest)
                metrics.bid_rejected(duplicate)
                rejected.append(Rejected(index=index, status=duplicate.status_code, error=str(duplicate)))
        return BatchResult(accepted=accepted, rejected=sorted(rejected, key=lambda item: item.index))

    @app.post("/v1/asks", summary="Submit an ask", tags=["bids and asks"], status_code=201, response_model=Accepted,
              responses=_errors(*_BODY_ERRORS, 402, 409))
    def submit_ask(ask: AskIn) -> Accepted:
        """Submit a prover's signed ask for the open round (its latest ask in a round counts)."""
        signed = ask.to_signed()
        digest = validate_ask(
            signed,
            domain=clearinghouse.domain,
            parameters=parameters,
            open_round=view.open_round(),
            prover=clearinghouse.market.prover_status(signed.message.prover),
        )
        clearinghouse.record_ask(signed, digest)
        return Accepted(digest=digest, round=ask.round)

    @app.get("/v1/health", summary="Health", tags=["market"], response_model=Health)
    def health() -> Health:
        """``status`` is ``ok``, or ``degraded`` with a one-line ``reason`` (the round loop is
        failing, or behind the chain); the chain head and the open round."""
        block = view.block_number()
        return Health(
            **clearinghouse.health_report(block),
            version=__version__,
            chain_id=parameters.chain_id,
            market_address=parameters.market_address,
            block=block,
            open_round=view.open_round(),
        )

    @app.get(
        "/metrics",
        summary="Metrics",
        tags=["market"],
        response_class=Response,
        responses={200: {"description": "Prometheus' text format", "content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    def metrics_endpoint() -> Response:
        """The clearinghouse's metrics in Prometheus' text format (``proofmarket/metrics.py``):
        bids accepted and rejected by reason, round transitions, clearing and settlement times,
        settlement and proof gas, round-loop errors, and the round loop's lag behind the chain."""
        last_pass = clearinghouse.health.last_pass_head
        if last_pass is not None:
            metrics.chain_head_lag.set(max(0, view.block_number() - last_pass))
        return Response(metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

    @app.get("/v1/market", summary="Market configuration", tags=["market"], response_model=MarketInfo)
    def market() -> MarketInfo:
        """The market's configuration, as the clearinghouse reads it (wei amounts as decimal strings)."""
        return MarketInfo(
            chain_id=parameters.chain_id,
            market_address=parameters.market_address,
            capacity=parameters.capacity,
            reserve_wei_per_constraint=str(parameters.reserve_wei_per_constraint),
            collateral_wei_per_constraint=str(parameters.collateral_wei_per_constraint),
            surplus_policy=parameters.surplus_policy,
            genesis_block=parameters.genesis_block,
            round_length_blocks=parameters.round_length_blocks,
            proving_window_blocks=parameters.proving_window_blocks,
            settlement_window_blocks=parameters.settlement_window_blocks,
            max_bids_per_chunk=parameters.max_bids_per_chunk,
        )

    not_a_round = _errors(404, meanings={404: "no such round: not a round id, past 2^63-1, not started yet, or (for "
                                              "its files) not cleared yet"})

    @app.get("/v1/rounds/{round_id:int}", summary="Round status", tags=["rounds"], response_model=RoundStatus,
             responses=not_a_round)
    def round_status(round_id: RoundId) -> dict:
        """Where round ``round_id`` stands. ``open``: taking bids now; ``closed``: over, not yet
        cleared; then the clearinghouse's states. A round after the open one has not started:
        404, naming the open round."""
        _round_in_range(round_id)
        with clearinghouse.store.session() as session:
            row = session.get(RoundRow, round_id)
            if row is not None:
                state = row.state.value
            else:
                open_round = view.open_round()
                if round_id > open_round:
                    raise NotFound(f"round {round_id} has not started; the open round is {open_round}")
                state = "open" if round_id == open_round else "closed"
            bid_count = session.scalar(select(func.count()).select_from(BidRow).where(BidRow.round_id == round_id))
            chunks = list(session.scalars(select(ChunkRow).where(ChunkRow.round_id == round_id).order_by(ChunkRow.chunk_index)))
            return {
                "round": round_id,
                "state": state,
                "bids": bid_count,
                "input_hash": row.input_hash if row else None,
                "settle_transaction": row.settle_transaction_hash if row else None,
                "settle_block": row.settle_block if row else None,
                "deadline_block": row.deadline_block if row else None,
                "failure": row.failure if row else None,
                "chunks": [_chunk_json(chunk) for chunk in chunks],
            }

    def _document(round_id: int, column: str) -> str:
        _round_in_range(round_id)
        with clearinghouse.store.session() as session:
            row = session.get(RoundRow, round_id)
            text = getattr(row, column) if row else None
        if text is None:
            raise RoundNotFound(round_id, column.removesuffix("_json") + " file")
        return text

    def a_json_file(model: type) -> dict:
        return {200: {"description": model.__doc__.split("\n\n")[0], "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}

    @app.get("/v1/rounds/{round_id:int}/input", summary="Round input file", tags=["rounds"], response_class=Response,
             responses=a_json_file(RoundInputFile) | not_a_round)
    def round_input(round_id: RoundId) -> Response:
        """The round's full input file, as the clearinghouse published it; keccak256 of its
        canonical JSON is the input hash stored on-chain. 404 until the round is cleared."""
        return Response(content=_document(round_id, "input_json"), media_type="application/json")

    @app.get("/v1/rounds/{round_id:int}/outcome", summary="Round outcome", tags=["rounds"], response_class=Response,
             responses=a_json_file(RoundOutcomeFile) | not_a_round)
    def round_outcome(round_id: RoundId) -> Response:
        """The round's outcome file: included bids, charges, chunks, payments (wei as decimal
        strings), each chunk with its prover's address beside the ask id the mechanism names it
        by. 404 until the round is cleared."""
        document = json.loads(_document(round_id, "outcome_json"))
        ask_ids = {chunk["prover_id"] for chunk in document["chunks"]}
        with clearinghouse.store.session() as session:
            query = select(AskRow.digest, AskRow.prover).where(AskRow.digest.in_(ask_ids))
            provers = dict(session.execute(query).all())
        for chunk in document["chunks"]:
            chunk["prover"] = provers[chunk["prover_id"]]
        return Response(content=json.dumps(document, sort_keys=True), media_type="application/json")

    @app.get("/v1/sequences", summary="Settled rounds' sequences", tags=["rounds"], response_model=SettledSequences,
             responses=_errors(404, 422, meanings={404: "this market has no sequencer", 422: "after is not a round id"}))
    def settled_sequences(
        after: Annotated[int | None, Query(
            description="Only the rounds after this one (the last round the caller has); all of them without it.",
            ge=0, le=MAX_ROUND_ID, examples=[41],
        )] = None,
    ) -> SettledSequences:
        """The sequence documents of the settled rounds, in round order, on a rollup market (404 on
        a market without a sequencer): what the rollup's operator confirms and finalizes. A
        settled round's document never changes, and rounds settle in order, so a client asks
        only for the rounds after the last one it has."""
        if clearinghouse.sequencer is None:
            raise NotFound("this market has no sequencer: its rounds have no sequence documents")
        with clearinghouse.store.session() as session:
            return SettledSequences(rounds=clearinghouse.settled_sequences(session, after=after))

    @app.get(
        "/v1/provers/{prover}/assignments",
        summary="A prover's assignments",
        tags=["provers"],
        response_model=list[Assignment],
        responses=_errors(404, 422, meanings={404: "not a prover address (0x and 40 hex digits)", 422: "an unknown state"}),
    )
    def assignments(
        prover: Annotated[str, Path(
            description="The prover's address: 0x and 40 hex digits, any case.",
            examples=["0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"],
            json_schema_extra={"pattern": ADDRESS_PATTERN},
        )],
        state: Annotated[ChunkStateName | None, Query(
            description="Only the chunks in this state: assigned (waiting for a proof), proven, slash_signed or "
            "slashed.",
            examples=["assigned"],
        )] = None,
    ) -> list[dict]:
        """Chunks assigned to ``prover`` (optionally only those in ``state``, e.g. ``assigned``).
        An address with no chunks has none: ``[]``; a path that is not an address is a 404."""
        if not re.fullmatch(ADDRESS_PATTERN, prover):
            raise NotFound(f"no prover {prover[:50]!r}: a prover is an address, 0x and 40 hex digits")
        with clearinghouse.store.session() as session:
            query = select(ChunkRow).where(func.lower(ChunkRow.prover) == prover.lower())
            rows = list(session.scalars(query.order_by(ChunkRow.round_id, ChunkRow.chunk_index)))
            deadlines = {
                row.round_id: row.deadline_block
                for row in session.scalars(select(RoundRow).where(RoundRow.round_id.in_({c.round_id for c in rows})))
            }
            rows = [chunk for chunk in rows if state is None or chunk.state.value == state]
            sequences = {round_id: clearinghouse.round_sequence(session, round_id) for round_id in {c.round_id for c in rows}}
            return [
                _chunk_json(chunk) | {"deadline_block": deadlines.get(chunk.round_id)} | _sequenced(sequences, chunk)
                for chunk in rows
            ]

    app.include_router(dashboard_router(clearinghouse, view))
    app.openapi = lambda: _openapi_document(app)
    return app


def _openapi_document(app: FastAPI) -> dict:
    """FastAPI's OpenAPI document, with two corrections and the round files' schemas.

    FastAPI adds a 422 with its ``{"detail": [...]}`` schema to every operation with parameters;
    this API never answers that shape: a 422 is declared (with ``ErrorBody``) only where one can
    happen. And FastAPI's schema objects store ``minimum``/``maximum`` as floats, so 2^64-1
    would read 2^64: the request bodies' schemas are pydantic's own, exact. The input and outcome
    files are served as JSON text, not through a response model, so their schemas
    (``RoundInputFile``, ``RoundOutcomeFile``, which their 200s refer to) are added here."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title, version=app.version, openapi_version=app.openapi_version, description=app.description,
            routes=app.routes,
        )
        for operations in document["paths"].values():
            for operation in operations.values():
                declared = operation["responses"].get("422", {})
                schema = declared.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref", "").endswith("/HTTPValidationError"):
                    del operation["responses"]["422"]
        schemas = document["components"]["schemas"]
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        _, exact = models_json_schema(
            [(model, "validation") for model in (BidIn, BidBatchIn, AskIn)], ref_template="#/components/schemas/{model}"
        )
        schemas.update(exact["$defs"])
        _, files = models_json_schema(
            [(model, "serialization") for model in (RoundInputFile, RoundOutcomeFile)],
            ref_template="#/components/schemas/{model}",
        )
        schemas.update(files["$defs"])
        app.openapi_schema = document
    return app.openapi_schema


def _serve_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), with their scripts, stylesheet and icon
    served by the API itself from the pinned fastapi-offline package, so the pages work with no
    internet: every URL they load is on this server."""
    app.mount(DOCS_ASSETS_PATH, StaticFiles(packages=[DOCS_ASSETS_PACKAGE]), name="docs-assets")

    def local(request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '')}{path}"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=local(request, app.openapi_url),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=local(request, f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js"),
            swagger_css_url=local(request, f"{DOCS_ASSETS_PATH}/swagger-ui.css"),
            swagger_favicon_url=local(request, f"{DOCS_ASSETS_PATH}/favicon.png"),
            # validatorUrl: Swagger UI would otherwise show a badge fetched from validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None, "defaultModelsExpandDepth": 2},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=local(request, app.openapi_url),
            title=f"{app.title} - ReDoc",
            redoc_js_url=local(request, f"{DOCS_ASSETS_PATH}/redoc.standalone.js"),
            redoc_favicon_url=local(request, f"{DOCS_ASSETS_PATH}/favicon.png"),
            with_google_fonts=False,
        )


def _sequenced(sequences: dict[int, dict | None], chunk: ChunkRow) -> dict:
    """The chunk's statement data and its sequencer's witness (``Assignment``), if it has them."""
    sequence = sequences.get(chunk.round_id)
    if sequence is None:
        return {"statement_data": "0x", "sequence": None}
    sequenced = sequence["chunks"][chunk.chunk_index]
    return {"statement_data": sequenced["statement_data"], "sequence": sequenced}


def _chunk_json(chunk: ChunkRow) -> dict:
    return {
        "round": chunk.round_id,
        "chunk": chunk.chunk_index,
        "prover": chunk.prover,
        "commitment": chunk.commitment,
        "constraints": chunk.constraints,
        "payment_wei": chunk.payment_wei,
        "state": chunk.state.value,
        "tx_hashes": json.loads(chunk.tx_hashes_json),
        "bids": json.loads(chunk.bid_digests_json),
    }
