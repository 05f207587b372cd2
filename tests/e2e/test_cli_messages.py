"""Every user mistake of ``deposit``, ``bid``, ``status``, ``serve``, ``prover``,
``register-prover`` and ``ask`` is one line on stderr with exit code 2, never a traceback, and
says what is wrong in the user's terms; ``bid`` says which round it went to and what to run
next. Run through the real ``proofmarket`` group against a market with a 1 gwei reserve and its
bid API, on either devnet.
"""

from __future__ import annotations

import http.server
import socket
import threading
from dataclasses import replace

import pytest
from click.testing import CliRunner
from eth_account import Account

from proofmarket.cli.main import main
from proofmarket.deployment import MarketSettings, deploy

from .conftest import DEFAULT_SETTINGS, build_stack
from .test_cli_account_commands import key_of, ok, refused

GWEI = 10**9
ETHER = 10**18
UNFUNDED = 50  # a devnet account index neither devnet funds


@pytest.fixture(scope="module")
def stack(web3, signers, tmp_path_factory):
    stack = build_stack(
        web3, signers, tmp_path_factory.mktemp("messages"), replace(DEFAULT_SETTINGS, reserve_per_constraint=GWEI)
    )
    yield stack
    stack.server.stop()
    stack.node.close()


@pytest.fixture(scope="module")
def files(stack, tmp_path_factory):
    """Deployment records: this market's, and another market's on the same chain."""
    directory = tmp_path_factory.mktemp("deployments")
    stack.deployment.save(directory / "this.json")
    other, _ = deploy(stack.web3, stack.owner, stack.clearinghouse_account.address, stack.treasury.address,
                      MarketSettings(), "development")
    other.save(directory / "other.json")
    return {"this": directory / "this.json", "other": directory / "other.json", "other_market": other.market}


@pytest.fixture(scope="module")
def cli(stack, files, web3):
    """``proofmarket COMMAND --deployment <this market> ...``; any ``--rpc`` with a scheme reaches this devnet."""
    import proofmarket.network

    def run(command: str, *arguments: str, deployment: str | None = "this"):
        original = proofmarket.network.connect
        proofmarket.network.connect = lambda url: web3
        where = [] if deployment is None else ["--deployment", str(files[deployment])]
        try:
            return CliRunner(mix_stderr=False).invoke(main, [command, *where, *arguments])
        finally:
            proofmarket.network.connect = original

    return run


@pytest.fixture
def user(stack):
    return stack.users[0]


def nonce_of(web3, account) -> int:
    return web3.eth.get_transaction_count(account.address)


# ------------------------------------------------------------------------------ money


def test_depositing_more_than_the_account_holds_is_one_line(cli, user, web3):
    held = web3.eth.get_balance(user.address)
    refused(cli("deposit", "--key", key_of(user), "20000ether"),
            "insufficient funds", user.address, f"has {held} wei", "deposit of 20000000000000000000000 wei")


def test_an_unfunded_devnet_account_is_told_to_fund_itself(cli, stack):
    from proofmarket.network import devnet_account

    address = devnet_account(UNFUNDED).address
    refused(cli("deposit", "--devnet-account", str(UNFUNDED), "1gwei"), address, "has no ETH to pay for gas")
    refused(cli("prover", "--devnet-account", str(UNFUNDED), "--api", stack.server.url, "--capacity", "100",
                "--unit-cost", "1gwei", "--once"), address, "has no ETH to pay for gas")
    refused(cli("register-prover", "--devnet-account", str(UNFUNDED), "--capacity", "100"), address, "has no ETH")


@pytest.mark.parametrize("amount", ["0", "0gwei"])
def test_a_zero_deposit_is_refused_in_words(cli, user, amount):
    line = refused(cli("deposit", "--key", key_of(user), amount), "the amount must be more than 0 wei")
    assert "ZeroAmount" not in line


def test_a_negative_max_fee_is_called_negative(cli, user, stack):
    line = refused(cli("bid", "--key", key_of(user), "--api", stack.server.url, "--constraints", "200", "--max-fee=-1gwei"),
                   "an amount cannot be negative: '-1gwei'")
    assert "whole number" not in line


def test_a_fraction_of_a_wei_is_refused(cli, user, stack):
    refused(cli("bid", "--key", key_of(user), "--api", stack.server.url, "--constraints", "200", "--max-fee", "0.5wei"),
            "not a whole number of wei")


# ------------------------------------------------------------------------------ bid


def test_a_short_tx_hash_names_its_length(cli, user, stack):
    line = refused(cli("bid", "--key", key_of(user), "--api", stack.server.url, "--constraints", "200",
                       "--max-fee", "600gwei", "--tx-hash", "0x12"), "--tx-hash must be 32 bytes", "not 1")
    assert "b'" not in line


