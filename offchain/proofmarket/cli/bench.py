"""``proofmarket bench ...``: thin commands over :mod:`proofmarket.bench`, one module per benchmark.

- ``bench gas`` (``make gas``): the settlement contract's gas table (:mod:`proofmarket.bench.gas`);
- ``bench clearing``: clearing time against ``list.sort`` (:mod:`proofmarket.bench.clearing`);
- ``bench prove``: proving time and gas per chunk size (:mod:`proofmarket.bench.prove`);
- ``bench round``: full rounds on anvil, time per step (:mod:`proofmarket.bench.round`);
- ``bench intake``: signed bids the bid API accepts per second (:mod:`proofmarket.bench.intake`).

``round`` and ``intake`` start their own anvil and stop it at the end. Progress goes to stderr,
the figures to stdout, the headline figure on the last line.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from proofmarket.cli.progress import progress_reporter
from proofmarket.exceptions import UserInputError
from proofmarket.mechanism import MECHANISM_NAMES

#: anvil's first test key: pays for the gas table's accounts on a node given with --rpc.
ANVIL_FIRST_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


@click.group("bench")
def bench() -> None:
    """Benchmarks that print figures (not part of the test run)."""


@bench.command("gas")
@click.option(
    "--rpc",
    "rpc_url",
    default=None,
    help="Measure on this node (e.g. anvil at http://127.0.0.1:8545) instead of an in-process Cancun chain.",
)
@click.option(
    "--funder-key",
    default=ANVIL_FIRST_KEY,
    show_default="anvil's first test key",
    help="Private key that pays for the benchmark accounts when --rpc is given.",
)
@click.option(
    "--groth16/--no-groth16",
    default=True,
    show_default=True,
    help="Also prove one-transaction chunks with snarkjs and report submitProof and submitProofs (8 chunks) with the real Groth16 verifier.",
)
def gas_command(rpc_url: str | None, funder_key: str, groth16: bool) -> None:
    """Gas of deploy, deposit, registerProver, settleRound (1/10/100 bids, 1/4 provers),
    submitProof (development verifier, and `submitProof gas (groth16): N` with a real proof),
    submitProofs (`gas per chunk proof, batched (8 chunks): N` with eight real proofs), slash and
    withdraw; the last line is the marginal gas per included bid."""
    from eth_account import Account
    from web3 import Web3

    from proofmarket.bench.gas import (
        embedded_cancun_web3,
        measure_groth16_batched_proof_gas,
        measure_groth16_submit_proof_gas,
        run_gas_benchmark,
    )

    groth16_submit_proof = groth16_batched_proofs = None
    if groth16:

        def groth16_submit_proof(web3, funder) -> int:
            return measure_groth16_submit_proof_gas(web3, funder, transactions=1).gas_used

        groth16_batched_proofs = measure_groth16_batched_proof_gas

    if rpc_url is None:
        web3, funder = embedded_cancun_web3()
    else:
        web3 = Web3(Web3.HTTPProvider(rpc_url))
        if not web3.is_connected():
            raise UserInputError(f"no Ethereum node answers at {rpc_url}")
        funder = Account.from_key(funder_key)
    report = run_gas_benchmark(web3, funder, groth16_submit_proof, groth16_batched_proofs)
    click.echo(report.format_table())


@bench.command("clearing")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated rounds.")
@click.option("--max-bids", type=int, default=10**6, show_default=True, help="Largest N (powers of ten from 10^3).")
@click.option("--mechanism", "mechanisms", type=click.Choice(MECHANISM_NAMES), multiple=True, help="Default: all four.")
def clearing_bench_command(seed: int, max_bids: int, mechanisms: tuple[str, ...]) -> None:
    """Clear N = 10^3 … 10^6 bids against 10 … 10^4 provers; print times and the clear/sort ratio."""
    from proofmarket.bench.clearing import run_clearing_bench

    if max_bids < 1000:
        raise UserInputError(f"--max-bids must be at least 1000, got {max_bids}")
    run_clearing_bench(seed=seed, max_bids=max_bids, mechanisms=mechanisms or MECHANISM_NAMES, echo=click.echo)


def _chunk_sizes(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UserInputError(f"--sizes must be comma-separated integers, got {text!r}") from None


@bench.command("prove")
@click.option("--sizes", default="1,4,64,65,128,256", show_default=True, help="Chunk sizes (transactions), comma-separated.")
@click.option("--repeat", default=1, show_default=True, help="Proofs per size; the fastest is reported.")
@click.option("--gas/--no-gas", default=True, show_default=True, help="Also verify each proof on an in-process chain and report gas.")
def prove_bench_command(sizes: str, repeat: int, gas: bool) -> None:
    """Proving time per chunk size with snarkjs, the circuit's constraint count, and gas.

    Times are wall-clock from the Python call to the encoded proof (node start, witness, proof
    and a local check of each segment). With --gas, the last line is the gas of the market's
    submitProof with a real one-segment proof: `submitProof gas (groth16): N`.
    """
    from proofmarket.bench.prove import ProvingMeasurement, benchmark_proving
    from proofmarket.zk.circuit import circuit_summary

    summary = circuit_summary()
    click.echo(
        f"circuit: N = {summary['segment_size']} transactions per segment, {summary['constraints']:,} constraints "
        f"({summary['label']})"
    )
    chain = None
    if gas:
        from proofmarket.bench.gas import embedded_cancun_web3

        chain = embedded_cancun_web3()
    header = f"{'transactions':>12}  {'segments':>8}  {'prove (s)':>9}  {'per segment (s)':>15}  {'proof bytes':>11}"
    header += f"  {'verify gas':>10}" if gas else ""
    click.echo(header)

    def show(measurement: ProvingMeasurement) -> None:
        line = (
            f"{measurement.transactions:>12}  {measurement.segments:>8}  {measurement.wall_seconds:>9.2f}  "
            f"{measurement.snarkjs_seconds_per_segment:>15.2f}  {measurement.proof_bytes:>11}"
        )
        if measurement.verify_gas is not None:
            line += f"  {measurement.verify_gas:>10,}"
        click.echo(line)

    benchmark_proving(_chunk_sizes(sizes), repeat, chain, on_measurement=show)
    if chain is not None:
        from proofmarket.bench.gas import measure_groth16_submit_proof_gas

        submitted = measure_groth16_submit_proof_gas(*chain, transactions=1)
        click.echo(f"submitProof gas (groth16): {submitted.gas_used}")


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UserInputError(f"--sizes takes bid counts separated by commas, e.g. 10,100,1000; got {text!r}") from None
    if not sizes:
        raise UserInputError("--sizes needs at least one bid count")
    return sizes


@bench.command("round")
@click.option("--sizes", default="10,100,1000", show_default=True, help="Bids per round, one round each.")
@click.option("--users", type=click.IntRange(1, 500), default=50, show_default=True, help="Users the bids are spread over.")
@click.option("--provers", type=click.IntRange(1, 100), default=8, show_default=True, help="Prover agents asking each round.")
@click.option("--prover-capacity", type=click.IntRange(min=400), default=32_000, show_default=True,
              help="Constraints per prover per round (bids have 20-400): bounds a chunk's size.")
@click.option("--proving-workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Provers proving at the same time (each runs snarkjs in its own node process).")
@click.option("--gas-limit", type=click.IntRange(min=1), default=None, help="anvil's block gas limit (default: anvil's 30,000,000).")
@click.option("--seed", type=int, default=4, show_default=True, help="Seed of the bids' sizes and fees.")
@click.option("--batched-proofs/--single-proofs", default=True, show_default=True,
              help="The provers hand their proofs to one submitter (one submitProofs per round), or each sends its own submitProof.")
def round_bench_command(sizes, users, provers, prover_capacity, proving_workers, gas_limit, seed, batched_proofs):
    """Full rounds of 10/100/1000 bids on anvil: time per step and settlement gas.

    Each round goes through the real path: signed bids into the bid API, the round closes, the
    clearinghouse clears and settles (Groth16 verifier), prover agents prove with snarkjs and
    submit. The last line is the largest round's wall time and its settlement gas.
    """
    from proofmarket.bench.round import RoundOptions, run_round_benchmark

    options = RoundOptions(
        sizes=_sizes(sizes), users=users, provers=provers, prover_capacity=prover_capacity,
        proving_workers=proving_workers, gas_limit=gas_limit, seed=seed, batched_proofs=batched_proofs,
    )
    options.check()
    with progress_reporter() as progress:
        result = run_round_benchmark(options, progress)

    table = Table(title="one round per size on anvil: wall time per step (s) and settlement gas")
    for column in ("bids", "included", "chunks", "segments", "intake API", "sig. checks", "clearing",
                   "settlement", "(sign)", "proofs", "round", "settle gas", "gas/bid"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in result.rounds:
        table.add_row(
            f"{row.bids:,}", f"{row.included:,}", str(row.chunks), str(row.segments), f"{row.intake_seconds:.2f}",
            f"{row.signature_check_seconds:.3f}", f"{row.clearing_seconds:.2f}", f"{row.settlement_seconds:.2f}",
            f"{row.settlement_sign_seconds:.2f}", f"{row.proof_seconds:.1f}", f"{row.total_seconds:.1f}",
            f"{row.settlement_gas:,}", f"{row.settlement_gas_per_bid:,}",
        )
    out = Console(width=max(Console().width, 150))
    out.print(table)
    for line in (
        "intake API: every bid through POST /v1/bids/batch (100 per request: parsing, intake rules, group commit).",
        "sig. checks: the intake rules alone (validate_bid: EIP-712 digest, secp256k1 recovery with coincurve) "
        "over every bid, one core; part of the intake API time.",
        "clearing: the round's input (bids, escrow and prover reads, admission), the mechanism, input and outcome stored.",
        "settlement: settleRound's arguments and chunk commitments, gas estimate, signing, stored = (sign); "
        "then broadcast, mined and chunks recorded.",
        f"proofs: {result.provers} provers of {result.prover_capacity:,} constraints, at most {result.proving_workers} "
        f"proving at once (snarkjs Groth16, {result.segment_size} transactions per segment), proofs mined, round resolved.",
        "all-in gas per proven transaction: (settlement gas + proof gas) / included transactions.",
        "round: intake API + clearing + settlement + proofs.",
        f"anvil block gas limit {result.block_gas_limit:,}; contract solvent after the rounds: "
        f"{'yes' if result.solvent else 'NO'}; {result.machine.describe()}.",
    ):
        out.print(line, highlight=False)
    for row in result.rounds:
        proof_transactions = "one submitProofs" if row.proofs_batched else "submitProof, summed"
        out.print(
            f"{row.bids:,} bids: proving summed over chunks {row.proving_seconds_summed:.1f} s, proof gas "
            f"({proof_transactions}) {row.proof_gas:,}, settlement transaction {row.settlement_transaction_bytes:,} bytes",
            highlight=False,
        )
    for row in result.rounds:
        click.echo(f"all-in gas per proven transaction at {row.bids} bids: {row.all_in_gas_per_transaction}")
    largest = max(result.rounds, key=lambda row: row.bids)
    click.echo(
        f"round of {largest.bids} bids: {largest.total_seconds:.1f} s (clearing {largest.clearing_seconds:.2f} s, "
        f"signature checks {largest.signature_check_seconds:.3f} s, settlement transaction {largest.settlement_seconds:.2f} s, "
        f"proofs {largest.proof_seconds:.1f} s); settlement gas {largest.settlement_gas}"
    )
    if not result.solvent:
        raise SystemExit(1)


def _process_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UserInputError(f"--processes takes API process counts separated by commas, e.g. 1,4; got {text!r}") from None
    if not counts or any(count < 1 for count in counts):
        raise UserInputError(f"--processes needs positive process counts, got {text!r}")
    return counts


@bench.command("intake")
@click.option("--bids", type=click.IntRange(1, 200_000), default=20_000, show_default=True, help="Signed bids sent in each mode.")
@click.option("--users", type=click.IntRange(1, 500), default=50, show_default=True, help="Users who deposit and sign.")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=100, show_default=True, help="Bids per batched request.")
@click.option("--concurrency", type=click.IntRange(1, 512), default=32, show_default=True, help="Client threads, one bid per request.")
@click.option("--batch-concurrency", type=click.IntRange(1, 256), default=8, show_default=True, help="Client threads, batched.")
@click.option("--processes", default="1,2,4", show_default=True, help="API process counts to measure (`serve --api-only` each), comma-separated.")
@click.option("--client-processes", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Load generator processes sharing the client threads.")
@click.option("--database", type=click.Choice(["postgresql", "sqlite"]), default="postgresql", show_default=True,
              help="postgresql: a throwaway server from the machine's binaries; sqlite: a file.")
@click.option("--time-limit", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds per mode after which no new request starts.")
@click.option("--seed", type=int, default=4, show_default=True, help="Seed of the bids' sizes and fees.")
def intake_bench_command(bids, users, batch_size, concurrency, batch_concurrency, processes, client_processes, database, time_limit, seed):
    """Signed bids the bid API accepts per second: 1 and N `serve --api-only` processes over one database.

    Sends pre-signed bids over loopback, one per POST /v1/bids and in batches on
    POST /v1/bids/batch, then checks each database holds exactly the accepted bids. The last two
    lines are the best one-bid request rate and the best batched bid rate.
    """
    from proofmarket.bench.intake import BenchmarkFailed, IntakeOptions, run_intake_benchmark

    options = IntakeOptions(
        bids=bids, users=users, batch_size=batch_size, single_concurrency=concurrency,
        batch_concurrency=batch_concurrency, time_limit_seconds=time_limit, seed=seed,
        processes=_process_counts(processes), client_processes=client_processes, database=database,
    )
    options.check()
    with progress_reporter() as progress:
        result = run_intake_benchmark(options, progress)

    table = Table(title=f"bid API intake: `proofmarket serve --api-only` on {result.database}, anvil, {result.users} users, loopback")
    for column in ("API procs", "mode", "bids/req", "threads", "requests", "accepted", "refused", "failed req",
                   "wall s", "accepted req/s", "accepted bids/s", "p50 ms", "p99 ms"):
        table.add_column(column, justify="right", no_wrap=True)
    for run in result.runs:
        for mode in run.modes:
            table.add_row(
                str(run.processes), mode.mode, str(mode.bids_per_request), str(mode.concurrency), f"{mode.requests:,}",
                f"{mode.accepted:,}", f"{mode.rejected:,}", str(mode.failed_requests), f"{mode.wall_seconds:.1f}",
                f"{mode.requests_per_second:,.0f}", f"{mode.accepted_per_second:,.0f}", f"{mode.latency_p50_ms:.1f}",
                f"{mode.latency_p99_ms:.1f}",
            )
    out = Console(width=max(Console().width, 150))
    out.print(table)
    for run in result.runs:
        for mode in run.modes:
            if mode.stopped_by_time_limit:
                out.print(f"{run.processes} process(es), {mode.mode}: stopped by the {options.time_limit_seconds:.0f} s time limit "
                          f"after {mode.bids_sent:,} bids", highlight=False)
        out.print(
            f"{run.processes} process(es): database holds {run.stored_bids:,} bids, {run.accepted_total:,} accepted: "
            + ("equal" if run.database_matches else "DIFFERENT"),
            highlight=False,
        )
    out.print(
        f"bids signed beforehand by the client ({result.signing_seconds:.1f} s, not timed); load from "
        f"{result.client_processes} client process(es); {result.machine.describe()}.",
        highlight=False,
    )
    single_run, single = result.best("single")
    batch_run, batch = result.best("batch")
    click.echo(
        f"one bid per request: POST /v1/bids from {single.concurrency} threads, {single_run.processes} API process(es), "
        f"p99 {single.latency_p99_ms:.0f} ms; batched: {batch.bids_per_request} bids per POST /v1/bids/batch from "
        f"{batch.concurrency} threads, {batch_run.processes} API process(es), p99 {batch.latency_p99_ms:.0f} ms"
    )
    click.echo(f"accepted one-bid requests/s: {single.requests_per_second:.0f}")
    click.echo(f"accepted signed bids/s: {batch.accepted_per_second:.0f}")
    for run in result.runs:
        if not run.database_matches:
            raise BenchmarkFailed(
                f"with {run.processes} API process(es) the database holds {run.stored_bids} bids but the API accepted "
                f"{run.accepted_total}"
            )
