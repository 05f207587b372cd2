"""The issue's two service benchmarks: a round's cost by step, and the bid API's intake rate.

- :func:`run_round_benchmark` (``proofmarket bench round``): rounds of 10, 100 and 1000 bids
  through the real path on anvil — signed bids into the bid API, the round closes, the
  clearinghouse clears and settles, prover agents prove with snarkjs (Groth16 verifier) and
  submit — timing each step and reading the settlement's gas.
- :func:`run_intake_benchmark` (``proofmarket bench intake``): signed bids the bid API accepts
  per second, one bid per request and in batches, against ``proofmarket serve`` running in its
  own process (so the load generator does not share its interpreter lock).

Both start their own anvil (:func:`~proofmarket.network.start_anvil`) and stop it at the end,
on errors and on Ctrl-C too. They return records; the CLI prints them. These are figures, not
tests: they move with the machine's load, which the records carry.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import httpx
from eth_account.signers.local import LocalAccount
from web3 import Web3

from proofmarket.chain.market import ProofMarketClient
from proofmarket.deployment import MarketSettings, deploy
from proofmarket.exceptions import ProofMarketError, UserInputError
from proofmarket.network import connect, devnet_account, mine_blocks, start_anvil

ETHER = 10**18
GWEI = 10**9

Progress = Callable[[str], None]


def _silent(_message: str) -> None:
    """The default progress callback: says nothing."""


class BenchmarkFailed(ProofMarketError):
    """A benchmark could not run to its end (a refused bid, a round that did not settle, ...)."""


# ----------------------------------------------------------------------------- shared steps


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


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# ----------------------------------------------------------------------------- bench intake

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


@contextmanager
def serve_in_subprocess(
    rpc_url: str, deployment_path: Path, home: Path, database_url: str, clearinghouse_index: int = 1,
    startup_seconds: float = 60.0, arguments: Sequence[str] = (),
) -> Iterator[str]:
    """Run ``proofmarket serve`` (bid API and round loop) in a child process, with ``arguments``
    added to its command line; yields the API's URL.

    It logs to ``home/serve.log``; it is stopped as Ctrl-C would stop it (SIGINT: uvicorn shuts
    down, the bid writer and the database close), and killed if it does not stop in time.
    """
    from proofmarket.network import free_loopback_port

    port = free_loopback_port()
    command = [
        sys.executable, "-c", "from proofmarket.cli.main import main; main()", "serve",
        "--rpc", rpc_url, "--deployment", str(deployment_path), "--devnet-account", str(clearinghouse_index),
        "--database", database_url, "--host", "127.0.0.1", "--port", str(port), *arguments,
    ]
    url = f"http://127.0.0.1:{port}"
    log_path = home / "serve.log"
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


def _stored_bids(api_url: str, round_id: int) -> int:
    return httpx.get(f"{api_url}/v1/rounds/{round_id}", timeout=30.0).json()["bids"]


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


def run_intake_benchmark(options: IntakeOptions = IntakeOptions(), progress: Progress = _silent) -> IntakeResult:
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
                            wall_seconds=run.wall_seconds, latency_p50_ms=1000 * _percentile(latencies, 0.50),
                            latency_p99_ms=1000 * _percentile(latencies, 0.99),
                            stopped_by_time_limit=run.stopped_by_time_limit, stored_after=_stored_bids(api_url, round_id),
                        )
                    )
            progress("counting the database")
            stored = count_stored_bids(database_url)
    return IntakeResult(tuple(modes), stored, options.users, round_id, signing_seconds, machine)


# ----------------------------------------------------------------------------- bench round

#: The bid counts ``bench round`` measures by default.
ROUND_SIZES = (10, 100, 1000)



@dataclass(frozen=True)
class RoundOptions:
    sizes: tuple[int, ...] = ROUND_SIZES
    users: int = 50
    provers: int = 8
    prover_capacity: int = 32_000
    proving_workers: int = 2
    batch_size: int = 100
    gas_limit: int | None = None  # anvil's default block gas limit (30,000,000)
    seed: int = 4

    def check(self) -> None:
        """Raises :class:`UserInputError` for sizes the benchmark cannot run with."""
        from proofmarket.api.models import MAX_BATCH_BIDS

        if not self.sizes or any(size < 1 for size in self.sizes):
            raise UserInputError(f"round sizes must be positive bid counts, got {list(self.sizes)}")
        if self.users < 1 or self.provers < 1 or self.proving_workers < 1:
            raise UserInputError("need at least one user, one prover and one proving worker")
        if self.prover_capacity < 400:
            raise UserInputError(f"a prover's capacity must hold the largest bid (400 constraints), got {self.prover_capacity}")
        if not 1 <= self.batch_size <= MAX_BATCH_BIDS:
            raise UserInputError(f"batch size must be 1 to {MAX_BATCH_BIDS} (the API's limit), got {self.batch_size}")


@dataclass(frozen=True)
class RoundMeasurement:
    """One round, timed step by step (seconds, wall clock).

    - ``intake_seconds``: every bid through ``POST /v1/bids/batch`` (HTTP, validation, commit);
    - ``signature_check_seconds``: the intake rules (``validate_bid``: EIP-712 digest and
      secp256k1 recovery) over every bid, timed on their own in this process, one core;
    - ``clearing_seconds``: building the round's input (bids from the database, escrow and
      prover reads, admission), the mechanism, storing and publishing input and outcome;
    - ``settlement_seconds``: the ``settleRound`` transaction — its arguments and chunk
      commitments, gas estimate, signing, storing (``settlement_sign_seconds`` up to here),
      broadcast, mined, chunks recorded;
    - ``proof_seconds``: every chunk proven (snarkjs) and ``submitProof`` mined, provers working
      side by side, until the clearinghouse marks the round resolved.
    """

    bids: int
    round_id: int
    included: int
    chunks: int
    segments: int
    intake_seconds: float
    signature_check_seconds: float
    clearing_seconds: float
    settlement_seconds: float
    settlement_sign_seconds: float
    proof_seconds: float
    proving_seconds_summed: float
    settlement_gas: int
    settlement_transaction_bytes: int
    proof_gas: int

    @property
    def total_seconds(self) -> float:
        """Intake, clearing, settlement and proofs: the round's wall time, close to resolved."""
        return self.intake_seconds + self.clearing_seconds + self.settlement_seconds + self.proof_seconds

    @property
    def settlement_gas_per_bid(self) -> int:
        return self.settlement_gas // max(self.included, 1)


