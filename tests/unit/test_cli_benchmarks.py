"""``proofmarket bench intake`` and ``bench round`` print their records; the headline is the last line.

The benchmarks themselves run in tests/e2e/test_benchmarks.py; here they are replaced by fixed
records, so only the commands' printing is under test.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from proofmarket.bench import intake, round as round_bench
from proofmarket.bench.common import MachineLoad
from proofmarket.bench.intake import IntakeModeResult, IntakeResult, IntakeRun
from proofmarket.bench.round import RoundBenchmarkResult, RoundMeasurement
from proofmarket.cli.main import main

MACHINE = MachineLoad(cpu_count=2, load_average=(1.0, 1.0, 1.0))


def intake_mode(mode: str, path: str, per_request: int, accepted: int, seconds: float, stored_after: int) -> IntakeModeResult:
    return IntakeModeResult(
        mode=mode, path=path, bids_per_request=per_request, concurrency=4, requests=accepted // per_request,
        bids_sent=accepted, accepted=accepted, rejected=0, failed_requests=0, wall_seconds=seconds,
        latency_p50_ms=10.0, latency_p99_ms=20.0, stopped_by_time_limit=False, stored_after=stored_after,
    )


def intake_result(stored: int) -> IntakeResult:
    """One API process (500 one-bid requests/s, 2,500 bids/s batched) and four (1,600; 10,000)."""
    return IntakeResult(
        runs=(
            IntakeRun(1, (intake_mode("single", "/v1/bids", 1, 1000, 2.0, 1000),
                          intake_mode("batch", "/v1/bids/batch", 100, 1000, 0.4, 2000)), stored_bids=2000),
            IntakeRun(4, (intake_mode("single", "/v1/bids", 1, 1600, 1.0, 1600),
                          intake_mode("batch", "/v1/bids/batch", 100, 2000, 0.2, 3600)), stored_bids=stored),
        ),
        users=5, round_id=0, signing_seconds=0.1, machine=MACHINE, database="postgresql", client_processes=2,
    )


def round_row(bids: int, proof_seconds: float) -> RoundMeasurement:
    return RoundMeasurement(
        bids=bids, round_id=1, included=bids, chunks=1, segments=1, intake_seconds=0.1, signature_check_seconds=0.001,
        clearing_seconds=0.2, settlement_seconds=0.3, settlement_sign_seconds=0.1, proof_seconds=proof_seconds,
        proving_seconds_summed=proof_seconds, settlement_gas=100 * bids, settlement_transaction_bytes=300 * bids,
        proof_gas=280_000, proofs_batched=True,
    )


@pytest.fixture()
def runner():
    return CliRunner(mix_stderr=False)


def test_bench_intake_ends_with_the_best_one_bid_and_batched_rates(runner, monkeypatch):
    seen = []

    def fake(options, progress):
        seen.append(options)
        return intake_result(stored=3600)

    monkeypatch.setattr(intake, "run_intake_benchmark", fake)
    result = runner.invoke(main, ["bench", "intake", "--processes", "1,4"])
    assert result.exit_code == 0, result.stderr
    assert seen[0].processes == (1, 4) and seen[0].database == "postgresql"
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "accepted signed bids/s: 10000"
    assert lines[-2] == "accepted one-bid requests/s: 1600"
    assert "4 API process(es), p99 20 ms" in lines[-3] and "100 bids per POST /v1/bids/batch" in lines[-3]
    assert "1 process(es): database holds 2,000 bids, 2,000 accepted: equal" in result.stdout
    assert "4 process(es): database holds 3,600 bids, 3,600 accepted: equal" in result.stdout


def test_bench_intake_fails_when_the_database_differs(runner, monkeypatch):
    monkeypatch.setattr(intake, "run_intake_benchmark", lambda options, progress: intake_result(stored=3599))
    result = runner.invoke(main, ["bench", "intake"])
    assert result.exit_code == 1
    assert result.stdout.strip().splitlines()[-1] == "accepted signed bids/s: 10000"
    assert "with 4 API process(es) the database holds 3599 bids but the API accepted 3600" in result.stderr


def test_bench_intake_refuses_bad_process_counts_in_one_line(runner):
    result = runner.invoke(main, ["bench", "intake", "--processes", "1,four"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "--processes" in result.stderr


def test_bench_round_ends_with_the_largest_round(runner, monkeypatch):
    def fake(options, progress):
        assert options.sizes == (10, 100)
        return RoundBenchmarkResult(
            rounds=(round_row(10, 1.0), round_row(100, 5.0)), provers=2, prover_capacity=32_000, proving_workers=2,
            segment_size=16, block_gas_limit=30_000_000, solvent=True, machine=MACHINE,
        )

    monkeypatch.setattr(round_bench, "run_round_benchmark", fake)
    result = runner.invoke(main, ["bench", "round", "--sizes", "10,100"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == (
        "round of 100 bids: 5.6 s (clearing 0.20 s, signature checks 0.001 s, settlement transaction 0.30 s, "
        "proofs 5.0 s); settlement gas 10000"
    )
    # (settlement gas 100 per bid + 280,000 proof gas) / included bids
    assert lines[-3:-1] == [
        "all-in gas per proven transaction at 10 bids: 28100",
        "all-in gas per proven transaction at 100 bids: 2900",
    ]


def test_bench_round_refuses_bad_sizes(runner):
    result = runner.invoke(main, ["bench", "round", "--sizes", "10,ten"])
    assert result.exit_code == 2
    assert "--sizes" in result.stderr
