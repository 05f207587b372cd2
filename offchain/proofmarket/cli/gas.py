"""``proofmarket bench gas``: the settlement contract's gas table (``make gas``)."""

from __future__ import annotations

import click

from proofmarket.exceptions import UserInputError


@click.command("gas")
@click.option(
    "--rpc-url",
    default=None,
    help="Measure on this node (e.g. anvil at http://127.0.0.1:8545) instead of an in-process Cancun chain.",
)
@click.option(
    "--funder-key",
    default="0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    show_default="anvil's first test key",
    help="Private key that pays for the benchmark accounts when --rpc-url is given.",
)
@click.option(
    "--groth16/--no-groth16",
    default=True,
    show_default=True,
    help="Also prove a one-transaction chunk with snarkjs and report submitProof with the real Groth16 verifier.",
)
def gas_command(rpc_url: str | None, funder_key: str, groth16: bool) -> None:
    """Gas of deploy, deposit, registerProver, settleRound (1/10/100 bids, 1/4 provers),
    submitProof (development verifier, and `submitProof gas (groth16): N` with a real proof),
    slash and withdraw; the last line is the marginal gas per included bid."""
    from eth_account import Account
    from web3 import Web3

    from proofmarket.chain.benchmark import embedded_cancun_web3, run_gas_benchmark

    groth16_submit_proof = None
    if groth16:
        from proofmarket.zk.gas import measure_groth16_submit_proof_gas

        def groth16_submit_proof(web3, funder) -> int:
            return measure_groth16_submit_proof_gas(web3, funder, transactions=1).gas_used

    if rpc_url is None:
        web3, funder = embedded_cancun_web3()
    else:
        web3 = Web3(Web3.HTTPProvider(rpc_url))
        if not web3.is_connected():
            raise UserInputError(f"no Ethereum node answers at {rpc_url}")
        funder = Account.from_key(funder_key)
    report = run_gas_benchmark(web3, funder, groth16_submit_proof)
    click.echo(report.format_table())