@dataclass(frozen=True)
class RoundBenchmarkResult:
    rounds: tuple[RoundMeasurement, ...]
    provers: int
    prover_capacity: int
    proving_workers: int
    segment_size: int
    block_gas_limit: int
    solvent: bool
    machine: MachineLoad


class StepClock:
    """A clearinghouse ``fault`` hook that only notes when each named point was passed."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    def __call__(self, point: str) -> None:
        self.marks[point] = time.perf_counter()

    def reset(self) -> None:
        self.marks.clear()

    def at(self, point: str) -> float:
        if point not in self.marks:
            raise BenchmarkFailed(f"the clearinghouse never passed {point!r}")
        return self.marks[point]


ROUND_SETTINGS = MarketSettings(
    capacity_per_round=1_000_000,
    collateral_per_constraint=10 * GWEI,
    round_length_blocks=40,
    proving_window_blocks=100_000,  # proving is timed, never cut short by a deadline
)


def run_round_benchmark(options: RoundOptions = RoundOptions(), progress: Progress = _silent) -> RoundBenchmarkResult:
    """One full round for each size in ``options.sizes``, on a fresh anvil with the Groth16 verifier.

    The clearinghouse and its bid API run in this process (as ``proofmarket demo`` runs them) so
    its steps can be timed through its ``fault`` hook, which marks the points between them.
    ``options.provers`` prover agents (capacity ``prover_capacity`` constraints each, asks of
    0.1, 0.2, ... gwei per constraint, below every bid) post asks; at most
    ``proving_workers`` of them prove at the same time.
    """
    from proofmarket.bootstrap import ApiServer, HttpClearinghouseApi, build_clearinghouse, build_prover_agent
    from proofmarket.zk.circuit import default_artifacts, load_ceremony_record

    options.check()
    machine = MachineLoad.now()
    segment_size = load_ceremony_record(default_artifacts()).segment_size
    owner, clearinghouse, treasury, users = market_parties(options.users)
    prover_accounts = [devnet_account(3 + options.users + index) for index in range(options.provers)]
    with tempfile.TemporaryDirectory(prefix="proofmarket-bench-round-") as directory:
        work = Path(directory)
        progress("starting anvil" + (f" (block gas limit {options.gas_limit:,})" if options.gas_limit else ""))
        with start_anvil(accounts=3 + options.users + options.provers, gas_limit=options.gas_limit) as rpc_url:
            web3 = connect(rpc_url)
            block_gas_limit = web3.eth.get_block("latest")["gasLimit"]
            progress("deploying the market (Groth16 verifier)")
            deployment, client = deploy(web3, owner, clearinghouse.address, treasury.address, ROUND_SETTINGS, "groth16")
            progress(f"{options.users} users deposit into escrow")
            deposit_for_users(client, users, 10 * ETHER)
            clock = StepClock()
            node = build_clearinghouse(
                web3, deployment, clearinghouse, f"sqlite:///{work / 'clearinghouse.db'}", work / "rounds", fault=clock
            )
            server = ApiServer(node.app).start()
            try:
                api = HttpClearinghouseApi(server.url)
                agents = [
                    build_prover_agent(
                        connect(rpc_url), deployment, account, server.url, options.prover_capacity, (index + 1) * GWEI // 10
                    )
                    for index, account in enumerate(prover_accounts)
                ]
                progress(f"registering {len(agents)} provers")
                for agent in agents:
                    agent.ensure_registered()
                measurements = []
                nonce = 1
                for size in options.sizes:
                    measurement = _measure_round(
                        web3, client, node, api, agents, users, size, nonce, clock, options, segment_size, progress
                    )
                    measurements.append(measurement)
                    nonce += size
                solvent = client.is_solvent()
            finally:
                server.stop()
                node.close()
    return RoundBenchmarkResult(
        tuple(measurements), options.provers, options.prover_capacity, options.proving_workers, segment_size,
        block_gas_limit, solvent, machine,
    )


def _measure_round(web3, client, node, api, agents, users, size, first_nonce, clock, options, segment_size, progress):
    from proofmarket.api.models import BidIn
    from proofmarket.clearinghouse.database import RoundRow, RoundState
    from proofmarket.clearinghouse.intake import validate_bid

    round_id = open_round_now(web3, client)
    progress(f"round {round_id}: {len(agents)} provers ask; signing {size:,} bids (not timed)")
    for agent in agents:
        agent.ensure_registered()
        agent.post_ask(round_id)
    bodies = signed_bid_bodies(client, users, round_id, size, first_nonce, seed=options.seed + first_nonce)

    progress(f"round {round_id}: {size:,} bids into the bid API")
    began = time.perf_counter()
    accepted = 0
    for start in range(0, size, options.batch_size):
        answer = api.post_bids(bodies[start : start + options.batch_size])
        if answer["rejected"]:
            raise BenchmarkFailed(f"round {round_id}: the API refused bids: {answer['rejected'][:2]}")
        accepted += len(answer["accepted"])
    intake_seconds = time.perf_counter() - began
    if accepted != size:
        raise BenchmarkFailed(f"round {round_id}: the API accepted {accepted} of {size} bids")

    signed = [BidIn.model_validate(body).to_signed() for body in bodies]
    escrow = {user.address: client.balance_of(user.address) for user in users}
    parameters = node.view.parameters
    began = time.perf_counter()
    for bid in signed:
        validate_bid(bid, domain=node.clearinghouse.domain, parameters=parameters, open_round=round_id,
                     escrow_wei=escrow[bid.message.user])
    signature_check_seconds = time.perf_counter() - began

    mine_blocks(web3, client.round_close_block(round_id) - web3.eth.block_number)
    progress(f"round {round_id}: closed; clearing and settling")
    clock.reset()
    began = time.perf_counter()
    state = node.clearinghouse.advance(round_id)
    settled_at = time.perf_counter()
    if state != RoundState.SETTLED:
        raise BenchmarkFailed(f"round {round_id}: the clearinghouse left it {state.value}, not settled")
    cleared_at, signed_at = clock.at("after_clear"), clock.at("after_settle_signed")

    progress(f"round {round_id}: provers prove and submit")
    with ThreadPoolExecutor(max_workers=options.proving_workers, thread_name_prefix="prover") as pool:
        proved = [chunk for chunks in pool.map(lambda agent: agent.prove_assignments(), agents) for chunk in chunks]
    state = node.clearinghouse.advance(round_id)
    resolved_at = time.perf_counter()
    if state != RoundState.RESOLVED:
        raise BenchmarkFailed(f"round {round_id}: {state.value} after proving, not resolved")

    status = api.round_status(round_id)
    with node.clearinghouse.store.session() as session:
        row = session.get(RoundRow, round_id)
        gas, raw = row.settle_gas_used, row.settle_raw_transaction
    chain_round = client.round(round_id)
    if len(proved) != chain_round.chunk_count or any(chunk["state"] != "proven" for chunk in status["chunks"]):
        raise BenchmarkFailed(f"round {round_id}: {len(proved)} chunks proven of {chain_round.chunk_count}")
    return RoundMeasurement(
        bids=size,
        round_id=round_id,
        included=chain_round.bid_count,
        chunks=chain_round.chunk_count,
        segments=sum(math.ceil(len(chunk["tx_hashes"]) / segment_size) for chunk in status["chunks"]),
        intake_seconds=intake_seconds,
        signature_check_seconds=signature_check_seconds,
        clearing_seconds=cleared_at - began,
        settlement_seconds=settled_at - cleared_at,
        settlement_sign_seconds=signed_at - cleared_at,
        proof_seconds=resolved_at - settled_at,
        proving_seconds_summed=sum(chunk.proving_seconds for chunk in proved),
        settlement_gas=gas,
        settlement_transaction_bytes=(len(raw) - 2) // 2,
        proof_gas=sum(chunk.gas_used for chunk in proved),
    )
