"""``proofmarket bench intake``: signed bids the bid API accepts per second, one bid per request
and in batches, against ``proofmarket serve`` running in its own process (so the load generator
does not share its interpreter lock). Starts its own anvil and stops it at the end.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import httpx

from proofmarket.bench.common import (
    ETHER,
    GWEI,
    BenchmarkFailed,
    MachineLoad,
    Progress,
    count_stored_bids,
    deposit_for_users,
    market_parties,
    open_round_now,
    percentile,
    serve_in_subprocess,
    signed_bid_bodies,
    silent,
)
from proofmarket.deployment import MarketSettings, deploy
from proofmarket.exceptions import UserInputError
from proofmarket.network import connect, start_anvil

__all__ = ["BenchmarkFailed", "IntakeModeResult", "IntakeOptions", "IntakeResult", "run_intake_benchmark"]

#: Rounds long enough that the one round the intake benchmark fills stays open throughout (anvil
#: mines only when a transaction arrives, and none does while bids come in).
INTAKE_SETTINGS = MarketSettings(
    capacity_per_round=10_000_000,
    collateral_per_constraint=10 * GWEI,
    round_length_blocks=100_000,
    proving_window_blocks=100,
)

JSON_HEADERS = {"content-type": "application/json"}


@dataclass(frozen=True)
class IntakeOptions:
    bids: int = 20_000
    users: int = 50
    batch_size: int = 100
    single_concurrency: int = 16
    batch_concurrency: int = 4
    time_limit_seconds: float = 120.0
    seed: int = 4

    def check(self) -> None:
        """Raises :class:`UserInputError` for sizes the benchmark cannot run with."""
        from proofmarket.api.models import MAX_BATCH_BIDS

        if self.bids < 1 or self.users < 1:
            raise UserInputError(f"need at least one bid and one user, got {self.bids} bids, {self.users} users")
        if not 1 <= self.batch_size <= MAX_BATCH_BIDS:
            raise UserInputError(f"batch size must be 1 to {MAX_BATCH_BIDS} (the API's limit), got {self.batch_size}")
        if self.single_concurrency < 1 or self.batch_concurrency < 1:
            raise UserInputError("concurrency must be at least 1")
        if self.time_limit_seconds <= 0:
            raise UserInputError(f"the time limit must be positive, got {self.time_limit_seconds}")


@dataclass(frozen=True)
class IntakeModeResult:
    """One way of sending the bids: ``single`` (``POST /v1/bids``) or ``batch`` (``/v1/bids/batch``)."""

    mode: str
    path: str
    bids_per_request: int
    concurrency: int
    requests: int
    bids_sent: int
    accepted: int
    rejected: int
    failed_requests: int
    wall_seconds: float
    latency_p50_ms: float
    latency_p99_ms: float
    stopped_by_time_limit: bool
    stored_after: int

    @property
    def accepted_per_second(self) -> float:
        return self.accepted / self.wall_seconds if self.wall_seconds > 0 else 0.0


@dataclass(frozen=True)
class IntakeResult:
    modes: tuple[IntakeModeResult, ...]
    stored_bids: int
    users: int
    round_id: int
    signing_seconds: float
    machine: MachineLoad

    @property
    def accepted_total(self) -> int:
        return sum(mode.accepted for mode in self.modes)

    @property
    def database_matches(self) -> bool:
        """The database holds exactly the bids the API accepted, no more, no fewer."""
        return self.stored_bids == self.accepted_total

    def mode(self, name: str) -> IntakeModeResult:
        return next(mode for mode in self.modes if mode.mode == name)

    @property
    def headline(self) -> IntakeModeResult:
        """The batched mode: how a sequencer or an aggregator hands bids over."""
        return self.mode("batch")


@dataclass
class _LoadRun:
    requests: int = 0
    bids_sent: int = 0
    accepted: int = 0
    rejected: int = 0
    failed_requests: int = 0
    wall_seconds: float = 0.0
    latencies: list[float] | None = None
    stopped_by_time_limit: bool = False


def send_concurrently(
    base_url: str,
    path: str,
    bodies: Sequence[bytes],
    bids_per_body: Sequence[int],
    concurrency: int,
    time_limit_seconds: float,
    count: Callable[[httpx.Response], tuple[int, int]],
) -> _LoadRun:
    """POST every body to ``path`` from ``concurrency`` threads (one keep-alive connection each).

    ``count(response)`` says how many bids a response accepted and rejected; a transport error
    or a 5xx counts as a failed request. No body is started after ``time_limit_seconds``.
    """
    run = _LoadRun(latencies=[])
    lock = threading.Lock()
    positions = itertools.count()
    started = time.perf_counter()
    deadline = started + time_limit_seconds

    def worker() -> None:
        accepted = rejected = failed = requests = sent = 0
        latencies = []
        with httpx.Client(base_url=base_url, timeout=60.0) as http:
            while True:
                position = next(positions)
                if position >= len(bodies):
                    break
                if time.perf_counter() > deadline:
                    with lock:
                        run.stopped_by_time_limit = True
                    break
                began = time.perf_counter()
                try:
                    response = http.post(path, content=bodies[position], headers=JSON_HEADERS)
                except httpx.HTTPError:
                    failed += 1
                    continue
                finally:
                    requests += 1
                    sent += bids_per_body[position]
                latencies.append(time.perf_counter() - began)
                if response.status_code >= 500:
                    failed += 1
                    continue
                good, bad = count(response)
                accepted += good
                rejected += bad
        with lock:
            run.requests += requests
            run.bids_sent += sent
            run.accepted += accepted
            run.rejected += rejected
            run.failed_requests += failed
            run.latencies.extend(latencies)

    threads = [threading.Thread(target=worker, name=f"load-{index}", daemon=True) for index in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.wall_seconds = time.perf_counter() - started
    return run


def _count_single(response: httpx.Response) -> tuple[int, int]:
    return (1, 0) if response.status_code == 201 else (0, 1)


def _count_batch(response: httpx.Response) -> tuple[int, int]:
    if response.status_code != 200:
        return 0, 0  # the whole batch was refused: counted from bids_sent - accepted
    answer = response.json()
    return len(answer["accepted"]), len(answer["rejected"])


def _stored_bids(api_url: str, round_id: int) -> int:
    return httpx.get(f"{api_url}/v1/rounds/{round_id}", timeout=30.0).json()["bids"]


def run_intake_benchmark(options: IntakeOptions = IntakeOptions(), progress: Progress = silent) -> IntakeResult:
    """Measure the signed bids a second ``proofmarket serve`` accepts, in both modes.

    On a fresh anvil: deploy the market (development verifier: no proofs are involved), let
    ``options.users`` users deposit, start the service, sign ``options.bids`` bids per mode
    beforehand (not timed), then send them concurrently: one bid per ``POST /v1/bids`` from
    ``single_concurrency`` threads, then ``batch_size`` bids per ``POST /v1/bids/batch`` from
    ``batch_concurrency`` threads. Rate = bids accepted / wall time from the first request to
    the last answer. Afterwards the database is counted, which must equal the accepted bids.
    """
    options.check()
    machine = MachineLoad.now()
    owner, clearinghouse, treasury, users = market_parties(options.users)
    with tempfile.TemporaryDirectory(prefix="proofmarket-bench-intake-") as directory:
        work = Path(directory)
        database_url = f"sqlite:///{work / 'clearinghouse.db'}"
        progress("starting anvil")
        with start_anvil(accounts=3 + options.users) as rpc_url:
            web3 = connect(rpc_url)
            progress("deploying the market (development verifier)")
            deployment, client = deploy(
                web3, owner, clearinghouse.address, treasury.address, INTAKE_SETTINGS, "development"
            )
            deployment.save(work / "deployment.json")
            progress(f"{options.users} users deposit into escrow")
            deposit_for_users(client, users, ETHER)
            round_id = open_round_now(web3, client)
            progress(f"signing {2 * options.bids:,} bids for round {round_id} (not timed)")
            began = time.perf_counter()
            bids = signed_bid_bodies(client, users, round_id, 2 * options.bids, first_nonce=1, seed=options.seed)
            signing_seconds = time.perf_counter() - began
            single_bodies = [httpx.Request("POST", "/", json=bid).content for bid in bids[: options.bids]]
            batched = [bids[options.bids + start : options.bids + start + options.batch_size]
                       for start in range(0, options.bids, options.batch_size)]
            batch_bodies = [httpx.Request("POST", "/", json={"bids": batch}).content for batch in batched]
            progress("starting `proofmarket serve`")
            with serve_in_subprocess(rpc_url, work / "deployment.json", work, database_url) as api_url:
                modes = []
                for mode, path, bodies, sizes, concurrency, count in (
                    ("single", "/v1/bids", single_bodies, [1] * len(single_bodies), options.single_concurrency, _count_single),
                    ("batch", "/v1/bids/batch", batch_bodies, [len(batch) for batch in batched], options.batch_concurrency, _count_batch),
                ):
                    progress(f"{mode}: {options.bids:,} bids to {path} from {concurrency} threads")
                    run = send_concurrently(api_url, path, bodies, sizes, concurrency, options.time_limit_seconds, count)
                    latencies = sorted(run.latencies)
                    modes.append(
                        IntakeModeResult(
                            mode=mode, path=path, bids_per_request=max(sizes), concurrency=concurrency,
                            requests=run.requests, bids_sent=run.bids_sent, accepted=run.accepted,
                            rejected=run.bids_sent - run.accepted, failed_requests=run.failed_requests,
                            wall_seconds=run.wall_seconds, latency_p50_ms=1000 * percentile(latencies, 0.50),
                            latency_p99_ms=1000 * percentile(latencies, 0.99),
                            stopped_by_time_limit=run.stopped_by_time_limit, stored_after=_stored_bids(api_url, round_id),
                        )
                    )
            progress("counting the database")
            stored = count_stored_bids(database_url)
    return IntakeResult(tuple(modes), stored, options.users, round_id, signing_seconds, machine)
