"""``bench intake`` and ``bench round`` at toy sizes: every bid accounted for, not how fast.

Each benchmark starts an anvil of its own, so these run in the anvil session only
(``make test-anvil``, or ``pytest tests/e2e/test_benchmarks.py --network ethereum:local:foundry``).
"""

from __future__ import annotations

import pytest

from proofmarket.bench.intake import IntakeOptions, run_intake_benchmark
from proofmarket.bench.round import RoundOptions, run_round_benchmark


@pytest.fixture(autouse=True)
def anvil_session_only(request):
    if "foundry" not in (request.config.getoption("network", default=None) or ""):
        pytest.skip("starts its own anvil: runs in the anvil session (--network ethereum:local:foundry)")


def test_intake_benchmark_stores_exactly_the_accepted_bids(postgres_server):
    """One and two ``serve --api-only`` processes over PostgreSQL (the benchmark starts a server
    of its own; ``postgres_server`` only skips this where there are no server binaries)."""
    result = run_intake_benchmark(
        IntakeOptions(bids=20, users=3, batch_size=5, single_concurrency=4, batch_concurrency=2, processes=(1, 2))
    )

    assert [run.processes for run in result.runs] == [1, 2]
    for run in result.runs:
        single, batch = run.modes
        assert (single.mode, single.requests, single.bids_per_request) == ("single", 20, 1)
        assert (batch.mode, batch.requests, batch.bids_per_request) == ("batch", 4, 5)
        for mode in run.modes:
            assert (mode.bids_sent, mode.accepted, mode.rejected, mode.failed_requests) == (20, 20, 0, 0)
            assert mode.wall_seconds > 0 and 0 < mode.latency_p50_ms <= mode.latency_p99_ms
            assert not mode.stopped_by_time_limit
        assert (single.stored_after, batch.stored_after) == (20, 40)
        assert run.stored_bids == run.accepted_total == 40
    assert result.database_matches
    assert result.best("batch")[1].bids_per_request == 5


def test_round_benchmark_settles_and_proves_every_included_bid():
    result = run_round_benchmark(RoundOptions(sizes=(10,), users=3, provers=1, proving_workers=1))

    (row,) = result.rounds
    # proofphi with one prover: the lowest user leaves to set the price (docs/mechanism.md, rule 4)
    assert (row.bids, row.chunks, row.segments) == (10, 1, 1)
    assert 1 <= row.included <= 9
    assert row.settlement_gas > 0 and row.proof_gas > 0 and row.settlement_transaction_bytes > 0
    assert 0 < row.settlement_sign_seconds < row.settlement_seconds
    for seconds in (row.intake_seconds, row.signature_check_seconds, row.clearing_seconds, row.proof_seconds):
        assert seconds > 0
    assert row.total_seconds == pytest.approx(
        row.intake_seconds + row.clearing_seconds + row.settlement_seconds + row.proof_seconds
    )
    assert result.solvent
    assert result.block_gas_limit == 30_000_000
