"""A prover that misses its deadline is slashed by the clearinghouse; its chunk's users are refunded."""

from __future__ import annotations

from proofmarket.clearinghouse.database import ChunkRow
from proofmarket.network import mine_blocks


def test_silent_prover_is_slashed_and_its_users_refunded(stack):
    round_id = stack.open_round()
    stack.post_asks(round_id)
    bids = stack.signed_bids(round_id, 8)
    accepted = stack.api.post_bids(bids)["accepted"]
    user_of = {answer["digest"]: bid["user"] for bid, answer in zip(bids, accepted)}
    stack.close(round_id)
    stack.node.run_once()
    status = stack.api.round_status(round_id)
    assert status["chunks"], "some prover got work"
    silent_chunk = status["chunks"][0]  # the prover of the first chunk goes silent
    silent = next(agent for agent in stack.agents if agent.address == silent_chunk["prover"])
    silent.silent = True
    try:
        outcome = stack.outcome(round_id)
        stack.prove_all()
        before = stack.balances()
        held_collateral = stack.client.chunk(round_id, silent_chunk["chunk"]).collateral

        mine_blocks(stack.web3, stack.client.round(round_id).deadline + 1 - stack.web3.eth.block_number)
        stack.node.run_once()
        after = stack.balances()
    finally:
        silent.silent = False

    assert stack.api.round_status(round_id)["state"] == "resolved"
    with stack.node.clearinghouse.store.session() as session:
        slash_hash = session.get(ChunkRow, (round_id, silent_chunk["chunk"])).slash_transaction_hash
    receipt = stack.web3.eth.get_transaction_receipt(slash_hash)
    (slashed,) = stack.client.events(receipt, "ChunkSlashed")
    assert slashed["prover"] == silent.address
    assert slashed["collateralSlashed"] == held_collateral

    refunds = {}
    for digest in silent_chunk["bids"]:
        refunds[user_of[digest]] = refunds.get(user_of[digest], 0) + int(outcome["charges_wei"][digest])
    assert sum(refunds.values()) == slashed["refunded"], "users are refunded their full charges"
    for user in stack.users:
        assert after[user.address] - before[user.address] == refunds.get(user.address, 0)
    assert after[f"collateral:{silent.address}"] - before[f"collateral:{silent.address}"] == -held_collateral
    assert after[stack.clearinghouse_account.address] - before[stack.clearinghouse_account.address] == slashed["reporterReward"]
    assert after[stack.treasury.address] - before[stack.treasury.address] == slashed["treasuryShare"]
    assert after[silent.address] == before[silent.address], "no payment for an unproven chunk"
    for agent in (agent for agent in stack.agents if agent is not silent):
        assert after[agent.address] == before[agent.address]
    stack.assert_conserved()
