"""ReferenceRollup.finalize: a round's chunks, confirmed and proven on the market, chain the
rollup's state root from the last finalized one to a root that opens to the accounts root, the
account count and a deposit chain of the queue. The market uses DevelopmentProofVerifier, the
insecure test verifier: these tests are about the rollup's checks, not about proofs."""

from __future__ import annotations

from proofmarket.chain.market import ChunkStatus, field_commitment
from proofmarket.rollup.state import Deposit, RollupState, Transfer
from tests.contracts.helpers import reverts

from .helpers import l2_address


def two_chunk_round(sequencer, alice, bob, carol):
    """Deposits for alice (100) and bob (40), then transfers over two chunks."""
    deposits = [sequencer.deposit(alice, 100), sequencer.deposit(bob, 40)]
    first = [*deposits, Transfer(l2_address(alice), l2_address(carol), 30, 0)]
    second = [Transfer(l2_address(bob), l2_address(alice), 15, 0), Transfer(l2_address(alice), l2_address(bob), 1, 1)]
    return sequencer.plan([first, second])


def test_finalize_several_rounds_in_order_matches_the_python_execution(sequencer, rollup, alice, bob, carol):
    first = sequencer.settle(two_chunk_round(sequencer, alice, bob, carol))
    sequencer.prove(first)
    sequencer.confirm(first)
    receipt = sequencer.finalize(first)
    post = first.post_state
    assert rollup.state_root() == post.root
    assert rollup.finalized_accounts_root(first.round_id) == post.accounts_root
    assert rollup.last_finalized_round() == first.round_id
    assert rollup.finalized_deposit_position() == 2
    assert rollup.events(receipt, "RoundFinalized") == [
        {"roundId": first.round_id, "stateRoot": post.root, "accountsRoot": post.accounts_root, "depositPosition": 2}
    ]
    print(f"ReferenceRollup.finalize gas (2 chunks): {receipt['gasUsed']}")

    late_deposit = sequencer.deposit(carol, 9)
    second = sequencer.run([[late_deposit, Transfer(l2_address(carol), l2_address(alice), 39, 0)]])
    expected = RollupState().apply_all(
        [Deposit(l2_address(alice), 100), Deposit(l2_address(bob), 40),
         Transfer(l2_address(alice), l2_address(carol), 30, 0), Transfer(l2_address(bob), l2_address(alice), 15, 0),
         Transfer(l2_address(alice), l2_address(bob), 1, 1), Deposit(l2_address(carol), 9),
         Transfer(l2_address(carol), l2_address(alice), 39, 0)]
    )
    assert rollup.state_root() == expected.root == second.post_state.root
    assert rollup.last_finalized_round() == second.round_id > first.round_id
    assert rollup.finalized_deposit_position() == 3
    assert rollup.finalized_accounts_root(first.round_id) == post.accounts_root


def test_finalize_refuses_a_forged_post_state_root(sequencer, rollup, alice, bob, carol):
    planned = sequencer.settle(two_chunk_round(sequencer, alice, bob, carol))
    sequencer.prove(planned)
    sequencer.confirm(planned)
    forged = RollupState().apply_all([Deposit(l2_address(alice), 10**6)])  # a state nobody proved
    roots = planned.roots[:-1] + [forged.root]
    with reverts("ChunkRootsMismatch", roundId=planned.round_id, chunkIndex=1):
        sequencer.finalize(planned, roots=roots, opening=(forged.accounts_root, forged.account_count, forged.deposit_chain))
    assert rollup.state_root() == RollupState().root


def test_finalize_refuses_a_chunk_not_proven(sequencer, rollup, alice, bob, carol):
    planned = sequencer.settle(two_chunk_round(sequencer, alice, bob, carol))
    sequencer.prove(planned, chunk_indexes=[0])
    sequencer.confirm(planned)
    with reverts("ChunkNotProven", roundId=planned.round_id, chunkIndex=1):
        sequencer.finalize(planned)


def test_finalize_refuses_a_chunk_not_confirmed(sequencer, rollup, alice, bob, carol):
    planned = sequencer.settle(two_chunk_round(sequencer, alice, bob, carol))
    sequencer.prove(planned)
    sequencer.confirm(planned, chunk_indexes=[1])
    with reverts("ChunkNotConfirmed", roundId=planned.round_id, chunkIndex=0):
        sequencer.finalize(planned)


def test_finalize_refuses_a_wrong_pre_state_root(sequencer, rollup, alice, bob, carol):
    # The sequencer starts from a state the rollup never finalized (a deposit nobody queued).
    phantom = RollupState().apply_all([Deposit(l2_address(bob), 5)])
    chunks = sequencer.plan([[Transfer(l2_address(bob), l2_address(alice), 5, 0)]], pre_state=phantom)
    planned = sequencer.settle(chunks)
    sequencer.prove(planned)
    sequencer.confirm(planned)
    with reverts("PreStateRootMismatch", stateRoot=RollupState().root, preStateRoot=phantom.root):
        sequencer.finalize(planned)


