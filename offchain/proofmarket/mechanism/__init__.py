"""The auction rules as exact-integer pure functions (docs/mechanism.md).

``clear_round(round_input) -> Outcome`` clears one round with the mechanism the input names:
``proofphi`` (the default), ``trade-reduction``, ``pay-as-bid`` or ``eip1559``. The records are
in :mod:`~proofmarket.mechanism.types`, the canonical JSON and hashes in
:mod:`~proofmarket.mechanism.roundfile`. Nothing here does I/O or touches the chain.
"""

from proofmarket.mechanism.clearing import MECHANISMS, clear_round
from proofmarket.mechanism.types import (
    DEFAULT_MECHANISM,
    MECHANISM_NAMES,
    SURPLUS_POLICIES,
    Ask,
    Bid,
    Chunk,
    Outcome,
    Price,
    RoundConfig,
    RoundInput,
)

__all__ = [
    "DEFAULT_MECHANISM",
    "MECHANISMS",
    "MECHANISM_NAMES",
    "SURPLUS_POLICIES",
    "Ask",
    "Bid",
    "Chunk",
    "Outcome",
    "Price",
    "RoundConfig",
    "RoundInput",
    "clear_round",
]
