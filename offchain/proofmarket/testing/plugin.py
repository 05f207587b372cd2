"""The pytest plugin of ``proofmarket.testing``: fixtures for a rollup team's tests (docs/testing.md).

Installed with the package (the ``pytest11`` entry point ``proofmarket``), or loaded with
``pytest -p proofmarket.testing.plugin``. The devnet is the one ape's ``--network`` selects, as
in the market's own tests: the embedded devnet (eth-tester) by default, anvil with
``--network ethereum:local:foundry``.

Fixtures:

- ``proofmarket_web3``: the devnet's web3 connection (session).
- ``proofmarket_accounts``: its ten funded accounts, as eth-account signers (session).
- ``proofmarket_market``: a factory of markets, each with its clearinghouse and prover agents
  running in this process (a :class:`~proofmarket.testing.harness.MarketHarness`); stopped and
  removed after the test.
- ``proofmarket_harness``: one market with every default.
- ``proofmarket_contracts``: the team's Solidity contracts (``contracts/`` next to the tests'
  root, or the ``proofmarket_contracts`` ini option), compiled against the market's interfaces.

The plugin turns ape's snapshot isolation off: a market's clearinghouse keeps its own database,
which a chain reverted under it would contradict.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

# NOTE: the package's modules are imported in the fixtures, not here: pytest loads this plugin
# in every run of the environment it is installed in, and they take a second and more to import.

#: The consumer's gas limit of a market given a consumer and no ``consumer_gas_limit``.
DEFAULT_CONSUMER_GAS_LIMIT = 200_000

#: How many funded accounts the devnets have (the devnet mnemonic's first ten).
DEVNET_ACCOUNTS = 10


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "proofmarket_contracts",
        "the team's Solidity contracts directory, relative to the rootdir (default: contracts)",
        default="contracts",
    )


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "disable_isolation"):  # ape's option: see the module's docstring
        config.option.disable_isolation = True


@pytest.fixture(scope="session")
def proofmarket_web3():
    """The web3 connection of the devnet ape's ``--network`` selected: the embedded devnet by
    default, anvil with ``--network ethereum:local:foundry``. Its requests go one at a time (the
    embedded devnet runs in this process, and the bid API's thread shares it)."""
    import ape

    from proofmarket.network import serialize_requests

    return serialize_requests(ape.chain.provider.web3)


@pytest.fixture(scope="session")
def proofmarket_accounts():
    """The devnet's ten funded accounts (the devnet mnemonic's), as eth-account signers. Markets
    are run by accounts 0 (owner), 1 (clearinghouse) and 2 (treasury)."""
    from proofmarket.network import devnet_account

    return [devnet_account(index) for index in range(DEVNET_ACCOUNTS)]


@pytest.fixture
def proofmarket_market(proofmarket_web3):
    """A factory of markets: ``proofmarket_market(verifier=None, consumer=None, statement_data=None,
    prove=None, verifier_kind="development", provers=2, users=3, **settings)`` deploys a market
    and starts its clearinghouse (behind the bid API, on a SQLite file in a temporary directory)
    and ``provers`` prover agents; returns its :class:`~proofmarket.testing.harness.MarketHarness`.

    - ``verifier``: the team's verifier (address or web3 contract); proofs then come from
      ``prove(request) -> bytes``. Without it, a fresh verifier of ``verifier_kind``:
      ``development`` (NOT SECURE, instant proofs; the default) or ``groth16`` (real proofs).
    - ``consumer``: the contract the market calls back (``IChunkConsumer.onChunkProven``) on each
      proven chunk, with ``consumer_gas_limit`` gas (default 200,000 when a consumer is given): an
      address, a web3 contract, or a function that gets the market's address, deploys the
      consumer and returns it (then the market's config is updated to name it).
    - ``statement_data(chunk) -> bytes``: each settled chunk's statement data (default: none).
    - ``settings``: any ``MarketSettings`` field (``capacity_per_round``, ``max_bids_per_chunk``,
      ``round_length_blocks``, ``proving_window_blocks`` (the deadline), ``consumer_gas_limit``...).

    Every market made is stopped, and its directory removed, after the test."""
    from proofmarket.testing.harness import market_settings, start_market

    started = []

    def create(
        verifier=None, consumer=None, statement_data=None, prove=None, verifier_kind: str = "development",
        provers: int = 2, users: int = 3, **settings,
    ):
        if consumer is not None:
            settings.setdefault("consumer_gas_limit", DEFAULT_CONSUMER_GAS_LIMIT)
        work_directory = Path(tempfile.mkdtemp(prefix="proofmarket-market-"))
        try:
            harness = start_market(
                proofmarket_web3, work_directory, market_settings(**settings), verifier_kind=verifier_kind,
                verifier_address=None if verifier is None else address_of(verifier),
                consumer=consumer,
                statement_data=statement_data, prove=prove, provers=provers, users=users, owns_directory=True,
            )
        except BaseException:
            shutil.rmtree(work_directory, ignore_errors=True)
            raise
        started.append(harness)
        return harness

    yield create
    for harness in started:
        harness.stop()


@pytest.fixture
def proofmarket_harness(proofmarket_market):
    """A market with every default (development verifier, no consumer, no statement data)."""
    return proofmarket_market()


@pytest.fixture(scope="session")
def proofmarket_contracts(request: pytest.FixtureRequest, proofmarket_web3):
    """The team's contracts (``contracts/`` below the rootdir, or the ``proofmarket_contracts``
    ini option), compiled with the market's compiler, importing the market's interfaces and types
    as ``proofmarket/interfaces/...`` and ``proofmarket/types/...``; deployed by devnet account 0."""
    from proofmarket.deployment import DEVNET_OWNER
    from proofmarket.network import devnet_account
    from proofmarket.testing.contracts import TeamContracts

    root = Path(request.config.rootpath) / request.config.getini("proofmarket_contracts")
    return TeamContracts(proofmarket_web3, root, devnet_account(DEVNET_OWNER))
