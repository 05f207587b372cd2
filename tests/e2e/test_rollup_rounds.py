"""The reference rollup on the market, end to end, on whichever devnet runs the tests: the real
market with the rollup's chunk verifier, the rollup contract, the clearinghouse as sequencer
behind the real bid API, prover agents proving with snarkjs (real Groth16 proofs), and the
operator confirming and finalizing rounds.

One market for the module (each real proof takes about 7 s): round A (deposits and first
transfers), round B (a prover misses its deadline: the chunk is rescued; a user moves funds to
its exit address, then withdraws them on L1), and round C, settled and proven in part but not
finalized, on which the attacks are tried before it is finished.
"""

from __future__ import annotations

import copy
import dataclasses

import pytest

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import ChunkStatus
from proofmarket.rollup.contract import exit_address_of
from proofmarket.rollup.demo import ETHER, RollupDemoOptions, RollupStack, plain_balances
from proofmarket.rollup.operator import RollupOperator
from proofmarket.rollup.prover import prove_rollup_chunk
from proofmarket.rollup.sequencing import replay, round_from_json, state_from_json, operation_from_json
from proofmarket.rollup.state import Deposit, Transfer, address_value
from proofmarket.rollup.verifier import MarketChunkStatement, rollup_statement_data


def _finish(stack: RollupStack, silent: bool = False, exit_user=None) -> dict:
    """One round through the stack: transfers, settlement, proofs, finalization."""
    round_id = stack.open_round()
    stack.submit(round_id, stack.plan_transfers(exit_user=exit_user))
    chunks = stack.settle(round_id)
    assert chunks, "every round of this module needs a chunk"
    stack.prove(round_id, silent={chunks[0]["prover"]} if silent else set())
    if silent:
        stack.pass_deadline(round_id)
    assert stack.operator.step() == [round_id]
    return {"round": round_id, "root": stack.rollup.state_root(), "chunks": chunks}


@pytest.fixture(scope="module")
def stack(web3, tmp_path_factory):
    stack = RollupStack.start(web3, RollupDemoOptions(users=4, provers=3, work_directory=tmp_path_factory.mktemp("rollup")))
    stack.deposit(5 * ETHER)
    yield stack
    stack.close()


@pytest.fixture(scope="module")
def finalized(stack) -> list[dict]:
    """Rounds A and B (silent prover, rescued; an exit transfer), each finalized."""
    return [_finish(stack), _finish(stack, silent=True, exit_user=stack.users[0])]


@pytest.fixture(scope="module")
def pending_round(stack, finalized) -> dict:
    """Round C: settled, chunk 0 proven by its prover, chunk 1's prover silent; not finalized."""
    round_id = stack.open_round()
    stack.submit(round_id, stack.plan_transfers())
    chunks = stack.settle(round_id)
    assert len(chunks) >= 2
    stack.prove(round_id, silent={chunk["prover"] for chunk in chunks[1:]})
    return {"round": round_id, "chunks": chunks, "document": next(d for d in stack.settled_sequences() if d["round"] == round_id)}


def _proof_of(stack: RollupStack, round_id: int, chunk_index: int) -> bytes:
    """The proof the chunk was proven with, from its submitProof transaction's calldata."""
    events = stack.client.contract.events.ChunkProven.get_logs(
        from_block=stack.deployment.deploy_block, argument_filters={"roundId": round_id, "chunkIndex": chunk_index}
    )
    transaction = stack.web3.eth.get_transaction(events[0]["transactionHash"])
    _, arguments = stack.client.contract.decode_function_input(transaction["input"])
    return bytes(arguments["proof"])


def test_rounds_finalize_with_the_roots_of_the_python_execution(stack, finalized):
    documents = stack.settled_sequences()
    state = None
    for result in finalized:
        done = [round_from_json(d) for d in documents if d["round"] <= result["round"]]
        state = replay(done)
        assert result["root"] == state.root, f"round {result['round']}"
    operations = [op for document in documents if document["round"] <= finalized[-1]["round"]
                  for chunk in round_from_json(document).chunks for op in chunk.operations]
    plain = plain_balances([op for op in operations if isinstance(op, Deposit)], [op for op in operations if isinstance(op, Transfer)])
    assert {account.address: account.balance for account in state.accounts} == plain
    assert sum(isinstance(op, Transfer) for op in operations) >= 3
    assert sum(isinstance(op, Deposit) for op in operations) == len(stack.users)


