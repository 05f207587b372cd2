"""The market's commands: deploy, prover, deposit, bid, status, verify-round, demo (``serve`` is in ``cli/serve.py``).

Commands that talk to a node take ``--rpc`` and ``--deployment`` (written by ``deploy``); those
that talk to the clearinghouse take ``--api``. Keys come from ``--key`` / ``$PROOFMARKET_KEY``
or, on a devnet, ``--devnet-account N`` (account N of the devnet mnemonic).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from proofmarket.cli.progress import progress_reporter
from proofmarket.deployment import default_deployment_path, home_directory
from proofmarket.exceptions import UserInputError
from proofmarket.logs import configure as configure_logging, event

console = Console(stderr=True)


def _check_rpc_url(context, parameter, value):
    """``--rpc`` must name its scheme (``127.0.0.1:8545`` would be read as a URL scheme)."""
    if value is not None and "://" not in value:
        raise UserInputError(f"--rpc {value!r} has no scheme: write e.g. http://{value}")
    return value


rpc_option = click.option(
    "--rpc", envvar="PROOFMARKET_RPC", default="http://127.0.0.1:8545", show_default=True, callback=_check_rpc_url,
    help="JSON-RPC URL of the node, with its scheme (http://, https://).",
)
deployment_option = click.option(
    "--deployment", "deployment_path", envvar="PROOFMARKET_DEPLOYMENT", type=click.Path(path_type=Path),
    default=None, help="Deployment record (default: $PROOFMARKET_HOME/deployment.json).",
)
api_option = click.option("--api", "api_url", envvar="PROOFMARKET_API", default="http://127.0.0.1:8000", show_default=True, help="URL of the bid API.")
key_option = click.option("--key", envvar="PROOFMARKET_KEY", default=None, help="Private key (0x-hex) of the acting account (not with --devnet-account).")
log_format_option = click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: one line per record with key=value figures; json: one JSON object per line.",
)
log_level_option = click.option(
    "--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False), default="INFO",
    show_default=True, help="INFO: one line per round transition, proof and slash; DEBUG: every poll and pass too.",
)
devnet_account_option = click.option("--devnet-account", type=click.IntRange(0, 1000), default=None, help="Use account N of the devnet mnemonic instead of --key (not with --key; wins over $PROOFMARKET_KEY).")


def _deployment_path(path: Path | None) -> Path:
    return path or default_deployment_path()


def _account(key: str | None, devnet_index: int | None, default_devnet_index: int | None = None):
    from proofmarket.network import account_from_key, devnet_account

    if key and devnet_index is not None:
        from click.core import ParameterSource

        context = click.get_current_context(silent=True)
        if context is None or context.get_parameter_source("key") is not ParameterSource.ENVIRONMENT:
            raise UserInputError("--key and --devnet-account are mutually exclusive: pass one of them")
        key = None  # --devnet-account on the command line wins over $PROOFMARKET_KEY
    if key:
        return account_from_key(key)
    index = devnet_index if devnet_index is not None else default_devnet_index
    if index is None:
        raise UserInputError("no account: pass --key (or set PROOFMARKET_KEY) or --devnet-account N")
    return devnet_account(index)


#: ``click.Context.meta`` key of a connection made by someone else (an ape script's provider):
#: the commands use it instead of connecting to ``--rpc``.
WEB3_OVERRIDE = "proofmarket.web3"


def _web3(rpc: str | None):
    """The node: ape's provider when an ape script runs the command, else ``--rpc``."""
    from proofmarket.network import connect

    context = click.get_current_context(silent=True)
    while context is not None:
        if WEB3_OVERRIDE in context.meta:
            return context.meta[WEB3_OVERRIDE]
        context = context.parent
    return connect(rpc)


def _connect(rpc: str | None, deployment_path: Path | None):
    from proofmarket.deployment import Deployment

    deployment = Deployment.load(_deployment_path(deployment_path))
    return _web3(rpc), deployment


def _require_gas_funds(web3, account) -> int:
    """The account's ETH; none at all is the user's mistake (checked before anything else)."""
    held = web3.eth.get_balance(account.address)
    if held == 0:
        raise UserInputError(f"{account.address} has no ETH to pay for gas on this chain: fund the account first")
    return held


