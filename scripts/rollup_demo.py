"""ape run rollup_demo --network ethereum:local:test (or ethereum:local:foundry)

The same rollup demo as ``proofmarket rollup-demo``, on the network ape connects to: the
reference rollup finalizing rounds of L2 transfers on the market's real proofs.
"""

import click
from ape.cli import ConnectedProviderCommand


@click.command(cls=ConnectedProviderCommand)
@click.option("--rounds", type=click.IntRange(2, 20), default=3, show_default=True, help="Rounds of L2 transfers, each finalized.")
def cli(provider, rounds):
    from proofmarket.cli.rollup import print_rollup_report
    from proofmarket.rollup.demo import RollupDemoOptions, run_rollup_demo

    report = run_rollup_demo(provider.web3, RollupDemoOptions(rounds=rounds), progress=click.echo)
    print_rollup_report(report, f"{rounds} rollup rounds on {provider.network.name}")
