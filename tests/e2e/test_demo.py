"""`proofmarket demo` (run_demo): full rounds, every one verified, the market solvent, and, as the
README says, exactly one slashed chunk: the one of the silent round (the silent prover works
again in the rounds after it)."""

from __future__ import annotations

from proofmarket.demo import DemoOptions, run_demo


def test_the_demo_slashes_only_the_silent_rounds_chunk(web3, tmp_path):
    report = run_demo(web3, DemoOptions(rounds=3, silent_round=1, verifier="development", work_directory=tmp_path))
    assert report.solvent and report.all_verified
    slashed = [summary.round_id for summary in report.rounds if summary.slashed_wei]
    assert slashed == [report.rounds[1].round_id]
    for summary in report.rounds:
        missed = summary.chunks - summary.proven
        assert missed == (1 if summary.round_id in slashed else 0), summary
