"""Deploying the market and recording where it is: ``deployment.json``.

A deployment record names the chain, the market, the verifier and the block it was deployed
in; every command that talks to the market reads it (``--deployment``), so nobody copies
addresses by hand.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3 import Web3

from proofmarket.chain.market import (
    DEFAULT_MAX_BIDS_PER_CHUNK,
    MarketConfig,
    ProofMarketClient,
    ZERO_ADDRESS,
    SurplusPolicy,
    deploy_development_verifier,
    deploy_market,
)
from proofmarket.exceptions import UserInputError

#: ``rollup``: the reference rollup's chunk verifier, and the rollup contract beside the market
#: (docs/rollup.md).
VERIFIERS = ("groth16", "development", "rollup")

#: The ``verifier_kind`` of a deployment whose verifier is one its owner deployed (a rollup's own).
CUSTOM_VERIFIER = "custom"

#: Devnet accounts (of the devnet mnemonic) that run the market in the demo and the scripts.
DEVNET_OWNER, DEVNET_CLEARINGHOUSE, DEVNET_TREASURY = 0, 1, 2


def home_directory() -> Path:
    """Where the market's local files live: ``$PROOFMARKET_HOME``, or ``var/`` here."""
    return Path(os.environ.get("PROOFMARKET_HOME", "var"))


def default_deployment_path() -> Path:
    return home_directory() / "deployment.json"


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    market: str
    verifier: str
    verifier_kind: str
    deploy_block: int
    #: The reference rollup's contract, for a ``rollup`` deployment; None otherwise.
    rollup: str | None = None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2) + "\n")
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            document = json.loads(Path(path).read_text())
            return cls(**document)
        except FileNotFoundError:
            raise UserInputError(f"no deployment file at {path}: run `proofmarket deploy` first") from None
        except (ValueError, TypeError) as error:
            raise UserInputError(f"deployment file {path} is malformed: {error}") from None

    def client(self, web3: Web3) -> ProofMarketClient:
        if web3.eth.chain_id != self.chain_id:
            raise UserInputError(f"the node is chain {web3.eth.chain_id}, the deployment is for chain {self.chain_id}")
        return ProofMarketClient.at(web3, self.market)


@dataclass(frozen=True)
class MarketSettings:
    """The market's economic and timing parameters (docs/mechanism.md "Model", docs/contract.md "Configuration")."""

    capacity_per_round: int = 10_000
    reserve_per_constraint: int = 0
    collateral_per_constraint: int = 10**12
    reporter_share_bps: int = 1_000
    surplus_policy: str = "treasury"
    round_length_blocks: int = 20
    proving_window_blocks: int = 20
    exit_delay_blocks: int = 50
    #: A round can be settled this many blocks after it closes, and never later (longer than
    #: the round lengths of the demo and the tests, so a restarted clearinghouse catches up).
    settlement_window_blocks: int = 100
    #: The most bids one chunk may hold, so that every chunk's slash fits in a block.
    max_bids_per_chunk: int = DEFAULT_MAX_BIDS_PER_CHUNK
    #: The most gas the consumer's callback (``IChunkConsumer.onChunkProven``) may use; 0: none.
    consumer_gas_limit: int = 0


def deploy_verifier(web3: Web3, owner: LocalAccount, kind: str) -> str:
    """Deploy the proof verifier: ``groth16`` (real proofs) or ``development`` (NOT SECURE)."""
    if kind == "groth16":
        from proofmarket.zk.verifier import deploy_chunk_verifier

        return deploy_chunk_verifier(web3, owner).address
    if kind == "development":
        return deploy_development_verifier(web3, owner)
    if kind == "rollup":
        from proofmarket.rollup.verifier import deploy_rollup_verifier

        return deploy_rollup_verifier(web3, owner).address
    raise UserInputError(f"unknown verifier {kind!r}: choose one of {', '.join(VERIFIERS)}")


def deploy(
    web3: Web3,
    owner: LocalAccount,
    clearinghouse: str,
    treasury: str,
    settings: MarketSettings = MarketSettings(),
    verifier_kind: str = "groth16",
    verifier_address: str | None = None,
    consumer: str = ZERO_ADDRESS,
) -> tuple[Deployment, ProofMarketClient]:
    """Deploy a verifier and a market whose round 0 opens at the next block (and, for the
    ``rollup`` verifier, the reference rollup's contract reading that market, made the market's
    consumer with ``settings.consumer_gas_limit`` gas, or ``ROLLUP_CONSUMER_GAS_LIMIT`` if that is 0).

    With ``verifier_address`` the market uses that (already deployed) verifier instead, recorded
    as ``custom``; ``consumer`` is called back when a chunk is proven, with at most
    ``settings.consumer_gas_limit`` gas (docs/contract.md "Consumers")."""
    if settings.surplus_policy.upper() not in SurplusPolicy.__members__:
        raise UserInputError(f"unknown surplus policy {settings.surplus_policy!r}: treasury, burn or rebate")
    if verifier_kind == "rollup":
        from proofmarket.rollup.contract import require_rollup_consumer_gas_limit
        from proofmarket.rollup.sequencing import guaranteed_deposits

        guaranteed_deposits(settings.max_bids_per_chunk)  # a rollup's chunks must leave a slot for deposits
        if consumer != ZERO_ADDRESS:
            raise UserInputError("a rollup deployment's consumer is its rollup contract: give no other consumer")
        if settings.consumer_gas_limit:  # 0: the rollup's default, set when the rollup is deployed
            require_rollup_consumer_gas_limit(settings.consumer_gas_limit)
    if verifier_address is not None:
        verifier, verifier_kind = verifier_address, CUSTOM_VERIFIER
    else:
        verifier = deploy_verifier(web3, owner, verifier_kind)
    genesis = web3.eth.block_number + 2
    config = MarketConfig(
        clearinghouse=clearinghouse,
        treasury=treasury,
        verifier=verifier,
        genesis_block=genesis,
        round_length_blocks=settings.round_length_blocks,
        proving_window_blocks=settings.proving_window_blocks,
        exit_delay_blocks=settings.exit_delay_blocks,
        capacity_per_round=settings.capacity_per_round,
        reserve_per_constraint=settings.reserve_per_constraint,
        collateral_per_constraint=settings.collateral_per_constraint,
        reporter_share_bps=settings.reporter_share_bps,
        settlement_window_blocks=settings.settlement_window_blocks,
        max_bids_per_chunk=settings.max_bids_per_chunk,
        surplus_policy=SurplusPolicy[settings.surplus_policy.upper()],
        consumer=consumer,
        consumer_gas_limit=settings.consumer_gas_limit,
    )
    client = deploy_market(web3, owner, config)
    rollup = None
    if verifier_kind == "rollup":
        from proofmarket.rollup.contract import ROLLUP_CONSUMER_GAS_LIMIT, deploy_rollup

        gas_limit = settings.consumer_gas_limit or ROLLUP_CONSUMER_GAS_LIMIT
        rollup = deploy_rollup(web3, owner, client.address, verifier, consumer_gas_limit=gas_limit).address
    deployment = Deployment(
        chain_id=web3.eth.chain_id,
        market=client.address,
        verifier=verifier,
        verifier_kind=verifier_kind,
        deploy_block=web3.eth.block_number,
        rollup=rollup,
    )
    return deployment, client
