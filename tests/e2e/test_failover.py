"""Failover on a real PostgreSQL server: ``serve --api-only`` processes take bids (one of them
with two uvicorn workers), the round
loop runs in a ``serve --loop-only --standby`` leader with a standby behind it, and the leader is
killed (SIGKILL) at each state of a round.

States: collecting (the round open, bids coming in), cleared, settlement signed, settlement sent,
settled (each at the clearinghouse's named fault point, where the leader kills itself through
``$PROOFMARKET_KILL_AT_FILE``), and proving (the round settled, its chunk not yet proven: killed
by the test). Each time the standby takes over and finishes the round: settled exactly once on
chain, every acknowledged bid in the round's input file, the chunk proven, the round resolved.
Then a fresh standby is started behind the new leader for the next state.

Real parts only: anvil, the contract (development verifier, so the prover's proof is quick), the
processes a deployment runs, the PostgreSQL server of offchain/proofmarket/postgres.py. Processes cannot share
the embedded devnet, so this runs in the anvil session (``make test-anvil``); without PostgreSQL
server binaries it is skipped, saying so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from proofmarket.bench.common import serve_in_subprocess
from proofmarket.bootstrap import HttpClearinghouseApi, build_prover_agent
from proofmarket.clearinghouse.database import BidRow, LoopStatusRow, RoundRow, TransactionKind, TransactionRow
from proofmarket.clearinghouse.store import Store
from proofmarket.demo import user_bid
from proofmarket.deployment import MarketSettings, deploy
from proofmarket.network import connect, devnet_account, mine_blocks, start_anvil

GWEI = 10**9
ETHER = 10**18
TIMEOUT_SECONDS = 60.0

SETTINGS = MarketSettings(
    capacity_per_round=100_000,
    collateral_per_constraint=10 * GWEI,
    round_length_blocks=12,
    proving_window_blocks=200,
    settlement_window_blocks=400,
)

#: (state, the fault point the leader kills itself at, or None when the test kills it).
KILL_POINTS = [
    ("collecting", None),
    ("cleared", "after_clear"),
    ("settlement signed", "after_settle_signed"),
    ("settlement sent", "after_settle_broadcast"),
    ("settled", "after_settled"),
    ("proving", None),
]


@pytest.fixture(scope="module")
def anvil_only(request):
    if "foundry" not in (request.config.getoption("network", default=None) or ""):
        pytest.skip("runs `proofmarket serve` processes against an anvil of its own: runs in the anvil session")


@dataclass
class LoopProcess:
    """A ``proofmarket serve --loop-only --standby`` process and the file that can make it kill itself."""

    name: str
    process: subprocess.Popen
    kill_file: Path
    log_path: Path

    def kill_at(self, point: str) -> None:
        self.kill_file.write_text(point)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=TIMEOUT_SECONDS)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Cluster:
    rpc: str
    web3: object
    client: object
    deployment_path: Path
    database_url: str
    home: Path
    apis: list[HttpClearinghouseApi]
    agent: object
    users: list
    store: Store
    loops: list[LoopProcess]
    nonce: int = 0

    def start_loop(self, name: str) -> LoopProcess:
        kill_file, log_path = self.home / f"{name}.kill-at", self.home / f"{name}.log"
        kill_file.write_text("")
        command = [
            sys.executable, "-c", "from proofmarket.cli.main import main; main()", "serve", "--loop-only", "--standby",
            "--rpc", self.rpc, "--deployment", str(self.deployment_path), "--devnet-account", "1",
            "--database", self.database_url, "--poll-seconds", "0.2",
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env=dict(os.environ, PROOFMARKET_HOME=str(self.home), PROOFMARKET_KILL_AT_FILE=str(kill_file)),
            )
        loop = LoopProcess(name, process, kill_file, log_path)
        self.loops.append(loop)
        return loop

    def leader_pid(self) -> int | None:
        """The process whose round loop last reported (``loop_status``), if it is recent."""
        with self.store.session() as session:
            row = session.get(LoopStatusRow, 1)
            return int(row.holder.split()[1]) if row is not None else None

    def wait_until_leading(self, loop: LoopProcess) -> None:
        wait_for(lambda: self.leader_pid() == loop.process.pid, f"{loop.name} leading", loop)

    def wait_until_waiting(self, loop: LoopProcess) -> None:
        wait_for(lambda: "standby: waiting for the round-loop lock" in loop.log(), f"{loop.name} standing by", loop)

    def round_state(self, round_id: int) -> str | None:
        with self.store.session() as session:
            row = session.get(RoundRow, round_id)
            return row.state.value if row is not None else None

    def open_round(self) -> int:
        config = self.client.config()
        return (self.web3.eth.block_number - config.genesis_block) // config.round_length_blocks

    def bids(self, round_id: int, count: int) -> list[dict]:
        import random

        rng = random.Random(round_id)
        bids = []
        for index in range(count):
            self.nonce += 1
            bids.append(user_bid(rng, self.users[index % len(self.users)], round_id, self.nonce, self.client))
        return bids

    def settlement_count(self, round_id: int) -> int:
        events = self.client.contract.events.RoundSettled.get_logs(
            from_block=0, argument_filters={"roundId": round_id}
        )
        return len(events)


def wait_for(condition, what: str, loop: LoopProcess | None = None, timeout: float = TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = loop.log()[-2000:] if loop is not None else ""
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cluster(anvil_only, postgres_server, tmp_path_factory):
    home = tmp_path_factory.mktemp("failover")
    database_url = postgres_server.create_database("failover")
    with ExitStack() as stack:
        rpc = stack.enter_context(start_anvil(accounts=8))
        web3 = connect(rpc)
        owner, clearinghouse, treasury = devnet_account(0), devnet_account(1), devnet_account(2)
        deployment, client = deploy(web3, owner, clearinghouse.address, treasury.address, SETTINGS, "development")
        deployment_path = home / "deployment.json"
        deployment.save(deployment_path)
        users = [devnet_account(index) for index in (3, 4, 5)]
        for user in users:
            client.deposit(user, ETHER)
        urls = [
            stack.enter_context(
                serve_in_subprocess(
                    rpc, deployment_path, home, database_url, clearinghouse_index=None, arguments=arguments,
                    log_name=f"api-{index}.log",
                )
            )
            for index, arguments in enumerate((("--api-only",), ("--api-only", "--workers", "2")))
        ]
        apis = [HttpClearinghouseApi(url) for url in urls]
        agent = build_prover_agent(web3, deployment, devnet_account(6), urls[0], capacity=50_000, unit_cost_wei=GWEI // 10)
        agent.ensure_registered()
        store = Store(database_url)
        cluster = Cluster(rpc, web3, client, deployment_path, database_url, home, apis, agent, users, store, [])
        try:
            yield cluster
        finally:
            for loop in cluster.loops:
                if loop.process.poll() is None:
                    loop.process.send_signal(signal.SIGINT)
                    try:
                        loop.process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        loop.process.kill()
            store.close()


def test_api_only_processes_report_the_loop_s_health_from_the_database(cluster):
    """Before any round loop ran on the database, the API processes say so."""
    health = httpx.get(f"{cluster.apis[0].base_url}/v1/health", timeout=10).json()
    assert health["status"] == "degraded" and "no round loop" in health["reason"]


def test_a_standby_finishes_every_round_once_whatever_state_the_leader_died_in(cluster):
    leader = cluster.start_loop("loop-0")
    cluster.wait_until_leading(leader)
    standby = cluster.start_loop("loop-1")
    cluster.wait_until_waiting(standby)
    health = httpx.get(f"{cluster.apis[1].base_url}/v1/health", timeout=10).json()
    assert health["status"] == "ok", health  # the leader's loop, reported through the database

    for number, (state, point) in enumerate(KILL_POINTS, start=2):
        round_id = cluster.open_round()
        cluster.agent.post_ask(round_id)
        bids = cluster.bids(round_id, 6)
        acknowledged = set()
        # Both API processes take bids; the same bid sent to the other process is a duplicate.
        first = cluster.apis[0].post_bids(bids[:3])
        acknowledged |= {accepted["digest"] for accepted in first["accepted"]}
        again = cluster.apis[1].post_bids(bids[:1])
        assert again["accepted"] == [] and "duplicate" in again["rejected"][0]["error"]
        if point is not None:
            leader.kill_at(point)
        elif state == "collecting":
            leader.kill()  # mid-intake: bids keep coming in with no round loop running
        for bid in bids[3:]:
            acknowledged.add(cluster.apis[1].post_bid(bid)["digest"])
        assert len(acknowledged) == 6

        mine_blocks(cluster.web3, cluster.client.round_close_block(round_id) - cluster.web3.eth.block_number)
        if state == "proving":
            wait_for(lambda: cluster.round_state(round_id) == "settled", f"round {round_id} settled", leader)
            leader.kill()
        else:
            wait_for(lambda: leader.process.poll() is not None, f"{leader.name} killed {state}", leader)
        assert leader.process.returncode == -signal.SIGKILL, leader.log()[-2000:]
        if point is not None:
            assert f"killed at {point}" in leader.log()

        cluster.wait_until_leading(standby)
        wait_for(lambda: cluster.round_state(round_id) in ("settled", "resolved"), f"round {round_id} settled", standby)
        assert len(cluster.agent.prove_assignments()) == 1
        wait_for(lambda: cluster.round_state(round_id) == "resolved", f"round {round_id} resolved", standby)

        assert cluster.settlement_count(round_id) == 1, state
        with cluster.store.session() as session:
            stored = set(session.scalars(select(BidRow.digest).where(BidRow.round_id == round_id)))
            row = session.get(RoundRow, round_id)
            input_bids = {bid["id"] for bid in json.loads(row.input_json)["bids"]}
            mined = session.scalar(
                select(func.count()).select_from(TransactionRow).where(
                    TransactionRow.round_id == round_id, TransactionRow.kind == TransactionKind.SETTLE,
                    TransactionRow.block_number.is_not(None),
                )
            )
        assert stored == acknowledged, f"{state}: every acknowledged bid is stored, and nothing else"
        assert input_bids == acknowledged, f"{state}: every acknowledged bid is in the round's input file"
        assert mined == 1, f"{state}: one settlement transaction mined"
        assert cluster.client.is_solvent()

        leader, standby = standby, cluster.start_loop(f"loop-{number}")
        cluster.wait_until_waiting(standby)


def test_a_leader_whose_database_session_ends_stops_acting_and_a_standby_takes_over(cluster):
    """The leader's lock session is terminated on the server (as a restart or a cut connection
    would end it): the leader notices, stops, and a standby leads and settles the next round."""
    from sqlalchemy import text

    from proofmarket.clearinghouse.loop_lock import ADVISORY_KEY

    alive = [loop for loop in cluster.loops if loop.process.poll() is None]
    assert len(alive) == 2, "the previous test leaves a leader and a standby"
    leader = next(loop for loop in alive if loop.process.pid == cluster.leader_pid())
    unsigned = ADVISORY_KEY & 0xFFFF_FFFF_FFFF_FFFF
    with cluster.store.engine.connect() as connection:
        backend = connection.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                "AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid)"
            ),
            {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF},
        ).scalar()
        assert backend is not None
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
    wait_for(lambda: "this process no longer leads" in leader.log(), f"{leader.name} stepping down", leader)

    round_id = cluster.open_round()
    cluster.agent.post_ask(round_id)
    acknowledged = {accepted["digest"] for accepted in cluster.apis[0].post_bids(cluster.bids(round_id, 3))["accepted"]}
    mine_blocks(cluster.web3, cluster.client.round_close_block(round_id) - cluster.web3.eth.block_number)
    wait_for(lambda: cluster.round_state(round_id) in ("settled", "resolved"), f"round {round_id} settled", leader)
    assert len(cluster.agent.prove_assignments()) == 1
    wait_for(lambda: cluster.round_state(round_id) == "resolved", f"round {round_id} resolved", leader)
    assert cluster.settlement_count(round_id) == 1
    assert len(acknowledged) == 3
    assert cluster.leader_pid() in {loop.process.pid for loop in alive}
