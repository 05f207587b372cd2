"""submitProofs(submissions): many chunks' proofs in one transaction, by anyone; each chunk's
prover is paid as by submitProof. Resolved and repeated chunks are skipped; any other bad entry
(unknown chunk, passed deadline, wrong statement data, invalid proof) reverts the whole batch."""

from dataclasses import replace
from pathlib import Path

import pytest
from eth_hash.auto import keccak

from proofmarket.chain.compiler import compile_contracts
from proofmarket.chain.market import ChunkStatus, ProofSubmission, development_proof
from proofmarket.chain.transactions import send_transaction

from .helpers import Change, reverts
from .test_consumer_callback import consumer  # noqa: F401 (the RecordingConsumer fixture)

ROOTS = (7).to_bytes(32, "big") + (9).to_bytes(32, "big")


@pytest.fixture
def two_rounds(market, rounds, funded, registered, alice, bob, carol, prover_fast, prover_slow):
    """Two settled rounds, each with a chunk of prover_fast and one of prover_slow; the second
    round's chunks carry statement data. Returns [(round, chunk, prover, payment, locked)]."""
    entries = []
    for data in (b"", ROOTS):
        round_id = rounds.open_round()
        bids = [rounds.bid(alice, round_id, 300, 3_000), rounds.bid(bob, round_id, 200, 2_000)]
        chunks = [
            rounds.chunk(prover_fast, round_id, 5, 1, 1_500, statement_data=data),
            rounds.chunk(prover_slow, round_id, 6, 1, 1_200, statement_data=data),
        ]
        rounds.settle(round_id, bids, chunks)
        entries += [(round_id, 0, "prover_fast", 1_500, 15_000), (round_id, 1, "prover_slow", 1_200, 10_000)]
    return entries


def submission(market, round_id: int, chunk_index: int) -> ProofSubmission:
    """The chunk's entry: its development proof and the statement data its settlement supplied."""
    chunk = market.chunk(round_id, chunk_index)
    statement_data = ROOTS if chunk.statement_data_hash == keccak(ROOTS) else b""
    return ProofSubmission(round_id, chunk_index, development_proof(chunk.statement(round_id, chunk_index)), statement_data)


@pytest.fixture
def single_proof_verifier(web3, owner, market):
    """Configures a verifier without verifyChunkProofs (tests/contracts/solidity/SingleProofVerifier.sol)."""
    compiled = compile_contracts(Path(__file__).parent / "solidity")["SingleProofVerifier"]
    factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    receipt = send_transaction(web3, owner, factory.constructor().build_transaction({"from": owner.address}))
    market.set_verifier(owner, receipt["contractAddress"])
    return receipt["contractAddress"]


def total_changes(entries) -> dict[str, Change]:
    changes: dict[str, Change] = {}
    for _, _, prover, payment, locked in entries:
        previous = changes.get(prover, Change())
        changes[prover] = Change(balance=previous.balance + payment, locked=previous.locked - locked)
    return changes


@pytest.mark.parametrize("verifier_kind", ["batch", "single"], ids=["batch verifier", "fallback to single proofs"])
def test_submit_proofs_pays_each_prover_of_several_rounds_exactly(
    request, market, ledger, two_rounds, reporter, verifier_kind
):
    if verifier_kind == "single":
        request.getfixturevalue("single_proof_verifier")
    before = ledger.snapshot()
    receipt = market.submit_proofs(reporter, [submission(market, r, c) for r, c, *_ in two_rounds])
    ledger.assert_changes(before, **total_changes(two_rounds))
    for round_id, chunk_index, *_ in two_rounds:
        assert market.chunk(round_id, chunk_index).status == ChunkStatus.PROVEN
    assert market.events(receipt, "ChunkProven") == [
        {"roundId": r, "chunkIndex": c, "prover": market.chunk(r, c).prover, "payment": payment, "submitter": reporter.address}
        for r, c, _, payment, _ in two_rounds
    ]


@pytest.mark.parametrize("verifier_kind", ["batch", "single"], ids=["batch verifier", "fallback to single proofs"])
def test_a_batch_with_one_forged_proof_reverts_and_pays_nobody(
    request, market, ledger, two_rounds, reporter, prover_fast, verifier_kind
):
    if verifier_kind == "single":
        request.getfixturevalue("single_proof_verifier")
    entries = [submission(market, r, c) for r, c, *_ in two_rounds]
    # chunk 1 of the second round, with a proof naming prover_fast instead of its prover
    round_id, chunk_index = two_rounds[3][:2]
    statement = market.chunk(round_id, chunk_index).statement(round_id, chunk_index)
    entries[3] = replace(entries[3], proof=development_proof(replace(statement, prover=prover_fast.address)))
    before = ledger.snapshot()
    with reverts("InvalidProof", roundId=round_id, chunkIndex=chunk_index, prover=statement.prover):
        market.submit_proofs(reporter, entries)
    ledger.assert_changes(before)
    assert all(market.chunk(r, c).status == ChunkStatus.PENDING for r, c, *_ in two_rounds)


