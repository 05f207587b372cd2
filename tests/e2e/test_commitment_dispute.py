"""A settlement whose recorded commitment is not its chunk's transactions': the assigned prover's
real agent disputes it on-chain instead of waiting to be slashed; the prover keeps its collateral,
the chunk's users are refunded, nobody is rewarded, and a slash can no longer touch the chunk."""

from __future__ import annotations

from dataclasses import replace

import pytest

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import ChunkAssignment, ChunkStatus, IncludedBid
from proofmarket.zk.commitment import chunk_commitment


def send(stack, settlement):
    stack.client.settle_round(
        stack.clearinghouse_account,
        settlement.round_id,
        settlement.input_hash,
        (settlement.price_numerator, settlement.price_denominator),
        [IncludedBid(bid=b.message, signature=b.signature, charge=b.charge_wei) for b in settlement.bids],
        [
            ChunkAssignment(ask=c.ask, ask_signature=c.ask_signature, bid_count=c.bid_count, payment=c.payment_wei, commitment=c.commitment)
            for c in settlement.chunks
        ],
    )


def test_the_agent_disputes_a_chunk_whose_commitment_is_not_its_transactions(stack):
    round_id, settlement = stack.cleared_not_settled(bid_count=4)
    chunk = settlement.chunks[0]
    bids = settlement.bids[: chunk.bid_count]
    tx_hashes = [bid.message.tx_hash for bid in bids]
    # A field element, so settlement accepts it, but the commitment of other transactions.
    wrong = chunk_commitment(tx_hashes + [b"\x01" * 32])
    chunks = (replace(chunk, commitment=wrong),) + settlement.chunks[1:]
    send(stack, replace(settlement, chunks=chunks))

    agent = next(agent for agent in stack.agents if agent.address == chunk.ask.prover)
    prover_before = stack.client.prover(agent.address)
    users_before = {bid.message.user: stack.client.balance_of(bid.message.user) for bid in bids}
    totals_before = stack.client.totals()
    locked = stack.client.chunk(round_id, 0).collateral

    assignment = {"round": round_id, "chunk": 0, "tx_hashes": ["0x" + tx_hash.hex() for tx_hash in tx_hashes]}
    assert agent.prove_chunk(assignment) is None

    on_chain = stack.client.chunk(round_id, 0)
    assert on_chain.status == ChunkStatus.DISPUTED
    prover_after = stack.client.prover(agent.address)
    assert prover_after.collateral == prover_before.collateral  # nothing slashed
    assert prover_after.locked == prover_before.locked - locked  # and released
    # Each bid's charge back from the chunk's payment alone (pro rata, rounding down, if short).
    payment, owed = chunk.payment_wei, sum(bid.charge_wei for bid in bids)
    expected = {user: 0 for user in users_before}
    for bid in bids:
        expected[bid.message.user] += bid.charge_wei if owed <= payment else bid.charge_wei * payment // owed
    refunded = {user: stack.client.balance_of(user) - before for user, before in users_before.items()}
    assert refunded == expected
    totals_after = stack.client.totals()
    assert totals_before.burned + payment - sum(refunded.values()) == totals_after.burned
    stack.assert_conserved()

    with pytest.raises(ContractRevert) as failure:
        stack.client.slash(stack.clearinghouse_account, round_id, 0)
    assert failure.value.error_name == "ChunkNotPending"
