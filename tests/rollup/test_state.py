"""The rollup's L2 state model (docs/rollup.md, "State"): rules, roots, Merkle proofs, conservation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofmarket.exceptions import UserInputError
from proofmarket.rollup.state import (
    BALANCE_BITS,
    DEPTH,
    ZERO_HASHES,
    Account,
    Deposit,
    MerkleProof,
    MerkleProofInvalid,
    OperationInvalid,
    RollupState,
    Transfer,
    address_value,
    deposit_chain,
    state_root_of,
    transfer_hash,
    transfer_hash_int,
    verify_account,
    verify_merkle_proof,
)
from proofmarket.zk.field import SCALAR_FIELD_ORDER, transaction_field_element
from proofmarket.zk.poseidon import poseidon, poseidon2

ALICE, BOB, CAROL = 0xA11CE, 0xB0B, 0xCA401


@pytest.fixture(scope="module")
def funded() -> RollupState:
    """Alice 100, Bob 5, after two deposits."""
    return RollupState().apply_all([Deposit(ALICE, 100), Deposit(BOB, 5)])


def test_the_empty_state_root_is_the_empty_tree_with_no_account_and_no_deposit():
    state = RollupState()
    assert state.accounts_root == ZERO_HASHES[DEPTH]
    assert ZERO_HASHES[1] == poseidon2(0, 0)
    assert state.root == poseidon([ZERO_HASHES[DEPTH], 0, 0])
    assert state.account_count == 0


def test_deposits_create_accounts_at_the_next_free_index_and_chain(funded):
    assert funded.accounts == (Account(ALICE, 100, 0), Account(BOB, 5, 0))
    assert funded.index_of(ALICE) == 0 and funded.index_of(BOB) == 1 and funded.index_of(CAROL) is None
    assert funded.deposit_chain == poseidon([poseidon([0, ALICE, 100]), BOB, 5])
    assert funded.deposit_chain == deposit_chain([Deposit(ALICE, 100), Deposit(BOB, 5)])
    assert funded.deposits_applied == 2
    assert funded.root == state_root_of(funded.accounts_root, 2, funded.deposit_chain)


def test_a_deposit_to_an_existing_account_credits_it(funded):
    state = funded.apply(Deposit(BOB, 7))
    assert state.account(BOB) == Account(BOB, 12, 0)
    assert state.account_count == 2


def test_a_transfer_debits_the_sender_increments_its_nonce_and_credits_the_recipient(funded):
    state = funded.apply(Transfer(ALICE, BOB, 30, 0))
    assert state.account(ALICE) == Account(ALICE, 70, 1)
    assert state.account(BOB) == Account(BOB, 35, 0)
    assert state.deposit_chain == funded.deposit_chain


def test_a_transfer_to_a_new_address_creates_its_account(funded):
    state = funded.apply(Transfer(BOB, CAROL, 5, 0))
    assert state.accounts[2] == Account(CAROL, 5, 0)
    assert state.account(BOB) == Account(BOB, 0, 1)


def test_a_transfer_to_oneself_only_increments_the_nonce(funded):
    assert funded.apply(Transfer(ALICE, ALICE, 40, 0)).account(ALICE) == Account(ALICE, 100, 1)


@pytest.mark.parametrize(
    "transfer, reason",
    [
        (Transfer(CAROL, ALICE, 1, 0), "the sender has no account"),
        (Transfer(ALICE, BOB, 1, 1), "the nonce is 1, the sender's is 0"),
        (Transfer(BOB, ALICE, 6, 0), "the amount exceeds the sender's balance 5"),
    ],
)
def test_invalid_transfers_are_refused_and_leave_the_state_unchanged(funded, transfer, reason):
    root = funded.root
    with pytest.raises(OperationInvalid, match=reason):
        funded.apply(transfer)
    assert funded.root == root


def test_a_replayed_transfer_is_refused(funded):
    transfer = Transfer(ALICE, BOB, 1, 0)
    with pytest.raises(OperationInvalid, match="nonce"):
        funded.apply(transfer).apply(transfer)


def test_a_balance_may_not_reach_two_to_the_balance_bits():
    state = RollupState().apply(Deposit(ALICE, 2**BALANCE_BITS - 1))
    with pytest.raises(OperationInvalid, match="would reach"):
        state.apply(Deposit(ALICE, 1))


def test_a_full_tree_refuses_a_new_account():
    state = RollupState(depth=2).apply_all([Deposit(address, 1) for address in (1, 2, 3, 4)])
    with pytest.raises(OperationInvalid, match="the tree is full"):
        state.apply(Deposit(5, 1))
    assert state.apply(Deposit(4, 1)).account(4) == Account(4, 2, 0)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Transfer(0, BOB, 1, 0),
        lambda: Transfer(ALICE, 2**160, 1, 0),
        lambda: Transfer(ALICE, BOB, -1, 0),
        lambda: Transfer(ALICE, BOB, 2**BALANCE_BITS, 0),
        lambda: Transfer(ALICE, BOB, 1, -1),
        lambda: Transfer(ALICE, BOB, True, 0),
        lambda: Deposit(ALICE, 1.5),
    ],
)
def test_malformed_operations_are_user_errors(build):
    with pytest.raises(UserInputError):
        build()


def test_address_value_parses_hex_and_refuses_the_rest():
    assert address_value("0x" + "00" * 19 + "0b") == 11
    assert address_value(ALICE) == ALICE
    for bad in ("0x1234", "zz" * 20, 0):
        with pytest.raises(UserInputError):
            address_value(bad)


def test_transfer_hash_is_poseidon_of_the_fields_and_a_field_element():
    transfer = Transfer(ALICE, BOB, 30, 0)
    assert transfer_hash_int(transfer) == poseidon([ALICE, BOB, 30, 0])
    digest = transfer_hash(transfer)
    assert len(digest) == 32 and int.from_bytes(digest, "big") < SCALAR_FIELD_ORDER
    assert transaction_field_element(digest) == transfer_hash_int(transfer)  # uint256(txHash) mod r == txHash


def test_merkle_proofs_open_accounts_and_empty_leaves(funded):
    for index in (0, 1, 2, 255):
        proof = funded.merkle_proof(index)
        assert verify_merkle_proof(funded.accounts_root, proof)
    assert funded.merkle_proof(2).leaf == 0
    assert verify_account(funded.accounts_root, Account(BOB, 5, 0), funded.merkle_proof(1))
    assert not verify_account(funded.accounts_root, Account(BOB, 6, 0), funded.merkle_proof(1))


def test_a_merkle_proof_of_another_root_or_index_or_leaf_fails(funded):
    proof = funded.merkle_proof(1)
    later = funded.apply(Transfer(ALICE, BOB, 1, 0))
    assert not verify_merkle_proof(later.accounts_root, proof)
    assert not verify_merkle_proof(funded.accounts_root, MerkleProof(0, proof.leaf, proof.siblings))
    assert not verify_merkle_proof(funded.accounts_root, MerkleProof(1, proof.leaf + 1, proof.siblings))


def test_malformed_merkle_proofs_are_refused(funded):
    proof = funded.merkle_proof(0)
    with pytest.raises(MerkleProofInvalid, match="siblings"):
        verify_merkle_proof(funded.accounts_root, MerkleProof(0, proof.leaf, proof.siblings[:-1]))
    with pytest.raises(MerkleProofInvalid, match="outside"):
        verify_merkle_proof(funded.accounts_root, MerkleProof(256, proof.leaf, proof.siblings))
    with pytest.raises(MerkleProofInvalid, match="field"):
        verify_merkle_proof(SCALAR_FIELD_ORDER, proof)
    with pytest.raises(MerkleProofInvalid):
        funded.merkle_proof(256)


def test_the_tree_matches_a_root_recomputed_from_scratch(funded):
    state = funded.apply_all([Transfer(ALICE, CAROL, 10, 0), Deposit(0xD, 3), Transfer(CAROL, BOB, 4, 0)])
    leaves = [account.leaf() for account in state.accounts] + [0] * (2**DEPTH - state.account_count)
    level = leaves
    while len(level) > 1:
        level = [poseidon2(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    assert level[0] == state.accounts_root


# ------------------------------------------------------------------ properties

ADDRESSES = st.sampled_from([ALICE, BOB, CAROL, 0xD, 0xE])
OPERATIONS = st.lists(
    st.one_of(
        st.builds(Deposit, ADDRESSES, st.integers(0, 1_000)),
        st.builds(Transfer, ADDRESSES, ADDRESSES, st.integers(0, 1_200), st.integers(0, 3)),
    ),
    max_size=12,
)


def _run(operations) -> tuple[RollupState, int, int]:
    """Apply what is valid, skip what is refused; return the state, deposits total, refusals."""
    state = RollupState(depth=4)
    deposited = refused = 0
    for operation in operations:
        try:
            next_state = state.apply(operation)
        except OperationInvalid:
            refused += 1
            continue
        if isinstance(operation, Deposit):
            deposited += operation.amount
        state = next_state
    return state, deposited, refused


@given(OPERATIONS)
@settings(max_examples=40, deadline=None)
def test_balances_are_conserved_transfers_move_value_deposits_add_it(operations):
    state, deposited, _ = _run(operations)
    assert state.total_balance() == deposited
    assert all(0 <= account.balance < 2**BALANCE_BITS for account in state.accounts)
    assert len({account.address for account in state.accounts}) == state.account_count


@given(OPERATIONS)
@settings(max_examples=40, deadline=None)
def test_nonces_count_applied_transfers_and_every_account_is_provable(operations):
    state = RollupState(depth=4)
    sent: dict[int, int] = {}
    for operation in operations:
        try:
            state = state.apply(operation)
        except OperationInvalid:
            continue
        if isinstance(operation, Transfer):
            sent[operation.sender] = sent.get(operation.sender, 0) + 1
    for index, account in enumerate(state.accounts):
        assert account.nonce == sent.get(account.address, 0)
        assert verify_account(state.accounts_root, account, state.merkle_proof(index), depth=4)


@given(st.integers(0, 100), st.integers(0, 100), st.integers(0, 3))
@settings(max_examples=30, deadline=None)
def test_a_transfer_is_refused_exactly_when_a_rule_fails(balance, amount, nonce):
    state = RollupState(depth=2).apply(Deposit(ALICE, balance))
    transfer = Transfer(ALICE, BOB, amount, nonce)
    if amount <= balance and nonce == 0:
        after = state.apply(transfer)
        assert after.account(ALICE) == Account(ALICE, balance - amount, 1)
        assert after.account(BOB) == Account(BOB, amount, 0)
    else:
        with pytest.raises(OperationInvalid):
            state.apply(transfer)
