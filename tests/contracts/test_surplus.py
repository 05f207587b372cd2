"""The surplus policy of settlement (docs/mechanism.md "Surplus policies"): treasury, burn, rebate."""

import pytest

from proofmarket.chain.market import SurplusPolicy

from .helpers import Change


@pytest.fixture
def two_bids(rounds, funded, registered, alice, bob, prover_fast):
    """alice charged 3,001 and bob 2,000 (R = 5,001) for one chunk paid 4,000: S = 1,001."""
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_001), rounds.bid(bob, round_id, 200, 2_000)]
    return round_id, bids, [rounds.chunk(prover_fast, round_id, 8, 2, 4_000)]


def _settle_under(policy, market, owner, ledger, rounds, two_bids):
    market.update_config(owner, market.config().replace(surplus_policy=policy))
    round_id, bids, chunks = two_bids
    rounds.close(round_id)
    before = ledger.snapshot()
    market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (8, 1), bids, chunks)
    return round_id, before


def test_surplus_goes_to_the_treasury_by_default(market, owner, ledger, rounds, two_bids):
    round_id, before = _settle_under(SurplusPolicy.TREASURY, market, owner, ledger, rounds, two_bids)
    ledger.assert_changes(
        before,
        alice=Change(balance=-3_001),
        bob=Change(balance=-2_000),
        treasury=Change(balance=1_001),
        prover_fast=Change(locked=500 * 50),
    )
    assert market.round(round_id).surplus_policy == SurplusPolicy.TREASURY


def test_surplus_is_burned_and_held_forever(market, owner, ledger, rounds, two_bids):
    round_id, before = _settle_under(SurplusPolicy.BURN, market, owner, ledger, rounds, two_bids)
    after = ledger.assert_changes(
        before, alice=Change(balance=-3_001), bob=Change(balance=-2_000), prover_fast=Change(locked=500 * 50)
    )
    assert after.totals.burned - before.totals.burned == 1_001
    assert after.contract_ether == before.contract_ether
    assert market.round(round_id).surplus_policy == SurplusPolicy.BURN


def test_surplus_is_rebated_pro_rata_with_dust_to_the_treasury(market, owner, ledger, rounds, two_bids):
    # alice: floor(1001 * 3001 / 5001) = 600; bob: floor(1001 * 2000 / 5001) = 400; dust 1.
    assert (1001 * 3001 // 5001, 1001 * 2000 // 5001) == (600, 400)
    round_id, before = _settle_under(SurplusPolicy.REBATE, market, owner, ledger, rounds, two_bids)
    ledger.assert_changes(
        before,
        alice=Change(balance=-3_001 + 600),
        bob=Change(balance=-2_000 + 400),
        treasury=Change(balance=1),
        prover_fast=Change(locked=500 * 50),
    )
    state = market.round(round_id)
    assert (state.revenue, state.surplus, state.surplus_policy) == (5_001, 1_001, SurplusPolicy.REBATE)


def test_policy_change_applies_to_later_rounds_only(market, owner, ledger, rounds, two_bids):
    round_id, _ = _settle_under(SurplusPolicy.REBATE, market, owner, ledger, rounds, two_bids)
    market.update_config(owner, market.config().replace(surplus_policy=SurplusPolicy.BURN))
    assert market.round(round_id).surplus_policy == SurplusPolicy.REBATE


def test_rebates_credited_earlier_in_a_settlement_pay_for_later_charges(
    market, owner, ledger, rounds, registered, alice, prover_fast
):
    """alice's whole escrow (1,000) pays her first bid; its rebate (900) pays her second (100).
    Σ charges (1,100) exceeds every escrow held before the settlement (1,000): the totals must
    add the rebates back before taking the charges out (they underflowed: Panic 0x11)."""
    market.update_config(owner, market.config().replace(surplus_policy=SurplusPolicy.REBATE))
    market.deposit(alice, 1_000)
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 100, 1_000), rounds.bid(alice, round_id, 10, 100, nonce=1)]
    chunks = [rounds.chunk(prover_fast, round_id, 1, 2, 110)]
    # R = 1,100, S = 990: rebates floor(990*1000/1100) = 900 and floor(990*100/1100) = 90, no dust.
    assert market.totals().balances == 1_000
    rounds.close(round_id)
    before = ledger.snapshot()
    market.settle_round(rounds.clearinghouse, round_id, b"\x00" * 32, (1, 1), bids, chunks)
    ledger.assert_changes(before, alice=Change(balance=-1_000 + 900 - 100 + 90), prover_fast=Change(locked=110 * 50))
    state = market.round(round_id)
    assert (state.revenue, state.surplus) == (1_100, 990)
