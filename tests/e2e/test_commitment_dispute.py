"""A settlement whose recorded commitment is not its chunk's transactions': the assigned prover's
real agent disputes it on-chain instead of waiting to be slashed; the prover keeps its collateral,
the chunk's users are refunded, nobody is rewarded, and a slash can no longer touch the chunk."""

from __future__ import annotations

from dataclasses import replace

import pytest

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import ChunkStatus
from proofmarket.zk.commitment import chunk_commitment

from .conftest import cli_against, send_settlement
from .test_cli_account_commands import ok, refused

REPORTER = 7  # devnet account of a watcher, not a party of the stack


@pytest.fixture(scope="module")
def cli(stack, tmp_path_factory, web3):
    return cli_against(stack, web3, tmp_path_factory.mktemp("dispute") / "deployment.json")


def settle_with_a_wrong_commitment(stack):
    """A real round's settlement, sent with chunk 0's commitment replaced by a field element that
    is the commitment of other transactions; returns (round, settlement as sent)."""
    round_id, settlement = stack.cleared_not_settled(bid_count=4)
    chunk = settlement.chunks[0]
    tx_hashes = [bid.message.tx_hash for bid in settlement.bids[: chunk.bid_count]]
    chunks = (replace(chunk, commitment=chunk_commitment(tx_hashes + [b"\x01" * 32])),) + settlement.chunks[1:]
    doctored = replace(settlement, chunks=chunks)
    send_settlement(stack, doctored)
    return round_id, doctored


def test_the_agent_disputes_a_chunk_whose_commitment_is_not_its_transactions(stack):
    round_id, settlement = settle_with_a_wrong_commitment(stack)
    chunk = settlement.chunks[0]
    bids = settlement.bids[: chunk.bid_count]
    tx_hashes = [bid.message.tx_hash for bid in bids]

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


def test_the_dispute_command_disputes_a_wrong_commitment_and_refuses_a_right_one(stack, cli):
    round_id, settlement = settle_with_a_wrong_commitment(stack)
    if len(settlement.chunks) > 1:  # chunk 1 kept its true commitment
        refused(cli("dispute", "--devnet-account", str(REPORTER), str(round_id), "1"),
                f"chunk 1 of round {round_id} has the right commitment", "nothing to dispute")
    answer = ok(cli("dispute", "--devnet-account", str(REPORTER), str(round_id), "0"))
    assert answer["round"] == round_id and answer["chunk"] == 0
    assert answer["commitment"] == "0x" + settlement.chunks[0].commitment.hex()
    assert stack.client.chunk(round_id, 0).status == ChunkStatus.DISPUTED
    refused(cli("dispute", "--devnet-account", str(REPORTER), str(round_id), "0"),
            f"chunk 0 of round {round_id} is already disputed: nothing to dispute")
    stack.assert_conserved()
