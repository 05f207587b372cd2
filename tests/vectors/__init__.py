"""Shared test vectors: rounds whose outcome was computed by hand from docs/mechanism.md.

Both sides replay them: ``tests/unit/test_vectors.py`` clears each input with the mechanism
library and compares the outcome field by field; ``tests/contracts/test_vectors.py`` settles each
expected outcome of a mechanism the contract settles (``proofphi``, ``proofphi-v1``,
``trade-reduction``, ``pay-as-bid``) on a fresh market and checks every party's balance change.

One JSON file per vector::

    {"about":    one line: what the vector exercises,
     "input":    a round file (docs/mechanism.md, "The round file"), parsed by ``parse_round``,
     "parties":  {"bids": {bid id: "user1", ...}, "asks": {ask id: "prover1", ...}}: who signs
                 what on-chain (a user may hold several bids; one prover per ask),
     "worked":   the hand computation, one step per line,
     "expected": the outcome as ``outcome_to_json`` writes it, without the two hashes}

The expected values were computed by hand (the ``worked`` lines), not dumped from the code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VECTOR_DIR = Path(__file__).parent

OUTCOME_FIELDS = (
    "mechanism",
    "included_bid_ids",
    "charges_wei",
    "rebates_wei",
    "chunks",
    "price",
    "revenue_wei",
    "payouts_wei",
    "surplus_wei",
    "burn_wei",
    "treasury_wei",
    "next_base_fee_wei_per_constraint",
)
"""Every key of ``outcome_to_json`` but ``input_hash`` and ``outcome_hash``: each vector pins all."""

SETTLED_MECHANISMS = ("proofphi", "proofphi-v1", "trade-reduction", "pay-as-bid")
"""The mechanisms whose outcomes the contract settles (``eip1559`` is a simulation baseline)."""


@dataclass(frozen=True)
class Vector:
    """One vector file, decoded."""

    name: str
    about: str
    input: dict[str, Any]
    parties: dict[str, dict[str, str]]
    worked: list[str]
    expected: dict[str, Any]

    @property
    def mechanism(self) -> str:
        return self.input.get("mechanism", "proofphi")

    @property
    def surplus_policy(self) -> str:
        return self.input["config"].get("surplus", "treasury")

    @property
    def settled_on_chain(self) -> bool:
        """Whether the contract tests replay it: a settled mechanism and at least one bid included."""
        return self.mechanism in SETTLED_MECHANISMS and bool(self.expected["included_bid_ids"])


def load_vector(path: Path) -> Vector:
    """Decode one vector file; raises ``KeyError`` naming a missing top-level field."""
    document = json.loads(path.read_text())
    return Vector(
        name=path.stem,
        about=document["about"],
        input=document["input"],
        parties=document["parties"],
        worked=document["worked"],
        expected=document["expected"],
    )


def load_vectors() -> list[Vector]:
    """Every ``*.json`` vector of this folder, by file name."""
    return [load_vector(path) for path in sorted(VECTOR_DIR.glob("*.json"))]
