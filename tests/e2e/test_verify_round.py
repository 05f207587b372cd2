"""``proofmarket verify-round``: agrees on every honest round, disagrees on a doctored input file
and on a settlement that deviates from the mechanism's outcome. Run through the real command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from proofmarket.cli.main import main


@pytest.fixture(scope="module")
def command(stack, tmp_path_factory, web3):
    """Runs ``proofmarket verify-round`` against this module's market (``--rpc`` resolves to the test devnet)."""
    deployment_file = tmp_path_factory.mktemp("verify") / "deployment.json"
    stack.deployment.save(deployment_file)
    import proofmarket.network

    def run(*arguments: str):
        original = proofmarket.network.connect
        proofmarket.network.connect = lambda url: web3  # the devnet of this test session, whatever the URL
        try:
            return CliRunner().invoke(
                main, ["verify-round", "--deployment", str(deployment_file), "--api", stack.server.url, *arguments]
            )
        finally:
            proofmarket.network.connect = original

    return run


def _honest_round(stack) -> int:
    round_id = stack.open_round()
    stack.post_asks(round_id)
    stack.api.post_bids(stack.signed_bids(round_id, 6))
    stack.close(round_id)
    stack.node.run_once()
    assert stack.client.round(round_id).settled
    return round_id


def test_verify_round_agrees_on_an_honest_round(stack, command):
    round_id = _honest_round(stack)
    result = command(str(round_id))
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


def test_verify_round_rejects_a_doctored_input_file(stack, command, tmp_path):
    round_id = _honest_round(stack)
    document = json.loads(stack.api.round_input(round_id))
    document["bids"][0]["fee_wei"] = str(int(document["bids"][0]["fee_wei"]) + 1)
    doctored = tmp_path / "doctored.json"
    doctored.write_text(json.dumps(document))
    result = command("--input", str(doctored), str(round_id))
    assert result.exit_code == 1
    assert "input hash" in result.output


def test_verify_round_rejects_a_settlement_that_deviates_from_the_mechanism(stack, command):
    """The clearinghouse key settles only the first chunk (valid on-chain, not the mechanism's outcome)."""
    round_id, settlement = stack.cleared_not_settled(bid_count=16)
    assert len(settlement.chunks) >= 2, "the deviation drops a chunk (16 bids fill more than the largest prover)"
    first = settlement.chunks[0]
    from dataclasses import replace

    deviating = replace(settlement, bids=settlement.bids[: first.bid_count], chunks=(first,))
    signed = stack.node.clearinghouse.market.sign_settlement(deviating)
    stack.node.clearinghouse.market.broadcast(signed)
    receipt = stack.node.clearinghouse.market.wait_for_receipt(signed.transaction_hash, 30)
    assert receipt is not None and receipt.succeeded
    assert stack.client.round(round_id).settled

    result = command(str(round_id))
    assert result.exit_code == 1
    assert "included bids" in result.output or "chunks" in result.output