def test_a_missed_deadline_is_rescued_by_the_operator_and_the_round_finalizes(stack, finalized):
    silent_round = finalized[1]["round"]
    assert stack.client.chunk(silent_round, 0).status == ChunkStatus.SLASHED
    assert stack.rollup.is_chunk_rescued(silent_round, 0)
    assert (silent_round, 0) in stack.operator.rescued
    assert stack.rollup.last_finalized_round() >= silent_round


def test_a_withdrawal_against_a_finalized_root_pays_the_exit_balance(stack, finalized):
    user = stack.users[0]
    state = replay(round_from_json(d) for d in stack.settled_sequences() if d["round"] <= finalized[-1]["round"])
    exit_account = state.account(address_value(exit_address_of(user.address)))
    assert exit_account is not None and exit_account.balance > 0
    assert stack.withdraw(user) == exit_account.balance
    assert stack.rollup.withdrawn(user.address) == exit_account.balance
    with pytest.raises(ContractRevert, match="NothingToWithdraw"):
        stack.withdraw(user)


def test_a_withdrawal_against_an_unfinalized_root_is_refused(stack, pending_round):
    user = stack.users[0]
    state = replay(round_from_json(d) for d in stack.settled_sequences())
    index = state.index_of(address_value(exit_address_of(user.address)))
    account = state.accounts[index]
    with pytest.raises(ContractRevert, match="RootNotFinalized"):
        stack.rollup.withdraw(user, pending_round["round"], account.balance, account.nonce, index,
                              list(state.merkle_proof(index).siblings))


def test_a_forged_post_state_root_is_refused(stack, pending_round):
    round_id, document = pending_round["round"], pending_round["document"]
    chunk = document["chunks"][1]
    forged = rollup_statement_data(int(chunk["pre_root"]), int(chunk["post_root"]) + 1)
    with pytest.raises(ContractRevert, match="StatementDataMismatch"):
        stack.client.submit_proof(stack.parties.provers[0], round_id, 1, _proof_of(stack, round_id, 0), forged)
    sequenced = round_from_json(document)
    roots = [sequenced.chunks[0].pre_root, *(c.post_root for c in sequenced.chunks)]
    roots[-1] += 1
    with pytest.raises(ContractRevert):
        stack.rollup.finalize(stack.parties.owner, round_id, roots, 0, 0, 0)


def test_a_proof_for_another_round_or_chunk_is_refused(stack, finalized, pending_round):
    round_id = pending_round["round"]
    data = bytes.fromhex(pending_round["document"]["chunks"][1]["statement_data"][2:])
    for other_round, other_chunk in ((round_id, 0), (finalized[0]["round"], 0)):
        with pytest.raises(ContractRevert, match="InvalidProof"):
            stack.client.submit_proof(stack.parties.provers[0], round_id, 1, _proof_of(stack, other_round, other_chunk), data)


def test_a_reused_proof_is_refused(stack, pending_round):
    round_id = pending_round["round"]
    data = bytes.fromhex(pending_round["document"]["chunks"][0]["statement_data"][2:])
    with pytest.raises(ContractRevert, match="ChunkNotPending"):
        stack.client.submit_proof(stack.parties.provers[0], round_id, 0, _proof_of(stack, round_id, 0), data)


def test_a_rescue_proof_pays_only_the_rescuer_it_binds_and_the_round_then_finalizes(stack, pending_round):
    round_id, chunk = pending_round["round"], pending_round["document"]["chunks"][1]
    stack.pass_deadline(round_id)
    assert stack.client.chunk(round_id, 1).status == ChunkStatus.SLASHED
    on_chain = stack.client.chunk(round_id, 1)
    operator = stack.parties.owner
    statement = MarketChunkStatement(round_id, 1, operator.address, bytes(on_chain.commitment), bytes(on_chain.statement_data_hash))
    operations = [operation_from_json(op) for op in chunk["operations"]]
    proof = prove_rollup_chunk(state_from_json(chunk["pre_state"]), operations, statement.binding()).encoded
    data = bytes.fromhex(chunk["statement_data"][2:])
    refunds = stack.client.refunds_from_settlement(round_id)[1]
    stack.rollup.confirm_chunk(operator, round_id, 1, refunds, [op for op in operations if isinstance(op, Transfer)])
    copier = stack.parties.provers[1]  # sends the operator's proof as its own
    with pytest.raises(ContractRevert, match="ProofInvalid"):
        stack.rollup.prove_missed_chunk(copier, round_id, 1, data, proof)
    stack.rollup.prove_missed_chunk(operator, round_id, 1, data, proof)
    assert stack.rollup.is_chunk_rescued(round_id, 1)
    with pytest.raises(ContractRevert):
        stack.rollup.prove_missed_chunk(operator, round_id, 1, data, proof)
    assert stack.operator.step() == [round_id]
    assert stack.rollup.state_root() == replay(round_from_json(d) for d in stack.settled_sequences()).root


