"""The ape scripts (``scripts/*.py``, ``ape run NAME --network ...``): the CLI's commands on
ape's provider.

:func:`ape_script` turns a ``proofmarket`` command into an ape script with the same options
(``--devnet-account`` / ``--key``, amounts as wei or ``600gwei`` / ``1ether``), the same checks
and the same one-line refusals (exit code 2), minus ``--rpc``: ape's ``--network`` says where
the node is. The scripts are so the same steps as the CLI, not a second implementation.

``run_round`` and ``prove`` have no CLI twin: ``proofmarket serve`` runs the round loop for good
and ``proofmarket prover`` proves what the bid API assigns. :func:`run_round_command` is one
pass of that loop, then a line per round saying where it stands; :func:`prove_command` is one
pass of the prover agent's proving, its assignments read from the clearinghouse database (no bid
API runs on the ape path).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import click

from proofmarket.cli.market import (
    WEB3_OVERRIDE,
    _account,
    _connect,
    deployment_option,
    devnet_account_option,
    key_option,
)
from proofmarket.exceptions import ProofMarketError


def _one_line(error: ProofMarketError) -> None:
    from proofmarket.cli.reverts import explain

    message, code = explain(error)
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def ape_script(command: click.Command, *, fixed: dict | None = None, defaults: dict | None = None) -> click.Command:
    """An ape script that runs ``command`` on ape's provider.

    ``fixed`` names parameters the script does not offer and the value they take (``--rpc`` is
    always dropped); ``defaults`` changes the default of a parameter it offers."""
    from ape.cli import ConnectedProviderCommand

    names = {parameter.name for parameter in command.params}
    fixed = {name: value for name, value in {"rpc": None, **(fixed or {})}.items() if name in names}
    defaults = defaults or {}
    parameters = []
    for parameter in command.params:
        if parameter.name in fixed:
            continue
        if parameter.name in defaults:
            parameter = copy.copy(parameter)
            parameter.default = defaults[parameter.name]
            parameter.required = False
        parameters.append(parameter)

    def callback(provider, **arguments):
        click.get_current_context().meta[WEB3_OVERRIDE] = provider.web3
        try:
            return command.callback(**fixed, **arguments)
        except ProofMarketError as error:
            _one_line(error)

    return ConnectedProviderCommand(
        name=command.name, params=parameters, callback=callback, help=command.help, short_help=command.short_help,
    )


def default_database() -> str:
    """The clearinghouse database of the ape path: ``$PROOFMARKET_HOME/clearinghouse.db``."""
    from proofmarket.deployment import home_directory

    home = home_directory()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(home).resolve() / 'clearinghouse.db'}"


def _price_text(summary: dict) -> str:
    from decimal import Decimal

    price = summary["price_per_constraint_wei"]
    if price is None:
        return "no price"
    value = Decimal(int(price["num"])) / Decimal(int(price["den"])) / 10**9
    return f"{value.normalize():f} gwei per constraint"


#: The longest one run waits on its own settlement transaction (passes of the round loop).
MAX_PASSES = 10


@click.command("run_round")
@deployment_option
@key_option
@devnet_account_option
@click.option("--database", default=None,
              help="The clearinghouse's SQLAlchemy URL (default: SQLite in $PROOFMARKET_HOME/clearinghouse.db).")
@click.option(
    "--mechanism", type=click.Choice(["proofphi", "proofphi-v1", "trade-reduction", "pay-as-bid"]),
    default="proofphi", show_default=True, help="The auction the round is cleared with (docs/mechanism.md).",
)
def run_round_command(deployment_path, key, devnet_account, database, mechanism):
    """One pass of the clearinghouse's round loop: pick up posted bids and asks, close, clear and
    settle every round that is due, slash overdue chunks; then say where each round stands.

    The clearinghouse's key signs (default: devnet account 1); state lives in the database, so
    repeated runs continue where the last one stopped.
    """
    from proofmarket.bootstrap import build_clearinghouse
    from proofmarket.cli.account import round_summary
    from proofmarket.clearinghouse.loop_lock import RoundLoopLock
    from proofmarket.clearinghouse.schedule import round_at_block
    from proofmarket.deployment import DEVNET_CLEARINGHOUSE, home_directory

    web3, deployment = _connect(None, deployment_path)
    account = _account(key, devnet_account, default_devnet_index=DEVNET_CLEARINGHOUSE)
    node = build_clearinghouse(web3, deployment, account, database or default_database(), home_directory() / "rounds", mechanism)
    try:
        lock = RoundLoopLock.acquire(node.clearinghouse.store)  # not while `serve` runs the loop on it
        try:
            advanced: list[int] = []
            for _ in range(MAX_PASSES):  # a settlement is sent in one pass and seen mined in the next
                changed = node.run_once()
                advanced += [round_id for round_id in changed if round_id not in advanced]
                if not changed:
                    break
        finally:
            lock.release()
        client = node.clearinghouse.market.client
        config = client.config()
        head = web3.eth.block_number
        current = round_at_block(head, config.genesis_block, config.round_length_blocks)
        failing = node.health()
        for round_id in sorted(advanced):
            state = node.clearinghouse.round_state(round_id)
            summary = round_summary(client, round_id, current, head, config)
            line = f"round {round_id}: {state.value if state else summary['state']}"
            settled = client.round(round_id)
            if settled.settled:
                line += (
                    f": {summary['included']} bid(s) included in {summary['chunks']} chunk(s) at {_price_text(summary)}, "
                    f"revenue {int(summary['revenue_wei'])} wei, payouts {int(summary['payouts_wei'])} wei"
                )
                if summary["slashed"]:
                    line += f"; {summary['slashed']} chunk(s) slashed ({int(summary['slashed_wei'])} wei of collateral)"
                if summary["pending"]:
                    line += f"; prove by block {settled.deadline} (ape run prove), or the chunks are slashed"
            click.echo(line)
        if not advanced:
            click.echo("no round advanced")
        if failing.get("status") != "ok" and failing.get("reason"):
            click.echo(f"the round loop is failing: {failing['reason']}", err=True)
        close = client.round_close_block(current)
        click.echo(f"round {current} is open until block {close} (this is block {head}); run again once it has closed")
    finally:
        node.close()


class DatabaseAssignments:
    """The bid API's ``/v1/provers/{prover}/assignments``, read from the clearinghouse database."""

    def __init__(self, store):
        self.store = store

    def assignments(self, prover: str, state: str | None = None) -> list[dict]:
        import json

        from sqlalchemy import func, select

        from proofmarket.clearinghouse.database import ChunkRow

        with self.store.session() as session:
            query = select(ChunkRow).where(func.lower(ChunkRow.prover) == prover.lower())
            rows = list(session.scalars(query.order_by(ChunkRow.round_id, ChunkRow.chunk_index)))
            return [
                {"round": row.round_id, "chunk": row.chunk_index, "state": row.state.value,
                 "tx_hashes": json.loads(row.tx_hashes_json)}
                for row in rows
                if state is None or row.state.value == state
            ]

    def post_ask(self, ask: dict) -> dict:  # the ``ask`` script stores asks (after the API's checks)
        raise NotImplementedError("asks go through `ape run ask`")


