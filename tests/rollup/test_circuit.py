"""circuits/rollup_chunk.circom accepts exactly the state model's chunks (docs/rollup.md, "Circuit").

The witness generator circom compiled (the committed wasm) checks every constraint while it
computes the witness, so these tests need no proof: an input the circuit refuses fails with
"Assert Failed". Forged chunks are built consistently (roots, commitment and Merkle paths all
recomputed for the forged execution), so the one rule each breaks is the reason it is refused.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofmarket.rollup.circuit import ROLLUP_CIRCUIT, rollup_artifacts
from proofmarket.rollup.state import Account, Deposit, MerkleProof, OperationInvalid, RollupState, Transfer, state_root_of, transfer_hash_int
from proofmarket.rollup.witness import CHUNK_SLOTS, BindingInvalid, ChunkTooLarge, chunk_witness
from proofmarket.zk.circuit import load_ceremony_record
from proofmarket.zk.commitment import commitment_chain
from proofmarket.zk.field import SCALAR_FIELD_ORDER
from proofmarket.zk.toolchain import ZkCommandFailed, run_snarkjs

from .conftest import ALICE, BOB, CAROL, DAVE, funded_state

R = SCALAR_FIELD_ORDER


def satisfies(circuit_input: dict, directory: Path) -> bool:
    """Whether the circuit's witness generator accepts ``circuit_input``."""
    (directory / "input.json").write_text(json.dumps(circuit_input))
    try:
        run_snarkjs("witness", ["wtns", "calculate", rollup_artifacts().wasm, directory / "input.json", directory / "w.wtns"])
    except ZkCommandFailed as error:
        assert "Assert Failed" in error.output, error.output
        return False
    return True


def _decimal(value):
    return [str(item) for item in value] if isinstance(value, list) else str(value)


def forged_transfer(pre: RollupState, transfer: Transfer, sender_after: Account, recipient_after: Account) -> dict:
    """The circuit input of a one-transfer chunk whose execution is the given one, rules or not:
    the sender's leaf becomes ``sender_after``, then the recipient's becomes ``recipient_after``
    (an existing account, or the next free index). Everything else is consistent with it."""
    honest = chunk_witness(RollupState(), [], 0).circuit_input  # the shape, all slots no-ops
    sender_index = pre.index_of(transfer.sender)
    sender = pre.accounts[sender_index]
    debited = pre.with_account(sender_index, sender_after)
    recipient_index = debited.index_of(transfer.recipient)
    is_new = recipient_index is None
    recipient_index = debited.account_count if is_new else recipient_index
    recipient = None if is_new else debited.accounts[recipient_index]
    post = debited.with_account(recipient_index, recipient_after)
    slot = {
        "isTransfer": 1, "isDeposit": 0,
        "sender": transfer.sender, "recipient": transfer.recipient, "amount": transfer.amount, "nonce": transfer.nonce,
        "senderIndex": sender_index, "senderBalance": sender.balance,
        "senderSiblings": list(pre.merkle_proof(sender_index).siblings),
        "recipientIndex": recipient_index,
        "recipientBalance": 0 if is_new else recipient.balance,
        "recipientNonce": 0 if is_new else recipient.nonce,
        "recipientIsNew": int(is_new),
        "recipientSiblings": list(debited.merkle_proof(recipient_index).siblings),
    }
    forged = dict(honest)
    for name, value in slot.items():
        forged[name] = [_decimal(value)] + honest[name][1:]
    forged.update(
        preStateRoot=str(pre.root),
        postStateRoot=str(post.root),
        commitment=str(commitment_chain([transfer_hash_int(transfer)])[-1]),
        binding="5",
        preAccountsRoot=str(pre.accounts_root),
        preAccountCount=str(pre.account_count),
        preDepositChain=str(pre.deposit_chain),
    )
    return forged


def test_the_committed_artifacts_are_for_the_builders_slot_count():
    assert load_ceremony_record(rollup_artifacts(), circuit=ROLLUP_CIRCUIT).segment_size == CHUNK_SLOTS


def test_the_circuit_accepts_the_state_models_chunks(tmp_path):
    pre = funded_state()
    chunks = [
        [Transfer(ALICE, BOB, 30, 0)],
        [Deposit(DAVE, 9), Transfer(ALICE, BOB, 30, 0), Transfer(BOB, 0xE, 35, 0)],
        [Transfer(ALICE, ALICE, 10, 0), Transfer(ALICE, BOB, 90, 1)],
        [Deposit(ALICE, 1), Deposit(0xF, 2)],
        [Transfer(BOB, CAROL, 5, 0), Transfer(CAROL, BOB, 5, 0), Transfer(BOB, CAROL, 0, 1)],
    ]
    for operations in chunks:
        assert satisfies(chunk_witness(pre, operations, 12345).circuit_input, tmp_path), operations


def test_the_forging_helper_builds_the_honest_chunk_when_given_honest_values(tmp_path):
    pre = funded_state()
    transfer = Transfer(ALICE, BOB, 30, 0)
    forged = forged_transfer(pre, transfer, Account(ALICE, 70, 1), Account(BOB, 35, 0))
    honest = chunk_witness(pre, [transfer], 5).circuit_input
    assert forged == honest
    assert satisfies(forged, tmp_path)


