"""The sequencer's rules (proofmarket.rollup.sequencing): admission and sequencing, pure."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofmarket.exceptions import UserInputError
from proofmarket.rollup.sequencing import (
    CandidateTransfer,
    SequencingError,
    admit_transfers,
    guaranteed_deposits,
    replay,
    round_from_json,
    round_to_json,
    sequence_round,
    state_from_json,
    state_to_json,
)
from proofmarket.rollup.sequencer import transfer_body, transfer_from_body
from proofmarket.rollup.state import Deposit, OperationInvalid, RollupState, Transfer, transfer_hash

ALICE, BOB, CAROL, DAVE = 0xA1, 0xB0B, 0xCA401, 0xDA7E


def candidate(bid_id: str, transfer: Transfer, user: int | None = None) -> CandidateTransfer:
    return CandidateTransfer(bid_id, transfer.sender if user is None else user, transfer_hash(transfer), transfer)


@pytest.fixture(scope="module")
def funded() -> RollupState:
    """alice 100 and bob 50, from deposits."""
    return RollupState().apply_all([Deposit(ALICE, 100), Deposit(BOB, 50)])


def test_guaranteed_deposits_are_the_free_slots_of_a_full_chunk():
    assert guaranteed_deposits(1) == 2
    assert guaranteed_deposits(2) == 1


@pytest.mark.parametrize("max_bids", [0, 3, 256])
def test_a_market_whose_chunks_fill_every_slot_is_refused(max_bids):
    with pytest.raises(SequencingError, match="maxBidsPerChunk between 1 and 2"):
        guaranteed_deposits(max_bids)


def test_admission_refuses_each_broken_rule_with_its_reason(funded):
    good = Transfer(ALICE, CAROL, 10, 0)
    candidates = [
        candidate("0x01", good),
        candidate("0x02", Transfer(ALICE, BOB, 1, 1)),  # alice's second transfer
        candidate("0x03", Transfer(BOB, ALICE, 51, 0)),  # overdraft
        candidate("0x04", Transfer(BOB, ALICE, 1, 3)),  # wrong nonce
        candidate("0x05", Transfer(DAVE, ALICE, 1, 0)),  # no account
        candidate("0x06", Transfer(BOB, ALICE, 1, 0), user=CAROL),  # not the signer's transfer
        CandidateTransfer("0x07", BOB, b"\x01" * 32, Transfer(BOB, ALICE, 1, 0)),  # another hash
        CandidateTransfer("0x08", BOB, b"\x02" * 32, None),  # no body
    ]
    admitted, refused = admit_transfers(funded, [], candidates, guaranteed=1)
    assert admitted == ["0x01"]
    assert refused == {
        "0x02": "the sender already has a transfer in this round (one per sender per round)",
        "0x03": "the amount exceeds the sender's balance 50",
        "0x04": "the nonce is 3, the sender's next is 0",
        "0x05": "the sender has no account yet",
        "0x06": "the transfer's sender is not the bid's signer",
        "0x07": "the transfer does not hash to the bid's txHash",
        "0x08": "no transfer was submitted for this txHash",
    }


def test_a_guaranteed_deposit_lets_its_recipient_transfer_in_the_same_round():
    admitted, refused = admit_transfers(RollupState(), [Deposit(ALICE, 5)], [candidate("0x01", Transfer(ALICE, BOB, 5, 0))], 1)
    assert admitted == ["0x01"] and refused == {}
    admitted, refused = admit_transfers(
        RollupState(), [Deposit(BOB, 1), Deposit(ALICE, 5)], [candidate("0x01", Transfer(ALICE, BOB, 5, 0))], 1
    )
    assert admitted == [] and refused == {"0x01": "the sender has no account yet"}


def test_sequencing_puts_deposits_in_free_slots_before_transfers_and_chains_the_roots(funded):
    transfers = [[Transfer(ALICE, CAROL, 10, 0)], [Transfer(BOB, ALICE, 5, 0)]]
    deposits = [Deposit(DAVE, 7), Deposit(CAROL, 1), Deposit(ALICE, 2)]
    sequenced, after = sequence_round(funded, 4, transfers, deposits, slots=3)
    first, second = sequenced.chunks
    assert first.operations == (Deposit(DAVE, 7), Deposit(CAROL, 1), Transfer(ALICE, CAROL, 10, 0))
    assert second.operations == (Deposit(ALICE, 2), Transfer(BOB, ALICE, 5, 0))
    assert first.pre_root == funded.root and first.post_root == second.pre_root and second.post_root == after.root
    assert after.account(ALICE).balance == 100 - 10 + 2 + 5 and after.deposits_applied == 5
    assert sequenced.deposits == 3
    assert replay([sequenced], funded) == after


def test_a_chunk_larger_than_the_circuit_is_refused(funded):
    with pytest.raises(SequencingError, match="holds 3"):
        sequence_round(funded, 0, [[Transfer(ALICE, BOB, 1, n) for n in range(4)]], [], slots=3)


def test_replay_refuses_a_chunk_that_does_not_start_where_the_state_is(funded):
    sequenced, _ = sequence_round(funded, 1, [[Transfer(ALICE, BOB, 1, 0)]], [])
    with pytest.raises(SequencingError, match="starts at another root"):
        replay([sequenced])


def test_documents_round_trip(funded):
    sequenced, after = sequence_round(funded, 9, [[Transfer(ALICE, BOB, 3, 0)]], [Deposit(CAROL, 4)])
    assert round_from_json(round_to_json(sequenced)) == sequenced
    assert state_from_json(state_to_json(after)).root == after.root


def test_transfer_bodies_round_trip_and_bad_ones_are_named():
    transfer = Transfer(ALICE, BOB, 10**20, 3)
    assert transfer_from_body(transfer_body(transfer)) == transfer
    with pytest.raises(UserInputError, match="lacks nonce"):
        transfer_from_body({"sender": "0x" + "00" * 19 + "a1", "recipient": "0x" + "00" * 19 + "b0", "amount": "1"})
    with pytest.raises(UserInputError, match="amount must be an integer"):
        transfer_from_body({"sender": "0x" + "00" * 19 + "a1", "recipient": "0x" + "00" * 19 + "b0", "amount": 1.5, "nonce": 0})
    with pytest.raises(UserInputError, match="unknown field"):
        transfer_from_body({**transfer_body(transfer), "fee": 1})


USERS = [0x1000 + index for index in range(6)]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), max_bids=st.sampled_from([1, 2]), deposits=st.integers(0, 4))
def test_any_batch_order_of_admitted_transfers_executes(seed, max_bids, deposits):
    """The rule's promise: whatever subset of the admitted bids the mechanism includes, in
    whatever order and chunking (at most max_bids per chunk), the round executes."""
    rng = random.Random(seed)
    state = RollupState().apply_all([Deposit(user, rng.randrange(1, 50)) for user in USERS[:3]])
    pending = [Deposit(rng.choice(USERS), rng.randrange(1, 50)) for _ in range(deposits)]
    candidates = []
    for index in range(8):
        sender = rng.choice(USERS)
        account = state.account(sender)
        nonce = account.nonce if account else 0
        amount = rng.randrange(0, (account.balance if account else 10) + 5)
        candidates.append(candidate(f"0x{index:02x}", Transfer(sender, rng.choice(USERS), amount, nonce)))
    admitted, _ = admit_transfers(state, pending, candidates, guaranteed_deposits(max_bids))
    by_id = {c.bid_id: c.transfer for c in candidates}
    included = [by_id[i] for i in admitted if rng.random() < 0.8]
    rng.shuffle(included)
    chunks, position = [], 0
    while position < len(included):
        size = rng.randint(1, max_bids)
        chunks.append(included[position : position + size])
        position += size
    sequenced, after = sequence_round(state, 0, chunks, pending)
    assert replay([sequenced], state) == after
    assert after.total_balance() == state.total_balance() + sum(d.amount for d in pending[: sequenced.deposits])


def test_transfers_create_at_most_the_accounts_deposits_leave_them(funded):
    """The accounts tree has 256 leaves, 128 of them for deposit recipients: a transfer that
    would create the 129th account not funded by a deposit is refused; a transfer to an address
    with a queued deposit is not (its account is counted with the deposits')."""
    from proofmarket.rollup.sequencing import TRANSFER_ACCOUNTS

    deposit_recipients = frozenset({ALICE, BOB, DAVE})
    state = funded
    for index in range(TRANSFER_ACCOUNTS):
        state = state.apply(Transfer(ALICE, 0x10000 + index, 0, index))
    fresh, queued = Transfer(BOB, 0x99999, 1, 0), Transfer(BOB, DAVE, 1, 0)
    admitted, refused = admit_transfers(state, [], [candidate("0x01", fresh)], 1, deposit_recipients)
    assert admitted == [] and refused == {
        "0x01": f"transfers have created the {TRANSFER_ACCOUNTS} accounts they may (the rest are for deposits)"
    }
    assert admit_transfers(state, [], [candidate("0x01", queued)], 1, deposit_recipients) == (["0x01"], {})
