"""Sending transactions and deploying contracts with a local signing key.

The product signs locally (eth-account) and sends raw transactions, so the same code runs on
the embedded eth-tester devnet, on anvil and on any node, with no unlocked accounts.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from proofmarket.exceptions import ChainError

from .compiler import artifact as load_artifact


class TransactionFailed(ChainError):
    """A transaction was mined but reverted, or could not be sent."""

    def __init__(self, message: str, transaction_hash: str | None = None):
        self.transaction_hash = transaction_hash
        super().__init__(message)


def send_transaction(web3: Web3, sender: LocalAccount, transaction: dict[str, Any]) -> dict:
    """Fill in nonce, gas and fees, sign with ``sender``, send, and wait for the receipt.

    Raises :class:`TransactionFailed` if the receipt's status is 0.
    """
    transaction = dict(transaction)
    transaction.setdefault("from", sender.address)
    transaction.setdefault("chainId", web3.eth.chain_id)
    transaction.setdefault("nonce", web3.eth.get_transaction_count(sender.address, "pending"))
    if "gas" not in transaction:
        transaction["gas"] = int(web3.eth.estimate_gas(transaction) * 12 // 10) + 10_000
    if "maxFeePerGas" not in transaction and "gasPrice" not in transaction:
        base_fee = web3.eth.get_block("latest").get("baseFeePerGas", 0)
        priority_fee = 10**9
        transaction["maxPriorityFeePerGas"] = priority_fee
        transaction["maxFeePerGas"] = 2 * base_fee + priority_fee
    signed = sender.sign_transaction(transaction)
    transaction_hash = web3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = web3.eth.wait_for_transaction_receipt(transaction_hash)
    if receipt["status"] != 1:
        raise TransactionFailed(f"transaction {transaction_hash.hex()} reverted", transaction_hash.hex())
    return receipt


def deploy_contract(web3: Web3, name: str, sender: LocalAccount, *constructor_args: Any, value: int = 0) -> Contract:
    """Deploy the project's contract ``name`` from ``sender`` and return a bound web3 contract."""
    compiled = load_artifact(name)
    if not compiled.bytecode:
        raise ChainError(f"{name} is abstract or an interface: it has no bytecode to deploy")
    factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    transaction = factory.constructor(*constructor_args).build_transaction(
        {"from": sender.address, "value": value}
    )
    receipt = send_transaction(web3, sender, transaction)
    return web3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)


def bind_contract(web3: Web3, name: str, address: str) -> Contract:
    """A web3 contract object for the project's contract ``name`` deployed at ``address``."""
    return web3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(name).abi)
