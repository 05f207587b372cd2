"""deposit(): escrow in, exactly."""

from .helpers import Change, reverts


def test_deposit_moves_ether_into_escrow(market, ledger, alice):
    before = ledger.snapshot()
    receipt = market.deposit(alice, 12_345)
    ledger.assert_changes(before, alice=Change(wallet=-12_345, balance=12_345))
    (event,) = market.events(receipt, "Deposited")
    assert event == {"user": alice.address, "amount": 12_345, "balance": 12_345}


def test_deposit_adds_to_an_existing_balance(market, ledger, alice):
    market.deposit(alice, 1_000)
    before = ledger.snapshot()
    receipt = market.deposit(alice, 500)
    ledger.assert_changes(before, alice=Change(wallet=-500, balance=500))
    (event,) = market.events(receipt, "Deposited")
    assert event["balance"] == 1_500


def test_deposit_reverts_when_amount_is_zero(market, alice):
    with reverts("ZeroAmount"):
        market.deposit(alice, 0)


def test_deposit_reverts_when_paused(market, owner, alice):
    market.pause(owner)
    with reverts("MarketPaused"):
        market.deposit(alice, 1)


def test_market_rejects_plain_ether_transfers(web3, market, alice):
    from proofmarket.chain.errors import ContractRevert
    from proofmarket.chain.transactions import send_transaction

    import pytest

    with pytest.raises(ContractRevert):
        send_transaction(web3, alice, {"to": market.address, "value": 1}, market.errors)
