"""proofmarket zk ... and bench prove: thin commands; user errors are one line and exit 2."""

from __future__ import annotations

from click.testing import CliRunner

from proofmarket.cli.main import main
from proofmarket.zk.encoding import decode_chunk_proof

ONE = "0x" + "00" * 31 + "01"
TWO = "0x" + "00" * 31 + "02"


def run(*arguments: str):
    return CliRunner(mix_stderr=False).invoke(main, list(arguments))


def test_zk_commitment_prints_the_chunk_commitment():
    result = run("zk", "commitment", ONE, TWO)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "0x1a10eff92ef503e5c72d7993c5a0547b2c2c60a3142d882d1e5d8d8a9a7ffa90"


def test_zk_commitment_refuses_a_short_hash_with_one_line():
    result = run("zk", "commitment", "0x1234")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "must be 32 bytes" in result.stderr


def test_zk_prove_prints_a_decodable_proof(zk_prover):
    result = run("zk", "prove", "--prover", zk_prover.address, "--round", "3", "--chunk", "1", ONE)
    assert result.exit_code == 0, result.stderr
    assert len(decode_chunk_proof(bytes.fromhex(result.stdout.strip()[2:]))) == 1


def test_zk_prove_refuses_a_bad_prover_with_one_line():
    result = run("zk", "prove", "--prover", "0x12", "--round", "0", "--chunk", "0", ONE)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "--prover must be a 20-byte hex address" in result.stderr


def test_zk_prove_refuses_a_bad_data_hash_with_one_line(zk_prover):
    result = run("zk", "prove", "--prover", zk_prover.address, "--round", "0", "--chunk", "0", "--data-hash", "0x12", ONE)
    assert result.exit_code == 2
    assert "--data-hash must be 32 bytes" in result.stderr


def test_zk_info_prints_the_circuit_figures():
    result = run("zk", "info")
    assert result.exit_code == 0
    assert "segment size N: 64" in result.stdout
    assert "constraints: 15,612" in result.stdout
    assert "NOT FOR PRODUCTION" in result.stdout


def test_bench_prove_prints_a_row_per_size():
    result = run("bench", "prove", "--sizes", "1,65", "--no-gas")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "15,612 constraints" in lines[0]
    assert lines[2].split()[:2] == ["1", "1"]
    assert lines[3].split()[:2] == ["65", "2"]


def test_bench_prove_refuses_bad_sizes():
    result = run("bench", "prove", "--sizes", "0", "--no-gas")
    assert result.exit_code == 2
    assert "positive" in result.stderr
