"""A prover's capacity is fixed across rounds: decreases and exits take effect after the exit
delay, for rounds closing from then on, so nothing a prover does between a round's close and its
settlement can make that settlement revert (increases apply at once)."""

from .helpers import COLLATERAL_PER_CONSTRAINT, EXIT_DELAY_BLOCKS, SETTLEMENT_WINDOW_BLOCKS, Change, reverts


def _round_of_one_bid(rounds, user, prover, constraints):
    """The open round, one bid of ``constraints`` by ``user`` and one chunk for ``prover``."""
    round_id = rounds.open_round()
    bids = [rounds.bid(user, round_id, constraints, 10 * constraints)]
    return round_id, bids, [rounds.chunk(prover, round_id, 1, 1, constraints)]


def test_capacity_decrease_between_close_and_settlement_does_not_revert_it(
    market, ledger, rounds, funded, registered, alice, prover_fast
):
    round_id, bids, chunks = _round_of_one_bid(rounds, alice, prover_fast, 1_500)
    rounds.close(round_id)
    receipt = market.set_capacity(prover_fast, 100)  # the front-run: 1,500 > 100
    effective = receipt["blockNumber"] + EXIT_DELAY_BLOCKS
    assert market.events(receipt, "CapacityDecreaseRequested") == [
        {"prover": prover_fast.address, "capacity": 100, "effectiveAt": effective}
    ]
    state = market.prover(prover_fast.address)
    assert (state.capacity, state.next_capacity, state.capacity_change_at) == (2_000, 100, effective)
    assert state.capacity_for_close(market.round_close_block(round_id)) == 2_000
    before = ledger.snapshot()
    rounds.settle(round_id, bids, chunks)
    ledger.assert_changes(
        before, alice=Change(balance=-15_000), treasury=Change(balance=13_500),
        prover_fast=Change(locked=1_500 * COLLATERAL_PER_CONSTRAINT),
    )


def test_request_exit_between_close_and_settlement_does_not_revert_it(
    market, ledger, rounds, funded, registered, alice, prover_fast
):
    round_id, bids, chunks = _round_of_one_bid(rounds, alice, prover_fast, 300)
    rounds.close(round_id)
    market.request_exit(prover_fast)  # the front-run
    exit_block = market.prover(prover_fast.address).exit_available_at
    rounds.mine_to(exit_block)  # the exit is in force; the round closed before it
    before = ledger.snapshot()
    rounds.settle(round_id, bids, chunks)
    ledger.assert_changes(
        before, alice=Change(balance=-3_000), treasury=Change(balance=2_700),
        prover_fast=Change(locked=300 * COLLATERAL_PER_CONSTRAINT),
    )
    # It leaves once the chunk is resolved and no round closing before the exit can be settled.
    rounds.mine_to(rounds.withdrawable_block(prover_fast.address))
    with reverts("CollateralLocked", prover=prover_fast.address, locked=300 * COLLATERAL_PER_CONSTRAINT):
        market.withdraw_collateral(prover_fast)
    rounds.pass_deadline(round_id)
    market.slash(prover_fast, round_id, 0)
    market.withdraw_collateral(prover_fast)
    assert not market.prover(prover_fast.address).registered


def test_capacity_decrease_applies_to_rounds_closing_after_the_delay(
    market, rounds, funded, registered, alice, bob, prover_fast
):
    receipt = market.set_capacity(prover_fast, 100)
    effective = receipt["blockNumber"] + EXIT_DELAY_BLOCKS
    early = market.current_round()
    assert market.round_close_block(early) < effective
    early_round = _round_of_one_bid(rounds, alice, prover_fast, 1_500)
    rounds.mine_to(effective)
    late = rounds.open_round()
    assert market.round_close_block(late) >= effective
    # The round that closed before the decrease keeps the old capacity, even settled after it.
    rounds.settle(*early_round)
    big = [rounds.bid(bob, late, 1_500, 15_000)]
    with reverts("ChunkExceedsProverCapacity", chunkIndex=0, prover=prover_fast.address, constraints=1_500, capacity=100):
        rounds.settle(late, big, [rounds.chunk(prover_fast, late, 1, 1, 1_500)])
    rounds.settle(late, [rounds.bid(bob, late, 100, 1_000)], [rounds.chunk(prover_fast, late, 1, 1, 100)])


def test_capacity_increase_applies_at_once_to_a_closed_round_and_cancels_a_decrease(
    market, rounds, funded, registered, alice, prover_fast
):
    market.set_capacity(prover_fast, 100)
    round_id, bids, chunks = _round_of_one_bid(rounds, alice, prover_fast, 2_500)
    rounds.close(round_id)
    market.add_collateral(prover_fast, 500 * COLLATERAL_PER_CONSTRAINT)
    receipt = market.set_capacity(prover_fast, 2_500)
    assert market.events(receipt, "CapacityChanged") == [
        {"prover": prover_fast.address, "previousCapacity": 2_000, "capacity": 2_500}
    ]
    state = market.prover(prover_fast.address)
    assert (state.capacity, state.next_capacity, state.capacity_change_at) == (2_500, 0, 0)
    rounds.settle(round_id, bids, chunks)


def test_a_decrease_not_yet_in_force_is_replaced_and_retimed(market, prover_fast, registered):
    market.set_capacity(prover_fast, 500)
    receipt = market.set_capacity(prover_fast, 50)
    state = market.prover(prover_fast.address)
    assert (state.capacity, state.next_capacity) == (2_000, 50)
    assert state.capacity_change_at == receipt["blockNumber"] + EXIT_DELAY_BLOCKS


def test_a_second_decrease_waits_until_rounds_before_the_first_are_dead(market, rounds, prover_fast, registered):
    receipt = market.set_capacity(prover_fast, 500)
    effective = receipt["blockNumber"] + EXIT_DELAY_BLOCKS
    rounds.mine_to(effective)  # the decrease is in force for rounds closing from here on
    with reverts("CapacityChangePending", prover=prover_fast.address, availableAt=effective + SETTLEMENT_WINDOW_BLOCKS):
        market.set_capacity(prover_fast, 400)
    # Raising the decreased capacity is an increase for the rounds it reaches: at once.
    receipt = market.set_capacity(prover_fast, 600)
    assert market.events(receipt, "CapacityDecreaseRequested") == [
        {"prover": prover_fast.address, "capacity": 600, "effectiveAt": effective}
    ]
    # From here on no round closing before the first decrease can be settled (the head itself is
    # past it, so gas estimation at the head agrees with inclusion in the next block).
    rounds.mine_to(effective + SETTLEMENT_WINDOW_BLOCKS)
    receipt = market.set_capacity(prover_fast, 400)
    state = market.prover(prover_fast.address)
    assert (state.capacity, state.next_capacity) == (600, 400)
    assert state.capacity_change_at == receipt["blockNumber"] + EXIT_DELAY_BLOCKS


def test_withdraw_collateral_clears_a_pending_decrease(market, rounds, prover_fast, registered):
    market.set_capacity(prover_fast, 500)
    market.request_exit(prover_fast)
    with reverts("ProverExiting", prover=prover_fast.address):
        market.set_capacity(prover_fast, 400)
    rounds.mine_to(rounds.withdrawable_block(prover_fast.address))
    market.withdraw_collateral(prover_fast)
    state = market.prover(prover_fast.address)
    assert (state.capacity, state.next_capacity, state.capacity_change_at, state.exit_available_at) == (0, 0, 0, 0)
