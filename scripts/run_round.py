"""ape run run_round --network ...

One pass of the clearinghouse's round loop (devnet account 1 signs): picks up posted bids,
clears and settles every closed round, slashes overdue chunks. State lives in
``$PROOFMARKET_HOME/clearinghouse.db``, so repeated runs continue where the last one stopped.
"""

import click
from ape.cli import ConnectedProviderCommand



@click.command(cls=ConnectedProviderCommand)
def cli(provider):
    from proofmarket.bootstrap import build_clearinghouse
    from proofmarket.deployment import DEVNET_CLEARINGHOUSE, Deployment, default_deployment_path, home_directory
    from proofmarket.network import devnet_account

    home = home_directory()
    node = build_clearinghouse(
        provider.web3, Deployment.load(default_deployment_path()), devnet_account(DEVNET_CLEARINGHOUSE),
        f"sqlite:///{home / 'clearinghouse.db'}", home / "rounds",
    )
    try:
        changed = node.run_once()
        click.echo(f"rounds advanced: {changed or 'none'}")
    finally:
        node.close()
