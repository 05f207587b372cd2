"""Fixtures of the rollup contract tests: a market (tests/contracts' fixtures: a fresh
DevelopmentProofVerifier, NOT SECURE, and market per test), a ReferenceRollup on it, and a
sequencer that runs rounds of L2 operations through the market.
"""

from __future__ import annotations

import pytest

from proofmarket.rollup.contract import RollupClient, deploy_poseidon_hasher, deploy_rollup
from tests.contracts.conftest import config, funded, market, registered, verifier  # noqa: F401 (fixtures)

from .helpers import Sequencer

#: The rescue reward of the test rollup, in wei.
RESCUE_REWARD = 7_000


@pytest.fixture
def rollup(web3, owner, market, verifier, hasher) -> RollupClient:  # noqa: F811 (the imported fixtures)
    """A fresh ReferenceRollup on the test market (with the module's PoseidonHasher: it has no
    state), rescue reward 7,000 wei."""
    return deploy_rollup(web3, owner, market.address, verifier, rescue_reward_wei=RESCUE_REWARD, hasher_address=hasher.address)


@pytest.fixture(scope="module")
def hasher(web3, signers):
    """One PoseidonHasher for a module (it has no state)."""
    return deploy_poseidon_hasher(web3, signers[0])


@pytest.fixture
def sequencer(market, rounds, rollup, funded, registered, roles, prover_fast, prover_slow, reporter):  # noqa: F811
    """Runs rounds of L2 operations through the market and the rollup (users: the test roles)."""
    return Sequencer(market, rounds, rollup, list(roles.values()), [prover_fast, prover_slow], reporter)
