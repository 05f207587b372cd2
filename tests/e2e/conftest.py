"""The end-to-end harness: the real contract (with the real Groth16 verifier), the real bid API
over HTTP, the real clearinghouse on a SQLite file (PostgreSQL in test_postgres.py), real prover
agents proving with snarkjs.

It runs on whichever devnet ``--network`` selects (embedded by default, anvil with
``--network ethereum:local:foundry``). Each test module gets a market of its own.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from proofmarket.bootstrap import ApiServer, ClearinghouseNode, HttpClearinghouseApi, build_clearinghouse, build_prover_agent
from proofmarket.chain.market import ProofMarketClient
from proofmarket.chain.transactions import send_transaction
from proofmarket.clearinghouse.service import no_faults
from proofmarket.demo import user_bid
from proofmarket.deployment import Deployment, MarketSettings, deploy
from proofmarket.network import mine_blocks, serialize_requests
from proofmarket.prover.agent import ProverAgent

GWEI = 10**9
ETHER = 10**18


@dataclass
class Stack:
    """One market and everything around it; methods are the steps of a round."""

    web3: object
    deployment: Deployment
    client: ProofMarketClient
    owner: LocalAccount
    clearinghouse_account: LocalAccount
    treasury: LocalAccount
    database_url: str
    publish_directory: Path
    node: ClearinghouseNode
    server: ApiServer
    api: HttpClearinghouseApi
    users: list[LocalAccount]
    agents: list[ProverAgent]
    rng: random.Random = field(default_factory=lambda: random.Random(11))
    nonce: int = 0
    #: Every bid accepted by :meth:`run_round`: its user and digest.
    submitted: list[dict] = field(default_factory=list)

    def open_round(self) -> int:
        config = self.client.config()
        head = self.web3.eth.block_number
        if head < config.genesis_block:
            mine_blocks(self.web3, config.genesis_block - head)
            head = self.web3.eth.block_number
        return (head - config.genesis_block) // config.round_length_blocks

    def post_asks(self, round_id: int) -> None:
        for agent in self.agents:
            agent.ensure_registered()
            agent.post_ask(round_id)

    def signed_bids(
        self, round_id: int, count: int, users: list[LocalAccount] | None = None, gwei_per_constraint: int | None = None
    ) -> list[dict]:
        users = users or self.users
        bids = []
        for index in range(count):
            self.nonce += 1
            bids.append(
                user_bid(self.rng, users[index % len(users)], round_id, self.nonce, self.client, gwei_per_constraint)
            )
        return bids

    def close(self, round_id: int) -> None:
        mine_blocks(self.web3, self.client.round_close_block(round_id) - self.web3.eth.block_number)

    def outcome(self, round_id: int) -> dict:
        return json.loads(self.api.http.get(f"/v1/rounds/{round_id}/outcome").text)

    def prove_all(self) -> int:
        return sum(len(agent.prove_assignments()) for agent in self.agents)

    def run_round(self, bid_count: int) -> tuple[int, dict, dict, dict]:
        """A whole round: asks, ``bid_count`` bids over HTTP, close, settle, prove every chunk,
        resolve. Returns ``(round_id, outcome, balances before, balances after)``."""
        round_id = self.open_round()
        self.post_asks(round_id)
        bids = self.signed_bids(round_id, bid_count)
        answer = self.api.post_bids(bids)
        assert answer["rejected"] == []
        for bid, accepted in zip(bids, answer["accepted"]):
            self.submitted.append({"user": bid["user"], "digest": accepted["digest"]})
        before = self.balances()
        self.close(round_id)
        self.node.run_once()
        outcome = self.outcome(round_id)
        proven = self.prove_all()
        assert proven == len(outcome["chunks"])
        self.node.run_once()
        return round_id, outcome, before, self.balances()

    def assert_moved_exactly(self, round_id: int, outcome: dict, before: dict, after: dict) -> None:
        """Every party's balance changed by exactly what the outcome says; the round resolved;
        the contract is conserved."""
        included = set(outcome["included_bid_ids"])
        charged: Counter = Counter()
        for bid in self.submitted:
            if bid["digest"] in included:
                charged[bid["user"]] += int(outcome["charges_wei"][bid["digest"]])
        for user in self.users:
            assert after[user.address] - before[user.address] == -charged[user.address]
        paid: Counter = Counter()
        for chunk in outcome["chunks"]:
            paid[chunk["prover"]] += int(chunk["payment_wei"])
        for agent in self.agents:
            assert after[agent.address] - before[agent.address] == paid[agent.address]
            assert after[f"collateral:{agent.address}"] == before[f"collateral:{agent.address}"]
        assert after[self.treasury.address] - before[self.treasury.address] == int(outcome["treasury_wei"])
        assert int(outcome["revenue_wei"]) == sum(charged.values())
        assert self.api.round_status(round_id)["state"] == "resolved"
        self.assert_conserved()

    def open_round_with_bids(self, count: int = 5) -> tuple[int, set[str]]:
        """Asks and ``count`` bids for the open round, then close it; returns the bids' digests."""
        round_id = self.open_round()
        self.post_asks(round_id)
        answer = self.api.post_bids(self.signed_bids(round_id, count))
        self.close(round_id)
        return round_id, {accepted["digest"] for accepted in answer["accepted"]}

    def assert_settled_once_with_every_bid(self, round_id: int, digests: set[str]) -> None:
        status = self.api.round_status(round_id)
        assert status["state"] in ("settled", "resolved")
        assert status["bids"] == len(digests), "every accepted bid is still there"
        assert self.settlement_count(round_id) == 1
        outcome = self.outcome(round_id)
        assert set(outcome["included_bid_ids"]) <= digests
        assert outcome["included_bid_ids"]
        self.assert_conserved()

    def restart(self, fault: Callable[[str], None] = no_faults) -> ClearinghouseNode:
        """A new clearinghouse process over the same database (the old one is dropped, as a kill would)."""
        self.node = build_clearinghouse(
            self.web3, self.deployment, self.clearinghouse_account, self.database_url, self.publish_directory,
            fault=fault, cache_seconds=0,
        )
        self.server.app = self.node.app
        return self.node

    def settlement_count(self, round_id: int) -> int:
        """How many ``RoundSettled`` events the market emitted for ``round_id``."""
        events = self.client.contract.events.RoundSettled.get_logs(
            from_block=self.deployment.deploy_block, argument_filters={"roundId": round_id}
        )
        return len(events)

    def cleared_not_settled(self, bid_count: int):
        """A round closed and cleared, the clearinghouse stopped before settling it; returns
        ``(round_id, settlement)`` where ``settlement`` is what it would have sent."""
        from proofmarket.clearinghouse.database import RoundRow
        from proofmarket.clearinghouse.service import SimulatedCrash

        round_id = self.open_round()
        self.post_asks(round_id)
        self.api.post_bids(self.signed_bids(round_id, bid_count))
        self.close(round_id)
        self.restart(fault=crash_at("after_clear"))
        with pytest.raises(SimulatedCrash):
            self.node.run_once()
        with self.node.clearinghouse.store.session() as session:
            settlement, _ = self.node.clearinghouse.settlement_for(session, session.get(RoundRow, round_id))
        return round_id, settlement

    def balances(self) -> dict[str, int]:
        """Every party's balance in the market, and each prover's collateral."""
        parties = {user.address: self.client.balance_of(user.address) for user in self.users}
        for agent in self.agents:
            state = self.client.prover(agent.address)
            parties[agent.address] = self.client.balance_of(agent.address)
            parties[f"collateral:{agent.address}"] = state.collateral
        for account in (self.treasury, self.clearinghouse_account):
            parties[account.address] = self.client.balance_of(account.address)
        return parties

    def assert_conserved(self) -> None:
        """The conservation invariant (docs/contract.md, "Conservation invariant"): the contract's ETH equals the sum of its buckets, exactly."""
        assert self.client.ether_balance() == self.client.totals().held


