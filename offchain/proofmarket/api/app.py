"""The bid API's routes. Built by :func:`create_app` from an already-wired clearinghouse.

Status codes: 201 accepted, 400 malformed JSON, 402 escrow or collateral short, 404 unknown
round, 409 duplicate, 413 body too large, 422 a field or a rule is wrong (bad signature, wrong
round, unknown or exiting prover, ...). Every 4xx body is ``{"error": "<one line>"}``.
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from proofmarket import __version__
from proofmarket.clearinghouse.database import BidRow, ChunkRow, RoundRow
from proofmarket.clearinghouse.errors import DuplicateSubmission, IntakeError, RoundNotFound
from proofmarket.clearinghouse.intake import validate_ask, validate_bid
from proofmarket.clearinghouse.service import Clearinghouse
from proofmarket.clearinghouse.chain_view import ChainView
from proofmarket.clearinghouse.writer import GroupCommitWriter

from .models import Accepted, AskIn, BatchResult, BidBatchIn, BidIn, Rejected

#: Largest request body accepted (a full batch of bids is about 400 KB).
MAX_BODY_BYTES = 1_048_576


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message})


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


class BodySizeLimit:
    """Answers 413 to a request whose body is over ``max_bytes``, before any route runs.

    A declared ``Content-Length`` is checked as it is; a body sent without one (chunked) is read
    up to the limit and handed on whole. Written as a plain ASGI middleware: Starlette's
    ``@app.middleware("http")`` wraps every request in extra tasks and streams, a large share of
    the cost of a one-bid request.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        elif scope["method"] in ("POST", "PUT"):
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away: nobody to answer
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                more = message.get("more_body", False)
                if size > self.max_bytes:
                    await self._refuse(scope, receive, send)
                    return
            receive = _replay(b"".join(chunks), receive)
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _error(413, f"body too large: at most {self.max_bytes} bytes")(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the already-read ``body`` once, then waits on the connection."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def create_app(clearinghouse: Clearinghouse, view: ChainView, writer: GroupCommitWriter) -> FastAPI:
    """The FastAPI application over one clearinghouse, its chain view and its bid writer."""
    app = FastAPI(title="proofmarket bid API", version=__version__)
    parameters = view.parameters

    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)

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

    def admit(bid: BidIn) -> tuple:
        signed = bid.to_signed()
        digest = validate_bid(
            signed,
            domain=clearinghouse.domain,
            parameters=parameters,
            open_round=view.open_round(),
            escrow_wei=view.escrow_of(signed.message.user),
        )
        return signed, digest

    @app.post("/v1/bids", status_code=201, response_model=Accepted)
    def submit_bid(bid: BidIn) -> Accepted:
        """Submit one signed bid for the open round."""
        signed, digest = admit(bid)
        if not writer.submit([(signed, digest)])[0]:
            raise DuplicateSubmission("bid", digest)
        return Accepted(digest=digest, round=bid.round)

    @app.post("/v1/bids/batch", response_model=BatchResult)
    def submit_bids(batch: BidBatchIn) -> BatchResult:
        """Submit up to 1000 signed bids; each is accepted or rejected on its own."""
        admitted, rejected = [], []
        for index, bid in enumerate(batch.bids):
            try:
                admitted.append((index, *admit(bid)))
            except IntakeError as error:
                rejected.append(Rejected(index=index, status=error.status_code, error=str(error)))
        stored = writer.submit([(signed, digest) for _, signed, digest in admitted])
        accepted = []
        for (index, signed, digest), is_new in zip(admitted, stored):
            if is_new:
                accepted.append(Accepted(digest=digest, round=signed.message.round))
            else:
                duplicate = DuplicateSubmission("bid", digest)
                rejected.append(Rejected(index=index, status=duplicate.status_code, error=str(duplicate)))
        return BatchResult(accepted=accepted, rejected=sorted(rejected, key=lambda item: item.index))

    @app.post("/v1/asks", status_code=201, response_model=Accepted)
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

    @app.get("/v1/health")
    def health() -> dict:
        block = view.block_number()
        return {
            "status": "ok",
            "version": __version__,
            "chain_id": parameters.chain_id,
            "market": parameters.market_address,
            "block": block,
            "open_round": view.open_round(),
        }

    @app.get("/v1/market")
    def market() -> dict:
        """The market's configuration, as the clearinghouse reads it."""
        return {key: (str(value) if isinstance(value, int) and value > 2**53 else value)
                for key, value in vars(parameters).items()}

    @app.get("/v1/rounds/{round_id}")
    def round_status(round_id: int) -> dict:
        with clearinghouse.store.session() as session:
            row = session.get(RoundRow, round_id)
            bid_count = session.scalar(select(func.count()).select_from(BidRow).where(BidRow.round_id == round_id))
            chunks = list(session.scalars(select(ChunkRow).where(ChunkRow.round_id == round_id).order_by(ChunkRow.chunk_index)))
            return {
                "round": round_id,
                "state": row.state.value if row else ("open" if round_id >= view.open_round() else "closed"),
                "bids": bid_count,
                "input_hash": row.input_hash if row else None,
                "settle_transaction": row.settle_transaction_hash if row else None,
                "settle_block": row.settle_block if row else None,
                "deadline_block": row.deadline_block if row else None,
                "failure": row.failure if row else None,
                "chunks": [_chunk_json(chunk) for chunk in chunks],
            }

    def _document(round_id: int, column: str) -> Response:
        with clearinghouse.store.session() as session:
            row = session.get(RoundRow, round_id)
            text = getattr(row, column) if row else None
        if text is None:
            raise RoundNotFound(round_id, column.removesuffix("_json") + " file")
        return Response(content=text, media_type="application/json")

    @app.get("/v1/rounds/{round_id}/input")
    def round_input(round_id: int) -> Response:
        """The round's full input file (canonical JSON); its hash is stored on-chain."""
        return _document(round_id, "input_json")

    @app.get("/v1/rounds/{round_id}/outcome")
    def round_outcome(round_id: int) -> Response:
        return _document(round_id, "outcome_json")

    @app.get("/v1/provers/{prover}/assignments")
    def assignments(prover: str, state: str | None = None) -> list[dict]:
        """Chunks assigned to ``prover`` (optionally only those in ``state``, e.g. ``assigned``)."""
        with clearinghouse.store.session() as session:
            query = select(ChunkRow).where(func.lower(ChunkRow.prover) == prover.lower())
            rows = list(session.scalars(query.order_by(ChunkRow.round_id, ChunkRow.chunk_index)))
            deadlines = {
                row.round_id: row.deadline_block
                for row in session.scalars(select(RoundRow).where(RoundRow.round_id.in_({c.round_id for c in rows})))
            }
            return [
                _chunk_json(chunk) | {"deadline_block": deadlines.get(chunk.round_id)}
                for chunk in rows
                if state is None or chunk.state.value == state
            ]

    return app


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
