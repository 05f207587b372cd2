"""ape run deploy --network ethereum:local:foundry [--verifier groth16|development]

Deploys the verifier and the market (owner: devnet account 0, clearinghouse: 1, treasury: 2)
and writes the deployment record that the other scripts and commands read.
"""

import click
from ape.cli import ConnectedProviderCommand



@click.command(cls=ConnectedProviderCommand)
@click.option("--verifier", type=click.Choice(["groth16", "development"]), default="groth16", show_default=True)
def cli(provider, verifier):
    from proofmarket.deployment import DEVNET_CLEARINGHOUSE, DEVNET_OWNER, DEVNET_TREASURY, MarketSettings, default_deployment_path, deploy
    from proofmarket.network import devnet_account

    deployment, _ = deploy(
        provider.web3, devnet_account(DEVNET_OWNER), devnet_account(DEVNET_CLEARINGHOUSE).address, devnet_account(DEVNET_TREASURY).address,
        MarketSettings(), verifier,
    )
    deployment.save(default_deployment_path())
    click.echo(f"market {deployment.market} (verifier {deployment.verifier_kind} at {deployment.verifier}); record: {default_deployment_path()}")
