"""A participant's own commands: balance, withdraw, exit, withdraw-collateral, slash, dispute, rounds.

Thin click functions over :class:`~proofmarket.chain.market.ProofMarketClient`, with the
conventions of ``cli/market.py`` (``--rpc``, ``--deployment``, ``--key`` or ``--devnet-account``,
amounts as wei or ``600gwei`` / ``1ether``). Transactions print one JSON line on stdout and a
sentence on stderr; a user's mistake (and a revert the user caused, as ``cli/reverts.py``
words it) is one line on stderr with exit code 2.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from proofmarket.cli.market import (
    _account,
    _connect,
    _parse_wei,
    _require_funds,
    _require_gas_funds,
    _transact,
    api_option,
    deployment_option,
    devnet_account_option,
    key_option,
    rpc_option,
)
from proofmarket.cli.reverts import wei_text
from proofmarket.exceptions import ProofMarketError, UserInputError

console = Console(stderr=True)

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (amounts as decimal wei strings).")


def _client(rpc: str, deployment_path):
    web3, deployment = _connect(rpc, deployment_path)
    return web3, deployment.client(web3)


def _from_command_line(parameter: str) -> bool:
    from click.core import ParameterSource

    return click.get_current_context().get_parameter_source(parameter) is ParameterSource.COMMANDLINE


def _transaction_hash(receipt: dict) -> str:
    return "0x" + bytes(receipt["transactionHash"]).hex()


def _say(payload: dict[str, Any], sentence: str) -> None:
    click.echo(json.dumps(payload))
    console.print(sentence, highlight=False, soft_wrap=True)


# ---------------------------------------------------------------------------------- balance


def account_summary(client, address: str, head: int) -> dict[str, Any]:
    """What the market holds for ``address``: escrow, earnings, collateral, capacity, exit."""
    config = client.config()
    withdrawable = client.balance_of(address)
    prover = client.prover(address)
    summary: dict[str, Any] = {
        "address": address,
        "block": head,
        "escrow_wei": str(withdrawable - prover.earnings),
        "earnings_wei": str(prover.earnings),
        "withdrawable_wei": str(withdrawable),
        "registered_prover": prover.registered,
        "collateral_wei": str(prover.collateral),
        "collateral_locked_wei": str(prover.locked),
        "collateral_free_wei": str(prover.free_collateral),
        "capacity": prover.capacity,
        "capacity_decrease": None,
        "exit": None,
    }
    if prover.decrease_pending:
        summary["capacity_decrease"] = {"capacity": prover.next_capacity, "effective_block": prover.capacity_change_at}
    if prover.exiting:
        withdrawable_from = prover.exit_available_at + config.settlement_window_blocks
        summary["exit"] = {
            "effective_block": prover.exit_available_at,
            "collateral_withdrawable_from_block": withdrawable_from,
        }
    return summary


@click.command()
@rpc_option
@deployment_option
@key_option
@devnet_account_option
@json_option
@click.argument("address", required=False)
def balance(rpc, deployment_path, key, devnet_account, as_json, address):
    """Show what the market holds for ADDRESS (default: the --key / --devnet-account signer).

    Escrow (withdrawable with `proofmarket withdraw`), a prover's uncollected earnings,
    collateral free and locked, capacity, and a pending capacity decrease or exit.
    """
    from eth_utils import is_address, to_checksum_address

    if address is None:
        address = _account(key, devnet_account).address
    elif devnet_account is not None or (key is not None and _from_command_line("key")):
        raise UserInputError("give ADDRESS or --key / --devnet-account, not both")
    elif not is_address(address):
        raise UserInputError(f"not an address: {address!r} (write 0x and 40 hex digits)")
    web3, client = _client(rpc, deployment_path)
    summary = account_summary(client, to_checksum_address(address), web3.eth.block_number)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    lines = [
        f"account      {summary['address']} (at block {summary['block']})",
        f"escrow       {wei_text(int(summary['escrow_wei']))}",
    ]
    if int(summary["earnings_wei"]) or summary["registered_prover"]:
        lines.append(f"earnings     {wei_text(int(summary['earnings_wei']))} (uncollected; withdraw collects them)")
    lines.append(f"withdrawable {wei_text(int(summary['withdrawable_wei']))}")
    if summary["registered_prover"]:
        lines += [
            f"collateral   {wei_text(int(summary['collateral_wei']))}: "
            f"{wei_text(int(summary['collateral_free_wei']))} free, {wei_text(int(summary['collateral_locked_wei']))} locked",
            f"capacity     {summary['capacity']} constraints per round",
        ]
        if summary["capacity_decrease"]:
            decrease = summary["capacity_decrease"]
            lines.append(f"             decreasing to {decrease['capacity']} for rounds closing from block {decrease['effective_block']}")
        if summary["exit"]:
            exit_ = summary["exit"]
            lines.append(
                f"exit         in force from block {exit_['effective_block']}; collateral withdrawable from block "
                f"{exit_['collateral_withdrawable_from_block']}"
            )
    else:
        lines.append("prover       not registered")
    click.echo("\n".join(lines))


# ---------------------------------------------------------------------------------- withdraw


@click.command()
@rpc_option
@deployment_option
@key_option
@devnet_account_option
@click.argument("amount")
def withdraw(rpc, deployment_path, key, devnet_account, amount):
    """Withdraw AMOUNT of the signer's escrow (wei, 600gwei, 1ether), or `all` of it.

    A prover's uncollected earnings are part of its escrow here.
    """
    user = _account(key, devnet_account)
    web3, client = _client(rpc, deployment_path)
    _require_gas_funds(web3, user)
    available = client.balance_of(user.address)
    if amount.strip().lower() == "all":
        if available == 0:
            raise UserInputError(f"nothing to withdraw: {user.address} has 0 wei in escrow")
        wanted = available
    else:
        wanted = _parse_wei(amount)
        if wanted == 0:
            raise UserInputError("the amount must be more than 0 wei")
        if wanted > available:
            raise UserInputError(
                f"insufficient escrow: {user.address} has {wei_text(available)} to withdraw, not {wei_text(wanted)}"
            )
    receipt = _transact(web3, user, lambda: client.withdraw(user, wanted))
    left = client.balance_of(user.address)
    _say(
        {"user": user.address, "withdrawn_wei": str(wanted), "balance_wei": str(left), "transaction": _transaction_hash(receipt)},
        f"withdrew {wei_text(wanted)} to {user.address}; {wei_text(left)} left in escrow",
    )


# ---------------------------------------------------------------------------------- exit


@click.command("exit")
@rpc_option
@deployment_option
@key_option
@devnet_account_option
def exit_command(rpc, deployment_path, key, devnet_account):
    """Request the signer's exit as a prover (requestExit): no new work from then on.

    Says from which block `proofmarket withdraw-collateral` can take the collateral back.
    """
    prover = _account(key, devnet_account)
    web3, client = _client(rpc, deployment_path)
    receipt = _transact(web3, prover, lambda: client.request_exit(prover))
    state = client.prover(prover.address)
    withdrawable_from = state.exit_available_at + client.config().settlement_window_blocks
    _say(
        {
            "prover": prover.address, "exit_effective_block": state.exit_available_at,
            "collateral_withdrawable_from_block": withdrawable_from, "collateral_wei": str(state.collateral),
            "transaction": _transaction_hash(receipt),
        },
        f"exit requested in block {receipt['blockNumber']}: rounds closing from block {state.exit_available_at} "
        f"assign {prover.address} nothing; its collateral ({wei_text(state.collateral)}) is withdrawable from block "
        f"{withdrawable_from} with `proofmarket withdraw-collateral`, once no chunk of it is pending",
    )


@click.command("withdraw-collateral")
@rpc_option
@deployment_option
@key_option
@devnet_account_option
def withdraw_collateral(rpc, deployment_path, key, devnet_account):
    """Take back the signer's whole collateral after its exit (withdrawCollateral).

    Possible from the exit's block plus the settlement window, once no chunk of the prover is
    pending; before that, says from which block.
    """
    prover = _account(key, devnet_account)
    web3, client = _client(rpc, deployment_path)
    receipt = _transact(web3, prover, lambda: client.withdraw_collateral(prover))
    withdrawn = sum(event["amount"] for event in client.events(receipt, "CollateralWithdrawn"))
    _say(
        {"prover": prover.address, "withdrawn_wei": str(withdrawn), "transaction": _transaction_hash(receipt)},
        f"withdrew {wei_text(withdrawn)} of collateral to {prover.address}; it is no longer a registered prover",
    )


# ---------------------------------------------------------------------------------- slash


def chunk_command(function):
    """A command about chunk CHUNK of round ROUND, signed by --key or --devnet-account."""
    for decorator in reversed((
        click.command(),
        rpc_option,
        deployment_option,
        key_option,
        devnet_account_option,
        click.argument("round_id", metavar="ROUND", type=click.IntRange(min=0)),
        click.argument("chunk_index", metavar="CHUNK", type=click.IntRange(min=0)),
    )):
        function = decorator(function)
    return function


@chunk_command
def slash(rpc, deployment_path, key, devnet_account, round_id, chunk_index):
    """Slash chunk CHUNK of round ROUND, unproven after its deadline; the signer is the reporter.

    The refund list the contract checks is rebuilt from the round's settlement transaction.
    The chunk's users are refunded, the reporter gets its share of the rest.
    """
    reporter = _account(key, devnet_account)
    web3, client = _client(rpc, deployment_path)
    head = web3.eth.block_number
    chunk = _pending_chunk(client, round_id, chunk_index, "slash")
    if head + 1 <= chunk.deadline:  # the transaction runs in the next block at the earliest
        raise UserInputError(
            f"chunk {chunk_index} of round {round_id} is not slashable yet: its proving deadline is block "
            f"{chunk.deadline}, so it can be slashed from block {chunk.deadline + 1} (this is block {head})"
        )
    receipt = _transact(web3, reporter, lambda: client.slash(reporter, round_id, chunk_index))
    (event,) = client.events(receipt, "ChunkSlashed")
    _say(
        {
            "round": round_id, "chunk": chunk_index, "prover": event["prover"], "reporter": reporter.address,
            "collateral_slashed_wei": str(event["collateralSlashed"]), "refunded_wei": str(event["refunded"]),
            "reporter_reward_wei": str(event["reporterReward"]), "treasury_share_wei": str(event["treasuryShare"]),
            "transaction": _transaction_hash(receipt),
        },
        f"slashed chunk {chunk_index} of round {round_id}: {wei_text(event['collateralSlashed'])} of {event['prover']}'s "
        f"collateral; {wei_text(event['refunded'])} refunded to its users, {wei_text(event['reporterReward'])} to you",
    )


@chunk_command
def dispute(rpc, deployment_path, key, devnet_account, round_id, chunk_index):
    """Dispute chunk CHUNK of round ROUND: its recorded commitment is not its transactions'.

    The chunk's transactions are read from the round's settlement transaction and their
    commitment recomputed here first; the contract recomputes it again. A disputed chunk's
    prover keeps its collateral and its users are refunded from the chunk's payment.
    """
    from proofmarket.zk.commitment import chunk_commitment

    disputer = _account(key, devnet_account)
    web3, client = _client(rpc, deployment_path)
    chunk = _pending_chunk(client, round_id, chunk_index, "dispute")
    refunds = client.refunds_from_settlement(round_id)[chunk_index]
    if chunk_commitment([refund.tx_hash for refund in refunds]) == bytes(chunk.commitment):
        raise UserInputError(
            f"chunk {chunk_index} of round {round_id} has the right commitment (0x{bytes(chunk.commitment).hex()}): "
            "nothing to dispute; prove it"
        )
    receipt = _transact(web3, disputer, lambda: client.dispute_commitment(disputer, round_id, chunk_index, refunds))
    (event,) = client.events(receipt, "ChunkDisputed")
    _say(
        {
            "round": round_id, "chunk": chunk_index, "prover": event["prover"], "disputer": disputer.address,
            "commitment": "0x" + bytes(event["commitment"]).hex(), "recomputed": "0x" + bytes(event["recomputed"]).hex(),
            "refunded_wei": str(event["refunded"]), "burned_wei": str(event["burned"]),
            "transaction": _transaction_hash(receipt),
        },
        f"disputed chunk {chunk_index} of round {round_id}: {event['prover']} keeps its collateral; "
        f"{wei_text(event['refunded'])} refunded to its users, {wei_text(event['burned'])} burned",
    )


def _pending_chunk(client, round_id: int, chunk_index: int, action: str):
    """The chunk, if it exists and is still pending; else a one-line user mistake."""
    from proofmarket.chain.market import ChunkStatus

    _check_round_exists(client, round_id)
    state = client.round(round_id)
    if not state.settled:
        raise UserInputError(f"round {round_id} is not settled: it has no chunks to {action}")
    if chunk_index >= state.chunk_count:
        raise UserInputError(f"round {round_id} has {state.chunk_count} chunk(s) (0 to {state.chunk_count - 1}), not {chunk_index}")
    chunk = client.chunk(round_id, chunk_index)
    if chunk.status is not ChunkStatus.PENDING:
        raise UserInputError(f"chunk {chunk_index} of round {round_id} is already {chunk.status.name.lower()}: nothing to {action}")
    return chunk


def _check_round_exists(client, round_id: int) -> int:
    """The open round; a round after it does not exist yet (a user mistake)."""
    current = client.current_round()
    if round_id > current:
        raise UserInputError(f"round {round_id} does not exist yet: the open round is {current}")
    return current


# ---------------------------------------------------------------------------------- register-prover, ask


@click.command("register-prover")
@rpc_option
@deployment_option
@key_option
@devnet_account_option
@click.option("--capacity", type=click.IntRange(min=1), required=True,
              help="Constraints per round the prover can prove (changes later only with setCapacity).")
@click.option("--collateral", default=None,
              help="Collateral to lock (wei or e.g. 0.01ether; default: κ·capacity, the least the market takes).")
def register_prover(rpc, deployment_path, key, devnet_account, capacity, collateral):
    """Register the signer as a prover of --capacity, locking its collateral (registerProver).

    A registered prover then asks each round (`proofmarket ask`, or `proofmarket prover`).
    """
    prover = _account(key, devnet_account)
    wanted = None if collateral is None else _parse_wei(collateral)
    web3, client = _client(rpc, deployment_path)
    per_constraint = client.config().collateral_per_constraint
    required = per_constraint * capacity
    if wanted is None:
        wanted = required
    elif wanted < required:
        raise UserInputError(
            f"--collateral {wei_text(wanted)} is under the {wei_text(required)} a capacity of {capacity} needs "
            f"(κ = {wei_text(per_constraint)} per constraint)"
        )
    state = client.prover(prover.address)
    if state.registered:
        raise UserInputError(
            f"{prover.address} is already a registered prover (capacity {state.capacity}, collateral "
            f"{wei_text(state.collateral)}): nothing to do"
        )
    _require_funds(web3, prover, wanted, "collateral")
    receipt = _transact(web3, prover, lambda: client.register_prover(prover, capacity, wanted))
    _say(
        {"prover": prover.address, "capacity": capacity, "collateral_wei": str(wanted), "transaction": _transaction_hash(receipt)},
        f"registered {prover.address} as a prover of {capacity} constraints per round with {wei_text(wanted)} of "
        "collateral; next: an ask each round (proofmarket ask --unit-cost ...)",
    )


@click.command()
@rpc_option
@deployment_option
@api_option
@key_option
@devnet_account_option
@click.option("--unit-cost", required=True, help="The least the prover takes per constraint (wei or e.g. 1gwei).")
@click.option("--round", "round_id", type=click.IntRange(min=0), default=None, help="Round (default: the open one).")
@click.option("--nonce", type=click.IntRange(min=0), default=None,
              help="Ask nonce (default: milliseconds since the epoch); a prover's latest ask in a round counts.")
@click.option("--database", default=None,
              help="Store the ask in this clearinghouse database (SQLAlchemy URL; the ape scripts' run_round reads "
                   "$PROOFMARKET_HOME/clearinghouse.db) instead of posting it to --api.")
def ask(rpc, deployment_path, api_url, key, devnet_account, unit_cost, round_id, nonce, database):
    """Sign a registered prover's ask (its cost per constraint) for a round and submit it.

    The bid API's checks apply (open round, registered, not exiting, free collateral).
    """
    import time

    from proofmarket.chain.typed_data import AskMessage, sign_ask

    prover = _account(key, devnet_account)
    unit_cost_wei = _parse_wei(unit_cost)
    web3, deployment = _connect(rpc, deployment_path)
    client = deployment.client(web3)
    open_round = _open_round(client, web3.eth.block_number)
    message = AskMessage(
        prover=prover.address, unit_cost=unit_cost_wei, round=open_round if round_id is None else round_id,
        nonce=time.time_ns() // 10**6 if nonce is None else nonce,
    )
    signature = sign_ask(prover, client.domain, message)
    if database is None:
        from proofmarket.bootstrap import HttpClearinghouseApi
        from proofmarket.cli.market import _check_api_market

        api = HttpClearinghouseApi(api_url)
        _check_api_market(api, api_url, deployment)
        digest = api.post_ask(
            {
                "prover": prover.address, "unit_cost": str(unit_cost_wei), "round": message.round,
                "nonce": message.nonce, "signature": "0x" + signature.hex(),
            }
        )["digest"]
        where = "accepted by the bid API"
    else:
        digest = _store_ask(client, deployment, database, message, signature, open_round)
        where = "stored in the clearinghouse database"
    _say(
        {"prover": prover.address, "round": message.round, "unit_cost_wei": str(unit_cost_wei), "nonce": message.nonce, "digest": digest},
        f"ask {where} for round {message.round}: {wei_text(unit_cost_wei)} per constraint; "
        f"it closes at block {client.round_close_block(message.round)}",
    )


def _open_round(client, block: int) -> int:
    from proofmarket.clearinghouse.schedule import round_at_block

    config = client.config()
    return round_at_block(block, config.genesis_block, config.round_length_blocks)


def _store_ask(client, deployment, database: str, message, signature: bytes, open_round: int) -> str:
    """The bid API's intake of an ask, straight into a clearinghouse database (no API runs on
    the ape scripts' path): the same checks, the same store."""
    from proofmarket.clearinghouse.chain_adapter import MarketAdapter
    from proofmarket.clearinghouse.intake import SignedAsk, validate_ask
    from proofmarket.clearinghouse.service import Clearinghouse
    from proofmarket.clearinghouse.store import Store

    market = MarketAdapter(client, None)  # reads only: the ask is signed by the prover, stored here
    signed = SignedAsk(message, signature)
    digest = validate_ask(
        signed, domain=client.domain, parameters=market.parameters(), open_round=open_round,
        prover=market.prover_status(message.prover),
    )
    clearinghouse = Clearinghouse(store=Store(database), market=market, domain=client.domain)
    try:
        clearinghouse.bind_market(deployment.chain_id, deployment.market, deployment.deploy_block)
        return clearinghouse.record_ask(signed, digest)
    finally:
        clearinghouse.store.close()


