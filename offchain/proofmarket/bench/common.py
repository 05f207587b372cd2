"""What the service benchmarks share: the machine's load, the market's parties, signed bids,
``proofmarket serve`` in a child process, and counting a database's bids.

Used by :mod:`proofmarket.bench.intake` and :mod:`proofmarket.bench.round` (and the end-to-end
tests that run ``serve`` in its own process).
"""

from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import httpx
from eth_account.signers.local import LocalAccount
from web3 import Web3

from proofmarket.chain.market import ProofMarketClient
from proofmarket.exceptions import ProofMarketError
from proofmarket.network import devnet_account, mine_blocks

ETHER = 10**18
GWEI = 10**9

Progress = Callable[[str], None]


def silent(_message: str) -> None:
    """The default progress callback: says nothing."""


class BenchmarkFailed(ProofMarketError):
    """A benchmark could not run to its end (a refused bid, a round that did not settle, ...)."""


@dataclass(frozen=True)
class MachineLoad:
    """The machine the figures were taken on: cores, and the load average before the run."""

    cpu_count: int
    load_average: tuple[float, float, float]

    @classmethod
    def now(cls) -> MachineLoad:
        load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
        return cls(os.cpu_count() or 1, tuple(round(value, 2) for value in load))

    def describe(self) -> str:
        one, five, fifteen = self.load_average
        return f"{self.cpu_count} cores, load average {one:.2f} / {five:.2f} / {fifteen:.2f} before the run"


def market_parties(users: int, first_user_index: int = 3) -> tuple[LocalAccount, LocalAccount, LocalAccount, list[LocalAccount]]:
    """Owner, clearinghouse and treasury (devnet accounts 0-2), and ``users`` funded users after them."""
    return (
        devnet_account(0),
        devnet_account(1),
        devnet_account(2),
        [devnet_account(first_user_index + index) for index in range(users)],
    )


def deposit_for_users(client: ProofMarketClient, users: Sequence[LocalAccount], amount_wei: int) -> None:
    """Each user deposits ``amount_wei`` into escrow (a transaction each, sent from its own key)."""
    for user in users:
        client.deposit(user, amount_wei)


def open_round_now(web3: Web3, client: ProofMarketClient) -> int:
    """The round open at the chain's head, mining up to the market's genesis block if needed."""
    config = client.config()
    head = web3.eth.block_number
    if head < config.genesis_block:
        mine_blocks(web3, config.genesis_block - head)
        head = web3.eth.block_number
    return (head - config.genesis_block) // config.round_length_blocks


def signed_bid_bodies(
    client: ProofMarketClient, users: Sequence[LocalAccount], round_id: int, count: int, first_nonce: int, seed: int
) -> list[dict]:
    """``count`` signed bids for ``round_id`` as the API takes them, spread over ``users`` in turn.

    Random sizes and fees as in the demo (20-400 constraints at 1-5 gwei per constraint); each
    has its own nonce, so no two are the same bid. Signing is the users' cost: never timed.
    """
    from proofmarket.demo import user_bid

    rng = random.Random(seed)
    return [
        user_bid(rng, users[index % len(users)], round_id, first_nonce + index, client) for index in range(count)
    ]


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]




@contextmanager
def serve_in_subprocess(
    rpc_url: str, deployment_path: Path, home: Path, database_url: str, clearinghouse_index: int | None = 1,
    startup_seconds: float = 60.0, arguments: Sequence[str] = (), log_name: str = "serve.log",
) -> Iterator[str]:
    """Run ``proofmarket serve`` (bid API and round loop) in a child process, with ``arguments``
    added to its command line (e.g. ``--api-only``); yields the API's URL.

    It logs to ``home/<log_name>``; it is stopped as Ctrl-C would stop it (SIGINT: uvicorn shuts
    down, the bid writer and the database close), and killed if it does not stop in time.
    """
    from proofmarket.network import free_loopback_port

    port = free_loopback_port()
    command = [
        sys.executable, "-c", "from proofmarket.cli.main import main; main()", "serve",
        "--rpc", rpc_url, "--deployment", str(deployment_path),
        *(("--devnet-account", str(clearinghouse_index)) if clearinghouse_index is not None else ()),
        "--database", database_url, "--host", "127.0.0.1", "--port", str(port), *arguments,
    ]
    url = f"http://127.0.0.1:{port}"
    log_path = home / log_name
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env=dict(os.environ, PROOFMARKET_HOME=str(home)),
        )
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                if process.poll() is not None:
                    tail = log_path.read_text(errors="replace").strip().splitlines()[-5:]
                    raise BenchmarkFailed(f"proofmarket serve exited with code {process.returncode}: {' | '.join(tail)}")
                try:
                    if httpx.get(f"{url}/v1/health", timeout=2.0).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise BenchmarkFailed(f"proofmarket serve did not answer on {url} within {startup_seconds:.0f} s")
                time.sleep(0.1)
            yield url
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()



def count_stored_bids(database_url: str) -> int:
    """How many bids the clearinghouse's database holds (read after the service stopped)."""
    from sqlalchemy import func, select

    from proofmarket.clearinghouse.database import BidRow
    from proofmarket.clearinghouse.store import Store

    store = Store(database_url)
    try:
        with store.session() as session:
            return session.scalar(select(func.count()).select_from(BidRow))
    finally:
        store.close()
