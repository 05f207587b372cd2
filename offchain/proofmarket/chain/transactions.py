"""Sending transactions and deploying contracts with a local signing key; reverts decoded.

The product signs locally (eth-account) and sends raw transactions, so the same code runs on
the embedded eth-tester devnet, on anvil and on any node, with no unlocked accounts.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from proofmarket.exceptions import ChainError

from .compiler import Artifact
from .compiler import artifact as load_artifact
from .errors import ErrorDecoder, revert_from_exception


class TransactionFailed(ChainError):
    """A transaction was mined but reverted, or could not be sent."""

    def __init__(self, message: str, transaction_hash: str | None = None):
        self.transaction_hash = transaction_hash
        super().__init__(message)


def prepare_transaction(
    web3: Web3, sender: LocalAccount, transaction: dict[str, Any], errors: ErrorDecoder | None = None
) -> dict[str, Any]:
    """A copy of ``transaction`` with sender, chain id, nonce, gas and fees filled in, ready to sign.

    Gas is estimated (+20% and 10,000); an estimate that reverts raises the decoded
    :class:`~proofmarket.chain.errors.ContractRevert`. Used on its own by callers that must store
    a signed transaction before broadcasting it (the clearinghouse's settlements).
    """
    decoder = errors or ErrorDecoder()
    transaction = dict(transaction)
    transaction.setdefault("from", sender.address)
    transaction.setdefault("chainId", web3.eth.chain_id)
    transaction.setdefault("nonce", web3.eth.get_transaction_count(sender.address, "pending"))
    if "gas" not in transaction:
        try:
            estimate = web3.eth.estimate_gas(transaction)
        except Exception as error:
            revert = revert_from_exception(error, decoder)
            if revert is None:
                raise
            raise revert from error
        transaction["gas"] = int(estimate * 12 // 10) + 10_000
    if "maxFeePerGas" not in transaction and "gasPrice" not in transaction:
        base_fee = web3.eth.get_block("latest").get("baseFeePerGas", 0)
        priority_fee = 10**9
        transaction["maxPriorityFeePerGas"] = priority_fee
        transaction["maxFeePerGas"] = 2 * base_fee + priority_fee
    return transaction


def send_transaction(
    web3: Web3, sender: LocalAccount, transaction: dict[str, Any], errors: ErrorDecoder | None = None
) -> dict:
    """Fill in nonce, gas and fees, sign with ``sender``, send, and wait for the receipt.

    A revert, whether found by gas estimation or by a mined receipt with status 0, raises
    :class:`~proofmarket.chain.errors.ContractRevert` decoded with ``errors`` (the target
    contract's ABI; without it only ``Error(string)`` and ``Panic`` decode). Raises
    :class:`TransactionFailed` when a failed transaction leaves no revert data to decode.
    """
    decoder = errors or ErrorDecoder()
    transaction = prepare_transaction(web3, sender, transaction, decoder)
    signed = sender.sign_transaction(transaction)
    try:
        transaction_hash = web3.eth.send_raw_transaction(signed.raw_transaction)
    except Exception as error:
        revert = revert_from_exception(error, decoder)
        if revert is None:
            raise
        raise revert from error
    receipt = web3.eth.wait_for_transaction_receipt(transaction_hash)
    if receipt["status"] != 1:
        raise _explain_failed_transaction(web3, transaction, receipt, decoder)
    return receipt


def _explain_failed_transaction(web3: Web3, transaction: dict, receipt: dict, decoder: ErrorDecoder) -> ChainError:
    """Replays a mined, failed transaction as a call on the state before its block to get the
    revert data (a node keeps none in the receipt). Exact when the block held only this
    transaction (automining devnets); otherwise the best available explanation."""
    transaction_hash = "0x" + bytes(receipt["transactionHash"]).hex()
    # NOTE: replayed without the gas limit, so a transaction that merely ran out of gas replays
    # cleanly and is reported as such, not as a revert of the contract.
    call = {key: transaction[key] for key in ("from", "to", "data", "value") if key in transaction}
    try:
        web3.eth.call(call, block_identifier=max(receipt["blockNumber"] - 1, 0))
    except Exception as error:
        revert = revert_from_exception(error, decoder, transaction_hash)
        if revert is not None:
            return revert
    return TransactionFailed(
        f"transaction {transaction_hash} reverted without revert data on replay "
        f"(out of gas? used {receipt['gasUsed']} of {transaction.get('gas')})",
        transaction_hash,
    )


def intrinsic_gas(calldata: bytes) -> int:
    """A transaction's intrinsic gas: 21,000 plus its calldata, 16 gas per non-zero byte and 4
    per zero byte (EIP-2028; no access list, not a contract creation)."""
    return 21_000 + sum(16 if byte else 4 for byte in calldata)


def call_function(
    function_call: Any,
    errors: ErrorDecoder | None = None,
    transaction: dict[str, Any] | None = None,
    block_identifier: Any = "latest",
) -> Any:
    """``function_call.call(...)`` of a web3 contract function, with reverts decoded as
    :class:`~proofmarket.chain.errors.ContractRevert`."""
    try:
        return function_call.call(transaction, block_identifier=block_identifier)
    except Exception as error:
        revert = revert_from_exception(error, errors or ErrorDecoder())
        if revert is None:
            raise
        raise revert from error


def deploy_contract(web3: Web3, name: str, sender: LocalAccount, *constructor_args: Any, value: int = 0) -> Contract:
    """Deploy the project's contract ``name`` from ``sender`` and return a bound web3 contract.

    A contract that calls libraries with public functions (``ProofMarket``: ``ProofBatches``)
    gets a fresh deployment of each, linked into its bytecode (:func:`deploy_with_libraries`).
    """
    contract, _ = deploy_with_libraries(web3, name, sender, *constructor_args, value=value)
    return contract


def deploy_artifact(web3: Web3, compiled: Artifact, sender: LocalAccount, *constructor_args: Any, value: int = 0) -> Contract:
    """Deploy the compiled contract ``compiled`` from ``sender`` and return a bound web3
    contract; a revert of its constructor is decoded with its ABI."""
    contract, _ = deploy_with_libraries(web3, compiled, sender, *constructor_args, value=value)
    return contract


def deploy_with_libraries(
    web3: Web3, contract: str | Artifact, sender: LocalAccount, *constructor_args: Any, value: int = 0
) -> tuple[Contract, int]:
    """Deploys the libraries the contract (the project's contract of that name, or a compiled
    artifact) links, then the contract itself, linked with them.

    Returns the bound contract and the gas all the deployments used together.
    """
    compiled = load_artifact(contract) if isinstance(contract, str) else contract
    name = compiled.name
    if not compiled.bytecode:
        raise ChainError(f"{name} is abstract or an interface: it has no bytecode to deploy")
    addresses: dict[str, str] = {}
    gas_used = 0
    for library in compiled.libraries:
        deployed, library_gas = deploy_with_libraries(web3, library, sender)
        addresses[library] = deployed.address
        gas_used += library_gas
    factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.linked(addresses))
    # NOTE: not build_transaction(), which estimates gas itself and would bypass error decoding.
    transaction = {"data": factory.constructor(*constructor_args).data_in_transaction, "value": value}
    receipt = send_transaction(web3, sender, transaction, ErrorDecoder([compiled.abi]))
    contract = web3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)
    return contract, gas_used + int(receipt["gasUsed"])


def bind_contract(web3: Web3, name: str, address: str) -> Contract:
    """A web3 contract object for the project's contract ``name`` deployed at ``address``."""
    return web3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(name).abi)
