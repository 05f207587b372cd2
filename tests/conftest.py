"""Fixtures shared by every suite: the devnet chosen with ``--network`` (ape), funded accounts.

The embedded devnet (eth-tester) is the default; ``--network ethereum:local:foundry`` runs the
same tests on anvil. Accounts are ape's test accounts (the mnemonic in ape-config.yaml), used
as eth-account signers so the product's own signing code is what the tests exercise.
"""

from __future__ import annotations

import pytest
from eth_account import Account

Account.enable_unaudited_hdwallet_features()

TEST_MNEMONIC = "test test test test test test test test test test test junk"


@pytest.fixture(scope="session")
def web3():
    """The web3 connection of the devnet ape's ``--network`` selected (embedded by default)."""
    import ape

    return ape.chain.provider.web3


@pytest.fixture(scope="session")
def signers():
    """Ten funded signers of the devnet, as eth-account LocalAccounts."""
    return [Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}") for index in range(10)]
