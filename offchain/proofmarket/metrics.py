"""The clearinghouse's metrics, served at ``/metrics`` in Prometheus' text format.

One :class:`MarketMetrics` per clearinghouse, each with a registry of its own (two
clearinghouses in one process, as in the tests, never mix their figures):

- ``proofmarket_bids_accepted_total``; ``proofmarket_bids_rejected_total{reason}``, the reason
  being the intake error (``round_closed``, ``insufficient_escrow``, ``duplicate_submission``, …);
- ``proofmarket_round_transitions_total{state}``: rounds that entered each state;
- ``proofmarket_clearing_seconds`` and ``proofmarket_settlement_seconds`` (from signing the
  settlement to finding it mined) histograms;
- ``proofmarket_settlement_gas_used`` and ``proofmarket_proof_gas_used`` histograms (gas of
  each mined settlement, of each proof submitted for the market's chunks);
- ``proofmarket_round_loop_errors_total{step}``: failed round-loop steps (``step`` is ``round``
  for a round's advance, else the step's name);
- ``proofmarket_chain_head_lag_blocks``: the chain's head less the head the round loop's last
  complete pass read (set when ``/metrics`` is read).
"""

from __future__ import annotations

import re

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

#: Buckets for durations of clearing and settlement, in seconds.
SECONDS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

#: Buckets for gas used by one transaction.
GAS_BUCKETS = (50_000, 100_000, 200_000, 300_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 30_000_000)

#: What ``/metrics`` answers with.
CONTENT_TYPE = CONTENT_TYPE_LATEST


def reason_of(error: Exception) -> str:
    """An intake error's class name in snake case (``RoundClosed`` -> ``round_closed``): a label
    with few values, unlike the error's message."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def step_label(step: str) -> str:
    """The ``step`` label of a round-loop step: ``round`` for ``round 12``, else the step."""
    return "round" if re.fullmatch(r"round \d+", step) else step


class MarketMetrics:
    """The metrics of one clearinghouse, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.bids_accepted = Counter(
            "proofmarket_bids_accepted", "Bids the bid API accepted (new, stored).", registry=self.registry
        )
        self.bids_rejected = Counter(
            "proofmarket_bids_rejected", "Bids the bid API refused, by reason.", ["reason"], registry=self.registry
        )
        self.round_transitions = Counter(
            "proofmarket_round_transitions", "Rounds that entered each state.", ["state"], registry=self.registry
        )
        self.clearing_seconds = Histogram(
            "proofmarket_clearing_seconds", "Time to clear a closed round (read, admit, clear, store).",
            buckets=SECONDS_BUCKETS, registry=self.registry,
        )
        self.settlement_seconds = Histogram(
            "proofmarket_settlement_seconds", "Time from signing a round's settlement to finding it mined.",
            buckets=SECONDS_BUCKETS, registry=self.registry,
        )
        self.settlement_gas = Histogram(
            "proofmarket_settlement_gas_used", "Gas used by each mined settlement.", buckets=GAS_BUCKETS,
            registry=self.registry,
        )
        self.proof_gas = Histogram(
            "proofmarket_proof_gas_used", "Gas used by each proof submitted for a chunk of the market.",
            buckets=GAS_BUCKETS, registry=self.registry,
        )
        self.round_loop_errors = Counter(
            "proofmarket_round_loop_errors", "Round-loop steps that failed (each is retried with backoff).", ["step"],
            registry=self.registry,
        )
        self.chain_head_lag = Gauge(
            "proofmarket_chain_head_lag_blocks",
            "The chain's head less the head read by the round loop's last complete pass.", registry=self.registry,
        )

    def bid_rejected(self, error: Exception) -> None:
        """Count a bid refused with ``error`` (an intake error)."""
        self.bids_rejected.labels(reason=reason_of(error)).inc()

    def round_loop_error(self, step: str) -> None:
        """Count a failed round-loop step."""
        self.round_loop_errors.labels(step=step_label(step)).inc()

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format."""
        return generate_latest(self.registry)
