"""What an operator reads: one line per round transition with its figures, polls only at DEBUG.

The logs are captured as ``proofmarket serve`` and ``proofmarket prover`` write them
(``proofmarket.logs.configure``), from real rounds through the e2e stack: bids over HTTP, the
real clearinghouse, Groth16 proofs, and a chunk left unproven until it is slashed.
"""

from __future__ import annotations

import io
import json
import logging
from fractions import Fraction

import pytest

from proofmarket.logs import CHATTY_LOGGERS, configure
from proofmarket.network import mine_blocks


class CapturedLog:
    """The log as ``configure`` writes it, into memory."""

    def __init__(self):
        self.stream = io.StringIO()

    def start(self, level: str = "INFO", log_format: str = "json") -> None:
        self.stream.seek(0)
        self.stream.truncate()
        configure(level, log_format, self.stream)

    def lines(self) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if line]

    def records(self) -> list[dict]:
        """Every line parsed as JSON (fails the test if one is not)."""
        return [json.loads(line) for line in self.lines()]

    def transitions(self, round_id: int) -> dict[str, dict]:
        """The round's state-transition records, by the state they report."""
        return {
            record["state"]: record
            for record in self.records()
            if record.get("round") == round_id and "state" in record and record["logger"].startswith("proofmarket.clearinghouse")
        }


@pytest.fixture
def captured():
    """Logging configured as the CLI does it, into memory; the root logger restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    chatty = {name: logging.getLogger(name).level for name in CHATTY_LOGGERS}
    yield CapturedLog()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, previous in chatty.items():
        logging.getLogger(name).setLevel(previous)


def gwei(price: dict) -> float:
    return round(int(price["num"]) / int(price["den"]) / 10**9, 9)


def test_a_round_logs_one_info_line_per_transition_with_its_figures(stack, captured):
    captured.start("INFO", "json")
    round_id, outcome, _, _ = stack.run_random_round(6)
    transitions = captured.transitions(round_id)
    assert list(transitions) == ["closed", "cleared", "settle_signed", "settled", "resolved"]
    assert all(record["level"] == "INFO" for record in transitions.values())
    closed, cleared, signed, settled, resolved = transitions.values()
    assert closed["bids"] == 6
    assert cleared["bids"] == 6
    assert cleared["included"] == settled["included"] == len(outcome["included_bid_ids"]) > 0
    price = outcome["price"]
    assert cleared["price_gwei_per_constraint"] == settled["price_gwei_per_constraint"] == gwei(price)
    assert Fraction(int(price["num"]), int(price["den"])) > 0
    assert cleared["revenue_wei"] == settled["revenue_wei"] == int(outcome["revenue_wei"])
    assert cleared["payouts_wei"] == settled["payouts_wei"] == int(outcome["payouts_wei"])
    assert settled["chunks"] == len(outcome["chunks"])
    receipt = stack.web3.eth.get_transaction_receipt(settled["tx"])
    assert settled["tx"] == signed["tx"]
    assert settled["gas_used"] == receipt["gasUsed"] > 0
    assert settled["block"] == receipt["blockNumber"]
    assert resolved["chunks"] == resolved["proven"] == len(outcome["chunks"])
    assert resolved["slashed"] == 0
    proofs = [record for record in captured.records() if record["logger"] == "proofmarket.prover.agent" and "chunk" in record]
    assert sorted(record["chunk"] for record in proofs) == list(range(len(outcome["chunks"])))
    assert all(record["gas_used"] > 0 and record["round"] == round_id for record in proofs)


def test_every_json_line_parses_and_carries_time_level_logger_message(stack, captured):
    captured.start("DEBUG", "json")
    stack.run_random_round(3)
    records = captured.records()
    assert records, "a round at DEBUG logs something"
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record)
        assert record["time"].endswith("Z")
    assert {"DEBUG", "INFO"} <= {record["level"] for record in records}


def test_text_lines_are_single_lines_with_the_figures_as_key_value(stack, captured):
    captured.start("INFO", "text")
    round_id, outcome, _, _ = stack.run_random_round(3)
    lines = captured.lines()
    settled = [line for line in lines if f"round {round_id} settled" in line]
    assert len(settled) == 1, lines
    assert " INFO proofmarket.clearinghouse.service: " in settled[0]
    assert f"round={round_id} state=settled" in settled[0]
    assert f"revenue_wei={outcome['revenue_wei']}" in settled[0]
    assert "gas_used=" in settled[0] and "tx=0x" in settled[0]
    assert max(len(line) for line in lines) > 80, "records are not wrapped at 80 columns"
    assert not any(".py:" in line for line in lines), "no source links"


def test_the_provers_polls_are_not_at_info(stack, captured):
    agent = stack.agents[0]
    agent.step()  # registered and asked for the open round: once a round, at INFO
    captured.start("INFO", "text")
    for _ in range(3):
        agent.step()
    assert captured.lines() == [], "a pass with nothing new says nothing at INFO"
    captured.start("DEBUG", "text")
    agent.step()
    debug = captured.lines()
    assert any(" DEBUG httpx: HTTP Request: GET" in line for line in debug), debug
    assert any(" DEBUG proofmarket.prover.agent: " in line and "pass done" in line for line in debug), debug


def test_a_slash_logs_chunk_prover_and_collateral(stack, captured):
    round_id, _ = stack.open_round_with_bids(4)
    stack.node.run_once()  # closed, cleared, settled; no one proves
    assert stack.api.round_status(round_id)["state"] == "settled"
    status = stack.api.round_status(round_id)
    chunks = status["chunks"]
    captured.start("INFO", "json")
    mine_blocks(stack.web3, status["deadline_block"] - stack.web3.eth.block_number + 1)
    stack.node.run_once()
    assert stack.api.round_status(round_id)["state"] == "resolved"
    slashes = [record for record in captured.records() if "slashed:" in record["message"]]
    assert sorted(record["chunk"] for record in slashes) == list(range(len(chunks)))
    collateral = stack.client.config().collateral_per_constraint
    for record in slashes:
        chunk = next(c for c in chunks if c["chunk"] == record["chunk"])
        assert record["round"] == round_id
        assert record["prover"] == chunk["prover"]
        assert record["collateral_slashed_wei"] == collateral * chunk["constraints"]
        assert stack.web3.eth.get_transaction_receipt(record["tx"])["status"] == 1
    resolved = captured.transitions(round_id)["resolved"]
    assert resolved["slashed"] == len(chunks) and resolved["proven"] == 0
