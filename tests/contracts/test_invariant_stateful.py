"""Random sequences of deposit, register, capacity changes (decreases take effect after the exit
delay), settle (valid, tampered, and front-run by provers decreasing their capacity or exiting
between the round's close and its settlement), prove, slash, dispute (a recorded commitment that
is not the chunk's transactions', or a true one that must be refused), withdraw and exit against a
fresh market, checked after every step against a model of every balance and against the conservation
invariant (docs/contract.md).

The model is the specification written as plain integer arithmetic (README.md "One round" steps 4-7,
docs/mechanism.md "Surplus policies"); any difference with the contract fails the run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace

import pytest
from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import (
    ChunkAssignment,
    IncludedBid,
    ProofSubmission,
    Refund,
    SurplusPolicy,
    deploy_development_verifier,
    deploy_market,
)
from proofmarket.zk.commitment import chunk_commitment

from .helpers import BPS, Rounds, default_config

#: What the runs of this session exercised (printed at the end of the test, checked for vacuity).
EXERCISED: Counter = Counter()


def event(name: str) -> None:
    EXERCISED[name] += 1
    hypothesis_event(name)


USERS = ("alice", "bob", "carol")
PROVERS = ("prover_fast", "prover_slow")
KAPPA = 5
RESERVE = 1
REPORTER_BPS = 2_500


@dataclass
class ProverModel:
    collateral: int = 0
    locked: int = 0
    capacity: int = 0
    exit_at: int = 0
    #: A pending decrease: ``next_capacity`` for rounds closing at or after ``change_at``.
    next_capacity: int = 0
    change_at: int = 0
    #: Payments of proven chunks not yet collected (part of the balance; survives an exit).
    earnings: int = 0


@dataclass
class ChunkModel:
    round_id: int
    index: int
    prover: str
    payment: int
    collateral: int
    refunds: list[Refund]
    assignment: ChunkAssignment
    deadline: int
    rebate_pool: int
    rebate_base: int
    resolved: bool = False

    @property
    def commitment_matches(self) -> bool:
        """Whether the recorded commitment is the Poseidon chain of the chunk's transactions."""
        return self.assignment.commitment == chunk_commitment([refund.tx_hash for refund in self.refunds])

    def refund_amounts(self, pool: int) -> list[int]:
        """Each user's refund from ``pool``: its net charge, pro rata (rounding down) if short."""
        nets = [
            refund.charge - (self.rebate_pool * refund.charge // self.rebate_base if self.rebate_pool else 0)
            for refund in self.refunds
        ]
        owed = sum(nets)
        return [net if owed <= pool else net * pool // owed for net in nets]


@dataclass
class Model:
    balances: dict[str, int] = field(default_factory=dict)
    provers: dict[str, ProverModel] = field(default_factory=dict)
    chunks: list[ChunkModel] = field(default_factory=list)
    burned: int = 0
    policy: SurplusPolicy = SurplusPolicy.TREASURY


def _expect_revert(action, error_name: str) -> None:
    try:
        action()
    except ContractRevert as revert:
        assert revert.error_name == error_name, f"expected {error_name}, got {revert}"
    else:
        raise AssertionError(f"expected {error_name}, the call succeeded")


def capacity_for_close(state: ProverModel, close: int) -> int:
    """What a round closing at ``close`` may assign (0: not eligible), as settleRound checks."""
    if not state.capacity or (state.exit_at and close >= state.exit_at):
        return 0
    return state.next_capacity if state.change_at and close >= state.change_at else state.capacity


def set_capacity_outcome(state: ProverModel, capacity: int, block: int, delay: int, window: int):
    """The contract's setCapacity as a model: (error name or None, the new state, the event)."""
    if not state.capacity:
        return "ProverNotRegistered", state, None
    if state.exit_at:
        return "ProverExiting", state, None
    if state.collateral < KAPPA * capacity:
        return "InsufficientCollateral", state, None
    new = dataclasses.replace(state)
    if new.change_at and block >= new.change_at + window:
        new.capacity, new.next_capacity, new.change_at = new.next_capacity, 0, 0
    if capacity >= new.capacity:
        new.capacity, new.next_capacity, new.change_at = capacity, 0, 0
        return None, new, "increase"
    if not new.change_at or block < new.change_at:
        new.next_capacity, new.change_at = capacity, block + delay
        return None, new, "decrease requested"
    if capacity >= new.next_capacity:
        new.next_capacity = capacity
        return None, new, "decrease raised"
    return "CapacityChangePending", state, None


def owed_exceeds_pool(chunk: ChunkModel, pool: int) -> bool:
    return sum(chunk.refund_amounts(pool)) < sum(chunk.refund_amounts(2**256))


def make_machine(web3, roles, mine):
    class MarketMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.roles = roles
            owner = roles["owner"]
            verifier = deploy_development_verifier(web3, owner)
            config = default_config(
                roles["clearinghouse"].address,
                roles["treasury"].address,
                verifier,
                web3.eth.block_number + 1,
                collateral_per_constraint=KAPPA,
                reserve_per_constraint=RESERVE,
                reporter_share_bps=REPORTER_BPS,
            )
            self.market = deploy_market(web3, owner, config)
            self.rounds = Rounds(self.market, roles["clearinghouse"], mine)
            self.config = config
            self.model = Model(balances={account.address: 0 for account in roles.values()})

        # ------------------------------------------------------------------ helpers

        def address(self, name: str) -> str:
            return self.roles[name].address

        def head(self) -> int:
            return web3.eth.block_number

        def prover(self, name: str) -> ProverModel:
            return self.model.provers.setdefault(self.address(name), ProverModel())

        # ------------------------------------------------------------------ escrow

        @initialize(
            amounts=st.tuples(*[st.integers(2_000, 40_000)] * len(USERS)),
            capacities=st.tuples(*[st.integers(100, 600)] * len(PROVERS)),
            data=st.data(),
        )
        def open_market(self, amounts, capacities, data):
            """Every user holds escrow, every prover is registered and a first round is settled,
            so the rules below have chunks to prove and slash from the first step."""
            for user, amount in zip(USERS, amounts):
                self.deposit(user, amount)
            for name, capacity in zip(PROVERS, capacities):
                self.register(name, capacity, 0)
            self.settle(data)

        @rule(user=st.sampled_from(USERS), amount=st.integers(1, 40_000))
        def deposit(self, user, amount):
            self.market.deposit(self.roles[user], amount)
            self.model.balances[self.address(user)] += amount

        @rule(name=st.sampled_from(USERS + PROVERS + ("treasury", "reporter")), share=st.integers(0, 100))
        def withdraw(self, name, share):
            balance = self.model.balances[self.address(name)]
            amount = balance * share // 100
            if amount == 0:
                _expect_revert(lambda: self.market.withdraw(self.roles[name], 0), "ZeroAmount")
                return
            self.market.withdraw(self.roles[name], amount)
            self.model.balances[self.address(name)] -= amount
            if name in PROVERS:
                self.prover(name).earnings = 0  # a withdrawal collects them into the escrow

        @rule(user=st.sampled_from(USERS))
        def withdraw_too_much(self, user):
            balance = self.model.balances[self.address(user)]
            _expect_revert(lambda: self.market.withdraw(self.roles[user], balance + 1), "InsufficientBalance")

        # ------------------------------------------------------------------ registry

        @rule(name=st.sampled_from(PROVERS), capacity=st.integers(1, 600), extra=st.integers(0, 2_000))
        def register(self, name, capacity, extra):
            state = self.prover(name)
            collateral = KAPPA * capacity + extra
            if state.capacity:
                _expect_revert(lambda: self.market.register_prover(self.roles[name], capacity, collateral), "ProverAlreadyRegistered")
                return
            self.market.register_prover(self.roles[name], capacity, collateral)
            state.collateral, state.capacity, state.locked, state.exit_at = collateral, capacity, 0, 0
            state.next_capacity, state.change_at = 0, 0

        @rule(name=st.sampled_from(PROVERS), capacity=st.integers(1, 700))
        def set_capacity(self, name, capacity):
            state = self.prover(name)
            if state.change_at and self.head() + 1 in (state.change_at, state.change_at + self.config.settlement_window_blocks):
                self.rounds.mine(1)  # stay clear of the boundary blocks (estimation vs. inclusion)
            block = self.head() + 1
            error, new, kind = set_capacity_outcome(
                state, capacity, block, self.config.exit_delay_blocks, self.config.settlement_window_blocks
            )
            if error:
                _expect_revert(lambda: self.market.set_capacity(self.roles[name], capacity), error)
                event(f"setCapacity refused: {error}")
                return
            receipt = self.market.set_capacity(self.roles[name], capacity)
            assert receipt["blockNumber"] == block
            self.model.provers[self.address(name)] = new
            event(f"capacity {kind}")

        @rule(name=st.sampled_from(PROVERS), amount=st.integers(1, 3_000))
        def add_collateral(self, name, amount):
            state = self.prover(name)
            if not state.capacity:
                _expect_revert(lambda: self.market.add_collateral(self.roles[name], amount), "ProverNotRegistered")
                return
            self.market.add_collateral(self.roles[name], amount)
            state.collateral += amount

        @rule(name=st.sampled_from(PROVERS))
        def request_exit(self, name):
            state = self.prover(name)
            if not state.capacity:
                _expect_revert(lambda: self.market.request_exit(self.roles[name]), "ProverNotRegistered")
            elif state.exit_at:
                _expect_revert(lambda: self.market.request_exit(self.roles[name]), "ProverExiting")
            else:
                receipt = self.market.request_exit(self.roles[name])
                state.exit_at = receipt["blockNumber"] + self.config.exit_delay_blocks

        @rule(name=st.sampled_from(PROVERS))
        def withdraw_collateral(self, name):
            state = self.prover(name)
            account = self.roles[name]
            withdrawable = state.exit_at + self.config.settlement_window_blocks
            if state.exit_at and self.head() + 1 == withdrawable:
                self.rounds.mine(1)  # stay clear of the boundary block (estimation vs. inclusion)
            if not state.capacity:
                _expect_revert(lambda: self.market.withdraw_collateral(account), "ProverNotRegistered")
            elif not state.exit_at:
                _expect_revert(lambda: self.market.withdraw_collateral(account), "ProverNotExiting")
            elif self.head() < withdrawable:
                _expect_revert(lambda: self.market.withdraw_collateral(account), "ExitDelayNotPassed")
            elif state.locked:
                _expect_revert(lambda: self.market.withdraw_collateral(account), "CollateralLocked")
            else:
                self.market.withdraw_collateral(account)
                event("prover left")
                self.model.provers[account.address] = ProverModel(earnings=state.earnings)

        # ------------------------------------------------------------------ settle

        def build_settlement(self, data):
            """A valid settlement of the open round from the model: bids users can pay, split
            into chunks for provers that can take them. Returns (round, bids, chunks)."""
            round_id = self.market.current_round()
            remaining = dict(self.model.balances)
            bids: list[IncludedBid] = []
            for _ in range(data.draw(st.integers(1, 4), label="bid count")):
                user = data.draw(st.sampled_from(USERS), label="user")
                constraints = data.draw(st.integers(1, 120), label="constraints")
                max_fee = constraints * data.draw(st.integers(RESERVE, 40), label="fee per constraint")
                charge = data.draw(st.integers(RESERVE * constraints, max_fee), label="charge")
                if charge > remaining[self.address(user)]:
                    continue
                remaining[self.address(user)] -= charge
                bids.append(self.rounds.bid(self.roles[user], round_id, constraints, max_fee, charge=charge, nonce=len(bids)))
            close = self.market.round_close_block(round_id)
            eligible = [name for name in PROVERS if capacity_for_close(self.prover(name), close)]
            chunks: list[ChunkAssignment] = []
            cursor = 0
            for name in eligible:
                if cursor == len(bids):
                    break
                state = self.prover(name)
                capacity = capacity_for_close(state, close)
                count = 0
                total = 0
                for included in bids[cursor:]:
                    grown = total + included.bid.constraints
                    if grown > capacity or KAPPA * grown > state.collateral - state.locked:
                        break
                    total, count = grown, count + 1
                if count == 0:
                    continue
                charges = sum(included.charge for included in bids[cursor : cursor + count])
                payment = charges * data.draw(st.integers(0, 100), label="payment share") // 100
                unit_cost = payment // total
                # Mostly the true commitment of the chunk's transactions; sometimes another one,
                # which the chunk's prover can dispute (the development verifier accepts either).
                honest = data.draw(st.booleans(), label="true commitment")
                commitment = chunk_commitment([included.bid.tx_hash for included in bids[cursor : cursor + count]])
                chunks.append(
                    self.rounds.chunk(
                        self.roles[name], round_id, unit_cost, count, payment,
                        commitment=commitment if honest else None, nonce=round_id,
                    )
                )
                cursor += count
            return round_id, bids[:cursor], chunks

        @rule(data=st.data())
        def settle(self, data):
            round_id, bids, chunks = self.build_settlement(data)
            self.rounds.settle(round_id, bids, chunks)
            self.record_settlement(round_id, bids, chunks)
            event(f"settled {len(bids)} bid(s) in {len(chunks)} chunk(s)")

        def record_settlement(self, round_id, bids, chunks):
            state = self.market.round(round_id)
            revenue = sum(included.charge for included in bids)
            payments = sum(chunk.payment for chunk in chunks)
            surplus = revenue - payments
            assert (state.revenue, state.surplus) == (revenue, surplus)
            rebate_pool = surplus if self.model.policy == SurplusPolicy.REBATE else 0
            rebates = 0
            for included in bids:
                rebate = rebate_pool * included.charge // revenue if rebate_pool else 0
                rebates += rebate
                self.model.balances[included.bid.user] -= included.charge - rebate
            treasury = self.config.treasury
            if self.model.policy == SurplusPolicy.TREASURY:
                self.model.balances[treasury] += surplus
            elif self.model.policy == SurplusPolicy.BURN:
                self.model.burned += surplus
            else:
                self.model.balances[treasury] += surplus - rebates
            cursor = 0
            for index, chunk in enumerate(chunks):
                chunk_bids = bids[cursor : cursor + chunk.bid_count]
                cursor += chunk.bid_count
                constraints = sum(included.bid.constraints for included in chunk_bids)
                prover = self.model.provers[chunk.ask.prover]
                prover.locked += KAPPA * constraints
                self.model.chunks.append(
                    ChunkModel(
                        round_id,
                        index,
                        chunk.ask.prover,
                        chunk.payment,
                        KAPPA * constraints,
                        [Refund(included.bid.user, included.charge, included.bid.tx_hash) for included in chunk_bids],
                        chunk,
                        state.deadline,
                        rebate_pool,
                        revenue,
                    )
                )

        @rule(data=st.data())
        def settle_front_run(self, data):
            """Between the round's close and its settlement, each assigned prover may decrease its
            capacity below its chunk, or request its exit: the settlement must still succeed."""
            round_id, bids, chunks = self.build_settlement(data)
            self.rounds.close(round_id)
            for chunk in chunks:
                name = next(name for name in PROVERS if self.address(name) == chunk.ask.prover)
                action = data.draw(st.sampled_from(["none", "decrease", "exit"]), label=f"{name} front-runs")
                if action == "decrease" and self.prover(name).capacity > 1:
                    self.set_capacity(name, data.draw(st.integers(1, self.prover(name).capacity - 1), label="to"))
                elif action == "exit":
                    self.request_exit(name)
            if data.draw(st.booleans(), label="settle late"):
                self.rounds.mine(self.config.exit_delay_blocks)  # the changes are in force by now
            self.rounds.settle(round_id, bids, chunks)
            self.record_settlement(round_id, bids, chunks)
            event(f"front-run settlement of {len(chunks)} chunk(s) succeeded")

        @rule(
            data=st.data(),
            tamper=st.sampled_from(
                ["NotClearinghouse", "ZeroPriceDenominator", "ChargeExceedsMaxFee", "BidReused", "InvalidBidSignature",
                 "PaymentsExceedCharges", "InsufficientEscrow", "BidRoundMismatch", "PaymentBelowAsk"]
            ),
        )
        def settle_tampered(self, data, tamper):
            round_id, bids, chunks = self.build_settlement(data)
            needs_bids = tamper not in ("NotClearinghouse", "ZeroPriceDenominator")
            if needs_bids and not bids:
                return
            first = bids[0] if bids else None
            sender, price = self.roles["clearinghouse"], (1, 1)
            if tamper == "NotClearinghouse":
                sender = self.roles["mallory"]
            elif tamper == "ZeroPriceDenominator":
                price = (1, 0)
            elif tamper == "ChargeExceedsMaxFee":
                bids[0] = dataclasses.replace(first, charge=first.bid.max_fee + 1)
            elif tamper == "BidReused":
                bids.insert(1, first)
                chunks[0] = dataclasses.replace(chunks[0], bid_count=chunks[0].bid_count + 1)
            elif tamper == "InvalidBidSignature":
                bids[0] = dataclasses.replace(first, signature=self.market.sign_bid(self.roles["mallory"], first.bid))
            elif tamper == "PaymentsExceedCharges":
                total = sum(included.charge for included in bids)
                others = sum(chunk.payment for chunk in chunks[1:])
                chunks[0] = dataclasses.replace(chunks[0], payment=total - others + 1)
            elif tamper == "InsufficientEscrow":
                user = self.roles[next(name for name in USERS if self.address(name) == first.bid.user)]
                balance = self.model.balances[user.address]
                bids[0] = self.rounds.bid(user, round_id, 1, balance + 1, nonce=99)
            elif tamper == "BidRoundMismatch":
                user = self.roles[next(name for name in USERS if self.address(name) == first.bid.user)]
                bids[0] = self.rounds.bid(user, round_id + 1, first.bid.constraints, first.bid.max_fee, charge=first.charge)
            elif tamper == "PaymentBelowAsk":
                chunk = chunks[0]
                constraints = sum(included.bid.constraints for included in bids[: chunk.bid_count])
                unit_cost = chunk.payment // constraints + 1
                chunks[0] = self.rounds.chunk(
                    self.roles[next(name for name in PROVERS if self.address(name) == chunk.ask.prover)],
                    round_id, unit_cost, chunk.bid_count, chunk.payment, nonce=7,
                )
            self.rounds.close(round_id)
            _expect_revert(
                lambda: self.market.settle_round(sender, round_id, b"\x00" * 32, price, bids, chunks), tamper
            )
            event(f"tampered settlement rejected: {tamper}")

        @rule(policy=st.sampled_from(list(SurplusPolicy)))
        def set_policy(self, policy):
            self.market.update_config(self.roles["owner"], self.market.config().replace(surplus_policy=policy))
            self.model.policy = policy

        # ------------------------------------------------------------------ prove and slash

        @rule(data=st.data())
        def prove(self, data):
            pending = [chunk for chunk in self.model.chunks if not chunk.resolved]
            if not pending:
                return
            chunk = data.draw(st.sampled_from(pending), label="chunk")
            if self.head() == chunk.deadline:
                self.rounds.mine(1)  # stay clear of the boundary block (estimation vs. inclusion)
            submitter = self.roles[data.draw(st.sampled_from(PROVERS + ("reporter",)), label="submitter")]
            proof = self.rounds.proof(chunk.round_id, chunk.index)
            if self.head() > chunk.deadline:
                _expect_revert(lambda: self.market.submit_proof(submitter, chunk.round_id, chunk.index, proof), "ProvingDeadlinePassed")
                return
            self.market.submit_proof(submitter, chunk.round_id, chunk.index, proof)
            event("chunk proven")
            chunk.resolved = True
            self.model.balances[chunk.prover] += chunk.payment
            self.model.provers[chunk.prover].earnings += chunk.payment
            self.model.provers[chunk.prover].locked -= chunk.collateral

        @rule(data=st.data())
        def prove_batch(self, data):
            """submitProofs of 1-5 entries (repeats, late and resolved chunks, sometimes one forged
            proof): resolved and repeated chunks are skipped; a passed deadline or a forged
            proof reverts the whole batch; otherwise every pending chunk listed is paid once."""
            # Chunks still open (a repeat now and then), sometimes one past its deadline and one
            # already resolved.
            live = [c for c in self.model.chunks if not c.resolved and c.deadline > self.head() + 1]
            late = [c for c in self.model.chunks if not c.resolved and c.deadline < self.head()]
            resolved = [c for c in self.model.chunks if c.resolved]
            chunks = data.draw(st.lists(st.sampled_from(live), max_size=3), label="live chunks") if live else []
            for extra, label in ((late, "late chunk"), (resolved, "resolved chunk")):
                if extra and data.draw(st.booleans(), label=f"add a {label}"):
                    chunks.append(data.draw(st.sampled_from(extra), label=label))
            if not chunks:
                return
            submitter = self.roles[data.draw(st.sampled_from(PROVERS + ("reporter",)), label="submitter")]
            entries = [
                ProofSubmission(c.round_id, c.index, self.rounds.proof(c.round_id, c.index), c.assignment.statement_data)
                for c in chunks
            ]
            to_prove = [c for position, c in enumerate(chunks) if not c.resolved and c not in chunks[:position]]
            if to_prove and data.draw(st.integers(0, 2), label="forged if 0") == 0:
                entries[chunks.index(to_prove[-1])] = replace(entries[chunks.index(to_prove[-1])], proof=b"\x00" * 32)
                expected_error = "InvalidProof"
            else:
                expected_error = None
            if any(self.head() > c.deadline for c in to_prove):
                expected_error = "ProvingDeadlinePassed"
            if expected_error is not None:
                _expect_revert(lambda: self.market.submit_proofs(submitter, entries), expected_error)
                event(f"batch reverted: {expected_error}")
                return
            self.market.submit_proofs(submitter, entries)
            event(f"batch of {len(entries)} proved {len(to_prove)}")
            for chunk in to_prove:
                chunk.resolved = True
                self.model.balances[chunk.prover] += chunk.payment
                self.model.provers[chunk.prover].earnings += chunk.payment
                self.model.provers[chunk.prover].locked -= chunk.collateral

        @rule(data=st.data())
        def slash(self, data):
            pending = [chunk for chunk in self.model.chunks if not chunk.resolved]
            if not pending:
                return
            chunk = data.draw(st.sampled_from(pending), label="chunk")
            if self.head() == chunk.deadline:
                self.rounds.mine(1)  # stay clear of the boundary block (estimation vs. inclusion)
            # Sometimes the defaulting prover reports itself: it must get no reporter share.
            prover_name = next(name for name in PROVERS if self.address(name) == chunk.prover)
            reporter = self.roles[data.draw(st.sampled_from(("reporter", prover_name)), label="reporter")]
            if self.head() < chunk.deadline:
                _expect_revert(lambda: self.market.slash(reporter, chunk.round_id, chunk.index), "ProvingDeadlineNotPassed")
                return
            self.market.slash(reporter, chunk.round_id, chunk.index)  # refunds rebuilt from calldata
            pool = chunk.payment + chunk.collateral
            event("chunk slashed" + (" pro rata" if owed_exceeds_pool(chunk, pool) else ""))
            if reporter.address == chunk.prover:
                event("chunk slashed by its own prover")
            chunk.resolved = True
            paid = self.credit_refunds(chunk, pool)
            remainder = pool - paid
            reward = 0 if reporter.address == chunk.prover else remainder * REPORTER_BPS // BPS
            self.model.balances[reporter.address] += reward
            self.model.balances[self.config.treasury] += remainder - reward
            prover = self.model.provers[chunk.prover]
            prover.collateral -= chunk.collateral
            prover.locked -= chunk.collateral

        def credit_refunds(self, chunk: ChunkModel, pool: int) -> int:
            """Credits the chunk's refunds from ``pool`` in the model; returns their sum."""
            amounts = chunk.refund_amounts(pool)
            for refund, amount in zip(chunk.refunds, amounts):
                self.model.balances[refund.user] += amount
            return sum(amounts)

        @precondition(lambda self: any(not chunk.resolved for chunk in self.model.chunks))
        @rule(data=st.data())
        def dispute(self, data):
            """Anyone may dispute a pending chunk at any time: it succeeds exactly when the recorded
            commitment is not its transactions'; the prover is released, nobody is rewarded."""
            pending = [chunk for chunk in self.model.chunks if not chunk.resolved]
            if not pending:
                return
            chunk = data.draw(st.sampled_from(pending), label="chunk")
            disputer = self.roles[data.draw(st.sampled_from(PROVERS + ("reporter",)), label="disputer")]
            if chunk.commitment_matches:
                _expect_revert(
                    lambda: self.market.dispute_commitment(disputer, chunk.round_id, chunk.index), "CommitmentMatches"
                )
                event("dispute of a true commitment refused")
                return
            self.market.dispute_commitment(disputer, chunk.round_id, chunk.index)  # refunds from calldata
            event("chunk disputed" + (" pro rata" if owed_exceeds_pool(chunk, chunk.payment) else ""))
            chunk.resolved = True
            paid = self.credit_refunds(chunk, chunk.payment)
            self.model.burned += chunk.payment - paid
            self.model.provers[chunk.prover].locked -= chunk.collateral

        @rule(blocks=st.integers(1, 12))
        def mine(self, blocks):
            self.rounds.mine(blocks)

        # ------------------------------------------------------------------ invariants

        @invariant()
        def balances_match_the_model(self):
            for address, expected in self.model.balances.items():
                assert self.market.balance_of(address) == expected, address
            for address, expected in self.model.provers.items():
                state = self.market.prover(address)
                assert (state.collateral, state.locked, state.capacity, state.earnings) == (
                    expected.collateral, expected.locked, expected.capacity, expected.earnings
                ), address
                assert (state.exit_available_at, state.capacity_change_at, state.next_capacity) == (
                    expected.exit_at, expected.change_at, expected.next_capacity
                ), address

        @invariant()
        def conservation_holds(self):
            totals = self.market.totals()
            earnings = sum(prover.earnings for prover in self.model.provers.values())
            reserved = sum(chunk.payment for chunk in self.model.chunks if not chunk.resolved) + earnings
            assert totals.balances == sum(self.model.balances.values()) - earnings
            assert totals.collateral == sum(prover.collateral for prover in self.model.provers.values())
            assert (totals.reserved, totals.burned) == (reserved, self.model.burned)
            assert self.market.ether_balance() == totals.held

    return MarketMachine


@pytest.mark.slow
def test_market_conserves_ether_under_random_operations(web3, roles, mine):
    machine = make_machine(web3, roles, mine)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=6,
            stateful_step_count=40,
            deadline=None,
            database=None,
            # The same sequences on every run: the vacuity checks below cannot fail by chance
            # (with random draws, one CI run in several exercised no dispute).
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print(dict(sorted(EXERCISED.items())))
    # Not vacuous: bids were settled, and chunks were both proven and slashed.
    assert any(name.startswith("settled") and not name.startswith("settled 0") for name in EXERCISED)
    assert EXERCISED["chunk proven"] + EXERCISED["chunk slashed"] + EXERCISED["chunk slashed pro rata"] > 0
    # Batches ran: batches with a forged proof or a passed deadline reverted whole. Whether a
    # batch also paid chunks depends on block timing: the same draws do on the embedded devnet
    # and not on anvil, where deadlines come nearer; tests/contracts/test_submit_proofs.py pays
    # batches on both devnets and checks every balance and the totals.
    assert any(name.startswith("batch reverted") for name in EXERCISED)
    # Disputes ran (mismatched commitments disputed, or true ones refused: tests/contracts/
    # test_dispute_commitment.py has each case for certain).
    disputes = ("chunk disputed", "chunk disputed pro rata", "dispute of a true commitment refused")
    assert sum(EXERCISED[name] for name in disputes) > 0
    # Provers front-ran settlements with decreases or exits, and the settlements went through.
    assert any(name.startswith("front-run settlement") and " 0 chunk" not in name for name in EXERCISED)