def test_finalize_refuses_a_deposit_chain_not_in_the_queue(sequencer, rollup, alice, bob, carol):
    # alice is credited on L2 a deposit she never made on L1.
    unpaid = Deposit(l2_address(alice), 1_000)
    planned = sequencer.settle(sequencer.plan([[unpaid, Transfer(l2_address(alice), l2_address(bob), 10, 0)]]))
    sequencer.prove(planned)
    sequencer.confirm(planned)
    with reverts("DepositChainUnknown", depositChain=planned.post_state.deposit_chain):
        sequencer.finalize(planned)


def test_finalize_refuses_a_deposit_chain_before_the_finalized_position(sequencer, rollup, alice, bob, carol):
    deposit = sequencer.deposit(alice, 100)
    sequencer.run([[deposit, Transfer(l2_address(alice), l2_address(bob), 10, 0)]])
    # A next round whose post-state drops the deposit chain back to 0 (a statement the insecure
    # development verifier accepts; a real proof could not extend the chain backwards).
    chunk = sequencer.plan([[Transfer(l2_address(bob), l2_address(alice), 1, 0)]])[0]
    executed = chunk.post_state
    chunk.post_state = RollupState(executed.depth, executed.accounts, executed.levels, 0, 0)
    planned = sequencer.settle([chunk])
    sequencer.prove(planned)
    sequencer.confirm(planned)
    with reverts("DepositChainRewinds", position=0, finalizedPosition=1):
        sequencer.finalize(planned)


def test_finalize_refuses_an_opening_of_another_root(sequencer, rollup, alice, bob, carol):
    planned = sequencer.settle(two_chunk_round(sequencer, alice, bob, carol))
    sequencer.prove(planned)
    sequencer.confirm(planned)
    post = planned.post_state
    with reverts("StateRootOpeningInvalid", postStateRoot=post.root):
        sequencer.finalize(planned, opening=(post.accounts_root, post.account_count + 1, post.deposit_chain))


def test_finalize_checks_the_round_and_the_roots_count(sequencer, rollup, market, rounds, alice, bob, carol):
    planned = sequencer.settle(two_chunk_round(sequencer, alice, bob, carol))
    sequencer.prove(planned)
    sequencer.confirm(planned)
    with reverts("RootCountMismatch", expected=3, actual=2):
        sequencer.finalize(planned, roots=planned.roots[:2])
    unsettled = rounds.open_round()
    with reverts("RoundNotSettled", roundId=unsettled):
        rollup.finalize(alice, unsettled, planned.roots, 0, 0, 0)
    sequencer.finalize(planned)
    with reverts("RoundNotAfterLastFinalized", roundId=planned.round_id, lastFinalizedRound=planned.round_id):
        sequencer.finalize(planned)


def test_finalize_refuses_a_round_without_chunks(sequencer, rollup, market, rounds, alice):
    round_id = rounds.open_round()
    rounds.close(round_id)
    market.settle_round(rounds.clearinghouse, round_id, b"\x01" * 32, (0, 1), [], [])
    with reverts("RoundHasNoChunks", roundId=round_id):
        rollup.finalize(alice, round_id, [rollup.state_root()], 0, 0, 0)


def test_a_round_with_a_disputed_chunk_is_skipped_and_a_later_round_finalizes(sequencer, rollup, market, alice, bob, carol, reporter):
    finalized = sequencer.run([[sequencer.deposit(alice, 100), Transfer(l2_address(alice), l2_address(bob), 10, 0)]])
    # The clearinghouse records a commitment of other transactions: the chunk is disputed, never proven.
    disputed = sequencer.settle(
        sequencer.plan([[Transfer(l2_address(alice), l2_address(carol), 5, 1)]]),
        commitment_of=lambda chunk: field_commitment(b"not the chunk's transactions"),
    )
    market.dispute_commitment(reporter, disputed.round_id, 0)
    assert market.chunk(disputed.round_id, 0).status == ChunkStatus.DISPUTED
    with reverts("ChunkNotConfirmed"):
        sequencer.finalize(disputed)
    # The sequencer drops the disputed round and sequences the next one from the finalized state.
    sequencer.state = finalized.post_state
    later = sequencer.run([[Transfer(l2_address(alice), l2_address(carol), 5, 1)]])
    assert later.round_id > disputed.round_id
    assert rollup.last_finalized_round() == later.round_id
    assert rollup.state_root() == later.post_state.root