def _require_funds(web3, account, value: int, what: str) -> int:
    """``value`` wei (plus gas) must be in the account: else a one-line refusal naming both."""
    from proofmarket.cli.reverts import wei_text

    held = _require_gas_funds(web3, account)
    if value >= held:
        raise UserInputError(
            f"insufficient funds: {account.address} has {wei_text(held)} on this chain, "
            f"not enough for {what} of {wei_text(value)} plus gas"
        )
    return held


def _transact(web3, account, action):
    """Runs ``action`` (a client transaction from ``account``); an account without the ETH to
    pay its gas is the user's mistake, said in one line."""
    from proofmarket.cli.reverts import wei_text
    from proofmarket.exceptions import ChainError, ProofMarketError

    held = _require_gas_funds(web3, account)
    try:
        return action()
    except ProofMarketError:
        raise
    except Exception as error:  # noqa: BLE001 - node errors vary by backend; never a traceback
        text = " ".join(str(error).split())
        if "insufficient funds" in text.lower() or "sender doesn't have enough funds" in text.lower():
            raise UserInputError(
                f"{account.address} has too little ETH ({wei_text(held)}) to pay for this transaction"
            ) from None
        raise ChainError(f"the transaction failed: {text}") from None


def _parse_wei(text: str) -> int:
    """Amounts: plain wei, or with a unit: ``1.5ether``, ``20gwei``."""
    from decimal import Decimal, InvalidOperation

    units = {"ether": 10**18, "eth": 10**18, "gwei": 10**9, "wei": 1}
    text = text.strip().lower()
    for unit, scale in units.items():
        if text.endswith(unit):
            number, multiplier = text[: -len(unit)].strip(), scale
            break
    else:
        number, multiplier = text, 1
    try:
        value = Decimal(number) * multiplier
    except InvalidOperation:
        raise UserInputError(f"not an amount: {text!r} (write e.g. 1000000, 20gwei or 1.5ether)") from None
    if not value.is_finite():
        raise UserInputError(f"not an amount: {text!r} (write e.g. 1000000, 20gwei or 1.5ether)")
    if value < 0:
        raise UserInputError(f"an amount cannot be negative: {text!r}")
    if value != value.to_integral_value():
        raise UserInputError(f"not a whole number of wei: {text!r} (1 gwei is 10^9 wei, 1 ether 10^18 wei)")
    return int(value)


@click.command()
@rpc_option
@deployment_option
@key_option
@devnet_account_option
@click.option("--clearinghouse", required=True, help="Address allowed to settle rounds (the account `serve` signs with).")
@click.option("--treasury", required=True, help="Address credited the treasury's share.")
@click.option(
    "--verifier", type=click.Choice(["groth16", "development", "rollup"]), default="groth16", show_default=True,
    help="Proof verifier: groth16 checks real proofs; development accepts a marker proof (NOT SECURE, devnets only); "
    "rollup: the reference rollup's chunk verifier, and its ReferenceRollup contract (docs/rollup.md).",
)
@click.option(
    "--max-bids-per-chunk", type=click.IntRange(1, 256), default=None,
    help="The most bids one chunk may hold (default: 256; 1 with --verifier rollup, whose chunks hold at most 2).",
)
@click.option("--capacity", type=click.IntRange(min=1), default=10_000, show_default=True, help="C: constraints per round.")
@click.option("--reserve", default="0", show_default=True, help="ρ: reserve fee per constraint (wei or e.g. 1gwei).")
@click.option("--collateral-per-constraint", default="1000gwei", show_default=True, help="κ: collateral per unit of capacity.")
@click.option(
    "--surplus", type=click.Choice(["treasury", "burn", "rebate"]), default="treasury", show_default=True,
    help="Where charges minus payments go: the treasury, burnt, or rebated to the round's users.",
)
@click.option(
    "--round-length-blocks", "--round-blocks", "round_length_blocks", type=click.IntRange(min=1), default=20,
    show_default=True, help="Blocks per round; bids for a round are taken while it is open "
    "(round_length_blocks in GET /v1/market; --round-blocks is an alias).",
)
@click.option(
    "--proving-window-blocks", "--proving-blocks", "proving_window_blocks", type=click.IntRange(min=1), default=20,
    show_default=True, help="Blocks after settlement within which a chunk must be proven, else it can be slashed "
    "(--proving-blocks is an alias).",
)
@click.option("--exit-delay-blocks", type=click.IntRange(min=0), default=50, show_default=True,
              help="Blocks between a prover's `exit` and the rounds that no longer assign it work.")
