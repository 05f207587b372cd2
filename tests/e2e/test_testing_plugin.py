"""The pytest plugin (proofmarket.testing.plugin) as a rollup team uses it: a project of its own,
with its own consumer contract importing the market's interfaces, whose test runs a round with
the plugin's fixtures; and the team's contracts compile against the market's interfaces."""

from __future__ import annotations

import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from proofmarket.chain.compiler import CompilationError
from proofmarket.chain.paths import REPOSITORY_ROOT
from proofmarket.testing.contracts import compile_team_contracts

pytest_plugins = ["pytester"]

PLUGIN_MODULE = "proofmarket.testing.plugin"

COUNTING_CONSUMER = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChunkConsumer} from "proofmarket/interfaces/IChunkConsumer.sol";
import {ChunkStatement} from "proofmarket/types/ChunkStatement.sol";

contract CountingConsumer is IChunkConsumer {
    uint256 public calls;

    function onChunkProven(ChunkStatement calldata, bytes calldata) external {
        calls += 1;
    }
}
"""

TEAM_TEST = """
GWEI = 10**9


def test_a_round_is_proven_and_the_consumer_called(proofmarket_market, proofmarket_contracts):
    consumer = proofmarket_contracts.deploy("CountingConsumer")
    market = proofmarket_market(consumer=consumer)
    user = market.new_user()
    for number in range(1, 5):
        market.bid(user, tx_hash=bytes([number]) * 32, max_fee=100 * 5 * GWEI)

    result = market.run_round()

    assert result.all_proven
    assert consumer.functions.calls().call() == len(result.chunks)
    assert sum(result.charges.values()) == int(result.outcome["revenue_wei"]) > 0
    assert result.payments == {chunk.prover: chunk.payment_wei for chunk in result.chunks}
"""


def plugin_arguments() -> list[str]:
    """``-p proofmarket.testing.plugin`` unless the installed package registers it (the entry point)."""
    registered = {entry.value for entry in entry_points(group="pytest11")}
    return [] if PLUGIN_MODULE in registered else ["-p", PLUGIN_MODULE]


def test_the_package_registers_the_plugin_as_a_pytest_entry_point():
    project = tomllib.loads((REPOSITORY_ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"proofmarket": PLUGIN_MODULE}


def test_a_team_project_runs_a_round_with_the_plugins_fixtures(pytester: pytest.Pytester):
    (pytester.path / "contracts").mkdir()
    (pytester.path / "contracts" / "CountingConsumer.sol").write_text(COUNTING_CONSUMER)
    pytester.makepyfile(test_team=TEAM_TEST)

    outcome = pytester.runpytest_subprocess(*plugin_arguments(), "-p", "no:cacheprovider", timeout=300)

    outcome.assert_outcomes(passed=1)


def test_the_plugin_lists_its_fixtures(pytester: pytest.Pytester):
    outcome = pytester.runpytest_subprocess(*plugin_arguments(), "-p", "no:cacheprovider", "--fixtures", timeout=120)
    listed = outcome.stdout.str()
    for fixture in ("proofmarket_web3", "proofmarket_accounts", "proofmarket_market", "proofmarket_harness", "proofmarket_contracts"):
        assert fixture in listed


def test_a_team_contract_compiles_against_the_markets_interfaces(tmp_path: Path):
    (tmp_path / "CountingConsumer.sol").write_text(COUNTING_CONSUMER)
    artifacts = compile_team_contracts(tmp_path)
    assert artifacts["CountingConsumer"].bytecode
    assert {"IChunkConsumer", "ChunkStatementLib"} <= set(artifacts)


def test_a_team_contract_importing_what_the_market_does_not_export_fails_with_solcs_message(tmp_path: Path):
    (tmp_path / "Wrong.sol").write_text(COUNTING_CONSUMER.replace("proofmarket/interfaces/IChunkConsumer.sol", "proofmarket/ProofMarket.sol"))
    with pytest.raises(CompilationError, match="proofmarket/ProofMarket.sol"):
        compile_team_contracts(tmp_path)