def test_a_chunk_proven_in_a_batch_cannot_be_proven_again(market, ledger, two_rounds, reporter, prover_fast):
    entries = [submission(market, r, c) for r, c, *_ in two_rounds[:2]]
    market.submit_proofs(reporter, entries)
    round_id, chunk_index = two_rounds[0][:2]
    with reverts("ChunkNotPending", roundId=round_id, chunkIndex=chunk_index, status=int(ChunkStatus.PROVEN)):
        market.submit_proof(prover_fast, round_id, chunk_index, entries[0].proof)
    before = ledger.snapshot()
    receipt = market.submit_proofs(reporter, entries)  # every entry resolved: skipped, nothing paid
    ledger.assert_changes(before)
    assert market.events(receipt, "ChunkProven") == []


def test_a_chunk_listed_twice_is_paid_once(market, ledger, two_rounds, reporter):
    round_id, chunk_index, prover, payment, locked = two_rounds[0]
    entry = submission(market, round_id, chunk_index)
    before = ledger.snapshot()
    receipt = market.submit_proofs(reporter, [entry, entry, entry])
    ledger.assert_changes(before, **{prover: Change(balance=payment, locked=-locked)})
    assert len(market.events(receipt, "ChunkProven")) == 1


def test_a_front_run_single_proof_does_not_make_the_batch_revert(market, ledger, two_rounds, reporter, prover_fast):
    entries = [submission(market, r, c) for r, c, *_ in two_rounds]
    market.submit_proof(prover_fast, two_rounds[0][0], two_rounds[0][1], entries[0].proof)
    before = ledger.snapshot()
    receipt = market.submit_proofs(reporter, entries)
    ledger.assert_changes(before, **total_changes(two_rounds[1:]))
    assert [(event["roundId"], event["chunkIndex"]) for event in market.events(receipt, "ChunkProven")] == [
        (r, c) for r, c, *_ in two_rounds[1:]
    ]


def test_a_slashed_chunk_in_a_batch_is_skipped(market, ledger, rounds, two_rounds, reporter):
    first_round = two_rounds[0][0]
    rounds.pass_deadline(first_round)
    market.slash(reporter, first_round, 0)
    later = [entry for entry in two_rounds if entry[0] != first_round]
    assert market.round(later[0][0]).deadline > rounds.block()  # settled a round later
    before = ledger.snapshot()
    market.submit_proofs(reporter, [submission(market, first_round, 0)] + [submission(market, r, c) for r, c, *_ in later])
    ledger.assert_changes(before, **total_changes(later))
    assert market.chunk(first_round, 0).status == ChunkStatus.SLASHED


def test_a_batch_reverts_when_a_deadline_passed(market, rounds, two_rounds, reporter):
    first_round = two_rounds[0][0]
    deadline = market.round(first_round).deadline
    rounds.pass_deadline(first_round)
    with reverts("ProvingDeadlinePassed", roundId=first_round, chunkIndex=0, deadline=deadline):
        market.submit_proofs(reporter, [submission(market, r, c) for r, c, *_ in two_rounds])


def test_a_batch_reverts_on_wrong_statement_data(market, two_rounds, reporter):
    entries = [submission(market, r, c) for r, c, *_ in two_rounds]
    entries[2] = replace(entries[2], statement_data=b"\x01" + ROOTS[1:])
    with reverts("StatementDataMismatch", roundId=two_rounds[2][0], chunkIndex=two_rounds[2][1]):
        market.submit_proofs(reporter, entries)


def test_a_batch_reverts_on_an_unknown_chunk(market, two_rounds, reporter):
    round_id = two_rounds[0][0]
    entries = [submission(market, round_id, 0), ProofSubmission(round_id, 2, b"")]
    with reverts("ChunkNotFound", roundId=round_id, chunkIndex=2):
        market.submit_proofs(reporter, entries)


def test_an_empty_batch_reverts(market, reporter):
    with reverts("EmptyProofBatch"):
        market.submit_proofs(reporter, [])


def test_each_chunk_of_a_batch_calls_the_consumer_back_after_every_payment(
    market, ledger, two_rounds, reporter, consumer
):
    before = ledger.snapshot()
    receipt = market.submit_proofs(reporter, [submission(market, r, c) for r, c, *_ in two_rounds])
    ledger.assert_changes(before, **total_changes(two_rounds))
    assert consumer.functions.calls().call() == len(two_rounds)
    last_round, last_chunk = two_rounds[-1][:2]
    assert tuple(consumer.functions.last().call()) == market.chunk(last_round, last_chunk).statement(last_round, last_chunk).to_abi()
    assert consumer.functions.lastData().call() == ROOTS
    assert market.events(receipt, "ConsumerCallFailed") == []