@click.command("prove")
@deployment_option
@key_option
@devnet_account_option
@click.option("--database", default=None,
              help="The clearinghouse's SQLAlchemy URL (default: SQLite in $PROOFMARKET_HOME/clearinghouse.db).")
def prove_command(deployment_path, key, devnet_account, database):
    """Prove and submit every chunk assigned to the signer (a registered prover) and still open
    on-chain, checking each against its on-chain commitment first; then say what was proven."""
    from proofmarket.bootstrap import build_prover_agent
    from proofmarket.cli.market import _require_gas_funds
    from proofmarket.clearinghouse.store import Store
    from proofmarket.exceptions import UserInputError

    web3, deployment = _connect(None, deployment_path)
    prover = _account(key, devnet_account)
    client = deployment.client(web3)
    state = client.prover(prover.address)
    if not state.registered:
        raise UserInputError(f"{prover.address} is not a registered prover: run `ape run register_prover` first")
    _require_gas_funds(web3, prover)
    store = Store(database or default_database())
    try:
        assignments = DatabaseAssignments(store)
        agent = build_prover_agent(web3, deployment, prover, "", state.capacity, 0, api=assignments)
        open_before = [chunk for chunk in assignments.assignments(prover.address, "assigned")
                       if agent.market.chunk_on_chain(chunk["round"], chunk["chunk"])[1] == "assigned"]
        proved = agent.prove_assignments()  # a chunk that fails is logged and left; the others are proven
    finally:
        store.close()
    for chunk in proved:
        click.echo(f"proved round {chunk.round_id} chunk {chunk.chunk_index}: {chunk.transactions} transaction(s) in "
                   f"{chunk.proving_seconds:.1f} s, submitProof gas {chunk.gas_used}")
    if len(proved) < len(open_before):
        click.echo(f"error: {len(open_before) - len(proved)} chunk(s) of {prover.address} not proven (see above); "
                   "run again before their deadline", err=True)
        sys.exit(1)
    if not proved:
        click.echo(f"no chunk of {prover.address} to prove")
