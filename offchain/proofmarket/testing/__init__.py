"""Testing kit for teams building on the market: a pytest plugin (``proofmarket.testing.plugin``,
registered as the ``pytest11`` entry point ``proofmarket``), an in-process market harness
(``proofmarket.testing.harness``) and a compiler for a team's own contracts
(``proofmarket.testing.contracts``). docs/testing.md describes them.

The names below are imported on first use: pytest loads the plugin, and so this package, in
every run of the environment it is installed in.
"""

from __future__ import annotations

import importlib

#: Each public name and the module that defines it.
_PUBLIC = {
    "DEFAULT_MARKET_SETTINGS": "harness",
    "AssignedChunk": "harness",
    "BidResult": "harness",
    "ChunkResult": "harness",
    "HarnessError": "harness",
    "MarketHarness": "harness",
    "ProofRequest": "harness",
    "RoundResult": "harness",
    "market_settings": "harness",
    "start_market": "harness",
    "MARKET_IMPORT_PREFIX": "contracts",
    "TeamContracts": "contracts",
    "compile_team_contracts": "contracts",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
