"""Constructor and owner operations: config validation, updateConfig, two-step ownership, pause."""

import pytest

from proofmarket.chain.market import CONFIG_BOUNDS, SurplusPolicy, deploy_market

from .helpers import Change, reverts

ZERO = "0x" + "00" * 20


def test_constructor_records_config_and_owner(market, owner, config):
    assert market.config() == config
    assert market.owner() == owner.address
    assert not market.paused()


@pytest.mark.parametrize(
    ("field", "value", "error", "arguments"),
    [
        ("clearinghouse", ZERO, "ZeroAddress", {"field": b"clearinghouse".ljust(32, b"\0")}),
        ("treasury", ZERO, "ZeroAddress", {"field": b"treasury".ljust(32, b"\0")}),
        ("verifier", ZERO, "ZeroAddress", {"field": b"verifier".ljust(32, b"\0")}),
        ("reporter_share_bps", 10_001, "ConfigOutOfBounds", {"field": b"reporterShareBps".ljust(32, b"\0")}),
        ("round_length_blocks", 0, "ConfigOutOfBounds", {"field": b"roundLengthBlocks".ljust(32, b"\0")}),
        ("capacity_per_round", 0, "ConfigOutOfBounds", {"field": b"capacityPerRound".ljust(32, b"\0")}),
        ("settlement_window_blocks", 0, "ConfigOutOfBounds", {"field": b"settlementWindowBlocks".ljust(32, b"\0")}),
        # The two examples: requestExit overflowed forever; every chunk was slashable at once.
        ("exit_delay_blocks", 2**64 - 1, "ConfigOutOfBounds", {"field": b"exitDelayBlocks".ljust(32, b"\0")}),
        ("proving_window_blocks", 0, "ConfigOutOfBounds", {"field": b"provingWindowBlocks".ljust(32, b"\0")}),
    ],
)
def test_constructor_reverts_on_invalid_config(web3, owner, config, field, value, error, arguments):
    with reverts(error, **arguments):
        deploy_market(web3, owner, config.replace(**{field: value}))


#: Solidity name -> MarketConfig attribute, for every bounded field.
PYTHON_NAMES = {
    "reporterShareBps": "reporter_share_bps",
    "roundLengthBlocks": "round_length_blocks",
    "provingWindowBlocks": "proving_window_blocks",
    "exitDelayBlocks": "exit_delay_blocks",
    "settlementWindowBlocks": "settlement_window_blocks",
    "capacityPerRound": "capacity_per_round",
    "maxBidsPerChunk": "max_bids_per_chunk",
    "consumerGasLimit": "consumer_gas_limit",
}
#: The largest value each field's Solidity type holds.
TYPE_MAX = {"reporterShareBps": 2**16 - 1, "maxBidsPerChunk": 2**32 - 1, "consumerGasLimit": 2**32 - 1}


def _outside_bounds():
    for field, (low, high) in CONFIG_BOUNDS.items():
        if low > 0:
            yield field, low - 1
        if high < TYPE_MAX.get(field, 2**64 - 1):
            yield field, high + 1


def test_every_bounded_field_is_tested():
    assert set(PYTHON_NAMES) == set(CONFIG_BOUNDS)


@pytest.mark.parametrize(("field", "value"), list(_outside_bounds()))
def test_update_config_reverts_outside_each_bound(market, owner, field, value):
    low, high = CONFIG_BOUNDS[field]
    with reverts("ConfigOutOfBounds", field=field.encode().ljust(32, b"\0"), value=value, min=low, max=high):
        market.update_config(owner, market.config().replace(**{PYTHON_NAMES[field]: value}))


@pytest.mark.parametrize(("field", "value"), list(_outside_bounds()))
def test_constructor_reverts_outside_each_bound(web3, owner, config, field, value):
    low, high = CONFIG_BOUNDS[field]
    with reverts("ConfigOutOfBounds", field=field.encode().ljust(32, b"\0"), value=value, min=low, max=high):
        deploy_market(web3, owner, config.replace(**{PYTHON_NAMES[field]: value}))


