"""The configured consumer is called back when a chunk is proven, with the chunk's statement and
data, within its gas limit; whatever it does, the proof and the payment stand."""

from pathlib import Path

import pytest

from proofmarket.chain.compiler import compile_contracts
from proofmarket.chain.transactions import TransactionFailed, call_function, send_transaction

from .helpers import Change, reverts

ROOTS = (7).to_bytes(32, "big") + (9).to_bytes(32, "big")
GAS_LIMIT = 200_000
RECORD, REVERT, BURN_GAS = 0, 1, 2


@pytest.fixture
def consumer(web3, owner, market):
    """A RecordingConsumer, configured as the market's consumer with a 200,000 gas limit."""
    compiled = compile_contracts(Path(__file__).parent / "solidity")["RecordingConsumer"]
    factory = web3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    receipt = send_transaction(web3, owner, factory.constructor().build_transaction({"from": owner.address}))
    contract = web3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)
    market.update_config(owner, market.config().replace(consumer=contract.address, consumer_gas_limit=GAS_LIMIT))
    return contract


def set_mode(web3, owner, consumer, mode):
    send_transaction(web3, owner, consumer.functions.setMode(mode).build_transaction({"from": owner.address}))


@pytest.fixture
def settled(rounds, funded, registered, alice, prover_fast):
    round_id = rounds.open_round()
    rounds.settle(round_id, [rounds.bid(alice, round_id, 300, 3_000)], [rounds.chunk(prover_fast, round_id, 5, 1, 1_500, statement_data=ROOTS)])
    return round_id


def test_the_consumer_is_called_back_with_the_statement_and_its_data(market, rounds, consumer, settled, prover_fast):
    round_id = settled
    receipt = market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0), ROOTS)
    assert consumer.functions.calls().call() == 1
    statement = market.chunk(round_id, 0).statement(round_id, 0)
    assert tuple(consumer.functions.last().call()) == statement.to_abi()
    assert consumer.functions.lastData().call() == ROOTS
    assert market.events(receipt, "ConsumerCallFailed") == []


@pytest.mark.parametrize("mode", [REVERT, BURN_GAS], ids=["reverts", "burns all its gas"])
def test_a_failing_consumer_never_undoes_the_payment(web3, owner, market, ledger, rounds, consumer, settled, prover_fast, mode):
    round_id = settled
    set_mode(web3, owner, consumer, mode)
    before = ledger.snapshot()
    receipt = market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0), ROOTS)
    ledger.assert_changes(before, prover_fast=Change(balance=1_500, locked=-15_000))
    assert market.events(receipt, "ConsumerCallFailed") == [
        {"roundId": round_id, "chunkIndex": 0, "consumer": consumer.address}
    ]
    assert market.proven_chunk(round_id, 0)[0]
    if mode == BURN_GAS:  # it had its whole limit, and no more
        assert receipt["gasUsed"] > GAS_LIMIT and receipt["gasUsed"] < GAS_LIMIT + 250_000


def test_a_consumer_without_code_is_reported_and_the_proof_stands(market, owner, ledger, rounds, settled, prover_fast, alice):
    round_id = settled
    market.update_config(owner, market.config().replace(consumer=alice.address, consumer_gas_limit=GAS_LIMIT))
    before = ledger.snapshot()
    receipt = market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0), ROOTS)
    ledger.assert_changes(before, prover_fast=Change(balance=1_500, locked=-15_000))
    assert market.events(receipt, "ConsumerCallFailed") == [{"roundId": round_id, "chunkIndex": 0, "consumer": alice.address}]


def test_a_proof_sent_with_too_little_gas_for_the_consumer_reverts(web3, market, rounds, consumer, settled, prover_fast):
    """A submitter cannot starve the consumer (EIP-150) and still have the proof count."""
    round_id = settled
    submit = market.contract.functions.submitProof(round_id, 0, ROOTS, rounds.proof(round_id, 0))
    with reverts("InsufficientGasForConsumer"):
        call_function(submit, market.errors, {"from": prover_fast.address, "gas": 150_000})
    # Sent for real with that gas, it fails well before running out (the check stopped it).
    data = market.contract.encode_abi("submitProof", args=[round_id, 0, ROOTS, rounds.proof(round_id, 0)])
    with pytest.raises(TransactionFailed, match="used [0-9]+ of 150000"):
        send_transaction(web3, prover_fast, {"to": market.address, "data": data, "gas": 150_000}, market.errors)
    assert not market.proven_chunk(round_id, 0)[0]
    assert consumer.functions.calls().call() == 0


def test_a_zero_gas_limit_turns_the_callback_off(market, owner, rounds, consumer, settled, prover_fast):
    round_id = settled
    market.update_config(owner, market.config().replace(consumer_gas_limit=0))
    receipt = market.submit_proof(prover_fast, round_id, 0, rounds.proof(round_id, 0), ROOTS)
    assert consumer.functions.calls().call() == 0
    assert market.events(receipt, "ConsumerCallFailed") == []


def test_consumer_gas_limit_above_the_bound_is_refused(market, owner):
    with reverts("ConfigOutOfBounds"):
        market.update_config(owner, market.config().replace(consumer_gas_limit=1_000_001))