# ---------------------------------------------------------------------------------- rounds


def round_summary(client, round_id: int, current: int, head: int, config) -> dict[str, Any]:
    """One round as the chain has it: state, included bids, price, revenue, payouts, slashed."""
    from proofmarket.chain.market import ChunkStatus

    state = client.round(round_id)
    close_block = client.round_close_block(round_id)
    summary: dict[str, Any] = {
        "round": round_id, "close_block": close_block, "state": None, "bids": None, "included": state.bid_count,
        "chunks": state.chunk_count, "proven": 0, "pending": 0, "slashed": 0,
        "price_per_constraint_wei": None, "revenue_wei": str(state.revenue), "payouts_wei": str(state.payments),
        "surplus_wei": str(state.surplus), "slashed_wei": "0",
    }
    if not state.settled:
        if round_id == current:
            summary["state"] = "open"
        elif head < close_block + config.settlement_window_blocks:
            summary["state"] = "closed"
        else:
            summary["state"] = "unsettled"
        return summary
    price = state.price
    summary["price_per_constraint_wei"] = {"num": str(price.numerator), "den": str(price.denominator)}
    slashed_wei = 0
    for index in range(state.chunk_count):
        chunk = client.chunk(round_id, index)
        if chunk.status is ChunkStatus.PROVEN:
            summary["proven"] += 1
        elif chunk.status is ChunkStatus.SLASHED:
            summary["slashed"] += 1
            slashed_wei += chunk.collateral
        else:
            summary["pending"] += 1
    summary["slashed_wei"] = str(slashed_wei)
    if summary["pending"] == 0:
        summary["state"] = "resolved"
    else:
        summary["state"] = "proving" if head <= state.deadline else "overdue"
    return summary


