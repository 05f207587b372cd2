"""``proofmarket rollup ...``: thin commands over ``proofmarket.rollup`` (docs/rollup.md).

- ``rollup setup``: build the chunk circuit and run its DEVELOPMENT ceremony (``--check``:
  rebuild from scratch and compare with the committed artifacts);
- ``rollup info``: the circuit's figures from the committed ceremony record;
- ``rollup prove-chunk``: a demo: fund a fresh L2 state with deposits, prove one chunk of
  transfers and deposits on it for a market statement, print the statement and the proof;
- ``rollup operate``: the operator service (``RollupOperator``): confirm, rescue, record and
  finalize settled rounds, reading their sequences from the bid API.

The group is registered in ``cli/main.py`` (``main.add_command(rollup)``), whose group turns the
package's errors into one-line messages with exit code 2 for user mistakes.
"""

from __future__ import annotations

import json
import logging

import click

from proofmarket.cli.market import (
    _account, _connect, _deployment_path, _require_gas_funds, _run_steps, api_option, deployment_option, devnet_account_option,
    key_option, log_format_option, log_level_option, rpc_option,
)
from proofmarket.exceptions import UserInputError
from proofmarket.logs import configure as configure_logging, event


def _address(text: str, option: str) -> int:
    from proofmarket.rollup.state import address_value

    try:
        return address_value(text)
    except UserInputError as error:
        raise UserInputError(f"{option}: {error}") from None


