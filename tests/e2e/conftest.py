"""The end-to-end harness: the real contract (with the real Groth16 verifier), the real bid API
over HTTP, the real clearinghouse on a SQLite file (PostgreSQL in test_postgres.py), real prover
agents proving with snarkjs.

It runs on whichever devnet ``--network`` selects (embedded by default, anvil with
``--network ethereum:local:foundry``). Each test module gets a market of its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from proofmarket.demo import user_bid
from proofmarket.deployment import MarketSettings
from proofmarket.testing.harness import DEFAULT_MARKET_SETTINGS, MarketHarness, start_market


@dataclass
class Stack(MarketHarness):
    """One market and everything around it (the plugin's harness, proofmarket.testing), with the
    end-to-end suites' own steps and checks."""

    #: Every bid accepted by :meth:`run_random_round`: its user and digest.
    submitted: list[dict] = field(default_factory=list)

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

    def run_random_round(self, bid_count: int) -> tuple[int, dict, dict, dict]:
        """A whole round: asks, ``bid_count`` random bids over HTTP, close, settle, prove every
        chunk, resolve. Returns ``(round_id, outcome, balances before, balances after)``."""
        self.random_bids(bid_count)
        result = self.run_round()
        assert result.refused == ()
        assert all(chunk.state == "proven" for chunk in result.chunks)
        self.submitted.extend({"user": bid.user, "digest": bid.digest} for bid in result.bids)
        return result.round_id, result.outcome, result.balances_before, result.balances_after

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
    """A market (Groth16 verifier) with ``users`` funded users and ``provers`` registered prover
    agents, its clearinghouse on ``database_url`` (default: a SQLite file in ``tmp_path``)
    behind the bid API. ``cache_seconds``: how long intake trusts a chain read (``proofmarket
    serve`` uses 1 s)."""
    return start_market(
        web3, tmp_path, settings, verifier_kind="groth16", provers=provers, users=users, database_url=database_url,
        cache_seconds=cache_seconds, operators=(signers[0], signers[1], signers[2]), harness_type=Stack,
    )


DEFAULT_SETTINGS = DEFAULT_MARKET_SETTINGS


@pytest.fixture(scope="module")
def stack(web3, signers, tmp_path_factory):
    stack = build_stack(web3, signers, tmp_path_factory.mktemp("stack"), DEFAULT_SETTINGS)
    yield stack
    stack.stop()
