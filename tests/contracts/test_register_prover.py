"""registerProver(capacity), addCollateral(), setCapacity(capacity): the prover registry."""

from .helpers import COLLATERAL_PER_CONSTRAINT, Change, reverts


def test_register_prover_locks_nothing_and_holds_the_collateral(market, ledger, prover_fast):
    before = ledger.snapshot()
    receipt = market.register_prover(prover_fast, 1_000, 60_000)
    ledger.assert_changes(before, prover_fast=Change(wallet=-60_000, collateral=60_000))
    state = market.prover(prover_fast.address)
    assert (state.capacity, state.collateral, state.locked, state.exit_available_at) == (1_000, 60_000, 0, 0)
    assert state.registered and not state.exiting
    (event,) = market.events(receipt, "ProverRegistered")
    assert event == {"prover": prover_fast.address, "capacity": 1_000, "collateral": 60_000}


def test_register_prover_accepts_exactly_kappa_times_capacity(market, ledger, prover_fast):
    before = ledger.snapshot()
    market.register_prover(prover_fast, 1_000, COLLATERAL_PER_CONSTRAINT * 1_000)
    ledger.assert_changes(
        before, prover_fast=Change(wallet=-COLLATERAL_PER_CONSTRAINT * 1_000, collateral=COLLATERAL_PER_CONSTRAINT * 1_000)
    )


def test_register_prover_reverts_when_collateral_is_below_kappa_times_capacity(market, prover_fast):
    required = COLLATERAL_PER_CONSTRAINT * 1_000
    with reverts("InsufficientCollateral", prover=prover_fast.address, collateral=required - 1, required=required):
        market.register_prover(prover_fast, 1_000, required - 1)


def test_register_prover_reverts_when_capacity_is_zero(market, prover_fast):
    with reverts("ZeroCapacity"):
        market.register_prover(prover_fast, 0, 1_000)


def test_register_prover_reverts_when_already_registered(market, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    with reverts("ProverAlreadyRegistered", prover=prover_fast.address):
        market.register_prover(prover_fast, 1_000, 50_000)


def test_register_prover_reverts_when_paused(market, owner, prover_fast):
    market.pause(owner)
    with reverts("MarketPaused"):
        market.register_prover(prover_fast, 1_000, 50_000)


def test_add_collateral_increases_collateral(market, ledger, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    before = ledger.snapshot()
    receipt = market.add_collateral(prover_fast, 7_000)
    ledger.assert_changes(before, prover_fast=Change(wallet=-7_000, collateral=7_000))
    (event,) = market.events(receipt, "CollateralAdded")
    assert event == {"prover": prover_fast.address, "amount": 7_000, "collateral": 57_000}


def test_add_collateral_reverts_when_not_registered(market, mallory):
    with reverts("ProverNotRegistered", prover=mallory.address):
        market.add_collateral(mallory, 1_000)


def test_add_collateral_reverts_when_amount_is_zero(market, prover_fast):
    market.register_prover(prover_fast, 1_000, 50_000)
    with reverts("ZeroAmount"):
        market.add_collateral(prover_fast, 0)


def test_set_capacity_changes_capacity_within_collateral(market, ledger, prover_fast):
    market.register_prover(prover_fast, 1_000, 100_000)
    before = ledger.snapshot()
    receipt = market.set_capacity(prover_fast, 2_000)
    ledger.assert_changes(before)
    assert market.prover(prover_fast.address).capacity == 2_000
    (event,) = market.events(receipt, "CapacityChanged")
    assert event == {"prover": prover_fast.address, "previousCapacity": 1_000, "capacity": 2_000}


def test_set_capacity_reverts_when_collateral_does_not_back_it(market, prover_fast):
    market.register_prover(prover_fast, 1_000, 100_000)
    with reverts("InsufficientCollateral", prover=prover_fast.address, collateral=100_000, required=100_050):
        market.set_capacity(prover_fast, 2_001)


def test_set_capacity_reverts_when_zero(market, prover_fast):
    market.register_prover(prover_fast, 1_000, 100_000)
    with reverts("ZeroCapacity"):
        market.set_capacity(prover_fast, 0)


def test_set_capacity_reverts_when_exiting(market, prover_fast):
    market.register_prover(prover_fast, 1_000, 100_000)
    market.request_exit(prover_fast)
    exit_block = market.prover(prover_fast.address).exit_available_at
    with reverts("ProverExiting", prover=prover_fast.address, exitAvailableAt=exit_block):
        market.set_capacity(prover_fast, 500)


def test_set_capacity_reverts_when_not_registered(market, mallory):
    with reverts("ProverNotRegistered", prover=mallory.address):
        market.set_capacity(mallory, 10)
