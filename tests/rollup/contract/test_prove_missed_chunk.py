"""ReferenceRollup.proveMissedChunk, the missed-deadline rule: once the market has slashed a chunk
whose prover missed the deadline, anyone proves it for the rescue reward, with a proof bound to
the rescuer (the market's statement with the rescuer as prover).

Most tests run on a market with DevelopmentProofVerifier, the insecure test verifier (its
"proof" of a statement is a hash anyone computes, bound to the statement's prover like a real
proof). ``TestWithARealProof`` runs on a market with the real RollupChunkVerifier and a real
Groth16 proof of the chunk (snarkjs, about 7 seconds).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from proofmarket.chain.compiler import compile_contracts
from proofmarket.chain.market import ChunkStatus, development_proof, field_commitment
from proofmarket.chain.transactions import send_transaction
from proofmarket.rollup.prover import prove_rollup_chunk
from proofmarket.rollup.state import Transfer
from proofmarket.rollup.verifier import deploy_rollup_verifier, rollup_chunk_statement
from tests.contracts.helpers import reverts

from .conftest import RESCUE_REWARD
from .helpers import l2_address


def slashed_round(sequencer, rounds, market, alice, bob, carol, reporter, confirmed=True):
    """One chunk (alice deposits 100, sends bob 30) whose prover misses the deadline; slashed,
    and its senders confirmed on the rollup (unless ``confirmed`` is false)."""
    deposit = sequencer.deposit(alice, 100)
    planned = sequencer.settle(sequencer.plan([[deposit, Transfer(l2_address(alice), l2_address(bob), 30, 0)]]))
    rounds.pass_deadline(planned.round_id)
    market.slash(reporter, planned.round_id, 0)
    assert market.chunk(planned.round_id, 0).status == ChunkStatus.SLASHED
    if confirmed:
        sequencer.confirm(planned)
    return planned


def rescuer_proof(market, planned, rescuer) -> bytes:
    """The development proof of the chunk's statement with ``rescuer`` as prover."""
    statement = market.chunk(planned.round_id, 0).statement(planned.round_id, 0)
    return development_proof(dataclasses.replace(statement, prover=rescuer.address))


def test_a_slashed_chunk_is_rescued_and_its_round_finalizes(web3, sequencer, rounds, market, rollup, owner, alice, bob, carol, reporter):
    rollup.fund_rescue_rewards(owner, 10_000)
    planned = slashed_round(sequencer, rounds, market, alice, bob, carol, reporter)
    chunk = planned.chunks[0]
    receipt = rollup.prove_missed_chunk(carol, planned.round_id, 0, chunk.statement_data, rescuer_proof(market, planned, carol))
    assert rollup.is_chunk_rescued(planned.round_id, 0)
    assert rollup.events(receipt, "ChunkRescued") == [
        {"roundId": planned.round_id, "chunkIndex": 0, "rescuer": carol.address, "reward": RESCUE_REWARD}
    ]
    assert (rollup.rescue_reward_of(carol.address), rollup.rescue_reward_pool()) == (RESCUE_REWARD, 10_000 - RESCUE_REWARD)
    assert rollup.is_solvent()

    before = web3.eth.get_balance(carol.address)
    claim = rollup.claim_rescue_reward(carol)
    assert web3.eth.get_balance(carol.address) == before + RESCUE_REWARD - claim["gasUsed"] * claim["effectiveGasPrice"]
    assert rollup.events(claim, "RescueRewardClaimed") == [{"rescuer": carol.address, "amount": RESCUE_REWARD}]
    with reverts("NoRescueReward", rescuer=carol.address):
        rollup.claim_rescue_reward(carol)

    sequencer.finalize(planned)
    assert rollup.state_root() == planned.post_state.root
    assert rollup.is_solvent()


def test_a_rescue_is_paid_what_is_left_of_the_pool(sequencer, rounds, market, rollup, owner, alice, bob, carol, reporter):
    rollup.fund_rescue_rewards(owner, 2_500)
    planned = slashed_round(sequencer, rounds, market, alice, bob, carol, reporter)
    receipt = rollup.prove_missed_chunk(carol, planned.round_id, 0, planned.chunks[0].statement_data, rescuer_proof(market, planned, carol))
    assert rollup.events(receipt, "ChunkRescued")[0]["reward"] == 2_500
    assert (rollup.rescue_reward_of(carol.address), rollup.rescue_reward_pool()) == (2_500, 0)


