"""A participant's commands, run through the real ``proofmarket`` group against a deployed market:
``balance``, ``withdraw``, ``exit``, ``withdraw-collateral``, ``slash``, ``rounds``.

Every balance is checked exactly after each transaction (the signer's ETH to the wei, gas
included), and every user mistake is one line on stderr with exit code 2, never a traceback.
No proof is generated here: the slashed round is settled and left unproven.
"""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from proofmarket.network import mine_blocks

from .conftest import cli_against

ETHER = 10**18
GWEI = 10**9
REPORTER = 7  # devnet account of the reporter (funded on both devnets, not a party of the stack)


@pytest.fixture(scope="module")
def cli(stack, tmp_path_factory, web3):
    """Runs ``proofmarket COMMAND --deployment <this market> ...`` (any ``--rpc`` reaches this devnet)."""
    return cli_against(stack, web3, tmp_path_factory.mktemp("account") / "deployment.json")


def ok(result) -> dict | list:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout)


def refused(result, *fragments: str) -> str:
    """A user mistake: exit code 2, one line on stderr naming it, no traceback."""
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def key_of(account) -> str:
    return "0x" + bytes(account.key).hex()


def gas_paid(web3, transaction: str) -> int:
    receipt = web3.eth.get_transaction_receipt(transaction)
    return receipt["gasUsed"] * receipt["effectiveGasPrice"]


# ------------------------------------------------------------------------------ withdraw


