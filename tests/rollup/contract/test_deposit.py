"""ReferenceRollup.deposit: the L1 deposit queue and its Poseidon chain (docs/rollup.md, "The
rollup contract"). The market under the rollup uses DevelopmentProofVerifier, the insecure test
verifier (deposits do not touch it)."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak

from proofmarket.chain.transactions import deploy_contract
from proofmarket.exceptions import UserInputError
from proofmarket.rollup.contract import deploy_poseidon_hasher, exit_address_of
from proofmarket.rollup.state import Deposit, RollupState, deposit_chain
from tests.contracts.helpers import reverts

from .helpers import l2_address


def test_an_empty_rollup_starts_at_the_empty_state_root(rollup):
    assert rollup.state_root() == rollup.empty_state_root() == RollupState().root
    assert rollup.last_finalized_round() is None
    assert (rollup.deposit_count(), rollup.finalized_deposit_position()) == (0, 0)


def test_the_rollup_refuses_a_zero_address_at_deployment(web3, owner, market, verifier):
    hasher = deploy_poseidon_hasher(web3, owner).address
    zero = "0x" + "00" * 20
    for arguments, field in (((zero, verifier, hasher), b"market"), ((market.address, zero, hasher), b"verifier"), ((market.address, verifier, zero), b"hasher")):
        with reverts("ZeroAddress", field=field.ljust(32, b"\0")):
            deploy_contract(web3, "ReferenceRollup", owner, *arguments, 0)


def test_the_rollup_refuses_a_verifier_other_than_the_markets(web3, owner, market, verifier):
    """A rescue must be checked by the verifier that checks the market's proofs."""
    hasher = deploy_poseidon_hasher(web3, owner).address
    other = deploy_poseidon_hasher(web3, owner).address  # any contract that is not the market's verifier
    with reverts("VerifierNotTheMarkets", verifier=other, marketVerifier=verifier):
        deploy_contract(web3, "ReferenceRollup", owner, market.address, other, hasher, 0)


def test_deposit_appends_to_the_queue_with_the_poseidon_chain(web3, rollup, alice, bob):
    first = rollup.deposit(alice, bob.address, 1_000)
    second = rollup.deposit(bob, alice.address, 25)
    expected = [Deposit(l2_address(bob), 1_000), Deposit(l2_address(alice), 25)]
    chains = [deposit_chain(expected[:1]), deposit_chain(expected)]
    assert rollup.deposit_count() == 2
    assert rollup.deposits(1, 2) == expected
    assert [rollup.deposit_chain_at(position) for position in (1, 2)] == chains
    assert [rollup.position_of_chain(chain) for chain in chains] == [1, 2]
    assert rollup.events(first, "Deposited") == [
        {"position": 1, "recipient": bob.address, "amount": 1_000, "depositChain": chains[0]}
    ]
    assert rollup.events(second, "Deposited")[0]["depositChain"] == chains[1]
    assert rollup.ether_balance() == 1_025
    assert rollup.totals() == (1_025, 0, 0)
    print(f"ReferenceRollup.deposit gas: first {first['gasUsed']}, second {second['gasUsed']}")


def test_deposit_refuses_a_zero_amount(rollup, alice):
    with reverts("DepositAmountInvalid", amount=0):
        rollup.deposit(alice, alice.address, 0)


def test_deposit_refuses_the_zero_recipient(rollup, alice):
    with reverts("DepositRecipientZero"):
        rollup.deposit(alice, "0x" + "00" * 20, 10)


def test_deposits_outside_the_queue_are_refused(rollup, alice):
    rollup.deposit(alice, alice.address, 10)
    with pytest.raises(UserInputError, match="not within the queue"):
        rollup.deposits(1, 2)
    assert rollup.deposits(2, 1) == []


def test_exit_address_is_the_same_in_python_and_solidity(rollup, alice, bob):
    for user in (alice, bob):
        assert rollup.exit_address(user.address) == exit_address_of(user.address)
    # abi.encode(string, address): the string's offset, the address, the string's length and bytes.
    encoded = b"".join([
        (64).to_bytes(32, "big"),
        bytes(12) + bytes.fromhex(alice.address[2:]),
        (23).to_bytes(32, "big"),
        b"proofmarket.rollup.exit".ljust(32, b"\0"),
    ])
    expected = keccak(encoded)[12:]
    assert exit_address_of(alice.address).lower() == "0x" + expected.hex()


def test_deposits_take_at_most_128_distinct_recipients(rollup, alice):
    """Deposits may create at most half the 256 accounts (the sequencer keeps the other half for
    transfers), so a queued deposit can always be applied: a 129th recipient is refused, an
    address that deposited before is not."""
    recipients = [f"0x{index + 1:040x}" for index in range(128)]
    for recipient in recipients:
        rollup.deposit(alice, recipient, 1)
    assert rollup.deposit_recipient_count() == 128
    with reverts("DepositRecipientsFull", limit=128):
        rollup.deposit(alice, f"0x{129:040x}", 1)
    rollup.deposit(alice, recipients[0], 5)
    assert (rollup.deposit_count(), rollup.deposit_recipient_count()) == (129, 128)
