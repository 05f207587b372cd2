"""The testing kit's pure pieces: the statement data a test's function gives reaches the
settlement and the prover agents, once per chunk; proving functions see the chunk's data;
settings are checked by name."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from proofmarket.chain.market import ChunkStatement
from proofmarket.clearinghouse.ports import Settlement, SettlementBid, SettlementChunk
from proofmarket.exceptions import UserInputError
from proofmarket.testing.harness import (
    DEFAULT_MARKET_SETTINGS,
    AssignedChunk,
    ProofRequest,
    StatementDataApi,
    StatementDataMarket,
    agent_prove_function,
    market_settings,
)

PROVER_A, PROVER_B = "0x" + "aa" * 20, "0x" + "bb" * 20


def transaction(number: int) -> bytes:
    return number.to_bytes(32, "big")


def settlement(round_id: int = 4) -> Settlement:
    """Two chunks: A's with transactions 1 and 2, B's with transaction 3."""
    bids = tuple(SettlementBid(SimpleNamespace(tx_hash=transaction(n)), b"signature", 10) for n in (1, 2, 3))
    chunks = (
        SettlementChunk(SimpleNamespace(prover=PROVER_A), b"ask a", 2, 15, b"\x01" * 32),
        SettlementChunk(SimpleNamespace(prover=PROVER_B), b"ask b", 1, 7, b"\x02" * 32),
    )
    return Settlement(round_id, b"\x00" * 32, 1, 1, bids, chunks)


class RecordingPort:
    """A market port that records the settlements it is asked to sign."""

    def __init__(self):
        self.signed: list[Settlement] = []

    def sign_settlement(self, settlement: Settlement) -> str:
        self.signed.append(settlement)
        return "signed"

    def block_number(self) -> int:
        return 99


def test_each_chunk_is_settled_with_the_data_the_function_gives_for_its_transactions():
    seen: list[AssignedChunk] = []

    def statement_data(chunk: AssignedChunk) -> bytes:
        seen.append(chunk)
        return b"data of " + b"".join(chunk.tx_hashes)

    port, recorded = RecordingPort(), {}
    market = StatementDataMarket(port, statement_data, recorded)

    assert market.sign_settlement(settlement()) == "signed"

    assert [(c.round_id, c.chunk_index, c.prover, c.tx_hashes, c.commitment) for c in seen] == [
        (4, 0, PROVER_A, (transaction(1), transaction(2)), b"\x01" * 32),
        (4, 1, PROVER_B, (transaction(3),), b"\x02" * 32),
    ]
    sent = port.signed[0].chunks
    assert [chunk.statement_data for chunk in sent] == [
        b"data of " + transaction(1) + transaction(2), b"data of " + transaction(3)
    ]
    assert recorded == {(4, 0): sent[0].statement_data, (4, 1): sent[1].statement_data}


def test_a_settlement_signed_again_carries_the_same_data_without_asking_again():
    calls = []

    def statement_data(chunk: AssignedChunk) -> bytes:
        calls.append(chunk.chunk_index)
        return bytes([len(calls)])

    port = RecordingPort()
    market = StatementDataMarket(port, statement_data, {})
    market.sign_settlement(settlement())
    market.sign_settlement(settlement())

    assert calls == [0, 1]
    assert port.signed[0] == port.signed[1]


def test_the_statement_data_port_passes_every_other_call_through():
    assert StatementDataMarket(RecordingPort(), lambda chunk: b"", {}).block_number() == 99


class ListingApi:
    def __init__(self, listed):
        self.listed = listed

    def assignments(self, prover, state=None):
        return self.listed

    def post_ask(self, ask):
        return {"digest": "0x01"}


def test_agents_see_each_assignment_with_its_recorded_statement_data():
    api = StatementDataApi(
        ListingApi([{"round": 4, "chunk": 1, "tx_hashes": []}, {"round": 4, "chunk": 2, "tx_hashes": []}]),
        {(4, 1): b"\xab\xcd"},
    )
    listed = api.assignments(PROVER_A, "assigned")
    assert [chunk["statement_data"] for chunk in listed] == ["0xabcd", "0x"]


def test_statement_data_the_api_lists_is_left_as_it_is():
    api = StatementDataApi(ListingApi([{"round": 4, "chunk": 1, "statement_data": "0x01"}]), {(4, 1): b"\x02"})
    assert api.assignments(PROVER_A)[0]["statement_data"] == "0x01"


def test_a_proving_function_gets_the_statement_its_data_and_the_transactions():
    requests: list[ProofRequest] = []

    def prove(request: ProofRequest) -> bytes:
        requests.append(request)
        return b"proof"

    statement = ChunkStatement(4, 1, PROVER_A, b"\x01" * 32)
    prove_chunk = agent_prove_function(prove, {(4, 1): b"roots"})

    assert prove_chunk([transaction(7)], statement) == b"proof"
    assert requests == [ProofRequest(statement=statement, statement_data=b"roots", tx_hashes=(transaction(7),))]


def test_market_settings_replace_the_defaults_by_name():
    settings = market_settings(max_bids_per_chunk=4, consumer_gas_limit=50_000)
    assert (settings.max_bids_per_chunk, settings.consumer_gas_limit) == (4, 50_000)
    assert settings.capacity_per_round == DEFAULT_MARKET_SETTINGS.capacity_per_round


def test_an_unknown_market_setting_is_refused_in_one_line():
    with pytest.raises(UserInputError, match="unknown market setting capacity: choose among .*capacity_per_round"):
        market_settings(capacity=10)
