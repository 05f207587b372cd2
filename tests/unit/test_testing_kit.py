"""The testing kit's pure pieces: the statement data a test's function gives reaches the
settlement (through the clearinghouse's sequencer port), once per chunk; proving functions see
the chunk's data; settings are checked by name."""

from __future__ import annotations

import pytest

from proofmarket.chain.market import ChunkStatement
from proofmarket.clearinghouse.ports import SequencerBid, SequencerChunk
from proofmarket.exceptions import UserInputError
from proofmarket.testing.harness import (
    DEFAULT_MARKET_SETTINGS,
    AssignedChunk,
    ProofRequest,
    StatementDataSequencer,
    agent_prove_function,
    market_settings,
)
from proofmarket.zk.commitment import chunk_commitment

PROVER_A, PROVER_B = "0x" + "aa" * 20, "0x" + "bb" * 20


def transaction(number: int) -> bytes:
    return number.to_bytes(32, "big")


def bid(number: int) -> SequencerBid:
    return SequencerBid(f"0x{number:064x}", "0x" + "11" * 20, transaction(number), None)


#: Two chunks: A's with transactions 1 and 2, B's with transaction 3.
CHUNKS = (SequencerChunk(PROVER_A, (bid(1), bid(2))), SequencerChunk(PROVER_B, (bid(3),)))


def test_each_chunk_is_sequenced_with_the_data_the_function_gives_for_its_transactions():
    seen: list[AssignedChunk] = []

    def statement_data(chunk: AssignedChunk) -> bytes:
        seen.append(chunk)
        return b"data of " + b"".join(chunk.tx_hashes)

    document = StatementDataSequencer(statement_data).sequence(4, [], CHUNKS)

    assert [(c.round_id, c.chunk_index, c.prover, c.tx_hashes, c.commitment) for c in seen] == [
        (4, 0, PROVER_A, (transaction(1), transaction(2)), chunk_commitment([transaction(1), transaction(2)])),
        (4, 1, PROVER_B, (transaction(3),), chunk_commitment([transaction(3)])),
    ]
    assert document == {"round": 4, "chunks": [
        {"statement_data": "0x" + (b"data of " + transaction(1) + transaction(2)).hex()},
        {"statement_data": "0x" + (b"data of " + transaction(3)).hex()},
    ]}


def test_the_test_sequencer_admits_every_bid_and_takes_no_bodies():
    sequencer = StatementDataSequencer(lambda chunk: b"")
    assert sequencer.admit(4, [], [bid(1), bid(2)]) == ([bid(1).bid_id, bid(2).bid_id], {})
    with pytest.raises(UserInputError, match="takes no transaction bodies"):
        sequencer.transaction_hash({"sender": "0x01"})


def test_a_proving_function_gets_the_statement_its_data_and_the_transactions():
    requests: list[ProofRequest] = []

    def prove(request: ProofRequest) -> bytes:
        requests.append(request)
        return b"proof"

    statement = ChunkStatement(4, 1, PROVER_A, b"\x01" * 32)
    prove_chunk = agent_prove_function(prove)

    assert prove_chunk([transaction(7)], statement, {"statement_data": "0x" + b"roots".hex()}) == b"proof"
    assert prove_chunk([transaction(8)], statement, None) == b"proof"
    assert requests == [
        ProofRequest(statement=statement, statement_data=b"roots", tx_hashes=(transaction(7),)),
        ProofRequest(statement=statement, statement_data=b"", tx_hashes=(transaction(8),)),
    ]


def test_market_settings_replace_the_defaults_by_name():
    settings = market_settings(max_bids_per_chunk=4, consumer_gas_limit=50_000)
    assert (settings.max_bids_per_chunk, settings.consumer_gas_limit) == (4, 50_000)
    assert settings.capacity_per_round == DEFAULT_MARKET_SETTINGS.capacity_per_round


def test_an_unknown_market_setting_is_refused_in_one_line():
    with pytest.raises(UserInputError, match="unknown market setting capacity: choose among .*capacity_per_round"):
        market_settings(capacity=10)
