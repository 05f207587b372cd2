"""The gas table of `make gas`: the Groth16 line, and the marginal figure as the last line."""

from proofmarket.bench.gas import GasReport


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
