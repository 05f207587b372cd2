"""A participant's own commands: balance, withdraw, exit, withdraw-collateral, slash, rounds.

Thin click functions over :class:`~proofmarket.chain.market.ProofMarketClient`, with the
conventions of ``cli/market.py`` (``--rpc``, ``--deployment``, ``--key`` or ``--devnet-account``,
amounts as wei or ``600gwei`` / ``1ether``). Transactions print one JSON line on stdout and a
sentence on stderr; a user's mistake (and a revert the user caused, as ``cli/reverts.py``
words it) is one line on stderr with exit code 2.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import click
from rich.console import Console
from rich.table import Table

from proofmarket.cli.market import (
    _account,
    _connect,
    _parse_wei,
    deployment_option,
    devnet_account_option,
    key_option,
    rpc_option,
)
from proofmarket.cli.reverts import wei_text
from proofmarket.exceptions import ChainError, ProofMarketError, UserInputError

console = Console(stderr=True)

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (amounts as decimal wei strings).")


def _client(rpc: str, deployment_path):
    web3, deployment = _connect(rpc, deployment_path)
    return web3, deployment.client(web3)


def _require_gas_funds(web3, account) -> int:
    """The account's ETH; none at all is the user's mistake (checked before anything else)."""
    held = web3.eth.get_balance(account.address)
    if held == 0:
        raise UserInputError(f"{account.address} has no ETH to pay for gas on this chain: fund the account first")
    return held


def _transact(web3, account, action: Callable[[], dict]) -> dict:
    """Runs ``action`` (a client transaction from ``account``); an account without the ETH to
    pay its gas is the user's mistake, said in one line."""
    held = _require_gas_funds(web3, account)
    try:
        return action()
    except ProofMarketError:
        raise
    except Exception as error:  # noqa: BLE001 - node errors vary by backend; never a traceback
        text = " ".join(str(error).split())
        if "insufficient funds" in text.lower() or "sender doesn't have enough funds" in text.lower():
            raise UserInputError(
                f"{account.address} has too little ETH ({wei_text(held)}) to pay for this transaction's gas"
            ) from None
        raise ChainError(f"the transaction failed: {text}") from None


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
    """Withdraw AMOUNT (wei, or e.g. 600gwei, 1ether) of the signer's escrow, or `all` of it.

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


@click.command()
@rpc_option
@deployment_option
@key_option
@devnet_account_option
@click.argument("round_id", metavar="ROUND", type=click.IntRange(min=0))
@click.argument("chunk_index", metavar="CHUNK", type=click.IntRange(min=0))
def slash(rpc, deployment_path, key, devnet_account, round_id, chunk_index):
    """Slash chunk CHUNK of round ROUND, unproven after its deadline; the signer is the reporter.

    The refund list the contract checks is rebuilt from the round's settlement transaction.
    The chunk's users are refunded, the reporter gets its share of the rest.
    """
    from proofmarket.chain.market import ChunkStatus

    reporter = _account(key, devnet_account)
    web3, client = _client(rpc, deployment_path)
    head = web3.eth.block_number
    _check_round_exists(client, round_id)
    state = client.round(round_id)
    if not state.settled:
        raise UserInputError(f"round {round_id} is not settled: it has no chunks to slash")
    if chunk_index >= state.chunk_count:
        raise UserInputError(f"round {round_id} has {state.chunk_count} chunk(s) (0 to {state.chunk_count - 1}), not {chunk_index}")
    chunk = client.chunk(round_id, chunk_index)
    if chunk.status is not ChunkStatus.PENDING:
        raise UserInputError(f"chunk {chunk_index} of round {round_id} is already {chunk.status.name.lower()}: nothing to slash")
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


def _check_round_exists(client, round_id: int) -> int:
    """The open round; a round after it does not exist yet (a user mistake)."""
    current = client.current_round()
    if round_id > current:
        raise UserInputError(f"round {round_id} does not exist yet: the open round is {current}")
    return current


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

    States: open, closed (awaiting settlement), unsettled (its settlement window passed),
    proving, overdue (a chunk is slashable), resolved (every chunk proven or slashed).
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
                summary["bids"] = api.round_status(round_id).get("bids")
            except ProofMarketError:
                summary["bids"] = None
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


ACCOUNT_COMMANDS = (balance, withdraw, exit_command, withdraw_collateral, slash, rounds)