def test_balance_and_withdraw_move_exactly_the_amount(stack, cli, web3):
    user = stack.users[0]
    summary = ok(cli("balance", "--json", user.address))
    assert summary["escrow_wei"] == summary["withdrawable_wei"] == str(stack.client.balance_of(user.address))
    assert (summary["earnings_wei"], summary["registered_prover"], summary["exit"]) == ("0", False, None)
    escrow, eth, market = stack.client.balance_of(user.address), web3.eth.get_balance(user.address), stack.client.ether_balance()

    answer = ok(cli("withdraw", "--key", key_of(user), "0.25ether"))
    assert answer["withdrawn_wei"] == str(ETHER // 4)
    assert stack.client.balance_of(user.address) == escrow - ETHER // 4 == int(answer["balance_wei"])
    assert web3.eth.get_balance(user.address) == eth + ETHER // 4 - gas_paid(web3, answer["transaction"])
    assert stack.client.ether_balance() == market - ETHER // 4

    eth = web3.eth.get_balance(user.address)
    answer = ok(cli("withdraw", "--key", key_of(user), "all"))
    assert int(answer["withdrawn_wei"]) == escrow - ETHER // 4
    assert stack.client.balance_of(user.address) == 0 == int(answer["balance_wei"])
    assert web3.eth.get_balance(user.address) == eth + escrow - ETHER // 4 - gas_paid(web3, answer["transaction"])
    stack.assert_conserved()
    stack.client.deposit(user, ETHER)  # back for the rounds below


# ------------------------------------------------------------------------------ slash, exit, withdraw-collateral


def test_an_exiting_prover_is_slashed_then_takes_back_exactly_its_collateral(stack, cli, web3, signers):
    reporter = signers[REPORTER]
    round_id, _ = stack.open_round_with_bids(5)
    stack.node.run_once()  # settles; nobody proves
    state = stack.client.round(round_id)
    assert state.settled and state.chunk_count >= 1
    chunk = stack.client.chunk(round_id, 0)
    prover = next(agent.account for agent in stack.agents if agent.address == chunk.prover)

    refused(cli("slash", "--devnet-account", str(REPORTER), str(round_id), "0"),
            f"chunk 0 of round {round_id} is not slashable yet", f"can be slashed from block {chunk.deadline + 1}")

    # The prover exits while its chunk is pending: its collateral stays locked until the chunk is resolved.
    answer = ok(cli("exit", "--key", key_of(prover)))
    config = stack.client.config()
    withdrawable_from = answer["exit_effective_block"] + config.settlement_window_blocks
    assert answer["collateral_withdrawable_from_block"] == withdrawable_from
    assert stack.client.prover(prover.address).exit_available_at == answer["exit_effective_block"]
    refused(cli("withdraw-collateral", "--key", key_of(prover)),
            "not withdrawable yet", f"it is from block {withdrawable_from}")
    refused(cli("exit", "--key", key_of(prover)), "has already requested its exit")

    summary = ok(cli("balance", "--json", prover.address))
    held = stack.client.prover(prover.address)
    assert summary["exit"] == {"effective_block": held.exit_available_at, "collateral_withdrawable_from_block": withdrawable_from}
    assert (summary["collateral_wei"], summary["collateral_locked_wei"], summary["collateral_free_wei"]) == (
        str(held.collateral), str(held.locked), str(held.collateral - held.locked))
    assert held.locked >= chunk.collateral > 0 and summary["capacity"] == held.capacity
    text = cli("balance", prover.address)
    assert text.exit_code == 0, text.stderr
    assert f"collateral withdrawable from block {withdrawable_from}" in text.stdout

    mine_blocks(web3, withdrawable_from - web3.eth.block_number)
    refused(cli("withdraw-collateral", "--key", key_of(prover)), "insufficient free collateral", "locked")

    # Every chunk is overdue now: the reporter slashes each, and each party moves exactly.
    refunds = stack.client.refunds_from_settlement(round_id)
    for index in range(state.chunk_count):
        slashed_chunk = stack.client.chunk(round_id, index)
        parties = {refund.user for refund in refunds[index]} | {reporter.address, stack.treasury.address}
        before = {party: stack.client.balance_of(party) for party in parties}
        collateral_before = stack.client.prover(slashed_chunk.prover).collateral
        answer = ok(cli("slash", "--devnet-account", str(REPORTER), str(round_id), str(index)))
        owed = sum(refund.charge for refund in refunds[index])
        pool = slashed_chunk.payment + slashed_chunk.collateral
        assert owed <= pool, "the test expects refunds in full"
        assert answer["refunded_wei"] == str(owed)
        assert answer["collateral_slashed_wei"] == str(slashed_chunk.collateral)
        reward = (pool - owed) * config.reporter_share_bps // 10_000
        assert answer["reporter_reward_wei"] == str(reward)
        assert answer["treasury_share_wei"] == str(pool - owed - reward)
        expected = dict(before)
        for refund in refunds[index]:
            expected[refund.user] += refund.charge
        expected[reporter.address] += reward
        expected[stack.treasury.address] += pool - owed - reward
        assert {party: stack.client.balance_of(party) for party in parties} == expected
        assert stack.client.prover(slashed_chunk.prover).collateral == collateral_before - slashed_chunk.collateral
        stack.assert_conserved()
    refused(cli("slash", "--devnet-account", str(REPORTER), str(round_id), "0"), "already slashed")
    refused(cli("slash", "--devnet-account", str(REPORTER), str(round_id), str(state.chunk_count)),
            f"round {round_id} has {state.chunk_count} chunk(s)")

    # The chunk resolved, the exited prover takes back exactly what is left of its collateral.
    collateral = stack.client.prover(prover.address).collateral
    eth, market = web3.eth.get_balance(prover.address), stack.client.ether_balance()
    answer = ok(cli("withdraw-collateral", "--key", key_of(prover)))
    assert answer["withdrawn_wei"] == str(collateral)
    assert web3.eth.get_balance(prover.address) == eth + collateral - gas_paid(web3, answer["transaction"])
    assert stack.client.ether_balance() == market - collateral
    summary = ok(cli("balance", "--json", prover.address))
    assert (summary["registered_prover"], summary["collateral_wei"], summary["exit"]) == (False, "0", None)
    stack.assert_conserved()

    rows = {row["round"]: row for row in ok(cli("rounds", "--json", "--last", "50", "--api", stack.server.url))}
    row = rows[round_id]
    slashed_wei = sum(stack.client.chunk(round_id, index).collateral for index in range(state.chunk_count))
    assert row["state"] == "resolved"
    assert (row["included"], row["chunks"], row["slashed"], row["proven"]) == (state.bid_count, state.chunk_count, state.chunk_count, 0)
    assert (row["revenue_wei"], row["payouts_wei"], row["slashed_wei"]) == (str(state.revenue), str(state.payments), str(slashed_wei))
    assert row["price_per_constraint_wei"] == {"num": str(state.price_num), "den": str(state.price_den)}
    assert row["bids"] == stack.api.round_status(round_id)["bids"]
    assert rows[stack.client.current_round()]["state"] == "open"
    table = cli("rounds", "--last", "50")
    assert table.exit_code == 0, table.stderr
    assert "open" in table.stdout and "resolved" in table.stdout


# ------------------------------------------------------------------------------ user mistakes: one line, exit 2


def test_withdrawing_more_than_the_escrow_is_refused(stack, cli):
    user = stack.users[1]
    refused(cli("withdraw", "--key", key_of(user), "100ether"),
            "insufficient escrow", user.address, f"has {stack.client.balance_of(user.address)} wei")


@pytest.mark.parametrize("amount", ["0", "0gwei", "0.0ether"])
def test_a_zero_amount_is_refused_in_words(stack, cli, amount):
    line = refused(cli("withdraw", "--key", key_of(stack.users[1]), amount), "the amount must be more than 0 wei")
    assert "ZeroAmount" not in line


def test_an_unfunded_account_is_told_to_fund_itself(cli):
    empty = Account.create()
    for command in (["withdraw", "1gwei"], ["exit"], ["withdraw-collateral"]):
        refused(cli(command[0], "--key", key_of(empty), *command[1:]), empty.address, "has no ETH to pay for gas")


def test_a_round_that_does_not_exist_is_refused(stack, cli):
    current = stack.client.current_round()
    refused(cli("slash", "--devnet-account", str(REPORTER), str(current + 1000), "0"),
            f"round {current + 1000} does not exist yet", f"the open round is {current}")
    refused(cli("slash", "--devnet-account", str(REPORTER), str(current), "0"), f"round {current} is not settled")


def test_key_and_devnet_account_together_are_refused(stack, cli):
    for command in (["balance"], ["withdraw", "1"], ["exit"], ["withdraw-collateral"], ["slash", "0", "0"], ["deposit", "1"]):
        refused(cli(command[0], "--key", key_of(stack.users[0]), "--devnet-account", "3", *command[1:]),
                "--key and --devnet-account are mutually exclusive")


def test_an_rpc_url_without_a_scheme_is_refused(cli):
    for command in (["balance", "--devnet-account", "3"], ["rounds"], ["deposit", "--devnet-account", "3", "1"]):
        refused(cli(command[0], "--rpc", "127.0.0.1:8545", *command[1:]), "has no scheme", "http://127.0.0.1:8545")


def test_contract_refusals_read_as_sentences(stack, cli, signers):
    """Reverts found by the contract itself (no check in the command): decoded, then worded."""
    stranger = signers[9]
    refused(cli("exit", "--devnet-account", "9"), f"{stranger.address} is not a registered prover")
    registered = next(agent for agent in stack.agents if not stack.client.prover(agent.address).exiting)
    registered.ensure_registered()
    refused(cli("withdraw-collateral", "--key", key_of(registered.account)),
            "has not requested an exit: run `proofmarket exit` first")


def test_a_malformed_address_is_refused(cli):
    refused(cli("balance", "0x1234"), "not an address")
