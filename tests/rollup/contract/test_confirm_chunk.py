"""ReferenceRollup.confirmChunk, the sender authorization check: every transfer of a market chunk
hashes to its bid's txHash, its sender is the bid's user (who signed the bid, checked by the
market at settlement), and the chunk's commitment is the chain of those hashes. The market uses
DevelopmentProofVerifier, the insecure test verifier (confirmation does not involve proofs)."""

from __future__ import annotations

from proofmarket.chain.market import ChunkStatus, field_commitment
from proofmarket.rollup.state import Transfer, transfer_hash_int
from tests.contracts.helpers import reverts

from .helpers import l2_address


def funded_round(sequencer, alice, bob, carol, signer_of=None, commitment_of=None):
    """alice and bob hold 100 and 50 on L2; a round with one chunk: alice -> carol 30, bob -> alice 5."""
    deposits = [sequencer.deposit(alice, 100), sequencer.deposit(bob, 50)]
    transfers = [
        Transfer(l2_address(alice), l2_address(carol), 30, 0),
        Transfer(l2_address(bob), l2_address(alice), 5, 0),
    ]
    chunks = sequencer.plan([[*deposits, *transfers]])
    return sequencer.settle(chunks, signer_of=signer_of, commitment_of=commitment_of)


def test_confirm_chunk_accepts_transfers_signed_by_their_senders(sequencer, rollup, mallory, alice, bob, carol):
    planned = funded_round(sequencer, alice, bob, carol)
    chunk = planned.chunks[0]
    assert not rollup.is_chunk_confirmed(planned.round_id, 0)
    receipt = rollup.confirm_chunk(mallory, planned.round_id, 0, planned.refunds[0], chunk.transfers)
    assert rollup.is_chunk_confirmed(planned.round_id, 0)
    (event,) = rollup.events(receipt, "ChunkConfirmed")
    assert (event["roundId"], event["chunkIndex"]) == (planned.round_id, 0)
    assert [Transfer(**dict(transfer)) for transfer in event["transfers"]] == chunk.transfers
    print(f"ReferenceRollup.confirmChunk gas (2 transfers): {receipt['gasUsed']}")


def test_confirm_chunk_refuses_a_sender_who_is_not_the_bids_user(sequencer, rollup, alice, bob, carol):
    # alice signs the bid carrying bob's transfer: the market accepts it (it sees only the
    # txHash), the rollup does not.
    planned = funded_round(sequencer, alice, bob, carol, signer_of=lambda transfer: alice)
    with reverts("SenderNotBidUser", index=1, sender=l2_address(bob), user=alice.address):
        rollup.confirm_chunk(alice, planned.round_id, 0, planned.refunds[0], planned.chunks[0].transfers)
    assert not rollup.is_chunk_confirmed(planned.round_id, 0)


def test_confirm_chunk_refuses_a_transfer_that_is_not_the_bids_transaction(sequencer, rollup, alice, bob, carol):
    planned = funded_round(sequencer, alice, bob, carol)
    real = planned.chunks[0].transfers
    forged = [real[0], Transfer(real[1].sender, real[1].recipient, real[1].amount + 1, real[1].nonce)]
    with reverts("TransferHashMismatch", index=1, computed=transfer_hash_int(forged[1])):
        rollup.confirm_chunk(alice, planned.round_id, 0, planned.refunds[0], forged)


def test_confirm_chunk_refuses_another_refund_list(sequencer, rollup, alice, bob, carol):
    planned = funded_round(sequencer, alice, bob, carol)
    with reverts("RefundListMismatch"):
        rollup.confirm_chunk(alice, planned.round_id, 0, planned.refunds[0][:1], planned.chunks[0].transfers[:1])


def test_confirm_chunk_needs_one_transfer_per_bid(sequencer, rollup, alice, bob, carol):
    planned = funded_round(sequencer, alice, bob, carol)
    with reverts("TransferCountMismatch", refunds=2, transfers=1):
        rollup.confirm_chunk(alice, planned.round_id, 0, planned.refunds[0], planned.chunks[0].transfers[:1])


def test_confirm_chunk_refuses_a_commitment_of_other_transactions(sequencer, rollup, alice, bob, carol):
    planned = funded_round(sequencer, alice, bob, carol, commitment_of=lambda chunk: field_commitment(b"other"))
    with reverts("ChunkCommitmentMismatch", recorded=field_commitment(b"other")):
        rollup.confirm_chunk(alice, planned.round_id, 0, planned.refunds[0], planned.chunks[0].transfers)


def test_confirm_chunk_refuses_a_chunk_the_market_does_not_have(sequencer, rollup, alice, bob, carol):
    planned = funded_round(sequencer, alice, bob, carol)
    with reverts("ChunkNotFound", roundId=planned.round_id, chunkIndex=1):
        rollup.confirm_chunk(alice, planned.round_id, 1, planned.refunds[0], planned.chunks[0].transfers)


def test_confirm_chunk_refuses_a_second_confirmation(sequencer, rollup, market, alice, bob, carol):
    planned = funded_round(sequencer, alice, bob, carol)
    sequencer.confirm(planned)
    assert market.chunk(planned.round_id, 0).status == ChunkStatus.PENDING  # confirmation needs no proof
    with reverts("ChunkAlreadyConfirmed"):
        sequencer.confirm(planned)
