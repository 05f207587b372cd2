"""``proofmarket zk ...``: thin commands over ``proofmarket.zk`` (``bench prove`` is in ``cli/bench.py``).

- ``zk setup``: build the circuit and run the DEVELOPMENT ceremony (``--check``: rebuild from
  scratch and compare with the committed artifacts);
- ``zk info``: the circuit's figures from the committed ceremony record;
- ``zk commitment``: the chunk commitment of transaction hashes (what ``settleRound`` records);
- ``zk prove``: the encoded chunk proof for ``submitProof``.
"""

from __future__ import annotations

import click

from proofmarket.exceptions import UserInputError


def _transaction_hashes(values: tuple[str, ...]) -> list[bytes]:
    from proofmarket.cli.market import parse_bytes32

    hashes = [parse_bytes32(f"transaction hash {index}", value) for index, value in enumerate(values)]
    if not hashes:
        raise UserInputError("give at least one transaction hash")
    return hashes


@click.group("zk")
def zk() -> None:
    """Zero-knowledge proofs of chunks: circuit setup, commitments, proving (docs/zk.md)."""


@zk.command("setup")
@click.option("--check", is_flag=True, help="Rebuild everything in a scratch directory and compare with the committed artifacts.")
def setup_command(check: bool) -> None:
    """Build the chunk circuit and run the DEVELOPMENT ceremony (not for production).

    Compiles circuits/chunk_segment.circom with circom2, runs a deterministic powers of tau
    (cached in .cache/zk/ptau) and Groth16 setup with public beacons, and writes the proving
    artifacts and contracts/verifiers/ChunkVerifyingKey.sol. Takes a minute or two.
    """
    from rich.console import Console

    from proofmarket.zk.ceremony import SetupEvent, check_reproducible, run_development_ceremony
    from proofmarket.zk.circuit import DEVELOPMENT_LABEL, default_artifacts, repository_relative

    console = Console(stderr=True)
    status = console.status("")

    def report(event: SetupEvent) -> None:
        prefix = f"[{event.index}/{event.total}] {event.description}"
        if event.state == "started":
            status.update(f"{prefix} ...")
        elif event.state == "cached":
            console.print(f"{prefix}: skipped")
        else:
            console.print(f"{prefix}: done in {event.seconds:.1f} s")

    console.print(f"{DEVELOPMENT_LABEL}: every contribution is a public beacon; never use these keys for real funds.")
    artifacts = default_artifacts()
    with status:
        result = check_reproducible(artifacts, report=report) if check else run_development_ceremony(artifacts, report=report)
    click.echo(
        f"circuit: N = {result.segment_size} transactions per segment, {result.constraints:,} constraints, "
        f"powers of tau 2^{result.power}"
    )
    if check:
        click.echo(f"reproduced: the committed artifacts equal a fresh rebuild ({result.seconds:.0f} s)")
    else:
        click.echo(f"artifacts: {repository_relative(artifacts.directory)}/ ({result.seconds:.0f} s)")
        click.echo(f"verifying key: {repository_relative(result.solidity_path)}")


@zk.command("info")
def info_command() -> None:
    """The circuit's figures from the committed ceremony record."""
    from proofmarket.zk.circuit import circuit_summary

    summary = circuit_summary()
    click.echo(f"segment size N: {summary['segment_size']} transactions")
    click.echo(f"constraints: {summary['constraints']:,}")
    click.echo(f"powers of tau: 2^{summary['powers_of_tau']}")
    click.echo(f"ceremony: {summary['label']}")


@zk.command("commitment")
@click.argument("tx_hashes", nargs=-1)
def commitment_command(tx_hashes: tuple[str, ...]) -> None:
    """Print the chunk commitment of TX_HASHES (32-byte hex each, in chunk order)."""
    from proofmarket.zk.commitment import chunk_commitment

    click.echo("0x" + chunk_commitment(_transaction_hashes(tx_hashes)).hex())


@zk.command("prove")
@click.option("--prover", "prover_address", required=True, help="The address of the prover the chunk is assigned to.")
@click.option("--round", "round_id", type=click.IntRange(min=0), required=True, help="The chunk's round.")
@click.option("--chunk", "chunk_index", type=click.IntRange(min=0), required=True, help="The chunk's index in its round.")
@click.option(
    "--data-hash", default="0x" + "00" * 32, show_default=True,
    help="keccak256 of the chunk's statement data (zero: none), as getChunk gives it.",
)
@click.argument("tx_hashes", nargs=-1)
def prove_command(prover_address: str, round_id: int, chunk_index: int, data_hash: str, tx_hashes: tuple[str, ...]) -> None:
    """Prove the chunk TX_HASHES of --round/--chunk for --prover; print the proof bytes for
    submitProof (hex). The proof binds the whole statement: round, chunk, prover, the
    commitment of TX_HASHES and the statement data's hash."""
    from eth_utils import is_address

    from proofmarket.chain.market import ChunkStatement
    from proofmarket.cli.market import parse_bytes32
    from proofmarket.zk.commitment import chunk_commitment
    from proofmarket.zk.prover import prove_chunk_segments

    if not is_address(prover_address):
        raise UserInputError(f"--prover must be a 20-byte hex address, got {prover_address!r}")
    transactions = _transaction_hashes(tx_hashes)
    statement = ChunkStatement(round_id, chunk_index, prover_address, chunk_commitment(transactions), parse_bytes32("--data-hash", data_hash))
    proof = prove_chunk_segments(transactions, statement.binding())
    click.echo(
        f"proved {len(tx_hashes)} transaction(s) in {len(proof.segments)} segment(s) in {proof.wall_seconds:.1f} s",
        err=True,
    )
    click.echo("0x" + proof.encoded.hex())