@click.option(
    "--settlement-window-blocks", type=click.IntRange(min=1), default=100, show_default=True,
    help="A round can be settled this many blocks after it closes, never later.",
)
def deploy(rpc, deployment_path, key, devnet_account, clearinghouse, treasury, verifier, max_bids_per_chunk, capacity,
           reserve, collateral_per_constraint, surplus, round_length_blocks, proving_window_blocks, exit_delay_blocks,
           settlement_window_blocks):
    """Deploy a verifier and the market; write the deployment record."""
    from eth_utils import is_address

    from proofmarket.deployment import DEFAULT_MAX_BIDS_PER_CHUNK, MarketSettings, deploy as deploy_market

    for name, address in (("--clearinghouse", clearinghouse), ("--treasury", treasury)):
        if not is_address(address):
            raise UserInputError(f"{name} is not an address: {address!r} (write 0x and 40 hex digits)")
    owner = _account(key, devnet_account, default_devnet_index=None)
    settings = MarketSettings(
        capacity_per_round=capacity,
        reserve_per_constraint=_parse_wei(reserve),
        collateral_per_constraint=_parse_wei(collateral_per_constraint),
        surplus_policy=surplus,
        round_length_blocks=round_length_blocks,
        proving_window_blocks=proving_window_blocks,
        exit_delay_blocks=exit_delay_blocks,
        settlement_window_blocks=settlement_window_blocks,
        max_bids_per_chunk=max_bids_per_chunk or (1 if verifier == "rollup" else DEFAULT_MAX_BIDS_PER_CHUNK),
    )
    web3 = _web3(rpc)
    deployment, _ = _transact(
        web3, owner, lambda: deploy_market(web3, owner, clearinghouse, treasury, settings, verifier)
    )
    path = _deployment_path(deployment_path)
    deployment.save(path)
    click.echo(json.dumps(vars(deployment), indent=2))
    console.print(f"deployment written to {path}; market {deployment.market}, clearinghouse {clearinghouse}", highlight=False, soft_wrap=True)


@click.command()
@rpc_option
@deployment_option
@api_option
@key_option
@devnet_account_option
@click.option("--capacity", type=click.IntRange(min=1), required=True, help="Constraints per round (fixed at registration).")
@click.option("--unit-cost", required=True, help="Ask: cost per constraint (wei or e.g. 2gwei).")
@click.option("--silent", is_flag=True, help="Post asks but never prove (to exercise slashing).")
@click.option("--poll-seconds", type=float, default=1.0, show_default=True, help="How often the agent asks, checks its assignments and proves.")
@click.option("--once", is_flag=True, help="Do one pass and exit.")
@log_format_option
@log_level_option
def prover(rpc, deployment_path, api_url, key, devnet_account, capacity, unit_cost, silent, poll_seconds, once, log_format, log_level):
    """Run a prover agent: register, ask every round, prove and submit assigned chunks."""
    from proofmarket.bootstrap import build_prover_agent

    configure_logging(log_level, log_format)
    web3, deployment = _connect(rpc, deployment_path)
    account = _account(key, devnet_account)
    unit_cost_wei = _parse_wei(unit_cost)
    _require_gas_funds(web3, account)  # it registers and submits proofs: without ETH it can do nothing
    agent = build_prover_agent(web3, deployment, account, api_url, capacity, unit_cost_wei, silent)
    event(
        logging.getLogger("proofmarket.prover"), f"prover {agent.address} started" + (" (silent)" if silent else ""),
        prover=agent.address, capacity=capacity, unit_cost_wei=agent.unit_cost_wei, silent=silent,
    )
    _run_steps(agent.step, once, poll_seconds, logging.getLogger("proofmarket.prover"))


