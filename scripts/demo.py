"""ape run demo --network ethereum:local:test (or ethereum:local:foundry)

The same full-market demo as ``proofmarket demo``, on the network ape connects to.
"""

import click
from ape.cli import ConnectedProviderCommand


@click.command(cls=ConnectedProviderCommand)
@click.option("--rounds", type=click.IntRange(1, 100), default=3, show_default=True, help="Rounds to run, each settled and verified.")
def cli(provider, rounds):
    from proofmarket.demo import DemoOptions, run_demo

    report = run_demo(provider.web3, DemoOptions(rounds=rounds), progress=click.echo)
    for summary in report.rounds:
        click.echo(f"round {summary.round_id}: {summary.included}/{summary.bids} bids included, "
                   f"{summary.proven}/{summary.chunks} chunks proven, verified: {summary.verified}")
    click.echo(f"solvent: {report.solvent}")
