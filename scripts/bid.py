"""ape run bid --network ... --account N --constraints G --max-fee WEI [--deposit WEI]

Signs a bid of devnet account N for the open round and posts it on-chain with ``postBid`` (the
censorship-resistant path; the clearinghouse picks it up from the event). ``--deposit`` first
adds escrow.
"""

import os

import click
from ape.cli import ConnectedProviderCommand



@click.command(cls=ConnectedProviderCommand)
@click.option("--account", "index", type=click.IntRange(0, 9), required=True)
@click.option("--constraints", type=click.IntRange(min=1), required=True)
@click.option("--max-fee", type=click.IntRange(min=0), required=True, help="wei")
@click.option("--deposit", type=click.IntRange(min=0), default=0, help="wei to deposit first")
def cli(provider, index, constraints, max_fee, deposit):
    from proofmarket.bootstrap import ProverMarketAdapter
    from proofmarket.chain.typed_data import BidMessage, sign_bid
    from proofmarket.deployment import Deployment, default_deployment_path
    from proofmarket.network import devnet_account

    client = Deployment.load(default_deployment_path()).client(provider.web3)
    user = devnet_account(index)
    if deposit:
        client.deposit(user, deposit)
    message = BidMessage(
        user=user.address, tx_hash=os.urandom(32), constraints=constraints, max_fee=max_fee,
        round=ProverMarketAdapter(client).open_round(), nonce=int.from_bytes(os.urandom(7), "big"),
    )
    client.post_bid(user, message, sign_bid(user, client.domain, message))
    click.echo(f"bid posted for round {message.round}: {constraints} constraints, up to {max_fee} wei")
