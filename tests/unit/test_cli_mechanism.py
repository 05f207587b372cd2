"""The mechanism's commands: ``proofmarket clear``, ``properties`` and ``bench clearing``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from proofmarket.cli.main import main

ROUND = {
    "mechanism": "proofphi-v1",
    "config": {"capacity": 100},
    "bids": [{"id": "0xa", "fee_wei": "200", "constraints": 10}, {"id": "0xb", "fee_wei": 50, "constraints": 10}],
    "asks": [{"id": "0xp", "unit_cost_wei": 10, "capacity": 100}],
}


@pytest.fixture()
def runner():
    return CliRunner(mix_stderr=False)


@pytest.fixture()
def round_file(tmp_path):
    path = tmp_path / "round.json"
    path.write_text(json.dumps(ROUND))
    return path


def test_clear_prints_the_outcome_json(runner, round_file):
    result = runner.invoke(main, ["clear", str(round_file)])
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["included_bid_ids"] == ["0xa", "0xb"]
    assert outcome["price"] == {"num": "25", "den": "2"}
    assert outcome["chunks"][0]["payment_wei"] == "250"
    assert outcome["input_hash"].startswith("0x") and len(outcome["input_hash"]) == 66


def test_clear_with_the_default_truthful_proofphi_prices_a_by_bs_density(runner):
    # proofphi: b (d = 15) leaves first and sets the price; a pays 15·10 and the prover gets 150.
    document = dict(ROUND, mechanism="proofphi", bids=[ROUND["bids"][0], {"id": "0xb", "fee_wei": 150, "constraints": 10}])
    result = runner.invoke(main, ["clear", "-"], input=json.dumps(document))
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert (outcome["included_bid_ids"], outcome["charges_wei"]) == (["0xa"], {"0xa": "150"})
    assert outcome["chunks"][0]["payment_wei"] == "150"


def test_clear_reads_stdin_and_the_mechanism_option_overrides_the_file(runner):
    result = runner.invoke(main, ["clear", "-", "--mechanism", "trade-reduction"], input=json.dumps(ROUND))
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["mechanism"] == "trade-reduction"
    assert outcome["included_bid_ids"] == []  # b's density 5 is below the ask 10: K = 1


def test_clear_jsonl_prints_one_outcome_per_line(runner):
    burn = dict(ROUND, config={"capacity": 100, "surplus": "burn"})
    result = runner.invoke(main, ["clear", "-", "--jsonl"], input=json.dumps(ROUND) + "\n\n" + json.dumps(burn) + "\n")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["included_bid_ids"] for line in lines] == [["0xa", "0xb"], ["0xa", "0xb"]]


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (["clear", "-"], json.dumps(dict(ROUND, bids=[{"id": "0xa", "fee_wei": -1, "constraints": 1}])),
         "error: bids[0].fee_wei: must not be negative, got -1"),
        (["clear", "-"], "{not json", "error: round file: is not valid JSON"),
        (["clear", "-", "--jsonl"], json.dumps(ROUND) + "\n" + json.dumps(dict(ROUND, asks=[{"id": "0xp"}])),
         "error: line 2: asks[0].unit_cost_wei: missing field"),
        (["clear", "/nonexistent/round.json"], "", "error: cannot read round file '/nonexistent/round.json': No such file"),
    ],
)
def test_clear_reports_bad_input_in_one_line_with_exit_code_2(runner, arguments, stdin, message):
    result = runner.invoke(main, arguments, input=stdin)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_clear_bad_input_prints_no_traceback_from_the_real_command():
    completed = subprocess.run(
        [sys.executable, "-c", "from proofmarket.cli.main import main; main()", "clear", "-"],
        input=json.dumps(dict(ROUND, bids=[{"id": "0xa", "fee_wei": 1, "constraints": 0}])),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert completed.stderr == "error: bids[0].constraints: must be at least 1 (zero size), got 0\n"


def test_properties_prints_the_table_and_writes_reports_and_plots(runner, tmp_path):
    out = tmp_path / "props"
    result = runner.invoke(main, ["properties", "--plan", "tiny", "--seed", "5", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "Property harness — seed 5" in result.stdout
    assert "(gwei)" in result.stdout and "trade-reduction" in result.stdout and "…" not in result.stdout
    assert f"are defined in {out / 'properties.md'}\n" in result.stdout
    assert "## Terms" in (out / "properties.md").read_text()
    assert {path.name for path in out.iterdir()} >= {
        "properties.json",
        "oca_gain_vs_capacity.png",
        "welfare_ratio.png",
        "payments.png",
    }


def test_bench_clearing_ends_with_the_clear_to_sort_ratio(runner):
    result = runner.invoke(main, ["bench", "clearing", "--max-bids", "1000", "--mechanism", "proofphi"])
    assert result.exit_code == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("clear/sort ratio at 1000 bids: ")
    float(last.rsplit(" ", 1)[1])
