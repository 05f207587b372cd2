"""One database, one market, one round loop.

A clearinghouse database records its market (chain, address, deploy block) when first opened; a
clearinghouse for another market refuses it with one line naming both. Only one process at a
time holds the round-loop lock of a database (a file lock on SQLite, an advisory lock on
PostgreSQL); ``proofmarket serve`` takes it before it starts the loop, and a second ``serve`` on
the same database says who holds it and exits with code 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from proofmarket.bootstrap import build_clearinghouse
from proofmarket.clearinghouse.errors import MarketMismatch, RoundLoopLocked
from proofmarket.clearinghouse.loop_lock import RoundLoopLock
from proofmarket.clearinghouse.store import Store
from proofmarket.deployment import MarketSettings, deploy


@pytest.fixture(scope="module")
def other_market(stack):
    """A second market on the same chain, with the same clearinghouse key."""
    deployment, _ = deploy(
        stack.web3, stack.owner, stack.clearinghouse_account.address, stack.treasury.address, MarketSettings(), "development"
    )
    return deployment


def test_a_database_of_another_market_is_refused_naming_both(stack, other_market):
    with pytest.raises(MarketMismatch) as refusal:
        build_clearinghouse(stack.web3, other_market, stack.clearinghouse_account, stack.database_url)
    message = str(refusal.value)
    assert "\n" not in message
    assert stack.deployment.market in message and other_market.market in message
    assert stack.node.run_once() is not None  # the database's own market is untouched


def test_the_same_market_reopens_its_database(stack):
    node = build_clearinghouse(stack.web3, stack.deployment, stack.clearinghouse_account, stack.database_url)
    node.close()


def test_one_round_loop_lock_per_sqlite_database(stack):
    first = RoundLoopLock.acquire(stack.node.clearinghouse.store)
    try:
        with pytest.raises(RoundLoopLocked, match=f"held by process {os.getpid()}"):
            RoundLoopLock.acquire(Store(stack.database_url))
    finally:
        first.release()
    RoundLoopLock.acquire(Store(stack.database_url)).release()  # free again once released


def test_one_round_loop_lock_per_postgresql_database(postgres_server):
    url = postgres_server.create_database("round_loop_lock")
    first_store, second_store = Store(url), Store(url)
    first = RoundLoopLock.acquire(first_store)
    try:
        with pytest.raises(RoundLoopLocked, match="advisory lock .* held by server process [0-9]+"):
            RoundLoopLock.acquire(second_store)
    finally:
        first.release()
    RoundLoopLock.acquire(second_store).release()
    first_store.close()
    second_store.close()


def run_cli(*arguments: str, home: Path, rpc: str, timeout: float = 120) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from proofmarket.cli.main import main; main()", *arguments, "--rpc", rpc]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=dict(os.environ, PROOFMARKET_HOME=str(home)),
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def anvil_only(request):
    if "foundry" not in (request.config.getoption("network", default=None) or ""):
        pytest.skip("starts its own anvil and `proofmarket serve` processes: runs in the anvil session")


@pytest.fixture(scope="module")
def two_markets(anvil_only, tmp_path_factory):
    """An anvil of its own with two markets deployed; yields ``(rpc, home, first, second)``
    deployment files (the clearinghouse is devnet account 1)."""
    from proofmarket.network import connect, devnet_account, start_anvil

    home = tmp_path_factory.mktemp("serve")
    with start_anvil() as rpc:
        web3 = connect(rpc)
        owner, clearinghouse, treasury = devnet_account(0), devnet_account(1), devnet_account(2)
        paths = []
        for index in range(2):
            deployment, _ = deploy(web3, owner, clearinghouse.address, treasury.address, MarketSettings(), "development")
            path = home / f"deployment-{index}.json"
            deployment.save(path)
            paths.append((path, deployment))
        yield rpc, home, paths[0], paths[1]


def test_serve_refuses_another_markets_database_in_one_line(two_markets):
    rpc, home, (first_path, first), (second_path, second) = two_markets
    database = f"sqlite:///{home / 'shared.db'}"
    from proofmarket.network import connect, devnet_account

    # The first market's clearinghouse records the database (building it is enough).
    build_clearinghouse(connect(rpc), first, devnet_account(1), database).close()
    result = run_cli(
        "serve", "--deployment", str(second_path), "--devnet-account", "1", "--database", database, home=home, rpc=rpc
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert first.market in lines[0] and second.market in lines[0]


def test_a_second_serve_on_one_database_says_so_and_exits(two_markets):
    from proofmarket.bench.common import serve_in_subprocess

    rpc, home, (first_path, _), _ = two_markets
    database = f"sqlite:///{home / 'served.db'}"
    with serve_in_subprocess(rpc, first_path, home, database):
        result = run_cli(
            "serve", "--deployment", str(first_path), "--devnet-account", "1", "--database", database, "--port", "0",
            home=home, rpc=rpc,
        )
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if "error:" in line]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "another clearinghouse runs the round loop" in lines[0] and "served.db.round-loop.lock" in lines[0]


def test_the_prover_agent_refuses_a_capacity_other_than_the_registered_one(two_markets):
    from proofmarket.network import connect, devnet_account

    rpc, home, (first_path, first), _ = two_markets
    prover = devnet_account(5)
    client = first.client(connect(rpc))
    client.register_prover(prover, 1_000, 1_000 * client.config().collateral_per_constraint)
    collateral = client.prover(prover.address).collateral
    result = run_cli(
        "prover", "--deployment", str(first_path), "--devnet-account", "5", "--capacity", "400", "--unit-cost", "1gwei",
        "--once", "--api", "http://127.0.0.1:9", home=home, rpc=rpc,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "registered with capacity 1000, not 400" in lines[0]
    assert client.prover(prover.address).collateral == collateral, "never acted on"


def test_the_prover_agent_logs_one_json_object_per_line(two_markets):
    from proofmarket.bench.common import serve_in_subprocess

    rpc, home, (first_path, _), _ = two_markets
    with serve_in_subprocess(rpc, first_path, home, f"sqlite:///{home / 'json-log.db'}") as api:
        result = run_cli(
            "prover", "--deployment", str(first_path), "--devnet-account", "6", "--capacity", "300", "--unit-cost",
            "1gwei", "--once", "--api", api, "--log-format", "json", "--log-level", "DEBUG", home=home, rpc=rpc,
        )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]  # every line is a JSON object
    assert all({"time", "level", "logger", "message"} <= set(record) for record in records)
    registered = next(record for record in records if record["message"].endswith(" registered"))
    assert registered["level"] == "INFO" and registered["capacity"] == 300 and registered["collateral_wei"] > 0
    assert any(record.get("round") is not None and "asked in round" in record["message"] for record in records)
    requests = [record for record in records if record["message"].startswith("HTTP Request")]
    assert requests and all(record["level"] == "DEBUG" for record in requests)


def test_serve_logs_one_json_object_per_line(two_markets):
    import time

    from proofmarket.bench.common import serve_in_subprocess

    rpc, home, (first_path, first), _ = two_markets
    arguments = ("--log-format", "json", "--log-level", "DEBUG", "--poll-seconds", "0.2")
    with serve_in_subprocess(rpc, first_path, home, f"sqlite:///{home / 'json-serve.db'}", arguments=arguments):
        time.sleep(1.5)  # a few passes of the round loop
    records = [json.loads(line) for line in (home / "serve.log").read_text().splitlines()]  # each line JSON
    assert all({"time", "level", "logger", "message"} <= set(record) for record in records)
    started = next(record for record in records if record["logger"] == "proofmarket.serve" and "market" in record)
    assert started["level"] == "INFO" and started["market"] == first.market
    passes = [record for record in records if record["message"].startswith("round loop pass")]
    assert len(passes) >= 2 and all(record["level"] == "DEBUG" for record in passes)


def test_serve_serves_the_dashboard_and_its_operations(two_markets):
    import httpx

    from proofmarket.bench.common import serve_in_subprocess

    rpc, home, (first_path, first), _ = two_markets
    with serve_in_subprocess(rpc, first_path, home, f"sqlite:///{home / 'dashboard.db'}") as api:
        page = httpx.get(f"{api}/")
        assets = {path: httpx.get(f"{api}{path}") for path in ("/dashboard/dashboard.js", "/dashboard/dashboard.css")}
        rounds = httpx.get(f"{api}/v1/rounds", params={"limit": 3})
        provers = httpx.get(f"{api}/v1/provers")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/dashboard/dashboard.js"' in page.text and "http" not in page.text.split("<body>")[0]
    for path, answer in assets.items():
        assert answer.status_code == 200 and answer.content, path
    assert assets["/dashboard/dashboard.js"].headers["content-type"].startswith("text/javascript")
    assert rounds.status_code == 200 and rounds.json()["market_address"] == first.market
    assert rounds.json()["rounds"][0]["state"] == "open"
    assert provers.status_code == 200 and isinstance(provers.json(), list)
