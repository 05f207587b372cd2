"""The shared test vectors (tests/vectors/) settled on-chain: the contract moves exactly the money
the mechanism's outcome says.

For each vector of a mechanism the contract settles (proofphi, trade-reduction, pay-as-bid) that
includes bids: a fresh market with the vector's capacity C, reserve and surplus policy; every ask's
prover registered with the ask's capacity (and exactly κ·capacity collateral); every bid signed by
its user with ``maxFee`` = the bid's fee. The EXPECTED outcome is settled (charges, chunks in order
with their payments, the price) and every chunk proven with the development proof. The ledger
then checks each user's change (−charge + rebate, summed over its bids), each prover's payment, the
treasury's credit (its share or the rebate dust), the burned total and the conservation invariant.
Under ``rebate`` this checks the contract's ``floor(S·charge_i/R)`` per bid against the mechanism's.

Parties: the vector's ``user1..user5`` are alice, bob, carol, mallory and reporter; ``prover1..4``
are prover_fast, prover_slow and two more accounts of the test mnemonic, funded here.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from eth_account import Account

from proofmarket.chain.market import SurplusPolicy
from proofmarket.chain.transactions import send_transaction
from proofmarket.mechanism.roundfile import input_hash, parse_round

from ..conftest import TEST_MNEMONIC
from ..vectors import load_vectors
from .helpers import COLLATERAL_PER_CONSTRAINT, Change, default_config

VECTORS = [vector for vector in load_vectors() if vector.settled_on_chain]

USER_ROLES = ("alice", "bob", "carol", "mallory", "reporter")
PROVER_ROLES = ("prover_fast", "prover_slow")
EXTRA_PROVER_INDEXES = {"prover_3": 10, "prover_4": 11}
"""Accounts of the test mnemonic beyond the ten roles (not funded by the devnet: funded here)."""
EXTRA_PROVER_FUNDING = 10**18


@pytest.fixture(params=VECTORS, ids=[vector.name for vector in VECTORS])
def vector(request):
    return request.param


@pytest.fixture
def config(web3, clearinghouse, treasury, verifier, vector):
    """The default test config with the vector's capacity C, reserve ρ and surplus policy
    (overrides conftest's ``config``, so ``market``, ``ledger`` and ``rounds`` use it)."""
    round_config = parse_round(vector.input).config
    return default_config(
        clearinghouse.address,
        treasury.address,
        verifier,
        web3.eth.block_number + 1,
        capacity_per_round=round_config.capacity,
        reserve_per_constraint=round_config.reserve_wei_per_constraint,
        surplus_policy=SurplusPolicy[round_config.surplus.upper()],
    )


@pytest.fixture(scope="session")
def extra_provers(web3, signers):
    """Two more funded accounts of the test mnemonic, by ledger name."""
    funder = signers[0]
    accounts = {}
    for name, index in EXTRA_PROVER_INDEXES.items():
        account = Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
        if web3.eth.get_balance(account.address) < EXTRA_PROVER_FUNDING // 2:
            send_transaction(web3, funder, {"to": account.address, "value": EXTRA_PROVER_FUNDING})
        accounts[name] = account
    return accounts


@pytest.fixture
def parties(vector, roles, extra_provers, ledger):
    """The vector's party labels (``user1``, ``prover1``, ...) as ledger names and accounts."""
    accounts = {**roles, **extra_provers}
    for name, account in extra_provers.items():
        ledger.add(name, account.address)
    prover_names = (*PROVER_ROLES, *EXTRA_PROVER_INDEXES)
    names = {f"user{index}": name for index, name in enumerate(USER_ROLES, start=1)}
    names |= {f"prover{index}": name for index, name in enumerate(prover_names, start=1)}
    labels = [*vector.parties["bids"].values(), *vector.parties["asks"].values()]
    unknown = sorted(set(labels) - set(names))
    assert not unknown, f"{vector.name}: no account for parties {unknown}"
    return {label: (names[label], accounts[names[label]]) for label in labels}


def test_vector_outcome_settles_and_proves_with_exact_balance_changes(vector, market, ledger, rounds, parties):
    round_input = parse_round(vector.input)
    bids = {bid.id: bid for bid in round_input.bids}
    asks = {ask.id: ask for ask in round_input.asks}
    expected = vector.expected
    user_of = {bid_id: parties[label] for bid_id, label in vector.parties["bids"].items()}
    prover_of = {ask_id: parties[label] for ask_id, label in vector.parties["asks"].items()}
    accounts = dict(parties.values())

    # Every ask's prover registers its capacity; every user escrows the sum of its bids.
    for ask_id, (_, prover) in prover_of.items():
        capacity = asks[ask_id].capacity
        market.register_prover(prover, capacity, COLLATERAL_PER_CONSTRAINT * capacity)
    escrow: dict[str, int] = defaultdict(int)
    for bid_id, (name, _) in user_of.items():
        escrow[name] += bids[bid_id].fee_wei
    for name, amount in escrow.items():
        market.deposit(accounts[name], amount)

    # The expected outcome as a settlement: the included bids in order, then one chunk per prover.
    round_id = rounds.open_round()
    charges = {bid_id: int(charge) for bid_id, charge in expected["charges_wei"].items()}
    rebates = {bid_id: int(rebate) for bid_id, rebate in expected["rebates_wei"].items()}
    included = [
        rounds.bid(user_of[bid_id][1], round_id, bids[bid_id].constraints, bids[bid_id].fee_wei, charge=charges[bid_id])
        for bid_id in expected["included_bid_ids"]
    ]
    chunks = [
        rounds.chunk(
            prover_of[chunk["prover_id"]][1],
            round_id,
            asks[chunk["prover_id"]].unit_cost_wei,
            len(chunk["bid_ids"]),
            int(chunk["payment_wei"]),
        )
        for chunk in expected["chunks"]
    ]
    price = (int(expected["price"]["num"]), int(expected["price"]["den"]))
    rounds.close(round_id)

    user_changes: dict[str, int] = defaultdict(int)
    for bid_id, charge in charges.items():
        user_changes[user_of[bid_id][0]] += rebates.get(bid_id, 0) - charge
    treasury_share, burned = int(expected["treasury_wei"]), int(expected["burn_wei"])
    payouts, revenue, surplus = (int(expected[key]) for key in ("payouts_wei", "revenue_wei", "surplus_wei"))
    working = [
        (prover_of[chunk["prover_id"]][0], int(chunk["constraints"]), int(chunk["payment_wei"]))
        for chunk in expected["chunks"]
    ]

    # Settle: users pay net of their rebates, the treasury gets its share, collateral locks.
    start = ledger.snapshot()
    market.settle_round(rounds.clearinghouse, round_id, input_hash(round_input), price, included, chunks)
    settled = ledger.assert_changes(
        start,
        **{name: Change(balance=change) for name, change in user_changes.items()},
        treasury=Change(balance=treasury_share),
        **{name: Change(locked=COLLATERAL_PER_CONSTRAINT * constraints) for name, constraints, _ in working},
    )
    assert settled.totals.burned - start.totals.burned == burned, "burned total"
    assert settled.totals.reserved - start.totals.reserved == payouts, "payments reserved for the chunks"
    state = market.round(round_id)
    assert (state.revenue, state.surplus, state.payments) == (revenue, surplus, payouts)
    assert (state.price_num, state.price_den) == price
    assert (state.bid_count, state.chunk_count) == (len(included), len(chunks))
    assert state.input_hash == input_hash(round_input)
    assert state.surplus_policy == SurplusPolicy[vector.surplus_policy.upper()]
    for index, (name, constraints, payment) in enumerate(working):
        chunk = market.chunk(round_id, index)
        assert (chunk.prover, chunk.constraints, chunk.payment) == (accounts[name].address, constraints, payment)

    # Prove every chunk with the development proof: each prover is paid, its collateral unlocks.
    for index, chunk in enumerate(chunks):
        market.submit_proof(prover_of[expected["chunks"][index]["prover_id"]][1], round_id, index, rounds.proof(round_id, index))
    unlocked = {
        name: Change(balance=payment, locked=-COLLATERAL_PER_CONSTRAINT * constraints)
        for name, constraints, payment in working
    }
    ledger.assert_changes(settled, **unlocked)

    # The whole round: what the users paid is exactly what the provers, the treasury and the burn got.
    end = ledger.assert_changes(
        start,
        **{name: Change(balance=change) for name, change in user_changes.items()},
        treasury=Change(balance=treasury_share),
        **{name: Change(balance=payment) for name, _, payment in working},
    )
    assert -sum(user_changes.values()) == payouts + treasury_share + burned
    assert end.totals.burned - start.totals.burned == burned
