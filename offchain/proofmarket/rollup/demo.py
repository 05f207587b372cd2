"""The rollup demo: the reference ZK rollup finalizing its state on the market's proofs.

Deploys the market with the rollup's chunk verifier and the rollup contract; users deposit on
L1; each round every user with L2 funds sends a transfer through the bid API (its body to
``POST /v1/transactions``, then a bid paying for it); the clearinghouse clears the round and
sequences it; prover agents prove their chunks with real Groth16 proofs; the operator confirms
and finalizes each round on the rollup contract. In one round a prover stays silent: its chunk is
slashed after the deadline and the operator proves it instead (the missed-deadline rule). In the
last round a user sends funds to its exit address and withdraws them on L1 with a Merkle proof.

The report has each round's finalized root, the L2 balances, and a check that they equal a plain
Python execution of the same deposits and transfers (a dict of balances, no tree).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from web3 import Web3

from proofmarket.bootstrap import ApiServer, HttpClearinghouseApi, build_clearinghouse, build_prover_agent
from proofmarket.chain.typed_data import BidMessage, bid_request, sign_bid
from proofmarket.demo import DemoOptions, _fresh_run_directory, _mine_until, fund_parties
from proofmarket.deployment import Deployment, MarketSettings, deploy
from proofmarket.network import serialize_requests
from proofmarket.rollup.contract import RollupClient, exit_address_of
from proofmarket.rollup.operator import RollupOperator
from proofmarket.rollup.sequencer import transfer_body
from proofmarket.rollup.sequencing import guaranteed_deposits, replay, round_from_json
from proofmarket.rollup.state import Deposit, RollupState, Transfer, address_value

ETHER = 10**18
GWEI = 10**9
#: A round is used only with this many blocks left before it closes (asks and bids take none,
#: but a block a transaction, and a round that closes under them refuses them).
ROUND_MARGIN_BLOCKS = 10

#: Every rollup bid asks for the same proving size: a chunk proof costs the same whatever it holds.
CONSTRAINTS_PER_TRANSFER = 300


@dataclass(frozen=True)
class RollupDemoOptions:
    users: int = 4
    provers: int = 3
    rounds: int = 3
    #: The round (0-based) in which one prover stays silent and is slashed; None: nobody.
    silent_round: int | None = 1
    seed: int = 5
    deposit_wei: int = 5 * ETHER
    work_directory: Path | None = None


@dataclass
class RollupRoundReport:
    round_id: int
    transfers: int
    deposits: int
    chunks: int
    rescued: int
    state_root: int
    finalized: bool = True


@dataclass
class RollupDemoReport:
    deployment: Deployment
    rounds: list[RollupRoundReport]
    #: address -> (L2 balance in the finalized state, the plain Python execution's balance)
    balances: dict[str, tuple[int, int]]
    contract_root: int
    python_root: int
    withdrawn: dict[str, int] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(self.checks.values())


def plain_balances(deposits: list[Deposit], transfers: list[Transfer]) -> dict[int, int]:
    """The balances after the deposits and transfers, as a plain dict (no tree, no hashing):
    what the rollup's state must equal."""
    balances: dict[int, int] = {}
    for deposit in deposits:
        balances[deposit.recipient] = balances.get(deposit.recipient, 0) + deposit.amount
    for transfer in transfers:
        balances[transfer.sender] -= transfer.amount
        balances[transfer.recipient] = balances.get(transfer.recipient, 0) + transfer.amount
    return balances