def test_a_tx_hash_that_is_not_hex_is_refused(cli, user, stack):
    refused(cli("bid", "--key", key_of(user), "--api", stack.server.url, "--constraints", "200",
                "--max-fee", "600gwei", "--tx-hash", "0xzz"), "--tx-hash is not hex")


def test_a_bid_says_its_round_and_what_to_run_next(cli, user, stack):
    result = cli("bid", "--key", key_of(user), "--api", stack.server.url, "--constraints", "200", "--max-fee", "600gwei")
    answer = ok(result)
    round_id = answer["round"]
    assert round_id == stack.open_round()
    assert f"for round {round_id}" in result.stderr
    assert f"closes at block {stack.client.round_close_block(round_id)}" in result.stderr
    assert f"check it with: proofmarket status --round {round_id}" in result.stderr
    assert stack.api.round_status(round_id)["bids"] >= 1


def test_a_below_reserve_bid_names_the_minimum_in_gwei(cli, user, stack):
    refused(cli("bid", "--key", key_of(user), "--api", stack.server.url, "--constraints", "200", "--max-fee", "100gwei"),
            "bid below reserve", "100000000000 wei (100 gwei)", "reserve of 1 gwei per constraint",
            "bid at least 200000000000 wei (200 gwei)")


def test_a_bid_to_an_api_of_another_market_names_both_markets(cli, user, stack, files):
    line = refused(cli("bid", "--key", key_of(user), "--api", stack.server.url, "--constraints", "200",
                       "--max-fee", "600gwei", deployment="other"),
                   f"serves market {stack.deployment.market}", f"not this deployment's market {files['other_market']}")
    assert "wrong round" not in line


def test_an_onchain_bid_below_the_reserve_is_refused_before_sending(cli, user, stack, web3):
    nonce = nonce_of(web3, user)
    refused(cli("bid", "--key", key_of(user), "--onchain", "--constraints", "200", "--max-fee", "100gwei"),
            "bid below reserve", "bid at least 200000000000 wei (200 gwei)", "the clearinghouse would skip this bid")
    assert nonce_of(web3, user) == nonce, "nothing was sent"


def test_an_onchain_bid_for_a_past_round_is_refused_before_sending(cli, user, stack, web3):
    from proofmarket.network import mine_blocks

    round_id = stack.open_round()
    if round_id == 0:
        mine_blocks(web3, stack.client.round_close_block(0) - web3.eth.block_number)
        round_id = stack.open_round()
    nonce = nonce_of(web3, user)
    refused(cli("bid", "--key", key_of(user), "--onchain", "--round", str(round_id - 1), "--constraints", "200",
                "--max-fee", "600gwei"), f"round {round_id - 1} has passed", "the clearinghouse would skip this one")
    assert nonce_of(web3, user) == nonce, "nothing was sent"


def test_an_onchain_bid_over_the_escrow_is_refused_before_sending(cli, stack, web3):
    poor = stack.users[2]
    escrow = stack.client.balance_of(poor.address)
    nonce = nonce_of(web3, poor)
    refused(cli("bid", "--key", key_of(poor), "--onchain", "--constraints", "200", "--max-fee", str(escrow + 1)),
            "insufficient escrow", f"has {escrow} wei in escrow")
    assert nonce_of(web3, poor) == nonce


def test_an_onchain_bid_says_its_round_and_what_to_run_next(cli, user, stack, web3):
    result = cli("bid", "--key", key_of(user), "--onchain", "--constraints", "200", "--max-fee", "600gwei")
    answer = ok(result)
    assert answer["round"] == stack.open_round()
    assert "check it with: proofmarket rounds" in result.stderr  # no bid API needed for an on-chain bid


# ------------------------------------------------------------------------------ status, --rpc, --key


def test_status_of_a_round_not_started_says_so(cli, stack):
    open_round = stack.open_round()
    line = refused(cli("status", "--api", stack.server.url, "--round", "999", deployment=None),
                   "round 999 has not started", f"the open round is {open_round}")
    assert "open" not in line.split(";")[0]


class _NotTheApi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = b"<html>Not Found</html>" if self.path != "/v1/plain" else b"plain text"
        self.send_response(404 if self.path != "/v1/plain" else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments):
        pass


@pytest.fixture
def not_the_api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotTheApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_status_against_a_server_that_is_not_the_api_says_so(cli, not_the_api):
    refused(cli("status", "--api", not_the_api, deployment=None), f"{not_the_api} is not the bid API",
            "answered 404 Not Found to GET /v1/health", "--api")
    refused(cli("status", "--api", not_the_api, "--round", "0", deployment=None), "is not the bid API", "GET /v1/rounds/0")


