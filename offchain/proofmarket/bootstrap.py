"""The one place that wires the product together: clearinghouse, API, prover agents.

Library code takes its dependencies as arguments; this module builds them from a web3
connection, a deployment record and a key, for the CLI, the demo and the end-to-end tests.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import httpx
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI
from web3 import Web3

from proofmarket.api.app import create_app
from proofmarket.chain.market import ChunkStatement, ProofMarketClient
from proofmarket.clearinghouse.chain_adapter import MarketAdapter
from proofmarket.clearinghouse.chain_view import ChainView
from proofmarket.clearinghouse.intake import SignedBid, validate_bid
from proofmarket.clearinghouse.ports import PostedBid
from proofmarket.clearinghouse.schedule import round_at_block
from proofmarket.clearinghouse.service import Clearinghouse, no_faults
from proofmarket.clearinghouse.store import Store
from proofmarket.clearinghouse.writer import GroupCommitWriter
from proofmarket.deployment import Deployment
from proofmarket.exceptions import ProofMarketError, UserInputError
from proofmarket.network import free_loopback_port
from proofmarket.prover.agent import ProverAgent

log = logging.getLogger(__name__)


@dataclass
class ClearinghouseNode:
    """A clearinghouse with its chain view, bid writer and HTTP app."""

    clearinghouse: Clearinghouse
    view: ChainView
    writer: GroupCommitWriter
    app: FastAPI

    def validate_posted_bid(self, posted: PostedBid) -> str:
        parameters = self.view.parameters
        round_open_at_post = round_at_block(posted.block_number, parameters.genesis_block, parameters.round_length_blocks)
        return validate_bid(
            SignedBid(posted.message, posted.signature),
            domain=self.clearinghouse.domain,
            parameters=parameters,
            open_round=round_open_at_post,
            escrow_of=self.clearinghouse.market.escrow_of,
        )

    def run_once(self) -> list[int]:
        """One pass of the round loop: pick up posted bids, advance every due round. A failing
        step is recorded in ``health()`` and retried with backoff; it never raises."""
        return self.clearinghouse.run_pass(self.validate_posted_bid)

    def health(self) -> dict:
        """``{"status": "ok"}`` or ``{"status": "degraded", "reason": ...}`` (``/v1/health``)."""
        return self.clearinghouse.health_report(self.view.block_number())

    def close(self) -> None:
        self.writer.close()
        self.clearinghouse.store.close()


def build_clearinghouse(
    web3: Web3,
    deployment: Deployment,
    account: LocalAccount | None,
    database_url: str,
    publish_directory: Path | None = None,
    mechanism: str = "proofphi",
    fault: Callable[[str], None] = no_faults,
    cache_seconds: float = 1.0,
    loop_elsewhere: bool = False,
) -> ClearinghouseNode:
    """Wire a clearinghouse for ``deployment``, signing with ``account`` (the configured one).

    ``loop_elsewhere`` (``serve --api-only``): this process serves the bid API only and runs no
    round loop, which another process does; ``account`` may then be None (nothing is signed).
    Raises :class:`MarketMismatch` if the database was recorded for another market."""
    client = deployment.client(web3)
    configured = client.config().clearinghouse
    if account is None and not loop_elsewhere:
        raise UserInputError("the round loop signs settlements: it needs the clearinghouse's key")
    if account is not None and configured.lower() != account.address.lower():
        raise UserInputError(f"this key is {account.address}, but the market's clearinghouse is {configured}")
    market = MarketAdapter(client, account)
    clearinghouse = Clearinghouse(
        store=Store(database_url),
        market=market,
        domain=client.domain,
        mechanism=mechanism,
        publish_directory=publish_directory,
        fault=fault,
        loop_elsewhere=loop_elsewhere,
        sequencer=rollup_sequencer(web3, deployment, client) if deployment.rollup else None,
    )
    view = ChainView(market, ttl_seconds=cache_seconds)
    try:
        clearinghouse.bind_market(deployment.chain_id, deployment.market, deployment.deploy_block)
    except Exception:
        clearinghouse.store.close()
        raise
    writer = GroupCommitWriter(clearinghouse.store_bid_groups)
    return ClearinghouseNode(clearinghouse, view, writer, create_app(clearinghouse, view, writer))


def rollup_sequencer(web3: Web3, deployment: Deployment, client: ProofMarketClient):
    """The reference rollup's sequencer for a ``rollup`` deployment: it reads the rollup
    contract's deposit queue."""
    from proofmarket.rollup.contract import RollupClient
    from proofmarket.rollup.sequencer import RollupSequencer

    rollup = RollupClient(web3, deployment.rollup)
    recipients: list[int] = []  # the queue's recipients read so far, position by position

    def pending_deposits(position: int, limit: int):
        last = min(rollup.deposit_count(), position + limit)
        return rollup.deposits(position + 1, last) if last > position else []

    def deposit_recipients() -> frozenset[int]:
        recipients.extend(deposit.recipient for deposit in pending_deposits(len(recipients), 1 << 16))
        return frozenset(recipients)

    return RollupSequencer(pending_deposits, client.config().max_bids_per_chunk, deposit_recipients)