def test_a_rescue_refuses_a_proof_for_another_prover(sequencer, rounds, market, rollup, alice, bob, carol, mallory, reporter):
    planned = slashed_round(sequencer, rounds, market, alice, bob, carol, reporter)
    data = planned.chunks[0].statement_data
    copied = rescuer_proof(market, planned, carol)  # carol's proof, sent by mallory
    with reverts("ProofInvalid", roundId=planned.round_id, chunkIndex=0, prover=mallory.address):
        rollup.prove_missed_chunk(mallory, planned.round_id, 0, data, copied)
    original = development_proof(market.chunk(planned.round_id, 0).statement(planned.round_id, 0))
    with reverts("ProofInvalid"):  # the slashed prover's own statement
        rollup.prove_missed_chunk(mallory, planned.round_id, 0, data, original)
    assert not rollup.is_chunk_rescued(planned.round_id, 0)


def test_a_rescue_refuses_other_statement_data(sequencer, rounds, market, rollup, alice, bob, carol, reporter):
    planned = slashed_round(sequencer, rounds, market, alice, bob, carol, reporter)
    with reverts("StatementDataMismatch"):
        rollup.prove_missed_chunk(carol, planned.round_id, 0, b"\x01" * 64, rescuer_proof(market, planned, carol))


def test_a_rescue_needs_the_chunks_senders_confirmed(sequencer, rounds, market, rollup, alice, bob, carol, reporter):
    """An unconfirmed chunk cannot help a finalization: rescuing it is refused (no reward farmed)."""
    planned = slashed_round(sequencer, rounds, market, alice, bob, carol, reporter, confirmed=False)
    data = planned.chunks[0].statement_data
    with reverts("ChunkNotConfirmed", roundId=planned.round_id, chunkIndex=0):
        rollup.prove_missed_chunk(carol, planned.round_id, 0, data, rescuer_proof(market, planned, carol))
    sequencer.confirm(planned)
    rollup.prove_missed_chunk(carol, planned.round_id, 0, data, rescuer_proof(market, planned, carol))
    assert rollup.is_chunk_rescued(planned.round_id, 0)


def test_a_chunk_is_rescued_once(sequencer, rounds, market, rollup, alice, bob, carol, reporter):
    planned = slashed_round(sequencer, rounds, market, alice, bob, carol, reporter)
    data = planned.chunks[0].statement_data
    rollup.prove_missed_chunk(carol, planned.round_id, 0, data, rescuer_proof(market, planned, carol))
    assert rollup.rescue_reward_of(carol.address) == 0  # an empty pool pays nothing
    with reverts("ChunkAlreadyRescued"):
        rollup.prove_missed_chunk(carol, planned.round_id, 0, data, rescuer_proof(market, planned, carol))


def test_only_a_slashed_chunk_can_be_rescued(sequencer, market, rollup, alice, bob, carol):
    deposit = sequencer.deposit(alice, 100)
    planned = sequencer.settle(sequencer.plan([[deposit, Transfer(l2_address(alice), l2_address(bob), 30, 0)]]))
    data = planned.chunks[0].statement_data
    with reverts("ChunkNotSlashed", status=int(ChunkStatus.PENDING)):
        rollup.prove_missed_chunk(carol, planned.round_id, 0, data, rescuer_proof(market, planned, carol))
    sequencer.prove(planned)
    with reverts("ChunkNotSlashed", status=int(ChunkStatus.PROVEN)):
        rollup.prove_missed_chunk(carol, planned.round_id, 0, data, rescuer_proof(market, planned, carol))
    with reverts("ChunkNotSlashed", status=int(ChunkStatus.NONE)):
        rollup.prove_missed_chunk(carol, planned.round_id, 1, data, rescuer_proof(market, planned, carol))