def send_settlement(stack: Stack, settlement) -> dict:
    """Send ``settlement`` (as the clearinghouse built it, possibly doctored) straight to the
    contract with the clearinghouse's own key."""
    from proofmarket.chain.market import ChunkAssignment, IncludedBid

    return stack.client.settle_round(
        stack.clearinghouse_account,
        settlement.round_id,
        settlement.input_hash,
        (settlement.price_numerator, settlement.price_denominator),
        [IncludedBid(bid=b.message, signature=b.signature, charge=b.charge_wei) for b in settlement.bids],
        [
            ChunkAssignment(ask=c.ask, ask_signature=c.ask_signature, bid_count=c.bid_count, payment=c.payment_wei, commitment=c.commitment)
            for c in settlement.chunks
        ],
    )


def cli_against(stack: Stack, web3, deployment_file):
    """A function running ``proofmarket COMMAND --deployment <this market> ...`` in-process against
    the test's devnet (any ``--rpc`` reaches it)."""
    from click.testing import CliRunner

    import proofmarket.network
    from proofmarket.cli.main import main

    stack.deployment.save(deployment_file)

    def run(command: str, *arguments: str):
        original = proofmarket.network.connect
        proofmarket.network.connect = lambda url: web3
        try:
            return CliRunner(mix_stderr=False).invoke(main, [command, "--deployment", str(deployment_file), *arguments])
        finally:
            proofmarket.network.connect = original

    return run


