"""ape run register_prover --network ... --account N --capacity C

Registers devnet account N as a prover of capacity C, with collateral κ·C.
"""

import click
from ape.cli import ConnectedProviderCommand



@click.command(cls=ConnectedProviderCommand)
@click.option("--account", "index", type=click.IntRange(0, 9), required=True, help="Devnet account index.")
@click.option("--capacity", type=click.IntRange(min=1), required=True)
def cli(provider, index, capacity):
    from proofmarket.deployment import Deployment, default_deployment_path
    from proofmarket.network import devnet_account

    client = Deployment.load(default_deployment_path()).client(provider.web3)
    prover = devnet_account(index)
    collateral = client.config().collateral_per_constraint * capacity
    client.register_prover(prover, capacity, collateral)
    click.echo(f"prover {prover.address}: capacity {capacity}, collateral {collateral} wei")