@pytest.mark.parametrize(
    "name, transfer, sender_after, recipient_after",
    [
        ("overdraft", Transfer(BOB, ALICE, 6, 0), Account(BOB, (5 - 6) % R, 1), Account(ALICE, 106, 0)),
        ("nonce not incremented", Transfer(ALICE, BOB, 30, 0), Account(ALICE, 70, 0), Account(BOB, 35, 0)),
        ("sender not debited", Transfer(ALICE, BOB, 30, 0), Account(ALICE, 100, 1), Account(BOB, 35, 0)),
        ("value minted", Transfer(ALICE, BOB, 30, 0), Account(ALICE, 70, 1), Account(BOB, 36, 0)),
        ("wrong nonce", Transfer(ALICE, BOB, 30, 1), Account(ALICE, 70, 2), Account(BOB, 35, 0)),
        ("sender without account", Transfer(0xE, BOB, 0, 0), Account(0xE, 0, 1), Account(BOB, 5, 0)),
        ("recipient's nonce changed", Transfer(ALICE, BOB, 30, 0), Account(ALICE, 70, 1), Account(BOB, 35, 1)),
    ],
)
def test_the_circuit_refuses_a_transfer_that_breaks_a_rule(tmp_path, name, transfer, sender_after, recipient_after):
    pre = funded_state()
    if name == "sender without account":
        # The forger claims the sender's account is at index 3 (empty); the leaf there is 0.
        pre = pre.with_account(3, Account(0xE, 0, 0))
        forged = forged_transfer(pre, transfer, sender_after, recipient_after)
        forged["preStateRoot"] = str(funded_state().root)
        forged["preAccountsRoot"] = str(funded_state().accounts_root)
        forged["preAccountCount"] = str(funded_state().account_count)
    else:
        forged = forged_transfer(pre, transfer, sender_after, recipient_after)
    assert not satisfies(forged, tmp_path), name


def test_the_circuit_refuses_a_new_account_anywhere_but_the_next_free_index(tmp_path):
    pre = funded_state()
    honest = chunk_witness(pre, [Deposit(DAVE, 9)], 1).circuit_input
    assert honest["recipientIndex"][0] == "3" and honest["recipientIsNew"][0] == "1"
    siblings = pre.merkle_proof(7).siblings
    accounts_root = MerkleProof(7, Account(DAVE, 9, 0).leaf(), siblings).root()
    forged = dict(honest)
    forged["recipientIndex"] = ["7"] + honest["recipientIndex"][1:]
    forged["recipientSiblings"] = [[str(x) for x in siblings]] + honest["recipientSiblings"][1:]
    deposits = chunk_witness(pre, [Deposit(DAVE, 9)], 1).post_state.deposit_chain
    forged["postStateRoot"] = str(state_root_of(accounts_root, 4, deposits))
    assert not satisfies(forged, tmp_path)


def test_the_circuit_refuses_a_forged_post_root_commitment_or_pre_state_opening(tmp_path):
    honest = chunk_witness(funded_state(), [Transfer(ALICE, BOB, 30, 0)], 5).circuit_input
    for name in ("postStateRoot", "commitment", "preAccountCount", "preDepositChain"):
        forged = dict(honest)
        forged[name] = str(int(honest[name]) + 1)
        assert not satisfies(forged, tmp_path), name
    not_a_bit = dict(honest)
    not_a_bit["isTransfer"] = ["2"] + honest["isTransfer"][1:]
    assert not satisfies(not_a_bit, tmp_path)


def test_the_witness_builder_refuses_bad_input():
    with pytest.raises(ChunkTooLarge):
        chunk_witness(funded_state(), [Deposit(ALICE, 1)] * (CHUNK_SLOTS + 1), 0)
    with pytest.raises(BindingInvalid):
        chunk_witness(funded_state(), [Deposit(ALICE, 1)], R)


ADDRESSES = st.sampled_from([ALICE, BOB, CAROL, DAVE, 0xE])
OPERATIONS = st.lists(
    st.one_of(
        st.builds(Deposit, ADDRESSES, st.integers(0, 2**128 - 1) | st.integers(0, 50)),
        st.builds(Transfer, ADDRESSES, ADDRESSES, st.integers(0, 120), st.integers(0, 2)),
    ),
    max_size=8,
)


@given(OPERATIONS)
@settings(max_examples=8, deadline=None)
def test_every_chunk_the_state_model_accepts_satisfies_the_circuit(operations):
    """The state model and the circuit are the same function: random operations, the valid ones
    (in order, up to the slot count) applied by the model, satisfy the circuit."""
    pre = funded_state()
    state, valid = pre, []
    for operation in operations:
        if len(valid) == CHUNK_SLOTS:
            break
        try:
            state = state.apply(operation)
        except OperationInvalid:
            continue
        valid.append(operation)
    witness = chunk_witness(pre, valid, 7)
    assert witness.post_state.root == state.root
    with tempfile.TemporaryDirectory() as directory:
        assert satisfies(witness.circuit_input, Path(directory)), valid