def crash_at(point: str):
    """A fault hook that stops the clearinghouse at ``point`` as a kill would."""
    from proofmarket.clearinghouse.service import SimulatedCrash

    def fault(reached: str) -> None:
        if reached == point:
            raise SimulatedCrash(point)

    return fault


def build_stack(
    web3, signers, tmp_path: Path, settings: MarketSettings, provers: int = 2, users: int = 3, database_url: str | None = None,
    cache_seconds: float = 0,
) -> Stack:
    """A market with ``users`` funded users and ``provers`` registered prover agents, its
    clearinghouse on ``database_url`` (default: a SQLite file in ``tmp_path``) behind the bid API.
    ``cache_seconds``: how long intake trusts a chain read (``proofmarket serve`` uses 1 s)."""
    serialize_requests(web3)
    owner, clearinghouse_account, treasury = signers[0], signers[1], signers[2]
    deployment, client = deploy(web3, owner, clearinghouse_account.address, treasury.address, settings, "groth16")
    rng = random.Random(str(tmp_path))
    fresh = [Account.from_key(rng.randbytes(32)) for _ in range(users + provers)]
    for account in fresh:
        send_transaction(web3, owner, {"to": account.address, "value": 10 * ETHER})
    database_url = database_url or f"sqlite:///{tmp_path / 'clearinghouse.db'}"
    node = build_clearinghouse(
        web3, deployment, clearinghouse_account, database_url, tmp_path / "rounds", cache_seconds=cache_seconds
    )
    server = ApiServer(node.app).start()
    user_accounts = fresh[:users]
    for user in user_accounts:
        client.deposit(user, ETHER)
    agents = [
        build_prover_agent(web3, deployment, prover, server.url, capacity=500 + 250 * index, unit_cost_wei=(1 + index) * GWEI)
        for index, prover in enumerate(fresh[users:])
    ]
    return Stack(
        web3=web3, deployment=deployment, client=client, owner=owner, clearinghouse_account=clearinghouse_account,
        treasury=treasury, database_url=database_url, publish_directory=tmp_path / "rounds", node=node, server=server,
        api=HttpClearinghouseApi(server.url), users=user_accounts, agents=agents,
    )


DEFAULT_SETTINGS = MarketSettings(
    capacity_per_round=1_500,
    collateral_per_constraint=10 * GWEI,
    reporter_share_bps=2_000,
    round_length_blocks=30,
    proving_window_blocks=15,
)


@pytest.fixture(scope="module")
def stack(web3, signers, tmp_path_factory):
    stack = build_stack(web3, signers, tmp_path_factory.mktemp("stack"), DEFAULT_SETTINGS)
    yield stack
    stack.server.stop()
    stack.node.close()