def _price_text(price: dict | None) -> str:
    if price is None:
        return "-"
    num, den = int(price["num"]), int(price["den"])
    if num % den == 0:
        return f"{num // den:,}"
    return f"{num / den:,.3f}"


@click.command()
@rpc_option
@deployment_option
@click.option("--last", "last", type=click.IntRange(min=1, max=1000), default=5, show_default=True,
              help="How many rounds to show, counting back from the open one.")
@click.option("--api", "api_url", envvar="PROOFMARKET_API", default=None,
              help="Also ask this bid API how many bids each round received (the chain records only the included ones).")
@json_option
def rounds(rpc, deployment_path, last, api_url, as_json):
    """Recent rounds from the chain: state, bids, included, price per constraint, revenue,
    payouts, slashed.

    States: open, closed (not settled on-chain: awaiting settlement, or with nothing to settle;
    with --api, the latter shows as empty), unsettled (its settlement window passed), proving,
    overdue (a chunk is slashable), resolved (every chunk proven or slashed).
    """
    web3, client = _client(rpc, deployment_path)
    head = web3.eth.block_number
    config = client.config()
    current = client.current_round()
    api = None
    if api_url:
        from proofmarket.bootstrap import HttpClearinghouseApi

        api = HttpClearinghouseApi(api_url)
    summaries = []
    for round_id in range(current, max(current - last, -1), -1):
        summary = round_summary(client, round_id, current, head, config)
        if api is not None:
            try:
                status = api.round_status(round_id)
            except ProofMarketError:
                status = {}
            summary["bids"] = status.get("bids")
            if summary["state"] == "closed" and status.get("state") == "empty":
                summary["state"] = "empty"  # nothing to settle: the chain alone cannot tell
        summaries.append(summary)
    if as_json:
        click.echo(json.dumps(summaries, indent=2))
        return
    table = Table(title=f"market {client.address} at block {head}")
    for column in ("round", "state", "bids", "included", "chunks", "price/constraint (wei)", "revenue (wei)",
                   "payouts (wei)", "proven", "slashed", "slashed (wei)"):
        table.add_column(column, justify="right")
    for summary in summaries:
        table.add_row(
            str(summary["round"]), summary["state"], "-" if summary["bids"] is None else str(summary["bids"]),
            str(summary["included"]), str(summary["chunks"]), _price_text(summary["price_per_constraint_wei"]),
            f"{int(summary['revenue_wei']):,}", f"{int(summary['payouts_wei']):,}", str(summary["proven"]),
            str(summary["slashed"]), f"{int(summary['slashed_wei']):,}",
        )
    Console(width=max(Console().width, 150)).print(table)


ACCOUNT_COMMANDS = (
    balance, withdraw, exit_command, withdraw_collateral, slash, dispute, rounds, register_prover, ask
)