def _run_steps(step, once: bool, poll_seconds: float, logger: logging.Logger) -> None:
    """A service's loop: ``step()`` every ``poll_seconds``; a failure is logged and retried at the
    next poll (the services read their state back from the chain), or raised with ``once``."""
    while True:
        try:
            step()
        except Exception as error:  # noqa: BLE001 - keep going; say what failed
            if once:
                raise
            logger.warning("step failed: %s", error)
        if once:
            return
        time.sleep(poll_seconds)


@click.command()
@rpc_option
@deployment_option
@key_option
@devnet_account_option
@click.argument("amount")
def deposit(rpc, deployment_path, key, devnet_account, amount):
    """Deposit AMOUNT into the signer's escrow: wei, or with a unit (600gwei, 1.5ether).

    Bids are checked against this escrow; `proofmarket withdraw` takes it back.
    """
    user = _account(key, devnet_account)
    value = _parse_wei(amount)
    if value == 0:
        raise UserInputError("the amount must be more than 0 wei")
    web3, deployment = _connect(rpc, deployment_path)
    client = deployment.client(web3)
    _require_funds(web3, user, value, "a deposit")
    receipt = _transact(web3, user, lambda: client.deposit(user, value))
    from proofmarket.cli.reverts import wei_text

    balance = client.balance_of(user.address)
    click.echo(json.dumps({
        "user": user.address, "deposited_wei": str(value), "balance_wei": str(balance),
        "transaction": "0x" + bytes(receipt["transactionHash"]).hex(),
    }))
    console.print(f"deposited {wei_text(value)} for {user.address}; its escrow is {wei_text(balance)}", highlight=False, soft_wrap=True)


@click.command()
@rpc_option
@deployment_option
@api_option
@key_option
@devnet_account_option
@click.option("--tx-hash", default=None, help="The rollup transaction's hash (0x and 64 hex digits); random if omitted.")
@click.option("--constraints", type=click.IntRange(min=1), required=True, help="Size of the transaction: constraints to prove.")
@click.option("--max-fee", required=True, help="Most the user pays for inclusion (wei or e.g. 600gwei, 0.001ether).")
@click.option("--round", "round_id", type=click.IntRange(min=0), default=None, help="Round (default: the open one).")
@click.option("--nonce", type=click.IntRange(min=0), default=None, help="Bid nonce (default: random).")
@click.option("--onchain", is_flag=True, help="Post the bid with postBid (censorship-resistant path) instead of the API.")
def bid(rpc, deployment_path, api_url, key, devnet_account, tx_hash, constraints, max_fee, round_id, nonce, onchain):
    """Sign a bid and submit it to the bid API (or post it on-chain).

    Prints the bid's round and the command that shows it; the bid API's checks (open round,
    reserve, capacity, escrow) are applied before anything is sent, on-chain too.
    """
    from proofmarket.bootstrap import HttpClearinghouseApi
    from proofmarket.chain.typed_data import BidMessage, bid_request, sign_bid

    user = _account(key, devnet_account)
    tx_hash_bytes = os.urandom(32) if tx_hash is None else parse_bytes32("--tx-hash", tx_hash)
    max_fee_wei = _parse_wei(max_fee)
    web3, deployment = _connect(rpc, deployment_path)
    client = deployment.client(web3)
    api = None
    if not onchain:
        api = HttpClearinghouseApi(api_url)
        _check_api_market(api, api_url, deployment)
    head = web3.eth.block_number
    # An on-chain bid counts for the round open in the block that includes it: the next one at best.
    open_round = _round_at(client, head + 1 if onchain else head)
    message = BidMessage(
        user=user.address,
        tx_hash=tx_hash_bytes,
        constraints=constraints,
        max_fee=max_fee_wei,
        round=open_round if round_id is None else round_id,
        nonce=random.getrandbits(63) if nonce is None else nonce,
    )
    signature = sign_bid(user, client.domain, message)
    if onchain:
        _check_bid_like_the_api(client, message, signature, open_round)
        receipt = _transact(web3, user, lambda: client.post_bid(user, message, signature))
        click.echo(json.dumps({"posted_in_block": receipt["blockNumber"], "round": message.round}))
        _say_next(client, message.round, receipt["blockNumber"], "posted on-chain (postBid)", "proofmarket rounds")
        return
    answer = api.post_bid(bid_request(message, signature))
    click.echo(json.dumps(answer))
    _say_next(client, message.round, web3.eth.block_number, "accepted by the bid API")