@pytest.mark.parametrize("edge", ["min", "max"])
def test_update_config_accepts_every_bound_itself(market, owner, edge):
    config = market.config()
    for field, (low, high) in CONFIG_BOUNDS.items():
        config = config.replace(**{PYTHON_NAMES[field]: low if edge == "min" else high})
    market.update_config(owner, config)
    assert market.config() == config


def test_constructor_reverts_when_owner_is_zero(web3, owner, config):
    from proofmarket.chain.transactions import deploy_contract

    with reverts("ZeroAddress", field=b"owner".ljust(32, b"\0")) as info:
        deploy_contract(web3, "ProofMarket", owner, ZERO, config.to_abi())
    assert str(info.value) == "ZeroAddress(field='owner')"


def test_update_config_reverts_on_invalid_config(market, owner):
    with reverts("ConfigOutOfBounds", value=10_001, min=0, max=10_000):
        market.update_config(owner, market.config().replace(reporter_share_bps=10_001))


def test_update_config_replaces_the_config(market, ledger, owner):
    new = market.config().replace(reporter_share_bps=10_000, surplus_policy=SurplusPolicy.BURN, exit_delay_blocks=1)
    before = ledger.snapshot()
    receipt = market.update_config(owner, new)
    ledger.assert_changes(before)
    assert market.config() == new
    (event,) = market.events(receipt, "ConfigUpdated")
    assert tuple(event["config"].values()) == new.to_abi()


def test_update_config_reverts_when_caller_is_not_owner(market, mallory):
    with reverts("NotOwner", caller=mallory.address):
        market.update_config(mallory, market.config().replace(clearinghouse=mallory.address))


def test_set_verifier_changes_only_the_verifier(market, owner, web3):
    from proofmarket.chain.market import deploy_development_verifier

    old = market.config()
    new_verifier = deploy_development_verifier(web3, owner)
    market.set_verifier(owner, new_verifier)
    assert market.config() == old.replace(verifier=new_verifier)


def test_ownership_moves_in_two_steps(market, owner, bob, mallory):
    receipt = market.transfer_ownership(owner, bob.address)
    assert market.events(receipt, "OwnershipTransferStarted") == [{"previousOwner": owner.address, "newOwner": bob.address}]
    assert market.owner() == owner.address
    with reverts("NotPendingOwner", caller=mallory.address):
        market.accept_ownership(mallory)
    receipt = market.accept_ownership(bob)
    assert market.events(receipt, "OwnershipTransferred") == [{"previousOwner": owner.address, "newOwner": bob.address}]
    assert market.owner() == bob.address
    with reverts("NotOwner", caller=owner.address):
        market.pause(owner)
    market.pause(bob)
    assert market.paused()


def test_pause_reverts_when_caller_is_not_owner(market, mallory):
    with reverts("NotOwner", caller=mallory.address):
        market.pause(mallory)


def test_unpause_reverts_when_caller_is_not_owner(market, owner, mallory):
    market.pause(owner)
    with reverts("NotOwner", caller=mallory.address):
        market.unpause(mallory)


def test_pause_stops_inflows_and_unpause_restores_them(market, ledger, owner, alice, prover_fast):
    receipt = market.pause(owner)
    assert market.events(receipt, "Paused") == [{"account": owner.address}]
    with reverts("MarketPaused"):
        market.deposit(alice, 1)
    with reverts("MarketPaused"):
        market.register_prover(prover_fast, 10, 500)
    receipt = market.unpause(owner)
    assert market.events(receipt, "Unpaused") == [{"account": owner.address}]
    before = ledger.snapshot()
    market.deposit(alice, 1)
    ledger.assert_changes(before, alice=Change(wallet=-1, balance=1))


def test_pause_stops_collateral_changes_of_provers(market, owner, prover_fast):
    market.register_prover(prover_fast, 10, 1_000)
    market.pause(owner)
    with reverts("MarketPaused"):
        market.add_collateral(prover_fast, 1)
    with reverts("MarketPaused"):
        market.set_capacity(prover_fast, 5)
    market.request_exit(prover_fast)  # leaving is never paused
