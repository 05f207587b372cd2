"""The gas table of `make gas`: the Groth16 line, and the marginal figure as the last line."""

from proofmarket.bench.gas import BatchedProofGas, GasReport


def test_gas_table_prints_the_groth16_line_and_ends_with_the_marginal_figure():
    report = GasReport(
        rows=[("deploy ProofMarket", 4_000_000), ("settleRound 1 bid(s), 4 prover(s)", None)],
        marginal_by_provers={1: 15_329, 4: 15_330},
        groth16_submit_proof=229_500,
    )
    lines = report.format_table().splitlines()
    assert "submitProof gas (groth16): 229500" in lines
    assert lines[-1] == "marginal gas per included bid: 15330"
    assert any(line.startswith("settleRound 1 bid(s), 4 prover(s)") and line.endswith("n/a") for line in lines)


def test_gas_table_without_groth16_has_no_groth16_line():
    report = GasReport(rows=[("withdraw", 41_476)], marginal_by_provers={1: 15_000})
    table = report.format_table()
    assert "groth16" not in table
    assert table.splitlines()[-1] == "marginal gas per included bid: 15000"


def test_gas_table_prints_the_batched_figure_and_where_its_gas_goes_above_the_goal():
    # 8 chunks: 11 pairs (45,000 + 374,000) and 18 ecMul (108,000); 60,000 intrinsic
    batched = BatchedProofGas(chunks=8, gas_used=800_000, intrinsic_gas=60_000)
    report = GasReport(rows=[("withdraw", 41_476)], marginal_by_provers={1: 15_000}, groth16_batched_proofs=batched)
    lines = report.format_table().splitlines()
    assert "gas per chunk proof, batched (8 chunks): 100000" in lines
    assert "  above the 60,000 goal; per chunk: pairings 52,375, ecMul 13,500, base + calldata 7,500, storage, calls, code 26,625" in lines
    assert lines[-1] == "marginal gas per included bid: 15000"


def test_gas_table_prints_no_breakdown_when_the_batched_goal_is_met():
    batched = BatchedProofGas(chunks=8, gas_used=480_000, intrinsic_gas=60_000)
    report = GasReport(rows=[("withdraw", 41_476)], marginal_by_provers={1: 15_000}, groth16_batched_proofs=batched)
    assert "gas per chunk proof, batched (8 chunks): 60000" in report.format_table()
    assert "above" not in report.format_table()
