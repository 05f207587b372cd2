"""requestExit() and withdrawCollateral(): leaving the registry, never ahead of a pending slash."""

from .helpers import EXIT_DELAY_BLOCKS, SETTLEMENT_WINDOW_BLOCKS, Change, reverts


def test_request_exit_sets_the_exit_block(market, ledger, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    before = ledger.snapshot()
    receipt = market.request_exit(prover_fast)
    ledger.assert_changes(before)
    available = receipt["blockNumber"] + EXIT_DELAY_BLOCKS
    assert market.prover(prover_fast.address).exit_available_at == available
    (event,) = market.events(receipt, "ExitRequested")
    assert event == {"prover": prover_fast.address, "exitAvailableAt": available}


def test_request_exit_reverts_when_not_registered(market, mallory):
    with reverts("ProverNotRegistered", prover=mallory.address):
        market.request_exit(mallory)


def test_request_exit_reverts_when_already_exiting(market, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    market.request_exit(prover_fast)
    with reverts("ProverExiting", prover=prover_fast.address):
        market.request_exit(prover_fast)


def test_withdraw_collateral_returns_everything_after_the_delay(market, ledger, rounds, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    market.add_collateral(prover_fast, 5)
    market.request_exit(prover_fast)
    rounds.mine_to(rounds.withdrawable_block(prover_fast.address))
    before = ledger.snapshot()
    receipt = market.withdraw_collateral(prover_fast)
    ledger.assert_changes(before, prover_fast=Change(wallet=50_005, collateral=-50_005))
    assert not market.prover(prover_fast.address).registered
    (event,) = market.events(receipt, "CollateralWithdrawn")
    assert event == {"prover": prover_fast.address, "amount": 50_005}


def test_withdraw_collateral_reverts_before_the_delay(market, rounds, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    market.request_exit(prover_fast)
    withdrawable = rounds.withdrawable_block(prover_fast.address)
    assert withdrawable == market.prover(prover_fast.address).exit_available_at + SETTLEMENT_WINDOW_BLOCKS
    rounds.mine_to(withdrawable - 2)  # the withdrawal lands in the block before
    with reverts("ExitDelayNotPassed", prover=prover_fast.address, withdrawableAt=withdrawable):
        market.withdraw_collateral(prover_fast)


def test_withdraw_collateral_waits_for_the_settlement_window_of_rounds_closed_before_the_exit(
    market, rounds, prover_fast
):
    """At the exit block itself a round that closed just before it can still be settled with the
    prover: its collateral must still be there."""
    market.register_prover(prover_fast, 1_000, 50_000)
    market.request_exit(prover_fast)
    exit_block = market.prover(prover_fast.address).exit_available_at
    rounds.mine_to(exit_block)
    with reverts("ExitDelayNotPassed", prover=prover_fast.address, withdrawableAt=exit_block + SETTLEMENT_WINDOW_BLOCKS):
        market.withdraw_collateral(prover_fast)


def test_withdraw_collateral_reverts_without_request_exit(market, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    with reverts("ProverNotExiting", prover=prover_fast.address):
        market.withdraw_collateral(prover_fast)


def test_withdraw_collateral_reverts_when_not_registered(market, mallory):
    with reverts("ProverNotRegistered", prover=mallory.address):
        market.withdraw_collateral(mallory)


def test_withdraw_collateral_reverts_while_collateral_is_locked(market, rounds, funded, registered, alice, prover_fast):
    round_id = rounds.open_round()
    bids = [rounds.bid(alice, round_id, 300, 3_000)]
    rounds.settle(round_id, bids, [rounds.chunk(prover_fast, round_id, 5, 1, 1_500)])
    market.request_exit(prover_fast)
    rounds.mine_to(rounds.withdrawable_block(prover_fast.address))
    with reverts("CollateralLocked", prover=prover_fast.address, locked=300 * 50):
        market.withdraw_collateral(prover_fast)


def test_withdraw_collateral_works_while_paused(market, ledger, rounds, owner, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    market.request_exit(prover_fast)
    market.pause(owner)
    rounds.mine_to(rounds.withdrawable_block(prover_fast.address))
    before = ledger.snapshot()
    market.withdraw_collateral(prover_fast)
    ledger.assert_changes(before, prover_fast=Change(wallet=50_000, collateral=-50_000))


def test_prover_can_register_again_after_leaving(market, ledger, rounds, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    market.request_exit(prover_fast)
    rounds.mine_to(rounds.withdrawable_block(prover_fast.address))
    market.withdraw_collateral(prover_fast)
    before = ledger.snapshot()
    market.register_prover(prover_fast, 10, 500)
    ledger.assert_changes(before, prover_fast=Change(wallet=-500, collateral=500))
    state = market.prover(prover_fast.address)
    assert (state.capacity, state.exit_available_at, state.locked) == (10, 0, 0)


def test_withdraw_collateral_cannot_be_reentered(market, ledger, rounds, market_account):
    market_account.transact("registerProver", 10, value=500)
    market_account.transact("requestExit")
    market_account.transact("setMode", 2)  # Reenter: receive() calls withdraw(1)
    rounds.mine_to(rounds.withdrawable_block(market_account.address))
    before = ledger.snapshot()
    market_account.transact("withdrawCollateral")
    ledger.assert_changes(before, market_account=Change(wallet=500, collateral=-500))
    assert market.errors.decode(market_account.reentry_revert()).error_name == "Reentrancy"
