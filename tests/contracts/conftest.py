"""Fixtures of the contract tests: a fresh development verifier and market per test.

Deploying is cheap on both devnets, so every test starts from a market of its own: no test
depends on another's state, and the suite runs the same on eth-tester and anvil.
"""

from __future__ import annotations

import pytest

from proofmarket.chain.market import ProofMarketClient, deploy_development_verifier, deploy_market

from .helpers import default_config


@pytest.fixture
def verifier(web3, owner) -> str:
    """A fresh DevelopmentProofVerifier (NOT SECURE: test-only proofs)."""
    return deploy_development_verifier(web3, owner)


@pytest.fixture
def config(web3, clearinghouse, treasury, verifier):
    """The default test config; round 0 opens at the next block."""
    return default_config(clearinghouse.address, treasury.address, verifier, web3.eth.block_number + 1)


@pytest.fixture
def market(web3, owner, config) -> ProofMarketClient:
    """A fresh ProofMarket with the default test config."""
    return deploy_market(web3, owner, config)


@pytest.fixture
def funded(market, alice, bob, carol):
    """alice, bob and carol each hold 1,000,000 wei of escrow."""
    for user in (alice, bob, carol):
        market.deposit(user, 1_000_000)
    return 1_000_000


@pytest.fixture
def registered(market, prover_fast, prover_slow):
    """prover_fast and prover_slow are registered with capacity 2,000 and exactly κ·2,000 collateral."""
    capacity = 2_000
    collateral = market.config().collateral_per_constraint * capacity
    market.register_prover(prover_fast, capacity, collateral)
    market.register_prover(prover_slow, capacity, collateral)
    return capacity


@pytest.fixture
def market_account(web3, owner, market, ledger):
    """A test-only contract account of the market (refuses ETH or re-enters on demand)."""
    return MarketAccountHandle.deploy(web3, owner, market, ledger)


class MarketAccountHandle:
    """Drives tests/contracts/solidity/MarketAccount.sol from a signer."""

    def __init__(self, web3, sender, contract, errors):
        self.web3, self.sender, self.contract, self.errors = web3, sender, contract, errors
        self.address = contract.address

    @classmethod
    def deploy(cls, web3, sender, market, ledger):
        from pathlib import Path

        from proofmarket.chain.compiler import compile_contracts
        from proofmarket.chain.transactions import send_transaction

        compiled = compile_contracts(Path(__file__).parent / "solidity")["MarketAccount"]
        factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        transaction = factory.constructor(market.address).build_transaction({"from": sender.address})
        receipt = send_transaction(web3, sender, transaction)
        contract = web3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)
        ledger.add("market_account", contract.address)
        return cls(web3, sender, contract, market.errors)

    def transact(self, function: str, *arguments, value: int = 0) -> dict:
        from proofmarket.chain.transactions import send_transaction

        data = self.contract.encode_abi(function, args=list(arguments))
        return send_transaction(self.web3, self.sender, {"to": self.address, "data": data, "value": value}, self.errors)

    def reentry_revert(self) -> bytes:
        return self.contract.functions.reentryRevert().call()
