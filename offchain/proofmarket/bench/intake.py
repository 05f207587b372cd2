"""``proofmarket bench intake``: signed bids the bid API accepts per second, against 1 and N
``proofmarket serve --api-only`` processes sharing one database (PostgreSQL by default: a
throwaway server from the machine's binaries, :mod:`proofmarket.postgres`).

For each number of API processes, on a fresh database: the same pre-signed bids (not timed) are
sent over loopback one per ``POST /v1/bids`` and, other bids, ``batch_size`` per
``POST /v1/bids/batch``, by load generators in processes of their own (so the client's
interpreter lock does not cap the rate), each with its own keep-alive connections spread over
the API processes. Rate = bids accepted / wall time from the first request to the last answer;
latency per request. Afterwards the database is counted, which must equal the accepted bids.
Starts its own anvil and stops it at the end (with the API processes and the server).
"""

from __future__ import annotations

import http.client
import itertools
import json
import multiprocessing
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

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

__all__ = [
    "BenchmarkFailed", "IntakeModeResult", "IntakeOptions", "IntakeResult", "IntakeRun", "run_intake_benchmark",
]

#: Rounds long enough that the one round the intake benchmark fills stays open throughout (anvil
#: mines only when a transaction arrives, and none does while bids come in).
INTAKE_SETTINGS = MarketSettings(
    capacity_per_round=10_000_000,
    collateral_per_constraint=10 * GWEI,
    round_length_blocks=100_000,
    proving_window_blocks=100,
)

JSON_HEADERS = {"content-type": "application/json"}
DATABASES = ("postgresql", "sqlite")


@dataclass(frozen=True)
class IntakeOptions:
    bids: int = 20_000
    users: int = 50
    batch_size: int = 100
    single_concurrency: int = 32
    batch_concurrency: int = 8
    time_limit_seconds: float = 120.0
    seed: int = 4
    #: The API process counts measured, one configuration each.
    processes: tuple[int, ...] = (1, 2, 4)
    #: Load generator processes (each runs its share of the client threads).
    client_processes: int = 2
    database: str = "postgresql"

    def check(self) -> None:
        """Raises :class:`UserInputError` for sizes the benchmark cannot run with."""
        from proofmarket.api.models import MAX_BATCH_BIDS

        if self.bids < 1 or self.users < 1:
            raise UserInputError(f"need at least one bid and one user, got {self.bids} bids, {self.users} users")
        if not 1 <= self.batch_size <= MAX_BATCH_BIDS:
            raise UserInputError(f"batch size must be 1 to {MAX_BATCH_BIDS} (the API's limit), got {self.batch_size}")
        if self.single_concurrency < 1 or self.batch_concurrency < 1 or self.client_processes < 1:
            raise UserInputError("concurrency and client processes must be at least 1")
        if self.time_limit_seconds <= 0:
            raise UserInputError(f"the time limit must be positive, got {self.time_limit_seconds}")
        if not self.processes or any(count < 1 for count in self.processes):
            raise UserInputError(f"API process counts must be positive, got {list(self.processes)}")
        if self.database not in DATABASES:
            raise UserInputError(f"the database is one of {', '.join(DATABASES)}, got {self.database!r}")


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

    @property
    def requests_per_second(self) -> float:
        """Requests answered with every bid accepted, per second (one-bid requests: = bids/s)."""
        return self.accepted / self.bids_per_request / self.wall_seconds if self.wall_seconds > 0 else 0.0


@dataclass(frozen=True)
class IntakeRun:
    """Both modes against ``processes`` API processes sharing one fresh database."""

    processes: int
    modes: tuple[IntakeModeResult, ...]
    stored_bids: int

    @property
    def accepted_total(self) -> int:
        return sum(mode.accepted for mode in self.modes)

    @property
    def database_matches(self) -> bool:
        """The database holds exactly the bids the API accepted, no more, no fewer."""
        return self.stored_bids == self.accepted_total

    def mode(self, name: str) -> IntakeModeResult:
        return next(mode for mode in self.modes if mode.mode == name)


@dataclass(frozen=True)
class IntakeResult:
    runs: tuple[IntakeRun, ...]
    users: int
    round_id: int
    signing_seconds: float
    machine: MachineLoad
    database: str
    client_processes: int = 1

    @property
    def database_matches(self) -> bool:
        return all(run.database_matches for run in self.runs)

    def best(self, mode: str) -> tuple[IntakeRun, IntakeModeResult]:
        """The configuration with the highest accepted rate in ``mode``."""
        return max(((run, run.mode(mode)) for run in self.runs), key=lambda pair: pair[1].accepted_per_second)


