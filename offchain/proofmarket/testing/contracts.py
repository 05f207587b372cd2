"""A team's own Solidity contracts, compiled against the market's interfaces and deployed.

A team's contract imports the market's interfaces and types under the prefix ``proofmarket/``::

    import {IChunkConsumer} from "proofmarket/interfaces/IChunkConsumer.sol";
    import {IProofMarket} from "proofmarket/interfaces/IProofMarket.sol";
    import {IProofVerifier} from "proofmarket/interfaces/IProofVerifier.sol";
    import {ChunkStatement} from "proofmarket/types/ChunkStatement.sol";

They are compiled with the market's own compiler settings (``proofmarket.chain.compiler``: the
pinned solc, the same EVM version), and the output is cached like the market's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from proofmarket.chain.compiler import Artifact, compile_contracts
from proofmarket.chain.errors import ErrorDecoder
from proofmarket.chain.paths import contracts_directory
from proofmarket.chain.transactions import deploy_artifact, send_transaction
from proofmarket.exceptions import UserInputError

#: The import prefix of the market's Solidity files in a team's contracts.
MARKET_IMPORT_PREFIX = "proofmarket/"

#: The market's directories a team's contract may import (below :data:`MARKET_IMPORT_PREFIX`).
MARKET_IMPORT_DIRECTORIES = ("interfaces", "types")


def market_imports() -> tuple[tuple[str, Path], ...]:
    """The compiler's import mapping of the market's interfaces and types: ``proofmarket/interfaces/``
    and ``proofmarket/types/`` to the market's ``contracts/interfaces`` and ``contracts/types``."""
    root = contracts_directory()
    return tuple((f"{MARKET_IMPORT_PREFIX}{name}/", root / name) for name in MARKET_IMPORT_DIRECTORIES)


def compile_team_contracts(root: Path) -> dict[str, Artifact]:
    """Compile every ``.sol`` file below ``root``, which may import the market's interfaces and
    types (``proofmarket/...``); returns the artifacts by contract name (the market's files
    included). Raises :class:`UserInputError` if ``root`` is not a directory, and
    :class:`~proofmarket.chain.compiler.CompilationError` with solc's messages if it fails."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise UserInputError(f"no contracts directory at {root}")
    return compile_contracts(root, market_imports())


@dataclass
class TeamContracts:
    """A team's contracts directory on one chain: compile, deploy, bind, transact."""

    web3: Web3
    root: Path
    #: The account that deploys and transacts unless told otherwise.
    deployer: LocalAccount

    def artifact(self, name: str) -> Artifact:
        """The compiled contract ``name``; a one-line error naming the ones there are otherwise."""
        artifacts = compile_team_contracts(self.root)
        if name not in artifacts:
            raise UserInputError(f"no contract named {name} in {self.root}: there are {', '.join(sorted(artifacts))}")
        return artifacts[name]

    def deploy(self, name: str, *constructor_arguments: Any, sender: LocalAccount | None = None, value: int = 0) -> Contract:
        """Deploy contract ``name`` with ``constructor_arguments`` (from ``sender``, default the
        deployer); returns the web3 contract."""
        return deploy_artifact(self.web3, self.artifact(name), sender or self.deployer, *constructor_arguments, value=value)

    def at(self, name: str, address: str) -> Contract:
        """Contract ``name`` deployed at ``address``."""
        return self.web3.eth.contract(address=Web3.to_checksum_address(address), abi=self.artifact(name).abi)

    def transact(self, function_call: Any, sender: LocalAccount | None = None, value: int = 0) -> dict:
        """Send ``function_call`` (``contract.functions.f(...)``) from ``sender`` (default the
        deployer) and return the receipt; a revert raises
        :class:`~proofmarket.chain.errors.ContractRevert` with the contract's custom error decoded."""
        contract = self.web3.eth.contract(address=function_call.address, abi=function_call.contract_abi)
        data = contract.encode_abi(function_call.fn_name, args=list(function_call.args))
        transaction = {"to": function_call.address, "data": data, "value": value}
        return send_transaction(self.web3, sender or self.deployer, transaction, ErrorDecoder([function_call.contract_abi]))
