"""The ape path settles a round: ``ape run deploy → register_prover → ask → deposit → bid →
run_round → prove → run_round``, each a separate ``ape run`` process, as a user types them, against an anvil the
test starts (``--network`` its URL: each process attaches to the same chain).

The scripts take the CLI's options (``--devnet-account``, ``600gwei``) and refuse a mistake in
one line with exit code 2. The round is checked on-chain afterwards: settled, the one bid
included at the reserve (a lone bid and a lone prover trade there), the user's escrow down by
exactly its charge; then the chunk proven and paid, and the round resolved.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from proofmarket.chain.paths import REPOSITORY_ROOT

GWEI = 10**9
USER, PROVER = 3, 5  # devnet accounts; the scripts' clearinghouse is devnet account 1


@pytest.fixture(scope="module")
def anvil_only(request):
    if "foundry" not in (request.config.getoption("network", default=None) or ""):
        pytest.skip("starts its own anvil and `ape run` processes: runs in the anvil session")


@pytest.fixture(scope="module")
def chain(anvil_only, tmp_path_factory):
    """An anvil of its own; yields ``(rpc, web3, home)`` (home: the scripts' $PROOFMARKET_HOME)."""
    from proofmarket.network import connect, start_anvil

    home = tmp_path_factory.mktemp("ape-scripts")
    with start_anvil() as rpc:
        yield rpc, connect(rpc), home


def ape_run(chain, script: str, *arguments: str, timeout: float = 300) -> subprocess.CompletedProcess:
    rpc, _, home = chain
    return subprocess.run(
        ["ape", "run", script, "--network", rpc, *arguments],
        cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        env=dict(os.environ, PROOFMARKET_HOME=str(home)),
    )


def succeeded(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def last_json(stdout: str) -> dict:
    return json.loads([line for line in stdout.splitlines() if line.startswith("{")][-1])


def refused(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_ape_scripts_settle_a_round(chain):
    from proofmarket.deployment import Deployment
    from proofmarket.network import devnet_account, mine_blocks

    rpc, web3, home = chain
    clearinghouse, treasury = devnet_account(1).address, devnet_account(2).address
    succeeded(ape_run(chain, "deploy", "--devnet-account", "0", "--clearinghouse", clearinghouse, "--treasury", treasury,
                      "--reserve", "1gwei", "--round-blocks", "20"))
    deployment = Deployment.load(home / "deployment.json")
    client = deployment.client(web3)
    assert client.config().reserve_per_constraint == GWEI and client.config().clearinghouse == clearinghouse

    prover, user = devnet_account(PROVER), devnet_account(USER)
    registered = last_json(succeeded(ape_run(chain, "register_prover", "--devnet-account", str(PROVER), "--capacity", "1000")))
    state = client.prover(prover.address)
    assert state.registered and state.capacity == 1000
    assert registered["collateral_wei"] == str(state.collateral) == str(1000 * client.config().collateral_per_constraint)

    asked = last_json(succeeded(ape_run(chain, "ask", "--devnet-account", str(PROVER), "--unit-cost", "1gwei")))
    round_id = asked["round"]
    assert asked["unit_cost_wei"] == str(GWEI)

    succeeded(ape_run(chain, "deposit", "--devnet-account", str(USER), "0.1ether"))
    assert client.balance_of(user.address) == 10**17
    refused(ape_run(chain, "bid", "--devnet-account", str(USER), "--constraints", "200", "--max-fee", "100gwei"),
            "bid below reserve", "bid at least 200000000000 wei (200 gwei)")
    bid = ape_run(chain, "bid", "--devnet-account", str(USER), "--constraints", "200", "--max-fee", "600gwei")
    assert last_json(succeeded(bid))["round"] == round_id
    assert "check it with: proofmarket rounds" in bid.stderr  # an on-chain bid: no bid API on this path

    before_close = succeeded(ape_run(chain, "run_round"))
    assert f"round {round_id} is open until block {client.round_close_block(round_id)}" in before_close
    assert not client.round(round_id).settled

    mine_blocks(web3, client.round_close_block(round_id) - web3.eth.block_number)
    settled = succeeded(ape_run(chain, "run_round"))
    assert f"round {round_id}: settled: 1 bid(s) included in 1 chunk(s) at 1 gwei per constraint" in settled
    assert f"prove by block {client.round(round_id).deadline} (ape run prove)" in settled
    on_chain = client.round(round_id)
    assert on_chain.settled and on_chain.bid_count == 1 and on_chain.chunk_count == 1
    assert on_chain.revenue == 200 * GWEI  # the lone bid at the reserve: 200 constraints at 1 gwei
    assert client.balance_of(user.address) == 10**17 - 200 * GWEI
    assert client.chunk(round_id, 0).prover == prover.address

    # The prover proves its chunk (a real Groth16 proof) from the same database; the round resolves.
    from proofmarket.chain.market import ChunkStatus

    earnings = client.balance_of(prover.address)
    proved = succeeded(ape_run(chain, "prove", "--devnet-account", str(PROVER)))
    assert f"proved round {round_id} chunk 0: 1 transaction(s)" in proved
    assert client.chunk(round_id, 0).status is ChunkStatus.PROVEN
    assert client.balance_of(prover.address) == earnings + on_chain.payments
    assert "no chunk of" in succeeded(ape_run(chain, "prove", "--devnet-account", str(PROVER)))
    assert f"round {round_id}: resolved" in succeeded(ape_run(chain, "run_round"))


def test_a_script_refuses_a_mistake_in_one_line(chain):
    refused(ape_run(chain, "deposit", "--devnet-account", str(USER), "--key", "0x" + "11" * 32, "1gwei"),
            "--key and --devnet-account are mutually exclusive")
    refused(ape_run(chain, "deposit", "--devnet-account", str(USER), "--deployment", "/nonexistent/deployment.json", "1gwei"),
            "no deployment file at /nonexistent/deployment.json")
