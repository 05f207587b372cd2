"""Entry point of the ``proofmarket`` command.

Every subcommand lives in its own module beside this one and is registered here; this is the
only place that wires them together. User errors (:class:`UserInputError`) end with a one-line
message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import click

from proofmarket import __version__
from proofmarket.exceptions import ProofMarketError


class ProofMarketGroup(click.Group):
    """A click group that turns the package's own errors into one-line messages."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ProofMarketError as error:
            # A contract revert becomes a sentence (cli/reverts.py); the user's mistakes exit 2.
            from proofmarket.cli.reverts import explain

            message, code = explain(error)
            click.echo(f"error: {message}", err=True)
            sys.exit(code)


@click.group(cls=ProofMarketGroup)
@click.version_option(__version__, prog_name="proofmarket")
def main() -> None:
    """A prover market for ZK-rollups: the Prooφ dual auction with on-chain settlement."""


# Subcommands are registered below, one line each, by the module that owns them.
from proofmarket.cli.bench import bench  # noqa: E402
main.add_command(bench)
from proofmarket.cli.mechanism import clear_command, properties_command  # noqa: E402
main.add_command(clear_command)
main.add_command(properties_command)
from proofmarket.cli.market import bid, demo, deploy, deposit, prover, status, verify_round_command  # noqa: E402
from proofmarket.cli.serve import serve  # noqa: E402
for market_command in (deploy, serve, prover, deposit, bid, status, verify_round_command, demo):
    main.add_command(market_command)
from proofmarket.cli.account import ACCOUNT_COMMANDS  # noqa: E402
for account_command in ACCOUNT_COMMANDS:
    main.add_command(account_command)
from proofmarket.cli.zk import zk  # noqa: E402
main.add_command(zk)
from proofmarket.cli.rollup import rollup, rollup_demo  # noqa: E402
main.add_command(rollup)
main.add_command(rollup_demo)
