"""ReferenceRollup.withdraw: a user withdraws by transferring on L2 to its exit address; the
contract pays the exit account's balance in a finalized accounts tree, less what was paid
already. The market uses DevelopmentProofVerifier, the insecure test verifier."""

from __future__ import annotations

import pytest

from proofmarket.rollup.state import Account, Transfer
from tests.contracts.helpers import reverts

from .helpers import exit_account_address, l2_address


def ether_paid(web3, receipt) -> int:
    return receipt["gasUsed"] * receipt["effectiveGasPrice"]


@pytest.fixture
def exited(sequencer, rollup, alice, bob):
    """Round 1: alice deposits 1,000 and sends 300 to her exit address; bob deposits 500."""
    deposits = [sequencer.deposit(alice, 1_000), sequencer.deposit(bob, 500)]
    planned = sequencer.run([[*deposits, Transfer(l2_address(alice), exit_account_address(alice), 300, 0)]])
    assert rollup.is_solvent()
    return planned


def exit_proof(state, user):
    address = exit_account_address(user)
    account = state.account(address)
    return account, state.merkle_proof(state.index_of(address))


def test_withdraw_pays_the_exit_balance_then_only_its_increase(web3, sequencer, rollup, exited, alice):
    account, proof = exit_proof(exited.post_state, alice)
    before = web3.eth.get_balance(alice.address)
    receipt = rollup.withdraw_with_proof(alice, exited.round_id, account.balance, account.nonce, proof)
    assert web3.eth.get_balance(alice.address) == before + 300 - ether_paid(web3, receipt)
    assert rollup.withdrawn(alice.address) == 300
    assert rollup.events(receipt, "Withdrawn") == [{"user": alice.address, "amount": 300, "cumulative": 300}]
    assert rollup.ether_balance() == 1_200 and rollup.is_solvent()
    print(f"ReferenceRollup.withdraw gas: {receipt['gasUsed']}")

    with reverts("NothingToWithdraw", balance=300, withdrawn=300):
        rollup.withdraw_with_proof(alice, exited.round_id, account.balance, account.nonce, proof)

    later = sequencer.run([[Transfer(l2_address(alice), exit_account_address(alice), 450, 1)]])
    account, proof = exit_proof(later.post_state, alice)
    assert account.balance == 750
    before = web3.eth.get_balance(alice.address)
    receipt = rollup.withdraw_with_proof(alice, later.round_id, account.balance, account.nonce, proof)
    assert web3.eth.get_balance(alice.address) == before + 450 - ether_paid(web3, receipt)
    assert rollup.withdrawn(alice.address) == 750
    assert rollup.totals() == (1_500, 750, 0)
    assert rollup.ether_balance() == 750 and rollup.is_solvent()


def test_withdraw_refuses_an_unfinalized_round(sequencer, rollup, exited, alice):
    account, proof = exit_proof(exited.post_state, alice)
    with reverts("RootNotFinalized", roundId=exited.round_id + 1):
        rollup.withdraw_with_proof(alice, exited.round_id + 1, account.balance, account.nonce, proof)


def test_withdraw_refuses_a_wrong_merkle_proof(sequencer, rollup, exited, alice, bob):
    account, proof = exit_proof(exited.post_state, alice)
    accounts_root = exited.post_state.accounts_root
    with reverts("MerkleProofInvalid", roundId=exited.round_id, accountsRoot=accounts_root):
        rollup.withdraw_with_proof(alice, exited.round_id, account.balance + 1, account.nonce, proof)
    wrong_siblings = list(proof.siblings)
    wrong_siblings[3] += 1
    with reverts("MerkleProofInvalid", roundId=exited.round_id):
        rollup.withdraw(alice, exited.round_id, account.balance, account.nonce, proof.index, wrong_siblings)
    with reverts("MerkleProofInvalid", roundId=exited.round_id):  # bob proves alice's exit leaf
        rollup.withdraw_with_proof(bob, exited.round_id, account.balance, account.nonce, proof)
    with reverts("LeafIndexOutOfRange", index=256):
        rollup.withdraw(alice, exited.round_id, account.balance, account.nonce, 256, list(proof.siblings))
    assert rollup.withdrawn(alice.address) == 0 and rollup.ether_balance() == 1_500


def test_the_rollup_stays_solvent_through_deposits_withdrawals_and_rewards(web3, sequencer, rollup, exited, alice, bob, owner):
    rollup.fund_rescue_rewards(owner, 20_000)
    assert rollup.is_solvent()
    for user, amount, nonce in ((alice, 100, 1), (bob, 500, 0)):
        planned = sequencer.run([[Transfer(l2_address(user), exit_account_address(user), amount, nonce)]])
        account, proof = exit_proof(planned.post_state, user)
        rollup.withdraw_with_proof(user, planned.round_id, account.balance, account.nonce, proof)
        deposited, withdrawn, owed = rollup.totals()
        assert rollup.ether_balance() == deposited - withdrawn + rollup.rescue_reward_pool() + owed
    assert rollup.totals() == (1_500, 900, 0)
    assert rollup.ether_balance() == 600 + 20_000


def test_withdraw_never_pays_more_than_the_deposits_held(sequencer, rollup, exited, alice, bob):
    """Defence in depth, reachable only with an unsound proof (the insecure development verifier
    accepts any post-state): an exit balance above the deposits held is not paid."""
    pre = sequencer.state
    address = exit_account_address(bob)
    forged = pre.with_account(pre.account_count, Account(address, 10**6, 0))
    chunk = sequencer.plan([[Transfer(l2_address(alice), l2_address(bob), 1, 1)]])[0]
    chunk.post_state = forged  # the statement's post-state: not the transfer's
    planned = sequencer.settle([chunk])
    sequencer.prove(planned)
    sequencer.confirm(planned)
    sequencer.finalize(planned)
    account, proof = exit_proof(forged, bob)
    with reverts("WithdrawalExceedsDeposits", amount=10**6, available=1_500):
        rollup.withdraw_with_proof(bob, planned.round_id, account.balance, account.nonce, proof)