@dataclass
class _LoadRun:
    requests: int = 0
    bids_sent: int = 0
    accepted: int = 0
    rejected: int = 0
    failed_requests: int = 0
    wall_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    stopped_by_time_limit: bool = False

    def add(self, other: _LoadRun) -> None:
        self.requests += other.requests
        self.bids_sent += other.bids_sent
        self.accepted += other.accepted
        self.rejected += other.rejected
        self.failed_requests += other.failed_requests
        self.latencies.extend(other.latencies)
        self.stopped_by_time_limit |= other.stopped_by_time_limit


def _count(batch: bool, status: int, body: bytes) -> tuple[int, int]:
    """Bids a response accepted and refused (a refused batch: counted from bids sent - accepted)."""
    if not batch:
        return (1, 0) if status == 201 else (0, 1)
    if status != 200:
        return 0, 0
    answer = json.loads(body)
    return len(answer["accepted"]), len(answer["rejected"])


def send_concurrently(
    base_urls: Sequence[str],
    path: str,
    bodies: Sequence[bytes],
    bids_per_body: Sequence[int],
    concurrency: int,
    time_limit_seconds: float,
    batch: bool,
) -> _LoadRun:
    """POST every body to ``path`` from ``concurrency`` threads, thread ``i`` holding one
    keep-alive connection to ``base_urls[i % len(base_urls)]``.

    A transport error or a 5xx counts as a failed request. No body is started after
    ``time_limit_seconds``. ``http.client`` rather than a richer client: the load generator's
    own cost per request must stay far below the server's.
    """
    run = _LoadRun()
    lock = threading.Lock()
    positions = itertools.count()
    started = time.perf_counter()
    deadline = started + time_limit_seconds

    def worker(index: int) -> None:
        mine = _LoadRun()
        address = urlsplit(base_urls[index % len(base_urls)])
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            while True:
                position = next(positions)
                if position >= len(bodies):
                    break
                if time.perf_counter() > deadline:
                    mine.stopped_by_time_limit = True
                    break
                mine.requests += 1
                mine.bids_sent += bids_per_body[position]
                began = time.perf_counter()
                try:
                    connection.request("POST", path, body=bodies[position], headers=JSON_HEADERS)
                    response = connection.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException):
                    mine.failed_requests += 1
                    connection.close()
                    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
                    continue
                mine.latencies.append(time.perf_counter() - began)
                if response.status >= 500:
                    mine.failed_requests += 1
                    continue
                good, bad = _count(batch, response.status, body)
                mine.accepted += good
                mine.rejected += bad
        finally:
            connection.close()
        with lock:
            run.add(mine)

    threads = [threading.Thread(target=worker, args=(index,), name=f"load-{index}", daemon=True) for index in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.wall_seconds = time.perf_counter() - started
    return run


def _client_process(arguments) -> _LoadRun:
    return send_concurrently(*arguments)


def send_from_processes(
    base_urls: Sequence[str], path: str, bodies: Sequence[bytes], bids_per_body: Sequence[int], concurrency: int,
    time_limit_seconds: float, batch: bool, client_processes: int,
) -> _LoadRun:
    """:func:`send_concurrently` split over ``client_processes`` forked processes (each its share
    of the bodies and of the threads, the threads' connections still spread over every URL); the
    wall time is the parent's, from the first request to the last answer."""
    processes = max(1, min(client_processes, concurrency))
    if processes == 1:
        return send_concurrently(base_urls, path, bodies, bids_per_body, concurrency, time_limit_seconds, batch)
    shares = []
    for index in range(processes):
        threads = concurrency // processes + (1 if index < concurrency % processes else 0)
        urls = [base_urls[(index + offset) % len(base_urls)] for offset in range(len(base_urls))]
        shares.append((urls, path, bodies[index::processes], bids_per_body[index::processes], threads, time_limit_seconds, batch))
    context = multiprocessing.get_context("fork")
    pool = context.Pool(processes)
    try:
        started = time.perf_counter()
        parts = pool.map(_client_process, shares)
        wall = time.perf_counter() - started
    finally:
        # close and join, never terminate: a worker ended by a signal could run the handlers it
        # inherited (a test runner's, say) on a copy of this process's state.
        pool.close()
        pool.join()
    run = _LoadRun()
    for part in parts:
        run.add(part)
    run.wall_seconds = wall
    return run


def _stored_bids(api_url: str, round_id: int) -> int:
    return httpx.get(f"{api_url}/v1/rounds/{round_id}", timeout=30.0).json()["bids"]


def run_intake_benchmark(options: IntakeOptions = IntakeOptions(), progress: Progress = silent) -> IntakeResult:
    """Measure the signed bids ``proofmarket serve --api-only`` accepts, in both modes, for each
    API process count in ``options.processes``.

    On a fresh anvil: deploy the market (development verifier: no proofs are involved), let
    ``options.users`` users deposit, sign ``options.bids`` bids per mode beforehand (not timed).
    Then, for each process count, on a fresh database: start the API processes, send the
    one-bid requests from ``single_concurrency`` client threads, then the batches from
    ``batch_concurrency`` threads, stop the processes and count the database.
    """
    options.check()
    machine = MachineLoad.now()
    owner, clearinghouse, treasury, users = market_parties(options.users)
    with tempfile.TemporaryDirectory(prefix="proofmarket-bench-intake-") as directory, ExitStack() as resources:
        work = Path(directory)
        postgres = None
        if options.database == "postgresql":
            from proofmarket.postgres import PostgresServer

            progress("starting a throwaway PostgreSQL server")
            postgres = PostgresServer.start()
            resources.callback(postgres.stop)
        progress("starting anvil")
        rpc_url = resources.enter_context(start_anvil(accounts=3 + options.users))
        web3 = connect(rpc_url)
        progress("deploying the market (development verifier)")
        deployment, client = deploy(web3, owner, clearinghouse.address, treasury.address, INTAKE_SETTINGS, "development")
        deployment.save(work / "deployment.json")
        progress(f"{options.users} users deposit into escrow")
        deposit_for_users(client, users, ETHER)
        round_id = open_round_now(web3, client)
        progress(f"signing {2 * options.bids:,} bids for round {round_id} (not timed)")
        began = time.perf_counter()
        bids = signed_bid_bodies(client, users, round_id, 2 * options.bids, first_nonce=1, seed=options.seed)
        signing_seconds = time.perf_counter() - began
        single_bodies = [json.dumps(bid, separators=(",", ":")).encode() for bid in bids[: options.bids]]
        batched = [bids[options.bids + start : options.bids + start + options.batch_size]
                   for start in range(0, options.bids, options.batch_size)]
        batch_bodies = [json.dumps({"bids": batch}, separators=(",", ":")).encode() for batch in batched]
        runs = []
        for processes in options.processes:
            if postgres is not None:
                database_url = postgres.create_database(f"intake_{len(runs)}_{processes}")
            else:
                database_url = f"sqlite:///{work / f'intake-{len(runs)}-{processes}.db'}"
            progress(f"starting {processes} `proofmarket serve --api-only` process(es) on {options.database}")
            with ExitStack() as servers:
                urls = [
                    servers.enter_context(
                        serve_in_subprocess(
                            rpc_url, work / "deployment.json", work, database_url, clearinghouse_index=None,
                            arguments=("--api-only",), log_name=f"api-{len(runs)}-{index}.log",
                        )
                    )
                    for index in range(processes)
                ]
                modes = []
                for mode, path, bodies, sizes, concurrency in (
                    ("single", "/v1/bids", single_bodies, [1] * len(single_bodies), options.single_concurrency),
                    ("batch", "/v1/bids/batch", batch_bodies, [len(batch) for batch in batched], options.batch_concurrency),
                ):
                    progress(f"{processes} process(es), {mode}: {options.bids:,} bids to {path} from {concurrency} threads")
                    run = send_from_processes(
                        urls, path, bodies, sizes, concurrency, options.time_limit_seconds, mode == "batch",
                        options.client_processes,
                    )
                    latencies = sorted(run.latencies)
                    modes.append(
                        IntakeModeResult(
                            mode=mode, path=path, bids_per_request=max(sizes), concurrency=concurrency,
                            requests=run.requests, bids_sent=run.bids_sent, accepted=run.accepted,
                            rejected=run.bids_sent - run.accepted, failed_requests=run.failed_requests,
                            wall_seconds=run.wall_seconds, latency_p50_ms=1000 * percentile(latencies, 0.50),
                            latency_p99_ms=1000 * percentile(latencies, 0.99),
                            stopped_by_time_limit=run.stopped_by_time_limit, stored_after=_stored_bids(urls[0], round_id),
                        )
                    )
            progress("counting the database")
            runs.append(IntakeRun(processes, tuple(modes), count_stored_bids(database_url)))
    return IntakeResult(
        tuple(runs), options.users, round_id, signing_seconds, machine, options.database, options.client_processes
    )