@dataclass
class ApiServer:
    """The bid API served by uvicorn in a background thread (for the demo and the tests)."""

    app: FastAPI
    host: str = "127.0.0.1"
    port: int = 0
    _server: object = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ApiServer:
        import uvicorn

        self.port = self.port or free_loopback_port()
        config = uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="bid-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not getattr(self._server, "started", False):
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise ProofMarketError(f"the bid API did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)


class ApiError(ProofMarketError):
    """The bid API failed (a 5xx answer)."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(f"the bid API answered {status}: {message}")


class ApiRefused(ApiError, UserInputError):
    """The bid API refused the request (a 4xx answer): the message says what was wrong."""


class NotTheBidApi(UserInputError):
    """The server at ``--api`` answers, but not as the bid API does (a wrong URL)."""


class HttpClearinghouseApi:
    """A client of the bid API (used by the prover agent, the CLI and the demo's users)."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout)

    def _answer(self, response: httpx.Response):
        try:
            document = response.json()
        except ValueError:
            document = None
        if response.status_code >= 400:
            if isinstance(document, dict) and isinstance(document.get("error"), str):
                raise (ApiRefused if response.status_code < 500 else ApiError)(response.status_code, document["error"])
            if response.status_code < 500:  # every answer of the bid API has {"error": ...}
                raise self._not_the_api(response)
            raise ApiError(response.status_code, " ".join(response.text.split())[:200] or "no message")
        if document is None:
            raise self._not_the_api(response)
        return document

    def _not_the_api(self, response: httpx.Response) -> NotTheBidApi:
        request = response.request
        return NotTheBidApi(
            f"{self.base_url} is not the bid API: it answered "
            f"{' '.join(filter(None, (str(response.status_code), response.reason_phrase)))} to {request.method} {request.url.path} "
            "(pass the --api URL that `proofmarket serve` prints)"
        )

    def _request(self, method: str, path: str, **arguments):
        try:
            return self._answer(self.http.request(method, path, **arguments))
        except httpx.TransportError as error:
            raise ProofMarketError(f"cannot reach the bid API at {self.base_url}: {error}") from None

    def post_bid(self, bid: dict) -> dict:
        return self._request("POST", "/v1/bids", json=bid)

    def post_bids(self, bids: list[dict]) -> dict:
        return self._request("POST", "/v1/bids/batch", json={"bids": bids})

    def post_ask(self, ask: dict) -> dict:
        return self._request("POST", "/v1/asks", json=ask)

    def post_transaction(self, body: dict) -> dict:
        """Submit a transaction body to the sequencer; answers ``{"tx_hash": ...}``."""
        return self._request("POST", "/v1/transactions", json={"body": body})

    def settled_sequences(self, after: int | None = None) -> list[dict]:
        """The sequence documents of the settled rounds (after round ``after``), in round order (a
        rollup market's)."""
        return self._request("GET", "/v1/sequences", params={"after": after} if after is not None else None)["rounds"]

    def assignments(self, prover: str, state: str | None = None) -> list[dict]:
        return self._request("GET", f"/v1/provers/{prover}/assignments", params={"state": state} if state else None)

    def round_status(self, round_id: int) -> dict:
        return self._request("GET", f"/v1/rounds/{round_id}")

    def round_outcome(self, round_id: int) -> dict:
        """The round's outcome document (included bids, charges, chunks, payments)."""
        return self._request("GET", f"/v1/rounds/{round_id}/outcome")

    def round_input(self, round_id: int) -> str:
        try:
            response = self.http.get(f"/v1/rounds/{round_id}/input")
        except httpx.TransportError as error:
            raise ProofMarketError(f"cannot reach the bid API at {self.base_url}: {error}") from None
        if response.status_code >= 400:
            self._answer(response)
        return response.text

    def health(self) -> dict:
        return self._request("GET", "/v1/health")


class ProverMarketAdapter:
    """The prover agent's view of the market, over the contract client."""

    def __init__(self, client: ProofMarketClient):
        self.client = client

    def block_number(self) -> int:
        return self.client.web3.eth.block_number

    def open_round(self) -> int:
        config = self.client.config()
        return round_at_block(self.block_number(), config.genesis_block, config.round_length_blocks)

    def prover_status(self, prover: str):
        return self.client.prover(prover)

    def collateral_wei_per_constraint(self) -> int:
        return self.client.config().collateral_per_constraint

    def register_prover(self, prover: LocalAccount, capacity: int, collateral_wei: int) -> None:
        self.client.register_prover(prover, capacity, collateral_wei)

    def add_collateral(self, prover: LocalAccount, amount_wei: int) -> None:
        self.client.add_collateral(prover, amount_wei)

    def chunk_on_chain(self, round_id: int, chunk_index: int) -> tuple[ChunkStatement, str]:
        chunk = self.client.chunk(round_id, chunk_index)
        return chunk.statement(round_id, chunk_index), chunk.status.state_name

    def settled_transactions(self, round_id: int, chunk_index: int) -> list[bytes]:
        return [refund.tx_hash for refund in self.client.refunds_from_settlement(round_id)[chunk_index]]

    def submit_proof(
        self, prover: LocalAccount, round_id: int, chunk_index: int, proof: bytes, statement_data: bytes
    ) -> int:
        return self.client.submit_proof(prover, round_id, chunk_index, proof, statement_data)["gasUsed"]

    def dispute_commitment(self, prover: LocalAccount, round_id: int, chunk_index: int) -> int:
        return self.client.dispute_commitment(prover, round_id, chunk_index)["gasUsed"]


def build_prover_agent(
    web3: Web3,
    deployment: Deployment,
    account: LocalAccount,
    api_url: str,
    capacity: int,
    unit_cost_wei: int,
    silent: bool = False,
    api=None,
    prove: Callable[[Sequence[bytes], ChunkStatement], bytes] | None = None,
) -> ProverAgent:
    """A prover agent proving with the verifier the market is deployed with (or with ``prove``,
    given the chunk's transactions and statement), talking to the bid API at ``api_url`` (or to
    ``api``, anything with the client's ``post_ask`` and ``assignments``).

    Raises :class:`~proofmarket.prover.agent.CapacityMismatch` if the prover is registered with
    another capacity than ``capacity``, and :class:`UserInputError` if the market's verifier is
    one of its own (``custom``) and no ``prove`` is given."""
    from proofmarket.zk.commitment import chunk_commitment

    client = deployment.client(web3)
    if prove is not None:
        prove_chunk = prove
    elif deployment.verifier_kind == "custom":
        raise UserInputError("the market's verifier is a custom one: give the prover agent its proving function")
    elif deployment.verifier_kind == "groth16":
        from proofmarket.zk.prover import prove_chunk as prove_groth16

        def prove_chunk(tx_hashes, statement, _sequence):
            return prove_groth16(tx_hashes, statement.binding())
    elif deployment.verifier_kind == "rollup":
        from proofmarket.rollup.prover import prove_sequenced_chunk as prove_chunk
    else:
        from proofmarket.chain.market import development_proof

        def prove_chunk(tx_hashes, statement, _sequence):  # NOT SECURE: the development verifier's proof
            return development_proof(statement)

    agent = ProverAgent(
        account=account,
        capacity=capacity,
        unit_cost_wei=unit_cost_wei,
        market=ProverMarketAdapter(client),
        api=api if api is not None else HttpClearinghouseApi(api_url),
        domain=client.domain,
        prove=prove_chunk,
        commitment=chunk_commitment,
        silent=silent,
    )
    agent.check_registration()  # another capacity than the registered one: refused, one line
    return agent
