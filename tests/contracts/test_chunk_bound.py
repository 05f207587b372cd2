"""maxBidsPerChunk: every chunk that settles can be slashed, or disputed, within one block's gas.

A chunk's slash refunds all its bids in one call, and a refund into an empty escrow slot costs
about twice what settling the bid did: without a bound, a chunk of ~1,500 one-constraint bids
settled within a 30M-gas block but could never be slashed. A dispute adds one on-chain Poseidon
hash per bid. The worst case is measured here: the largest chunk allowed, every user a different
account whose escrow slot the settlement emptied, so every refund writes a new, cold slot.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_hash.auto import keccak

from proofmarket.chain.market import DEFAULT_MAX_BIDS_PER_CHUNK

from .helpers import reverts

#: The budget the bound was sized for (slash and dispute alike): half a 30M-gas block.
SLASH_GAS_BUDGET = 15_000_000
CHARGE = 2  # wei: one constraint at the test market's reserve


@pytest.fixture
def bound_users(web3, market, owner):
    """``maxBidsPerChunk`` fresh accounts, each with exactly ``CHARGE`` wei of escrow."""
    from proofmarket.chain.transactions import send_transaction

    users = [Account.from_key(keccak(f"chunk bound user {index}".encode())) for index in range(DEFAULT_MAX_BIDS_PER_CHUNK)]
    for user in users:
        send_transaction(web3, owner, {"to": user.address, "value": 10**17, "gas": 21_000})
    for user in users:
        market.deposit(user, CHARGE)
    return users


def settle_the_largest_chunk(market, rounds, bound_users, alice, prover_fast):
    """Settles ``maxBidsPerChunk`` one-constraint bids in one chunk (one more is refused), with a
    commitment that is not the chunk's transactions'; returns (round, payment, settle receipt)."""
    assert market.config().max_bids_per_chunk == DEFAULT_MAX_BIDS_PER_CHUNK
    round_id = rounds.open_round()
    bids = [rounds.bid(user, round_id, 1, CHARGE) for user in bound_users]
    payment = len(bids)  # 1 wei per constraint
    # One bid more than the bound is refused at settlement.
    extra = rounds.bid(alice, round_id, 1, CHARGE)
    with reverts("TooManyBidsInChunk", chunkIndex=0, bidCount=len(bids) + 1, maxBidsPerChunk=DEFAULT_MAX_BIDS_PER_CHUNK):
        rounds.settle(round_id, bids + [extra], [rounds.chunk(prover_fast, round_id, 1, len(bids) + 1, payment)])

    settle_receipt = rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 1, len(bids), payment)])
    for user in bound_users[:3] + bound_users[-3:]:
        assert market.balance_of(user.address) == 0  # the settlement emptied every slot
    return round_id, payment, settle_receipt


def test_the_largest_chunk_settles_and_its_slash_refunds_everyone_within_a_block(
    market, rounds, registered, bound_users, alice, reporter, treasury, prover_fast, funded
):
    round_id, payment, settle_receipt = settle_the_largest_chunk(market, rounds, bound_users, alice, prover_fast)
    rounds.pass_deadline(round_id)
    parties = (reporter.address, treasury.address)
    before = [market.balance_of(address) for address in parties]
    prover_before = market.prover(prover_fast.address)
    receipt = market.slash(reporter, round_id, 0)
    collateral = len(bound_users) * 50
    left = payment + collateral - CHARGE * len(bound_users)
    reward = left * 2_000 // 10_000
    after = [market.balance_of(address) for address in parties]
    assert [a - b for a, b in zip(after, before)] == [reward, left - reward]
    prover_after = market.prover(prover_fast.address)
    assert prover_before.collateral - prover_after.collateral == collateral
    assert (prover_before.locked - prover_after.locked, prover_after.locked) == (collateral, 0)
    # Conservation, with every user's refund in the balances.
    assert market.ether_balance() == market.totals().held
    assert all(market.balance_of(user.address) == CHARGE for user in bound_users)
    print(
        f"\nmaxBidsPerChunk {DEFAULT_MAX_BIDS_PER_CHUNK}: settleRound gas {settle_receipt['gasUsed']:,}, "
        f"slash gas (all refunds into cold empty slots) {receipt['gasUsed']:,}"
    )
    assert receipt["gasUsed"] <= SLASH_GAS_BUDGET


def test_the_largest_chunk_can_be_disputed_and_refunded_within_a_block(
    market, rounds, registered, bound_users, alice, reporter, prover_fast, funded
):
    round_id, payment, _ = settle_the_largest_chunk(market, rounds, bound_users, alice, prover_fast)
    burned_before = market.totals().burned
    prover_before = market.prover(prover_fast.address)
    receipt = market.dispute_commitment(prover_fast, round_id, 0)  # one Poseidon hash per bid
    # The payment (1 wei a bid) is all the pool: each user gets CHARGE * pool // owed = 1 wei back.
    assert all(market.balance_of(user.address) == payment * CHARGE // (CHARGE * len(bound_users)) for user in bound_users)
    assert market.totals().burned == burned_before
    prover_after = market.prover(prover_fast.address)
    assert prover_after.collateral == prover_before.collateral
    assert prover_before.locked - prover_after.locked == len(bound_users) * 50
    assert market.ether_balance() == market.totals().held
    print(
        f"\nmaxBidsPerChunk {DEFAULT_MAX_BIDS_PER_CHUNK}: disputeCommitment gas (Poseidon chain, all refunds "
        f"into cold empty slots) {receipt['gasUsed']:,}"
    )
    assert receipt["gasUsed"] <= SLASH_GAS_BUDGET


def test_max_bids_per_chunk_is_checked_per_chunk(market, owner, rounds, funded, registered, alice, bob, carol, prover_fast, prover_slow):
    market.update_config(owner, market.config().replace(max_bids_per_chunk=2))
    round_id = rounds.open_round()
    bids = [rounds.bid(user, round_id, 10, 100) for user in (alice, bob, carol)]
    with reverts("TooManyBidsInChunk", chunkIndex=1, bidCount=3, maxBidsPerChunk=2):
        rounds.settle(round_id, bids + [rounds.bid(alice, round_id, 10, 100, nonce=1)],
                      [rounds.chunk(prover_fast, round_id, 1, 1, 10), rounds.chunk(prover_slow, round_id, 1, 3, 30)])
    rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 1, 2, 20), rounds.chunk(prover_slow, round_id, 1, 1, 10)])
