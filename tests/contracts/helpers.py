"""Helpers of the contract tests: a balance ledger asserting exact deltas, round builders, reverts.

The ledger follows Boundless's balance-snapshot helpers: snapshot every party (wallet ETH,
market balance, collateral, locked collateral), act, then assert each party's exact change,
wallet ETH net of the gas it paid, and the conservation invariant (docs/contract.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count

import pytest
from eth_hash.auto import keccak

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import (
    ChunkAssignment,
    IncludedBid,
    MarketConfig,
    ProofMarketClient,
    Totals,
    development_proof,
    field_commitment,
)
from proofmarket.chain.typed_data import AskMessage, BidMessage

# The default market of the contract tests: small numbers so every delta is easy to check.
ROUND_LENGTH_BLOCKS = 5
PROVING_WINDOW_BLOCKS = 8
EXIT_DELAY_BLOCKS = 6
SETTLEMENT_WINDOW_BLOCKS = 20
CAPACITY_PER_ROUND = 10_000
RESERVE_PER_CONSTRAINT = 2
COLLATERAL_PER_CONSTRAINT = 50
REPORTER_SHARE_BPS = 2_000
BPS = 10_000


def default_config(clearinghouse: str, treasury: str, verifier: str, genesis_block: int, **changes) -> MarketConfig:
    config = MarketConfig(
        clearinghouse=clearinghouse,
        treasury=treasury,
        verifier=verifier,
        genesis_block=genesis_block,
        round_length_blocks=ROUND_LENGTH_BLOCKS,
        proving_window_blocks=PROVING_WINDOW_BLOCKS,
        exit_delay_blocks=EXIT_DELAY_BLOCKS,
        capacity_per_round=CAPACITY_PER_ROUND,
        reserve_per_constraint=RESERVE_PER_CONSTRAINT,
        collateral_per_constraint=COLLATERAL_PER_CONSTRAINT,
        reporter_share_bps=REPORTER_SHARE_BPS,
        settlement_window_blocks=SETTLEMENT_WINDOW_BLOCKS,
    )
    return config.replace(**changes)


@contextmanager
def reverts(error_name: str, **arguments) -> Iterator[pytest.ExceptionInfo]:
    """Expects a :class:`ContractRevert` named ``error_name`` whose arguments include ``arguments``."""
    with pytest.raises(ContractRevert) as info:
        yield info
    assert info.value.error_name == error_name, str(info.value)
    for name, expected in arguments.items():
        assert info.value.arguments[name] == expected, f"{name}: {info.value}"


# ----------------------------------------------------------------------------- balance ledger


@dataclass(frozen=True)
class Change:
    """Expected change of one party: wallet ETH (net of gas), market balance, collateral, locked."""

    wallet: int = 0
    balance: int = 0
    collateral: int = 0
    locked: int = 0


@dataclass(frozen=True)
class PartyState:
    wallet: int
    balance: int
    collateral: int
    locked: int
    #: A prover's uncollected earnings: already part of ``balance``, still in ``Totals.reserved``.
    earnings: int


@dataclass(frozen=True)
class Snapshot:
    block: int
    parties: dict[str, PartyState]
    totals: Totals
    contract_ether: int


@dataclass
class Ledger:
    """Every party of a test and the market; snapshots and exact-delta assertions."""

    market: ProofMarketClient
    parties: dict[str, str] = field(default_factory=dict)

    @property
    def web3(self):
        return self.market.web3

    def add(self, name: str, address: str) -> None:
        self.parties[name] = address

    def snapshot(self) -> Snapshot:
        states = {}
        for name, address in self.parties.items():
            prover = self.market.prover(address)
            states[name] = PartyState(
                wallet=self.web3.eth.get_balance(address),
                balance=self.market.balance_of(address),
                collateral=prover.collateral,
                locked=prover.locked,
                earnings=prover.earnings,
            )
        return Snapshot(self.web3.eth.block_number, states, self.market.totals(), self.market.ether_balance())

    def _gas_net(self, since_block: int) -> dict[str, int]:
        """ETH each party spent on gas since ``since_block``, less priority fees it earned as miner."""
        by_address = {address: name for name, address in self.parties.items()}
        net = dict.fromkeys(self.parties, 0)
        for number in range(since_block + 1, self.web3.eth.block_number + 1):
            block = self.web3.eth.get_block(number, full_transactions=True)
            base_fee = block.get("baseFeePerGas", 0)
            for transaction in block["transactions"]:
                receipt = self.web3.eth.get_transaction_receipt(transaction["hash"])
                price = receipt["effectiveGasPrice"]
                sender = by_address.get(transaction["from"])
                if sender is not None:
                    net[sender] += receipt["gasUsed"] * price
                miner = by_address.get(block["miner"])
                if miner is not None:
                    net[miner] -= receipt["gasUsed"] * (price - base_fee)
        return net

    def assert_changes(self, before: Snapshot, **expected: Change) -> Snapshot:
        """Asserts every party's exact change since ``before`` (unnamed parties: no change) and
        the conservation invariant. Returns the new snapshot."""
        unknown = set(expected) - set(self.parties)
        assert not unknown, f"not parties of the ledger: {unknown}"
        after = self.snapshot()
        gas = self._gas_net(before.block)
        for name in self.parties:
            want = expected.get(name, Change())
            old, new = before.parties[name], after.parties[name]
            got = Change(
                wallet=new.wallet - old.wallet + gas[name],
                balance=new.balance - old.balance,
                collateral=new.collateral - old.collateral,
                locked=new.locked - old.locked,
            )
            assert got == want, f"{name}: expected {want}, got {got}"
        self.assert_conservation(after)
        return after

    def assert_conservation(self, snapshot: Snapshot | None = None) -> None:
        """The conservation invariant (docs/contract.md, "Conservation invariant"): contract ETH == free escrow and credits + round-locked charges
        + collateral + burned; and the totals equal the sums over the parties (a prover's
        uncollected earnings are in its balance but still in ``reserved``)."""
        snapshot = snapshot or self.snapshot()
        totals = snapshot.totals
        assert snapshot.contract_ether == totals.balances + totals.reserved + totals.collateral + totals.burned, (
            f"contract holds {snapshot.contract_ether}, buckets sum to {totals.held}: {totals}"
        )
        earnings = sum(state.earnings for state in snapshot.parties.values())
        assert totals.balances + earnings == sum(state.balance for state in snapshot.parties.values())
        assert totals.reserved >= earnings
        assert totals.collateral == sum(state.collateral for state in snapshot.parties.values())


# ----------------------------------------------------------------------------- rounds

_tx_counter = count(1)


@dataclass
class Rounds:
    """Builds signed bids and asks, and moves the chain through a round's schedule."""

    market: ProofMarketClient
    clearinghouse: object
    mine: Callable[[int], None]

    def block(self) -> int:
        return self.market.web3.eth.block_number

    def open_round(self) -> int:
        """The round open now."""
        return self.market.current_round()

    def bid(
        self,
        user,
        round_id: int,
        constraints: int,
        max_fee: int,
        charge: int | None = None,
        nonce: int = 0,
        tx_hash: bytes | None = None,
    ) -> IncludedBid:
        bid = BidMessage(
            user=user.address,
            tx_hash=tx_hash or keccak(f"transaction {next(_tx_counter)}".encode()),
            constraints=constraints,
            max_fee=max_fee,
            round=round_id,
            nonce=nonce,
        )
        return IncludedBid(bid, self.market.sign_bid(user, bid), max_fee if charge is None else charge)

    def chunk(
        self,
        prover,
        round_id: int,
        unit_cost: int,
        bid_count: int,
        payment: int,
        commitment: bytes | None = None,
        nonce: int = 0,
        statement_data: bytes = b"",
    ) -> ChunkAssignment:
        ask = AskMessage(prover=prover.address, unit_cost=unit_cost, round=round_id, nonce=nonce)
        return ChunkAssignment(
            ask=ask,
            ask_signature=self.market.sign_ask(prover, ask),
            bid_count=bid_count,
            payment=payment,
            commitment=commitment or field_commitment(f"chunk {next(_tx_counter)}".encode()),
            statement_data=statement_data,
        )

    def mine_to(self, block: int) -> None:
        """Mines until the chain's head is ``block`` (so the next transaction lands after it)."""
        gap = block - self.block()
        if gap > 0:
            self.mine(gap)

    def close(self, round_id: int) -> None:
        """Mines until round ``round_id`` is closed at the head (gas estimation runs there)."""
        self.mine_to(self.market.round_close_block(round_id))

    def settle(self, round_id: int, bids, chunks, price=(1, 1), input_hash: bytes = b"\x5a" * 32) -> dict:
        self.close(round_id)
        return self.market.settle_round(self.clearinghouse, round_id, input_hash, price, bids, chunks)

    def withdrawable_block(self, prover: str) -> int:
        """The first block ``prover`` may withdraw its collateral in: its exit block plus the
        settlement window (rounds closing before the exit can be settled until then)."""
        return self.market.prover(prover).exit_available_at + self.market.config().settlement_window_blocks

    def pass_deadline(self, round_id: int) -> None:
        """Mines until the head is past the round's proving deadline."""
        self.mine_to(self.market.round(round_id).deadline + 1)

    def proof(self, round_id: int, chunk_index: int) -> bytes:
        """The development verifier's proof for the chunk's statement as the market recorded it."""
        return development_proof(self.market.chunk(round_id, chunk_index).statement(round_id, chunk_index))