@dataclass
class RollupStack:
    """The market, the rollup and everything around them on one devnet; methods are the steps
    of a rollup round. The demo and the end-to-end tests drive it."""

    web3: Web3
    deployment: Deployment
    client: object  # ProofMarketClient
    rollup: RollupClient
    node: object  # ClearinghouseNode
    server: ApiServer
    api: HttpClearinghouseApi
    operator: RollupOperator
    agents: list
    parties: object  # DemoParties
    rng: random.Random
    progress: Callable[[str], None] = lambda message: None

    @classmethod
    def start(cls, web3: Web3, options: RollupDemoOptions, progress: Callable[[str], None] = lambda m: None) -> RollupStack:
        """Deploy the market (rollup verifier, ``maxBidsPerChunk`` 1) and the rollup, start the
        clearinghouse with its sequencer, the bid API and the prover agents."""
        serialize_requests(web3)
        work = _fresh_run_directory(options.work_directory)
        progress("funding accounts")
        parties = fund_parties(web3, DemoOptions(users=options.users, provers=options.provers, seed=options.seed))
        progress("deploying the market (rollup chunk verifier) and the rollup contract")
        settings = MarketSettings(
            capacity_per_round=options.provers * CONSTRAINTS_PER_TRANSFER, collateral_per_constraint=10 * GWEI,
            round_length_blocks=40, proving_window_blocks=30, max_bids_per_chunk=1,
        )
        deployment, client = deploy(
            web3, parties.owner, parties.clearinghouse.address, parties.treasury.address, settings, "rollup"
        )
        deployment.save(work / "deployment.json")
        node = build_clearinghouse(
            web3, deployment, parties.clearinghouse, f"sqlite:///{work / 'clearinghouse.db'}", work / "rounds", cache_seconds=0
        )
        server = ApiServer(node.app).start()
        rollup = RollupClient(web3, deployment.rollup)
        stack = cls(
            web3, deployment, client, rollup, node, server, HttpClearinghouseApi(server.url), None, [], parties,
            random.Random(options.seed), progress,
        )
        stack.operator = RollupOperator(rollup, client, parties.owner, stack.settled_sequences)
        stack.agents = [
            build_prover_agent(web3, deployment, prover, server.url, capacity=CONSTRAINTS_PER_TRANSFER, unit_cost_wei=GWEI)
            for prover in parties.provers
        ]
        for agent in stack.agents:
            agent.ensure_registered()
        return stack

    def close(self) -> None:
        self.server.stop()
        self.node.close()

    @property
    def users(self) -> list:
        return self.parties.users

    def settled_sequences(self) -> list[dict]:
        """The sequence documents of the settled rounds, in order (the clearinghouse's)."""
        with self.node.clearinghouse.store.session() as session:
            return self.node.clearinghouse.settled_sequences(session)

    def deposit(self, amount_wei: int) -> None:
        """Every user deposits ``amount_wei`` into the rollup on L1, and 1 ETH of market escrow."""
        for user in self.users:
            self.rollup.deposit(user, user.address, amount_wei)
            self.client.deposit(user, ETHER)

    def base_state(self) -> RollupState:
        """What the next round's transfers are checked against: the settled rounds' state and the
        deposits the round is sure to apply first (docs/rollup.md, "Sequencing")."""
        state = self.node.clearinghouse.sequencer.round_start(self.settled_sequences())
        guaranteed = guaranteed_deposits(self.client.config().max_bids_per_chunk)
        last = min(self.rollup.deposit_count(), state.deposits_applied + guaranteed)
        pending = self.rollup.deposits(state.deposits_applied + 1, last) if last > state.deposits_applied else []
        return state.apply_all(pending)

    def open_round(self) -> int:
        """The round open now (mining to the market's genesis first), with at least
        :data:`ROUND_MARGIN_BLOCKS` blocks left before it closes (else the next one); the
        provers, registered with their full collateral, ask for it."""
        for agent in self.agents:
            agent.ensure_registered()  # a slashed prover tops its collateral back up (a block each)
        config = self.client.config()
        if self.web3.eth.block_number < config.genesis_block:
            _mine_until(self.web3, config.genesis_block)
        round_id = (self.web3.eth.block_number - config.genesis_block) // config.round_length_blocks
        if self.client.round_close_block(round_id) - self.web3.eth.block_number < ROUND_MARGIN_BLOCKS:
            _mine_until(self.web3, self.client.round_close_block(round_id))
            round_id += 1
        for agent in self.agents:
            agent.post_ask(round_id)
        return round_id

    def plan_transfers(self, exit_user=None) -> list[tuple[object, Transfer, int]]:
        """One transfer per user with L2 funds, and the gwei per constraint its bid offers: a
        quarter of its balance at most to another user, at 2-6 gwei; ``exit_user`` sends half its
        balance to its exit address instead, at 8 gwei (the highest bid: it is included)."""
        base = self.base_state()
        plan = []
        for user in self.users:
            account = base.account(address_value(user.address))
            if account is None or account.balance == 0:
                continue
            if user is exit_user:
                recipient, amount, fee = address_value(exit_address_of(user.address)), account.balance // 2, 8
            else:
                recipient = address_value(self.rng.choice([u for u in self.users if u is not user]).address)
                amount, fee = self.rng.randint(1, max(1, account.balance // 4)), self.rng.randint(2, 6)
            plan.append((user, Transfer(account.address, recipient, amount, account.nonce), fee))
        return plan

    def submit(self, round_id: int, plan: list[tuple[object, Transfer, int]]) -> list[str]:
        """Each transfer's body to ``POST /v1/transactions``, then its bid; returns the digests."""
        bids = []
        for user, transfer, gwei_per_constraint in plan:
            tx_hash = self.api.post_transaction(transfer_body(transfer))["tx_hash"]
            bids.append(_signed_bid(self.client, user, round_id, round_id, tx_hash, gwei_per_constraint * GWEI))
        result = self.api.post_bids(bids)
        if result["rejected"]:
            raise RuntimeError(f"bids were rejected: {result['rejected'][:3]}")
        return [accepted["digest"] for accepted in result["accepted"]]

    def settle(self, round_id: int) -> list[dict]:
        """Mine to the round's close and run the clearinghouse: cleared, sequenced, settled.
        Returns the round's chunks as the API lists them."""
        _mine_until(self.web3, self.client.round_close_block(round_id))
        self.node.run_once()
        return self.api.round_status(round_id)["chunks"]

    def prove(self, round_id: int, silent: set[str] = frozenset()) -> None:
        """The prover agents prove their chunks (those in ``silent`` do not)."""
        for agent in self.agents:
            agent.silent = agent.address in silent
            for proved in agent.prove_assignments():
                self.progress(f"round {round_id}: {agent.address[:10]} proved chunk {proved.chunk_index} "
                              f"({proved.proving_seconds:.1f} s, gas {proved.gas_used:,})")
            agent.silent = False
        self.node.run_once()

    def pass_deadline(self, round_id: int) -> None:
        """Mine past the round's proving deadline; the clearinghouse slashes what is unproven."""
        _mine_until(self.web3, self.client.round(round_id).deadline + 1)
        self.node.run_once()

    def sequenced(self, round_id: int):
        """The round as the sequencer executed it."""
        return round_from_json(next(d for d in self.settled_sequences() if d["round"] == round_id))

    def withdraw(self, user) -> int:
        """``user`` withdraws its exit account's balance on L1, against the last finalized root;
        returns the wei it received (0 if it has no exit account)."""
        state = replay(round_from_json(document) for document in self.settled_sequences())
        index = state.index_of(address_value(exit_address_of(user.address)))
        if index is None:
            return 0
        account, proof = state.accounts[index], state.merkle_proof(index)
        before = self.web3.eth.get_balance(user.address)
        receipt = self.rollup.withdraw(
            user, self.rollup.last_finalized_round(), account.balance, account.nonce, index, list(proof.siblings)
        )
        self.progress(f"{user.address[:10]} withdrew {account.balance:,} wei on L1 with a Merkle proof against the finalized root")
        return self.web3.eth.get_balance(user.address) - before + int(receipt["gasUsed"]) * int(receipt.get("effectiveGasPrice", 0))


def run_rollup_demo(web3: Web3, options: RollupDemoOptions, progress: Callable[[str], None] = lambda m: None) -> RollupDemoReport:
    """Run the demo on ``web3`` (a devnet that mines on request)."""
    stack = RollupStack.start(web3, options, progress)
    try:
        progress(f"{len(stack.users)} users deposit {options.deposit_wei / ETHER:g} ETH each into the rollup on L1")
        stack.deposit(options.deposit_wei)
        reports = [
            _demo_round(stack, iteration == options.silent_round, iteration == options.rounds - 1)
            for iteration in range(options.rounds)
        ]
        withdrawer = stack.users[0]
        withdrawn = {withdrawer.address: stack.withdraw(withdrawer)}
        return _report(stack, reports, withdrawn, withdrawer)
    finally:
        stack.close()


def _demo_round(stack: RollupStack, silent: bool, last: bool) -> RollupRoundReport:
    round_id = stack.open_round()
    plan = stack.plan_transfers(exit_user=stack.users[0] if last else None)
    stack.submit(round_id, plan)
    stack.progress(f"round {round_id}: {len(plan)} L2 transfers and their bids through the API")
    chunks = stack.settle(round_id)
    if not chunks:
        stack.progress(f"round {round_id}: nothing included: nothing to finalize")
        return RollupRoundReport(round_id, 0, 0, 0, 0, stack.rollup.state_root(), finalized=False)
    stack.progress(f"round {round_id}: settled with {len(chunks)} chunk(s); provers prove" + (
        " (the first chunk's prover stays silent)" if silent else ""))
    stack.prove(round_id, silent={chunks[0]["prover"]} if silent else set())
    rescued_before = len(stack.operator.rescued)
    if silent:
        stack.progress(f"round {round_id}: past the deadline the market slashes the silent prover; the operator proves its chunk")
        stack.pass_deadline(round_id)
    stack.operator.step()
    if round_id not in stack.operator.finalized:
        raise RuntimeError(f"round {round_id} was not finalized on the rollup contract")
    sequenced = stack.sequenced(round_id)
    stack.progress(f"round {round_id}: finalized, state root {stack.rollup.state_root():#x}"[:90])
    transfers = sum(isinstance(op, Transfer) for chunk in sequenced.chunks for op in chunk.operations)
    return RollupRoundReport(
        round_id, transfers, sequenced.deposits, len(sequenced.chunks), len(stack.operator.rescued) - rescued_before,
        stack.rollup.state_root(),
    )


def _signed_bid(client, user, round_id: int, nonce: int, tx_hash: str, gwei_per_constraint: int) -> dict:
    """The bid API's body for ``user``'s signed bid paying for the transaction ``tx_hash``."""
    message = BidMessage(
        user=user.address, tx_hash=bytes.fromhex(tx_hash[2:]), constraints=CONSTRAINTS_PER_TRANSFER,
        max_fee=CONSTRAINTS_PER_TRANSFER * gwei_per_constraint, round=round_id, nonce=nonce,
    )
    return bid_request(message, sign_bid(user, client.domain, message))


def _report(stack: RollupStack, reports, withdrawn: dict[str, int], withdrawer) -> RollupDemoReport:
    rollup = stack.rollup
    sequenced = [round_from_json(document) for document in stack.settled_sequences()]
    state = replay(sequenced)
    operations = [op for rounds in sequenced for chunk in rounds.chunks for op in chunk.operations]
    plain = plain_balances([op for op in operations if isinstance(op, Deposit)], [op for op in operations if isinstance(op, Transfer)])
    exits = {address_value(exit_address_of(user.address)): user.address for user in stack.users}
    balances = {
        f"0x{address:040x}" + (f" (exit of {exits[address][:10]})" if address in exits else ""):
            (state.account(address).balance, amount)
        for address, amount in sorted(plain.items())
    }
    exit_balance = state.account(address_value(exit_address_of(withdrawer.address)))
    report = RollupDemoReport(stack.deployment, reports, balances, rollup.state_root(), state.root, withdrawn)
    report.checks = {
        "the L2 balances equal a plain Python execution of the same deposits and transfers":
            all(tree == plain for tree, plain in balances.values()) and len(state.accounts) == len(plain),
        "the rollup contract's finalized root is the Python state's root": rollup.state_root() == state.root,
        "the withdrawal paid the exit account's balance": exit_balance is not None
            and withdrawn.get(withdrawer.address) == exit_balance.balance,
        "every round with transfers was finalized": any(report.finalized for report in reports),
    }
    return report