def parse_bytes32(name: str, text: str) -> bytes:
    """32 bytes written as 0x and 64 hex digits (0x optional); a one-line user mistake otherwise."""
    digits = text.strip().removeprefix("0x").removeprefix("0X")
    try:
        value = bytes.fromhex(digits)
    except ValueError:
        raise UserInputError(f"{name} is not hex: {text!r} (write 0x and 64 hex digits)") from None
    if len(value) != 32:
        raise UserInputError(f"{name} must be 32 bytes (0x and 64 hex digits), not {len(value)}: {text!r}")
    return value


def _round_at(client, block: int) -> int:
    from proofmarket.clearinghouse.schedule import round_at_block

    config = client.config()
    return round_at_block(block, config.genesis_block, config.round_length_blocks)


def _check_api_market(api, api_url: str, deployment) -> None:
    """The bid API must serve this deployment's market (else every bid would be refused for
    reasons that hide the real one, like a wrong round)."""
    health = api.health()
    market, chain_id = health.get("market_address"), health.get("chain_id")
    if str(market).lower() != deployment.market.lower() or chain_id != deployment.chain_id:
        raise UserInputError(
            f"the bid API at {api_url} serves market {market} (chain {chain_id}), not this deployment's market "
            f"{deployment.market} (chain {deployment.chain_id}): pass the --api of its clearinghouse, or its --deployment"
        )


def _check_bid_like_the_api(client, message, signature: bytes, open_round: int) -> None:
    """The bid API's intake rules, before a bid goes on-chain: a bid they refuse would cost gas
    and be skipped by the clearinghouse."""
    from proofmarket.clearinghouse.chain_adapter import MarketAdapter
    from proofmarket.clearinghouse.errors import BidBelowReserve, WrongRound
    from proofmarket.clearinghouse.intake import SignedBid, validate_bid

    try:
        validate_bid(
            SignedBid(message, signature), domain=client.domain, parameters=MarketAdapter(client, None).parameters(),
            open_round=open_round, escrow_of=client.balance_of,
        )
    except WrongRound as error:
        when = "has passed" if error.given < open_round else "has not started"
        raise UserInputError(
            f"round {error.given} {when}: a bid posted now counts for round {open_round} (omit --round for it); "
            "the clearinghouse would skip this one"
        ) from None
    except BidBelowReserve as error:
        raise UserInputError(str(error) + "; the clearinghouse would skip this bid") from None


def _say_next(client, round_id: int, head: int, how: str, check: str | None = None) -> None:
    """What happens to the bid next, and the command that shows it (``check``: one that needs no
    bid API, for a bid posted on-chain)."""
    close = client.round_close_block(round_id)
    wait = f"it closes at block {close} ({close - head} blocks after block {head}), then the clearinghouse settles it"
    console.print(
        f"bid {how} for round {round_id}; {wait}; check it with: {check or f'proofmarket status --round {round_id}'}",
        highlight=False, soft_wrap=True,
    )


@click.command()
@api_option
@click.option("--round", "round_id", type=click.IntRange(min=0), default=None, help="A round's status (default: the service's health).")
def status(api_url, round_id):
    """Print the clearinghouse's health, or a round's status, as JSON."""
    from proofmarket.bootstrap import HttpClearinghouseApi

    api = HttpClearinghouseApi(api_url)
    click.echo(json.dumps(api.health() if round_id is None else api.round_status(round_id), indent=2))