def test_an_rpc_url_without_a_scheme_is_refused_for_bid(cli, user):
    refused(cli("bid", "--rpc", "127.0.0.1:8545", "--key", key_of(user), "--constraints", "1", "--max-fee", "1gwei"),
            "has no scheme", "http://127.0.0.1:8545")


@pytest.mark.parametrize("command", [
    ["bid", "--constraints", "1", "--max-fee", "1gwei"],
    ["prover", "--capacity", "100", "--unit-cost", "1gwei", "--once"],
    ["serve"],
    ["register-prover", "--capacity", "100"],
    ["ask", "--unit-cost", "1gwei"],
    ["deploy", "--clearinghouse", "0x" + "11" * 20, "--treasury", "0x" + "22" * 20],
])
def test_key_and_devnet_account_together_are_refused(cli, user, command):
    refused(cli(command[0], "--key", key_of(user), "--devnet-account", "3", *command[1:]),
            "--key and --devnet-account are mutually exclusive")


# ------------------------------------------------------------------------------ serve, register-prover, ask


def test_serve_on_a_busy_port_is_one_line(cli, stack, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        refused(cli("serve", "--key", key_of(stack.clearinghouse_account), "--port", str(port),
                    "--database", f"sqlite:///{tmp_path / 'never.db'}"),
                f"port {port} on 127.0.0.1 is already in use", "--port")
    assert not (tmp_path / "never.db").exists(), "nothing started"


def test_register_prover_and_ask_through_the_api(cli, stack, web3):
    prover = Account.create()
    from proofmarket.chain.transactions import send_transaction

    send_transaction(web3, stack.owner, {"to": prover.address, "value": ETHER})
    per_constraint = stack.client.config().collateral_per_constraint
    refused(cli("register-prover", "--key", key_of(prover), "--capacity", "100", "--collateral", "1wei"),
            "--collateral 1 wei is under", "a capacity of 100 needs")
    refused(cli("ask", "--key", key_of(prover), "--api", stack.server.url, "--unit-cost", "1gwei"), "unknown prover")
    answer = ok(cli("register-prover", "--key", key_of(prover), "--capacity", "100"))
    state = stack.client.prover(prover.address)
    assert state.registered and state.capacity == 100 and state.collateral == 100 * per_constraint
    assert answer["collateral_wei"] == str(100 * per_constraint)
    refused(cli("register-prover", "--key", key_of(prover), "--capacity", "100"), "is already a registered prover")

    result = cli("ask", "--key", key_of(prover), "--api", stack.server.url, "--unit-cost", "2gwei")
    asked = ok(result)
    assert asked["round"] == stack.open_round() and asked["unit_cost_wei"] == str(2 * GWEI)
    assert f"for round {asked['round']}" in result.stderr
    refused(cli("ask", "--key", key_of(prover), "--api", stack.server.url, "--unit-cost", "2gwei",
                "--nonce", str(asked["nonce"])), "409")


def test_deploy_with_the_rollup_verifier_deploys_the_rollup_as_the_markets_consumer(cli, web3, tmp_path):
    from proofmarket.chain.market import ProofMarketClient
    from proofmarket.rollup.contract import ROLLUP_CONSUMER_GAS_LIMIT, RollupClient

    record = ok(cli("deploy", "--deployment", str(tmp_path / "rollup.json"), "--devnet-account", "0", "--verifier", "rollup",
                    "--clearinghouse", "0x" + "11" * 20, "--treasury", "0x" + "22" * 20))
    assert record["verifier_kind"] == "rollup" and record["rollup"]
    config = ProofMarketClient.at(web3, record["market"]).config()
    assert (config.consumer, config.consumer_gas_limit) == (record["rollup"], ROLLUP_CONSUMER_GAS_LIMIT)
    assert config.max_bids_per_chunk == 1  # the chunk circuit's slots leave one for deposits
    assert RollupClient(web3, record["rollup"]).verifier() == record["verifier"]


def test_a_rollup_deployment_refuses_another_consumer_or_a_callback_limit_too_low(web3, stack):
    from proofmarket.exceptions import UserInputError

    owner, block = stack.owner, web3.eth.block_number
    with pytest.raises(UserInputError, match="consumer is its rollup contract"):
        deploy(web3, owner, owner.address, owner.address, MarketSettings(max_bids_per_chunk=1), "rollup", consumer="0x" + "33" * 20)
    with pytest.raises(UserInputError, match="too low for the rollup's callback: give at least 60,000"):
        deploy(web3, owner, owner.address, owner.address, MarketSettings(max_bids_per_chunk=1, consumer_gas_limit=40_000), "rollup")
    assert web3.eth.block_number == block  # refused before any transaction
