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


# Roles, one funded signer each (indexes into the test mnemonic's accounts).
ROLE_INDEXES = {
    "owner": 0,
    "clearinghouse": 1,
    "treasury": 2,
    "alice": 3,
    "bob": 4,
    "prover_fast": 5,
    "prover_slow": 6,
    "reporter": 7,
    "carol": 8,
    "mallory": 9,
}


@pytest.fixture(scope="session")
def roles(signers):
    """Every role's signer by name (see ``ROLE_INDEXES``)."""
    return {name: signers[index] for name, index in ROLE_INDEXES.items()}


@pytest.fixture
def owner(roles):
    return roles["owner"]


@pytest.fixture
def clearinghouse(roles):
    return roles["clearinghouse"]


@pytest.fixture
def treasury(roles):
    return roles["treasury"]


@pytest.fixture
def alice(roles):
    return roles["alice"]


@pytest.fixture
def bob(roles):
    return roles["bob"]


@pytest.fixture
def carol(roles):
    return roles["carol"]


@pytest.fixture
def prover_fast(roles):
    return roles["prover_fast"]


@pytest.fixture
def prover_slow(roles):
    return roles["prover_slow"]


@pytest.fixture
def reporter(roles):
    return roles["reporter"]


@pytest.fixture
def mallory(roles):
    """An outsider who tries what it should not."""
    return roles["mallory"]


# -- fixtures over a market: each suite that deploys one defines its own ``market`` fixture --


@pytest.fixture
def mine():
    """Mines ``n`` blocks (ape's ``chain.mine``, on either devnet)."""
    import ape

    def mine_blocks(blocks: int) -> None:
        ape.chain.mine(blocks)

    return mine_blocks


@pytest.fixture
def ledger(market, roles):
    """Balance ledger over every role of the suite's ``market``."""
    from tests.contracts.helpers import Ledger

    ledger = Ledger(market)
    for name, account in roles.items():
        ledger.add(name, account.address)
    return ledger


@pytest.fixture
def rounds(market, clearinghouse, mine):
    """Builds, signs and settles rounds on the suite's ``market``."""
    from tests.contracts.helpers import Rounds

    return Rounds(market, clearinghouse, mine)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server (proofmarket/postgres.py) for the session; the tests that need
    one are skipped, saying why, on a machine without the server binaries."""
    from proofmarket.postgres import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer.start()
    except PostgresUnavailable as unavailable:
        pytest.skip(f"PostgreSQL: {unavailable}")
    yield server
    server.stop()


#: Fixtures that tie a test to the session's devnet, or to the anvil session.
DEVNET_FIXTURES = frozenset({"web3", "proofmarket_web3", "anvil_only", "anvil_session_only"})


def pytest_collection_modifyitems(config, items):
    """In the anvil session (``--network ethereum:local:foundry``) only the tests that use a
    devnet run: the others (proving with snarkjs, circuits, offline commands) do not depend on
    the node and ran in the embedded session already (``make test`` runs both)."""
    if "foundry" not in (config.getoption("network", default=None) or ""):
        return
    kept = [item for item in items if DEVNET_FIXTURES & set(getattr(item, "fixturenames", ()))]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
