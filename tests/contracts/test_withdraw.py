"""withdraw(amount): pull payments out of the one balance per address."""

from proofmarket.chain.market import ProofMarketClient

from .helpers import Change, reverts


def test_withdraw_sends_part_of_the_balance(market, ledger, alice):
    market.deposit(alice, 10_000)
    before = ledger.snapshot()
    receipt = market.withdraw(alice, 4_000)
    ledger.assert_changes(before, alice=Change(wallet=4_000, balance=-4_000))
    (event,) = market.events(receipt, "Withdrawn")
    assert event == {"account": alice.address, "amount": 4_000, "balance": 6_000}


def test_withdraw_sends_the_whole_balance(market, ledger, alice):
    market.deposit(alice, 10_000)
    before = ledger.snapshot()
    market.withdraw(alice, 10_000)
    ledger.assert_changes(before, alice=Change(wallet=10_000, balance=-10_000))
    assert market.balance_of(alice.address) == 0


def test_withdraw_reverts_when_amount_exceeds_balance(market, alice):
    market.deposit(alice, 10_000)
    with reverts("InsufficientBalance", account=alice.address, balance=10_000, amount=10_001):
        market.withdraw(alice, 10_001)


def test_withdraw_reverts_when_amount_is_zero(market, alice):
    market.deposit(alice, 10_000)
    with reverts("ZeroAmount"):
        market.withdraw(alice, 0)


def test_withdraw_works_while_paused(market, ledger, owner, alice):
    market.deposit(alice, 10_000)
    market.pause(owner)
    before = ledger.snapshot()
    market.withdraw(alice, 10_000)
    ledger.assert_changes(before, alice=Change(wallet=10_000, balance=-10_000))


def test_withdraw_reverts_when_the_recipient_refuses_ether(market, market_account):
    market_account.transact("deposit", value=5_000)
    market_account.transact("setMode", 1)  # Refuse
    with reverts("EtherTransferFailed", to=market_account.address, amount=5_000):
        market_account.transact("withdraw", 5_000)
    assert market.balance_of(market_account.address) == 5_000


def test_withdraw_cannot_be_reentered(market, ledger, market_account):
    market_account.transact("deposit", value=5_000)
    market_account.transact("setMode", 2)  # Reenter: receive() calls withdraw(1) again
    before = ledger.snapshot()
    market_account.transact("withdraw", 5_000)
    ledger.assert_changes(before, market_account=Change(wallet=5_000, balance=-5_000))
    revert = market.errors.decode(market_account.reentry_revert())
    assert revert.error_name == "Reentrancy"


def test_withdraw_of_a_client_bound_by_address(web3, market, alice):
    market.deposit(alice, 7)
    same = ProofMarketClient.at(web3, market.address)
    same.withdraw(alice, 7)
    assert market.balance_of(alice.address) == 0
