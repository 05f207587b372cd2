"""``proofmarket bench round``: rounds of 10, 100 and 1000 bids through the real path on anvil —
signed bids into the bid API, the round closes, the clearinghouse clears and settles, prover
agents prove with snarkjs (Groth16 verifier) and submit — timing each step and reading the
settlement's gas. Starts its own anvil and stops it at the end, on errors and on Ctrl-C too.
"""

from __future__ import annotations

import math
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from proofmarket.bench.common import (
    ETHER,
    GWEI,
    BenchmarkFailed,
    MachineLoad,
    Progress,
    deposit_for_users,
    market_parties,
    open_round_now,
    signed_bid_bodies,
    silent,
)
from proofmarket.deployment import MarketSettings, deploy
from proofmarket.exceptions import UserInputError
from proofmarket.network import connect, devnet_account, mine_blocks, start_anvil

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
    #: The agents hand their proofs to one submitter, who sends each round's in one submitProofs.
    batched_proofs: bool = True

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
    - ``proof_seconds``: every chunk proven (snarkjs) and its proof mined (``submitProof`` per
      chunk, or one ``submitProofs`` for the round when batched), provers working side by side,
      until the clearinghouse marks the round resolved.

    ``proof_gas`` is the gas of the round's proof transactions (all the ``submitProof``s, or the
    one ``submitProofs``).
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
    proofs_batched: bool

    @property
    def total_seconds(self) -> float:
        """Intake, clearing, settlement and proofs: the round's wall time, close to resolved."""
        return self.intake_seconds + self.clearing_seconds + self.settlement_seconds + self.proof_seconds

    @property
    def settlement_gas_per_bid(self) -> int:
        return self.settlement_gas // max(self.included, 1)

    @property
    def all_in_gas_per_transaction(self) -> int:
        """(settlement gas + proof gas) / included transactions: what the chain spends per
        transaction proven."""
        return (self.settlement_gas + self.proof_gas) // max(self.included, 1)


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


def run_round_benchmark(options: RoundOptions = RoundOptions(), progress: Progress = silent) -> RoundBenchmarkResult:
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
                batch = _hand_proofs_to_one_submitter(client, agents) if options.batched_proofs else None
                measurements = []
                nonce = 1
                for size in options.sizes:
                    measurement = _measure_round(
                        web3, client, node, api, agents, users, size, nonce, clock, options, segment_size, progress, batch
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


def _hand_proofs_to_one_submitter(client, agents):
    """A :class:`~proofmarket.prover.batching.ProofBatch` every agent hands its proofs to."""
    from proofmarket.prover.batching import BatchingMarket, ProofBatch

    batch = ProofBatch(client)
    for agent in agents:
        agent.market = BatchingMarket(agent.market, batch)
    return batch


def _measure_round(
    web3, client, node, api, agents, users, size, first_nonce, clock, options, segment_size, progress, batch=None
):
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
                     escrow_of=escrow.__getitem__)
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
    # Batched: the first prover sends every proof of the round in one submitProofs.
    proof_gas = batch.submit(agents[0].account) if batch is not None else sum(chunk.gas_used for chunk in proved)
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
        proof_gas=proof_gas,
        proofs_batched=batch is not None,
    )
