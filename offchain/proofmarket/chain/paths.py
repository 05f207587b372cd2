"""Where the project's files are: the Solidity sources, the compiler, caches."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (this file is offchain/proofmarket/chain/paths.py).
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]

#: The pinned Solidity compiler version (Makefile and ape-config.yaml pin the same).
SOLC_VERSION = "0.8.28"

#: The pinned EVM version: py-evm has no Osaka, and newer solc defaults past Cancun.
EVM_VERSION = "cancun"


def contracts_directory() -> Path:
    """The Solidity sources: ``$PROOFMARKET_CONTRACTS`` or ``contracts/`` of the repository."""
    return Path(os.environ.get("PROOFMARKET_CONTRACTS", REPOSITORY_ROOT / "contracts"))


def cache_directory() -> Path:
    """Compiled artifacts and other rebuildable files: ``$PROOFMARKET_CACHE`` or ``.cache/``."""
    return Path(os.environ.get("PROOFMARKET_CACHE", REPOSITORY_ROOT / ".cache"))


def solc_binary_directory() -> Path:
    """Where py-solc-x finds ``solc-v<version>``: ``$SOLCX_BINARY_PATH`` or ``.tools/solcx``."""
    return Path(os.environ.get("SOLCX_BINARY_PATH", REPOSITORY_ROOT / ".tools" / "solcx"))
