"""Intake under load across a round's close: every bid the API acknowledged (201) is in its
round's input file.

Client threads post signed bids one per request over loopback HTTP, each for the round the
service says is open (``/v1/health``), while the round loop runs in its own thread (as
``proofmarket serve`` runs it) and the chain crosses the round's close. The clearinghouse trusts
chain reads for up to 1 s, as ``serve`` does, so intake's view of the open round lags the chain
that the round loop reads. Bounded: at most ``MAX_BIDS`` bids and ``LOAD_SECONDS`` of load.
Runs on SQLite and, where the server binaries exist, PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter

import httpx
import pytest

from proofmarket.network import mine_blocks
from tests.e2e.conftest import DEFAULT_SETTINGS, build_stack

CLIENTS = 8
MAX_BIDS = 600
LOAD_SECONDS = 6.0


def _stack(web3, signers, tmp_path, database_url=None):
    stack = build_stack(web3, signers, tmp_path, DEFAULT_SETTINGS, users=4, database_url=database_url, cache_seconds=1.0)
    return stack


@pytest.fixture(scope="module")
def sqlite_stack(web3, signers, tmp_path_factory):
    stack = _stack(web3, signers, tmp_path_factory.mktemp("intake-sqlite"))
    yield stack
    stack.server.stop()
    stack.node.close()


@pytest.fixture(scope="module")
def postgres_stack(web3, signers, tmp_path_factory, postgres_server):
    url = postgres_server.create_database("intake_at_close")
    stack = _stack(web3, signers, tmp_path_factory.mktemp("intake-postgres"), database_url=url)
    yield stack
    stack.server.stop()
    stack.node.close()


class RoundLoop:
    """``node.run_once`` in a thread, back to back, as ``serve`` runs it (with a short poll)."""

    def __init__(self, node):
        self.node, self.stop = node, threading.Event()
        self.thread = threading.Thread(target=self._run, name="round-loop", daemon=True)

    def _run(self):
        while not self.stop.is_set():
            try:
                self.node.run_once()
            except Exception:  # noqa: BLE001 - as serve's loop: log it, go on
                logging.getLogger(__name__).exception("round loop pass failed")
            self.stop.wait(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        self.thread.join(timeout=60)


def post_bids_until(stack, deadline: float, budget: list[int], lock: threading.Lock, acknowledged: list, refusals: Counter):
    """One client: sign a bid for the round the service says is open, post it; until the
    deadline or the shared budget is spent."""
    client = httpx.Client(base_url=stack.server.url, timeout=30)
    while time.monotonic() < deadline:
        round_id = client.get("/v1/health").json()["open_round"]
        with lock:
            if budget[0] == 0:
                return
            budget[0] -= 1
            (bid,) = stack.signed_bids(round_id, 1)
        response = client.post("/v1/bids", json=bid)
        if response.status_code == 201:
            acknowledged.append((response.json()["digest"], round_id))
        else:
            refusals[response.json()["error"].split(":")[0]] += 1


def run_load_across_the_close(stack) -> tuple[list, Counter, int]:
    round_id = stack.open_round()
    stack.post_asks(round_id)
    close = stack.client.round_close_block(round_id)
    mine_blocks(stack.web3, close - 4 - stack.web3.eth.block_number)
    acknowledged, refusals, lock, budget = [], Counter(), threading.Lock(), [MAX_BIDS]
    deadline = time.monotonic() + LOAD_SECONDS
    with RoundLoop(stack.node):
        clients = [
            threading.Thread(target=post_bids_until, args=(stack, deadline, budget, lock, acknowledged, refusals))
            for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        while time.monotonic() < deadline - 1.0:  # cross the close while the bids flow
            time.sleep(LOAD_SECONDS / 12)
            mine_blocks(stack.web3, 1)
        for client in clients:
            client.join(timeout=60)
        stack.close(round_id + 1)  # then let the loop clear the next round too
        wait_until_cleared(stack, [round_id, round_id + 1])
    return acknowledged, refusals, round_id


def wait_until_cleared(stack, round_ids: list[int], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        states = [stack.api.round_status(round_id)["state"] for round_id in round_ids]
        if all(state not in ("open", "closed") for state in states):
            return
        time.sleep(0.1)
    raise AssertionError(f"rounds {round_ids} not cleared within {seconds} s: {states}")


def assert_every_acknowledged_bid_is_in_its_rounds_input(stack):
    acknowledged, refusals, round_id = run_load_across_the_close(stack)
    by_round = Counter(round for _, round in acknowledged)
    assert by_round[round_id] > 0 and by_round[round_id + 1] > 0, f"the close must fall within the load: {by_round}"
    inputs = {r: {bid["id"] for bid in json.loads(stack.api.round_input(r))["bids"]} for r in by_round}
    missing = [(digest, r) for digest, r in acknowledged if digest not in inputs[r]]
    assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged bids are not in their round's input file"
    assert set(refusals) <= {"wrong round", "round closed"}, refusals
    for r in by_round:  # and nothing beyond what was acknowledged was stored for the round
        assert stack.api.round_status(r)["bids"] == by_round[r]


def test_every_acknowledged_bid_is_in_its_rounds_input_on_sqlite(sqlite_stack):
    assert_every_acknowledged_bid_is_in_its_rounds_input(sqlite_stack)


def test_every_acknowledged_bid_is_in_its_rounds_input_on_postgresql(postgres_stack):
    assert_every_acknowledged_bid_is_in_its_rounds_input(postgres_stack)