def _operate(stack: RollupStack, deployment_file, *arguments: str):
    """``proofmarket rollup operate --deployment FILE --api <the stack's API> ...`` in-process on
    the test's devnet (any ``--rpc`` reaches it)."""
    from click.testing import CliRunner

    import proofmarket.network
    from proofmarket.cli.main import main

    original = proofmarket.network.connect
    proofmarket.network.connect = lambda url: stack.web3
    try:
        return CliRunner(mix_stderr=False).invoke(
            main, ["rollup", "operate", "--deployment", str(deployment_file), "--api", stack.server.url, *arguments]
        )
    finally:
        proofmarket.network.connect = original


def test_the_operate_command_records_proofs_the_callback_did_not_and_finalizes(stack, finalized, tmp_path):
    """``proofmarket rollup operate`` against the live stack, with the market's callback off (its
    owner set the consumer's gas limit to 0): proofs pay their provers on the market but the
    rollup records none; the operator proves each chunk for the market's statement, records it
    with ``recordChunkProof``, and finalizes the round from the API's sequences."""
    owner, config = stack.parties.owner, stack.client.config()
    stack.client.update_config(owner, config.replace(consumer_gas_limit=0))
    try:
        round_id = stack.open_round()
        stack.submit(round_id, stack.plan_transfers())
        chunks = stack.settle(round_id)
        stack.prove(round_id)
        indexes = range(len(chunks))
        assert all(stack.client.chunk(round_id, index).status == ChunkStatus.PROVEN for index in indexes)
        assert not any(stack.rollup.is_chunk_proof_recorded(round_id, index) for index in indexes)
        documents = stack.settled_sequences()
        assert stack.api.settled_sequences() == documents  # GET /v1/sequences
        assert stack.api.settled_sequences(after=documents[-2]["round"]) == documents[-1:]
        # A sequence whose statement data is not the chunk's: the operator proves nothing for it.
        doctored = copy.deepcopy(documents)
        doctored[-1]["chunks"][0]["statement_data"] = "0x" + "00" * 64
        cautious = RollupOperator(stack.rollup, stack.client, owner, lambda: doctored)
        assert cautious.step() == []
        assert not stack.rollup.is_chunk_proof_recorded(round_id, 0)
        deployment_file = tmp_path / "deployment.json"
        stack.deployment.save(deployment_file)
        key = "0x" + bytes(owner.key).hex()
        result = _operate(stack, deployment_file, "--key", key, "--once")
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        assert all(stack.rollup.is_chunk_proof_recorded(round_id, index) for index in indexes)
        assert stack.rollup.last_finalized_round() == round_id
        assert stack.rollup.state_root() == replay(round_from_json(d) for d in stack.settled_sequences()).root
        recorded = stack.rollup.contract.events.ChunkProofRecorded.get_logs(
            from_block=stack.deployment.deploy_block, argument_filters={"roundId": round_id}
        )
        receipt = stack.web3.eth.get_transaction_receipt(recorded[0]["transactionHash"])
        print(f"ReferenceRollup.recordChunkProof gas (a real proof): {receipt['gasUsed']}")
    finally:
        stack.client.update_config(owner, config)

    dataclasses.replace(stack.deployment, rollup=None).save(deployment_file)
    refused = _operate(stack, deployment_file, "--key", key, "--once")
    assert refused.exit_code == 2, (refused.stdout, refused.stderr, refused.exception)
    assert refused.stderr.splitlines() == [
        f"error: {deployment_file} has no rollup: deploy the market with `proofmarket deploy --verifier rollup`"
    ]