@click.command("verify-round")
@rpc_option
@deployment_option
@api_option
@click.option("--input", "input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Read the round's input file from here instead of the API.")
@click.argument("round_id", type=click.IntRange(min=0))
def verify_round_command(rpc, deployment_path, api_url, input_file, round_id):
    """Re-clear ROUND from its published input and compare with the settlement on-chain.

    Exits 0 only if the input's hash matches the chain and the outcome equals the settled one.
    """
    from proofmarket.bootstrap import HttpClearinghouseApi
    from proofmarket.clearinghouse.chain_adapter import settled_round_from_chain
    from proofmarket.clearinghouse.verify import verify_round

    web3, deployment = _connect(rpc, deployment_path)
    document = input_file.read_text() if input_file else HttpClearinghouseApi(api_url).round_input(round_id)
    report = verify_round(document, settled_round_from_chain(deployment.client(web3), round_id))
    if report.agrees:
        click.echo(f"round {round_id}: verified: the settlement equals the mechanism's outcome for the published input")
        return
    for difference in report.differences:
        click.echo(f"round {round_id}: {difference}")
    raise SystemExit(1)


@click.command()
@click.option("--network", type=click.Choice(["embedded", "anvil"]), default="embedded", show_default=True,
              help="embedded: an in-process devnet (eth-tester); anvil: an anvil node started for the demo.")
@click.option("--users", type=click.IntRange(1, 200), default=6, show_default=True, help="Users who deposit and bid.")
@click.option("--provers", type=click.IntRange(1, 50), default=3, show_default=True, help="Prover agents who register, ask and prove.")
@click.option("--rounds", type=click.IntRange(1, 100), default=3, show_default=True, help="Rounds to run, each settled and verified.")
@click.option("--bids-per-user", type=click.IntRange(1, 50), default=2, show_default=True, help="Bids each user sends per round.")
@click.option("--verifier", type=click.Choice(["groth16", "development"]), default="groth16", show_default=True,
              help="groth16: real proofs with snarkjs; development: marker proofs (NOT SECURE, fast).")
@click.option("--surplus", type=click.Choice(["treasury", "burn", "rebate"]), default="treasury", show_default=True,
              help="Where charges minus payments go: the treasury, burnt, or rebated to the round's users.")
@click.option("--no-slash", is_flag=True, help="No prover misses a deadline.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the users' values and the provers' costs.")
def demo(network, users, provers, rounds, bids_per_user, verifier, surplus, no_slash, seed):
    """Full market rounds on a devnet, one prover missing a deadline, every round verified."""
    from proofmarket.demo import DemoOptions, run_demo
    from proofmarket.network import open_devnet

    options = DemoOptions(
        users=users, provers=provers, rounds=rounds, bids_per_user=bids_per_user,
        silent_round=None if no_slash or rounds < 2 else 1, verifier=verifier, surplus_policy=surplus, seed=seed,
        work_directory=home_directory() / "demo",
    )
    with progress_reporter("starting the devnet") as progress, open_devnet(network) as web3:
        report = run_demo(web3, options, progress)
    table = Table(title=f"{rounds} rounds on the {network} devnet ({verifier} verifier, surplus to {surplus})")
    for column in ("round", "bids", "included", "price", "revenue (wei)", "payouts (wei)", "surplus (wei)", "chunks", "proven", "slashed (wei)", "verified"):
        table.add_column(column, justify="right")
    for summary in report.rounds:
        table.add_row(
            str(summary.round_id), str(summary.bids), str(summary.included), summary.price, f"{summary.revenue_wei:,}",
            f"{summary.payouts_wei:,}", f"{summary.surplus_wei:,}", str(summary.chunks), str(summary.proven),
            f"{summary.slashed_wei:,}", "yes" if summary.verified else "NO",
        )
    out = Console(width=max(Console().width, 150))  # the table stays unwrapped in logs and pipes
    out.print(table)
    out.print(f"market {report.deployment.market}: contract solvent: {'yes' if report.solvent else 'NO'}; "
                    f"every round verified: {'yes' if report.all_verified else 'NO'}")
    for summary in report.rounds:
        for difference in summary.differences:
            out.print(f"round {summary.round_id}: {difference}")
    if not (report.solvent and report.all_verified):
        raise SystemExit(1)