def test_funding_the_pool_needs_an_amount(rollup, owner):
    with reverts("FundingZero"):
        rollup.fund_rescue_rewards(owner, 0)
    receipt = rollup.fund_rescue_rewards(owner, 5)
    assert rollup.events(receipt, "RescueRewardsFunded") == [{"funder": owner.address, "amount": 5, "pool": 5}]


class TestWithARealProof:
    """The market and the rollup use the real RollupChunkVerifier; the rescuer's proof is a real
    Groth16 proof of the chunk's state transition, bound to the rescuer."""

    @pytest.fixture
    def verifier(self, web3, owner) -> str:
        return deploy_rollup_verifier(web3, owner).address

    def test_a_real_proof_rescues_a_slashed_chunk_only_for_its_rescuer(
        self, sequencer, rounds, market, rollup, owner, alice, bob, carol, mallory, reporter
    ):
        rollup.fund_rescue_rewards(owner, RESCUE_REWARD)
        planned = slashed_round(sequencer, rounds, market, alice, bob, carol, reporter)
        chunk = planned.chunks[0]
        recorded = market.chunk(planned.round_id, 0)
        statement, data = rollup_chunk_statement(
            planned.round_id, 0, carol.address, int.from_bytes(recorded.commitment, "big"), chunk.pre_state.root, chunk.post_state.root
        )
        assert data == chunk.statement_data and statement.data_hash == recorded.statement_data_hash
        proof = prove_rollup_chunk(chunk.pre_state, list(chunk.operations), statement.binding()).encoded

        with reverts("ProofInvalid", prover=mallory.address):  # carol's proof, copied by mallory
            rollup.prove_missed_chunk(mallory, planned.round_id, 0, data, proof)
        receipt = rollup.prove_missed_chunk(carol, planned.round_id, 0, data, proof)
        print(f"ReferenceRollup.proveMissedChunk gas (real proof): {receipt['gasUsed']}")
        assert rollup.is_chunk_rescued(planned.round_id, 0)
        assert rollup.rescue_reward_of(carol.address) == RESCUE_REWARD

        sequencer.finalize(planned)
        assert rollup.state_root() == chunk.post_state.root


def test_a_claim_whose_transfer_fails_reverts_and_keeps_the_reward(web3, sequencer, rounds, market, rollup, owner, alice, bob, carol, reporter):
    compiled = compile_contracts(Path(__file__).parent / "solidity")["RefusingRescuer"]
    factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    receipt = send_transaction(web3, owner, {"data": factory.constructor().data_in_transaction})
    rescuer = web3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)

    rollup.fund_rescue_rewards(owner, RESCUE_REWARD)
    planned = slashed_round(sequencer, rounds, market, alice, bob, carol, reporter)
    proof = rescuer_proof(market, planned, rescuer)
    data = rescuer.encode_abi("rescue", args=[rollup.address, planned.round_id, 0, planned.chunks[0].statement_data, proof])
    send_transaction(web3, owner, {"to": rescuer.address, "data": data}, rollup.errors)
    assert rollup.rescue_reward_of(rescuer.address) == RESCUE_REWARD
    with reverts("EtherTransferFailed", to=rescuer.address, amount=RESCUE_REWARD):
        send_transaction(web3, owner, {"to": rescuer.address, "data": rescuer.encode_abi("claim", args=[rollup.address])}, rollup.errors)
    assert rollup.rescue_reward_of(rescuer.address) == RESCUE_REWARD
    assert rollup.is_solvent()


def test_a_disputed_chunk_cannot_be_rescued(sequencer, market, rollup, alice, bob, carol, reporter):
    planned = sequencer.settle(
        sequencer.plan([[sequencer.deposit(alice, 100), Transfer(l2_address(alice), l2_address(bob), 30, 0)]]),
        commitment_of=lambda chunk: field_commitment(b"not the chunk's transactions"),
    )
    market.dispute_commitment(reporter, planned.round_id, 0)
    with reverts("ChunkNotSlashed", status=int(ChunkStatus.DISPUTED)) as info:
        rollup.prove_missed_chunk(carol, planned.round_id, 0, planned.chunks[0].statement_data, rescuer_proof(market, planned, carol))
    assert "status=Disputed" in str(info.value)
