"""proofmarket rollup ...: thin commands; user errors are one line and exit 2.

The ``rollup`` group (offchain/proofmarket/cli/rollup.py) runs under the ``proofmarket`` group's
class, which turns errors into one line, as ``main.add_command(rollup)`` in cli/main.py does.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from proofmarket.cli.main import ProofMarketGroup
from proofmarket.cli.rollup import rollup
from proofmarket.rollup.prover import decode_rollup_proof
from proofmarket.rollup.verifier import MarketChunkStatement, verify_rollup_proof

ALICE = "0x" + "a1" * 20
BOB = "0x" + "b0" * 20


CLI = ProofMarketGroup(commands={"rollup": rollup})


def run(*arguments: str):
    return CliRunner(mix_stderr=False).invoke(CLI, ["rollup", *arguments])


def test_rollup_info_prints_the_circuit_figures():
    result = run("info")
    assert result.exit_code == 0, result.output
    assert "slots N: 3 operations per chunk" in result.stdout
    assert "DEVELOPMENT CEREMONY" in result.stdout


def test_prove_chunk_prints_a_statement_and_a_proof_the_verifier_accepts(rollup_verifier, rollup_prover):
    result = run(
        "prove-chunk", "--genesis", f"{ALICE}:100", "--transfer", f"{ALICE}:{BOB}:40:0",
        "--round", "3", "--chunk", "1", "--prover", rollup_prover.address,
    )
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    fields = output["statement"]
    statement = MarketChunkStatement(
        fields["roundId"], fields["chunkIndex"], fields["prover"],
        bytes.fromhex(fields["commitment"][2:]), bytes.fromhex(fields["dataHash"][2:]),
    )
    assert statement.binding() == int(output["binding"], 16)
    proof = bytes.fromhex(output["proof"][2:])
    assert len(decode_rollup_proof(proof)) == 8
    assert verify_rollup_proof(rollup_verifier, statement, bytes.fromhex(output["statementData"][2:]), proof)


def test_prove_chunk_refuses_mistakes_with_one_line(rollup_prover):
    cases = [
        (["--transfer", f"{ALICE}:{BOB}:1", "--prover", rollup_prover.address], "FROM:TO:AMOUNT:NONCE"),
        (["--transfer", f"{ALICE}:{BOB}:x:0", "--prover", rollup_prover.address], "AMOUNT must be an integer"),
        (["--transfer", f"0x12:{BOB}:1:0", "--prover", rollup_prover.address], "not 20 bytes"),
        (["--transfer", f"{ALICE}:{BOB}:1:0", "--prover", rollup_prover.address], "the sender has no account"),
        (["--genesis", f"{ALICE}:1", "--prover", rollup_prover.address], "at least one --transfer"),
        (["--transfer", f"{ALICE}:{BOB}:1:0", "--prover", "0x12"], "--prover must be"),
    ]
    for arguments, message in cases:
        result = run("prove-chunk", *arguments)
        assert result.exit_code == 2, (arguments, result.stdout, result.stderr)
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert message in result.stderr, (message, result.stderr)