def _integer(text: str, option: str, name: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise UserInputError(f"{option}: {name} must be an integer, got {text!r}") from None


def _deposit(text: str, option: str):
    from proofmarket.rollup.state import Deposit

    parts = text.split(":")
    if len(parts) != 2:
        raise UserInputError(f"{option} takes ADDRESS:AMOUNT, got {text!r}")
    return Deposit(_address(parts[0], option), _integer(parts[1], option, "AMOUNT"))


def _transfer(text: str, option: str):
    from proofmarket.rollup.state import Transfer

    parts = text.split(":")
    if len(parts) != 4:
        raise UserInputError(f"{option} takes FROM:TO:AMOUNT:NONCE, got {text!r}")
    return Transfer(
        _address(parts[0], option),
        _address(parts[1], option),
        _integer(parts[2], option, "AMOUNT"),
        _integer(parts[3], option, "NONCE"),
    )


@click.group("rollup")
def rollup() -> None:
    """The reference ZK rollup: its chunk circuit, setup and proofs (docs/rollup.md)."""


@rollup.command("setup")
@click.option("--check", is_flag=True, help="Rebuild everything in a scratch directory and compare with the committed artifacts.")
def setup_command(check: bool) -> None:
    """Build circuits/rollup_chunk.circom and run its DEVELOPMENT ceremony (not for production).

    Uses the same deterministic public beacons as `proofmarket zk setup`; the powers of tau
    (2^16, cached in .cache/zk/ptau) take long the first time. Writes
    offchain/proofmarket/rollup/artifacts/ and contracts/rollup/RollupChunkVerifyingKey.sol.
    """
    from proofmarket.rollup.circuit import ROLLUP_CIRCUIT, rollup_artifacts
    from proofmarket.zk.ceremony import SetupEvent, check_reproducible, run_development_ceremony
    from proofmarket.zk.circuit import DEVELOPMENT_LABEL, repository_relative

    def report(event: SetupEvent) -> None:
        if event.state != "started":
            seconds = "skipped (cached)" if event.state == "cached" else f"done in {event.seconds:.1f} s"
            click.echo(f"[{event.index}/{event.total}] {event.description}: {seconds}", err=True)

    click.echo(f"{DEVELOPMENT_LABEL}: every contribution is a public beacon; never use these keys for real funds.", err=True)
    artifacts = rollup_artifacts()
    if check:
        result = check_reproducible(artifacts, report=report, circuit=ROLLUP_CIRCUIT)
    else:
        result = run_development_ceremony(artifacts, report=report, circuit=ROLLUP_CIRCUIT)
    click.echo(f"circuit: {result.segment_size} slots, {result.constraints:,} constraints, powers of tau 2^{result.power}")
    if check:
        click.echo(f"reproduced: the committed artifacts equal a fresh rebuild ({result.seconds:.0f} s)")
    else:
        click.echo(f"artifacts: {repository_relative(artifacts.directory)}/ ({result.seconds:.0f} s)")
        click.echo(f"verifying key: {repository_relative(result.solidity_path)}")


@rollup.command("info")
def info_command() -> None:
    """The chunk circuit's figures from the committed ceremony record."""
    from proofmarket.rollup.circuit import ROLLUP_CIRCUIT, rollup_artifacts
    from proofmarket.rollup.state import BALANCE_BITS, DEPTH
    from proofmarket.zk.circuit import load_ceremony_record

    record = load_ceremony_record(rollup_artifacts(), circuit=ROLLUP_CIRCUIT)
    click.echo(f"slots N: {record.segment_size} operations per chunk")
    click.echo(f"tree depth D: {DEPTH} ({1 << DEPTH} accounts), balances below 2^{BALANCE_BITS}")
    click.echo(f"constraints: {record.constraints:,}")
    click.echo(f"powers of tau: 2^{record.powers_of_tau}")
    click.echo(f"ceremony: {record.document['label']}")


@rollup.command("prove-chunk")
@click.option("--genesis", "genesis", multiple=True, metavar="ADDRESS:AMOUNT", help="A deposit applied before the chunk (repeatable): the pre-state.")
@click.option("--transfer", "transfers", multiple=True, metavar="FROM:TO:AMOUNT:NONCE", help="A transfer of the chunk (repeatable, in order, after the chunk's deposits).")
@click.option("--deposit", "deposits", multiple=True, metavar="ADDRESS:AMOUNT", help="A deposit the chunk applies (repeatable, before its transfers).")
@click.option("--round", "round_id", type=int, default=1, show_default=True, help="The market round of the statement.")
@click.option("--chunk", "chunk_index", type=int, default=0, show_default=True, help="The chunk's index in its round.")
@click.option("--prover", "prover_address", required=True, help="The prover's address the statement names.")
def prove_chunk_command(genesis, transfers, deposits, round_id: int, chunk_index: int, prover_address: str) -> None:
    """Prove one chunk on a fresh state funded by --genesis deposits; print the statement and proof as JSON.

    The chunk's deposits come first, then its transfers, in the order given.
    """
    from eth_utils import is_address

    from proofmarket.rollup.prover import prove_rollup_chunk
    from proofmarket.rollup.state import RollupState
    from proofmarket.rollup.verifier import rollup_chunk_statement
    from proofmarket.rollup.witness import chunk_witness

    if not is_address(prover_address):
        raise UserInputError(f"--prover must be a 20-byte hex address, got {prover_address!r}")
    if not transfers:
        raise UserInputError("give at least one --transfer: a market chunk holds at least one transaction")
    pre_state = RollupState().apply_all(_deposit(text, "--genesis") for text in genesis)
    operations = [_deposit(text, "--deposit") for text in deposits] + [_transfer(text, "--transfer") for text in transfers]
    # The statement's binding needs the post-state root, which only the chunk's execution gives.
    dry_run = chunk_witness(pre_state, operations, 0)
    statement, data = rollup_chunk_statement(
        round_id, chunk_index, prover_address, dry_run.statement.commitment, pre_state.root, dry_run.post_state.root
    )
    proof = prove_rollup_chunk(pre_state, operations, statement.binding())
    click.echo(f"proved {len(operations)} operation(s) in {proof.wall_seconds:.1f} s", err=True)
    click.echo(
        json.dumps(
            {
                "statement": {
                    "roundId": statement.round_id,
                    "chunkIndex": statement.chunk_index,
                    "prover": statement.as_tuple()[2],
                    "commitment": "0x" + statement.commitment.hex(),
                    "dataHash": "0x" + statement.data_hash.hex(),
                },
                "statementData": "0x" + data.hex(),
                "preStateRoot": hex(proof.statement.pre_state_root),
                "postStateRoot": hex(proof.statement.post_state_root),
                "binding": hex(proof.statement.binding),
                "txHashes": ["0x" + tx_hash.hex() for tx_hash in proof.witness.tx_hashes],
                "proof": "0x" + proof.encoded.hex(),
            },
            indent=2,
        )
    )


@rollup.command("operate")
@rpc_option
@deployment_option
@api_option
@key_option
@devnet_account_option
@click.option("--no-rescue", is_flag=True, help="Never prove a slashed chunk: leave the missed-deadline rescue to others.")
@click.option("--poll-seconds", type=float, default=5.0, show_default=True, help="How often the operator looks for work.")
@click.option("--once", is_flag=True, help="Do one pass and exit.")
@log_format_option
@log_level_option
def operate_command(rpc, deployment_path, api_url, key, devnet_account, no_rescue, poll_seconds, once, log_format, log_level):
    """Run the rollup's operator: confirm, rescue, record and finalize settled rounds, in order.

    Reads the settled rounds' sequences from the bid API (GET /v1/sequences) and everything else
    from the chain, so a restart redoes only what is missing; every call it makes is open to anyone
    (docs/rollup.md, "The operator"). The deployment must have a rollup (`deploy --verifier rollup`).
    """
    from proofmarket.bootstrap import HttpClearinghouseApi
    from proofmarket.chain.market import ProofMarketClient
    from proofmarket.rollup.contract import RollupClient
    from proofmarket.rollup.operator import RollupOperator

    configure_logging(log_level, log_format)
    web3, deployment = _connect(rpc, deployment_path)
    if deployment.rollup is None:
        raise UserInputError(
            f"{_deployment_path(deployment_path)} has no rollup: deploy the market with `proofmarket deploy --verifier rollup`"
        )
    account = _account(key, devnet_account)
    _require_gas_funds(web3, account)
    operator = RollupOperator(
        RollupClient(web3, deployment.rollup), ProofMarketClient.at(web3, deployment.market), account,
        ApiSequences(HttpClearinghouseApi(api_url)), rescue=not no_rescue,
    )
    logger = logging.getLogger("proofmarket.rollup.operator")
    event(logger, f"rollup operator {account.address} started", operator=account.address, rollup=deployment.rollup)
    _run_steps(operator.step, once, poll_seconds, logger)


class ApiSequences:
    """The settled rounds' sequence documents from the bid API, each fetched once: a call asks
    only for the rounds after the last one held (settled documents never change, and rounds
    settle in order)."""

    def __init__(self, api):
        self.api = api
        self.documents: list[dict] = []

    def __call__(self) -> list[dict]:
        after = self.documents[-1]["round"] if self.documents else None
        self.documents.extend(self.api.settled_sequences(after=after))
        return self.documents


@click.command("rollup-demo")
@click.option("--network", type=click.Choice(["embedded", "anvil"]), default="embedded", show_default=True,
              help="embedded: an in-process devnet (eth-tester); anvil: an anvil node started for the demo.")
@click.option("--users", type=click.IntRange(2, 20), default=4, show_default=True, help="Users who deposit and transfer on L2.")
@click.option("--provers", type=click.IntRange(1, 10), default=3, show_default=True, help="Prover agents (one chunk each per round).")
@click.option("--rounds", type=click.IntRange(2, 20), default=3, show_default=True, help="Rounds of L2 transfers, each finalized.")
@click.option("--no-slash", is_flag=True, help="No prover misses a deadline (no rescue).")
@click.option("--seed", type=int, default=5, show_default=True, help="Seed of the transfers' recipients, amounts and fees.")
def rollup_demo(network, users, provers, rounds, no_slash, seed):
    """The reference rollup on the market: deposits, rounds of L2 transfers with real proofs, a
    missed deadline rescued, a withdrawal to L1, and the balances checked against plain Python."""
    from proofmarket.cli.progress import progress_reporter
    from proofmarket.deployment import home_directory
    from proofmarket.network import open_devnet
    from proofmarket.rollup.demo import RollupDemoOptions, run_rollup_demo

    options = RollupDemoOptions(
        users=users, provers=provers, rounds=rounds, silent_round=None if no_slash else 1, seed=seed,
        work_directory=home_directory() / "rollup-demo",
    )
    with progress_reporter("starting the devnet") as progress, open_devnet(network) as web3:
        report = run_rollup_demo(web3, options, progress)
    print_rollup_report(report, f"{rounds} rollup rounds on the {network} devnet (real Groth16 proofs)")


def print_rollup_report(report, title: str) -> None:
    """The rollup demo's tables and checks; exits 1 if a check failed."""
    from rich.console import Console
    from rich.table import Table

    out = Console(width=max(Console().width, 150))
    table = Table(title=title)
    for column in ("round", "transfers", "deposits", "chunks", "rescued", "finalized state root"):
        table.add_column(column, justify="right")
    for summary in report.rounds:
        table.add_row(str(summary.round_id), str(summary.transfers), str(summary.deposits), str(summary.chunks),
                      str(summary.rescued), f"{summary.state_root:#066x}")
    out.print(table)
    balances = Table(title="L2 balances (wei)")
    for column in ("account", "rollup state", "plain Python execution"):
        balances.add_column(column, justify="right")
    for address, (tree, plain) in report.balances.items():
        balances.add_row(address, f"{tree:,}", f"{plain:,}")
    out.print(balances)
    for address, amount in report.withdrawn.items():
        out.print(f"{address} withdrew {amount:,} wei to L1")
    for check, passed in report.checks.items():
        out.print(f"{'ok  ' if passed else 'FAIL'} {check}")
    out.print(f"rollup {report.deployment.rollup} on market {report.deployment.market}: "
              f"{'every check passed' if report.ok else 'A CHECK FAILED'}")
    if not report.ok:
        raise SystemExit(1)
