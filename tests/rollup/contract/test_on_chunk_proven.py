"""ReferenceRollup.onChunkProven, the market's callback: a chunk proven on the market counts for
the rollup only if the market's verifier was the rollup's own when it was proven. A market owner
who installs another verifier (here ``AcceptingVerifier``, which accepts anything) gets provers
paid on the market, but no forged chunk finalizes on the rollup.

The market uses DevelopmentProofVerifier, the insecure test verifier (its "proof" of a statement
is a hash anyone computes): these tests are about what the rollup records, not about proofs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from proofmarket.chain.compiler import compile_contracts
from proofmarket.chain.market import ChunkStatus
from proofmarket.chain.transactions import send_transaction
from proofmarket.rollup.contract import ROLLUP_CONSUMER_GAS_LIMIT
from proofmarket.rollup.state import Transfer
from tests.contracts.helpers import reverts

from .helpers import l2_address


def one_transfer_round(sequencer, alice, bob):
    """A settled round of one chunk: alice deposits 100 and sends bob 30."""
    deposit = sequencer.deposit(alice, 100)
    return sequencer.settle(sequencer.plan([[deposit, Transfer(l2_address(alice), l2_address(bob), 30, 0)]]))


@pytest.fixture
def accepting_verifier(web3, owner) -> str:
    """A deployed AcceptingVerifier (tests/rollup/contract/solidity): accepts every proof."""
    compiled = compile_contracts(Path(__file__).parent / "solidity")["AcceptingVerifier"]
    factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    return send_transaction(web3, owner, factory.constructor().build_transaction({"from": owner.address}))["contractAddress"]


def test_deploying_the_rollup_makes_it_the_markets_consumer(market, rollup):
    config = market.config()
    assert (config.consumer, config.consumer_gas_limit) == (rollup.address, ROLLUP_CONSUMER_GAS_LIMIT)


def test_a_proof_verified_by_the_rollups_verifier_is_recorded(sequencer, rounds, market, rollup, alice, bob):
    planned = one_transfer_round(sequencer, alice, bob)
    chunk = planned.chunks[0]
    assert not rollup.is_chunk_proof_recorded(planned.round_id, 0)
    proof = rounds.proof(planned.round_id, 0)
    receipt = market.submit_proof(chunk.prover, planned.round_id, 0, proof, chunk.statement_data)
    assert rollup.events(receipt, "ChunkProofRecorded") == [
        {"roundId": planned.round_id, "chunkIndex": 0, "prover": chunk.prover.address}
    ]
    assert market.events(receipt, "ConsumerCallFailed") == []
    assert rollup.is_chunk_proof_recorded(planned.round_id, 0)
    sequencer.confirm(planned)
    sequencer.finalize(planned)
    assert rollup.state_root() == planned.post_state.root


def test_the_callback_uses_less_gas_than_the_limit_deployment_gives_it(sequencer, rounds, market, rollup, owner, alice, bob):
    """The callback's cost: the same proof with the callback on and off (the limit must cover it)."""
    planned = one_transfer_round(sequencer, alice, bob)
    second = sequencer.settle(sequencer.plan([[Transfer(l2_address(alice), l2_address(bob), 5, 1)]], pre_state=planned.post_state))
    with_callback = market.submit_proof(planned.chunks[0].prover, planned.round_id, 0, rounds.proof(planned.round_id, 0), planned.chunks[0].statement_data)
    market.update_config(owner, market.config().replace(consumer_gas_limit=0))
    without = market.submit_proof(second.chunks[0].prover, second.round_id, 0, rounds.proof(second.round_id, 0), second.chunks[0].statement_data)
    cost = with_callback["gasUsed"] - without["gasUsed"]
    print(f"ReferenceRollup.onChunkProven: {cost} gas added to submitProof")
    assert 0 < cost < ROLLUP_CONSUMER_GAS_LIMIT


def test_on_chunk_proven_reverts_when_the_caller_is_not_the_market(sequencer, market, rollup, alice, bob, mallory):
    planned = one_transfer_round(sequencer, alice, bob)
    statement = market.chunk(planned.round_id, 0).statement(planned.round_id, 0)
    with reverts("CallerNotMarket", caller=mallory.address):
        rollup._transact(mallory, "onChunkProven", statement.to_abi(), planned.chunks[0].statement_data)
    assert not rollup.is_chunk_proof_recorded(planned.round_id, 0)


def test_a_proof_through_another_verifier_is_ignored_and_cannot_finalize(
    sequencer, market, rollup, owner, accepting_verifier, alice, bob
):
    planned = one_transfer_round(sequencer, alice, bob)
    chunk = planned.chunks[0]
    market.set_verifier(owner, accepting_verifier)  # the owner installs a verifier that accepts anything
    receipt = market.submit_proof(chunk.prover, planned.round_id, 0, b"\x01", chunk.statement_data)
    assert market.chunk(planned.round_id, 0).status == ChunkStatus.PROVEN  # paid on the market
    assert rollup.events(receipt, "ChunkProofIgnored") == [
        {"roundId": planned.round_id, "chunkIndex": 0, "marketVerifier": accepting_verifier}
    ]
    assert not rollup.is_chunk_proof_recorded(planned.round_id, 0)
    sequencer.confirm(planned)
    market.set_verifier(owner, rollup.verifier())  # and swaps it back: the proof still does not count
    with reverts("ChunkNotProven", roundId=planned.round_id, chunkIndex=0):
        sequencer.finalize(planned)
