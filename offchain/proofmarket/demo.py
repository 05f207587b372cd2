"""The demo: full market rounds on a devnet, through the real contract, API, service and agents.

Deploys a verifier and the market, funds users and provers, then runs rounds: provers post
asks and users post signed bids through the bid API; the round closes; the clearinghouse clears
and settles; provers prove their chunks and submit the proofs; one prover stays silent in one
round and is slashed after its deadline, its users refunded. Every round is then verified
(``verify-round``) and summarised.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from proofmarket.bootstrap import ApiServer, HttpClearinghouseApi, build_clearinghouse, build_prover_agent
from proofmarket.chain.market import ProofMarketClient
from proofmarket.chain.typed_data import BidMessage, bid_request, sign_bid
from proofmarket.clearinghouse.chain_adapter import settled_round_from_chain
from proofmarket.clearinghouse.database import RoundState
from proofmarket.clearinghouse.verify import verify_round
from proofmarket.deployment import DEVNET_CLEARINGHOUSE, DEVNET_OWNER, DEVNET_TREASURY, Deployment, MarketSettings, deploy
from proofmarket.network import devnet_account, mine_blocks, serialize_requests
from proofmarket.prover.agent import ProverAgent

ETHER = 10**18
GWEI = 10**9


@dataclass(frozen=True)
class DemoOptions:
    users: int = 6
    provers: int = 3
    rounds: int = 3
    bids_per_user: int = 2
    silent_round: int | None = 1
    verifier: str = "groth16"
    surplus_policy: str = "treasury"
    seed: int = 7
    work_directory: Path | None = None


@dataclass
class RoundSummary:
    round_id: int
    bids: int
    included: int
    price: str
    revenue_wei: int
    payouts_wei: int
    surplus_wei: int
    slashed_wei: int
    chunks: int
    proven: int
    verified: bool
    differences: list[str] = field(default_factory=list)


@dataclass
class DemoReport:
    deployment: Deployment
    rounds: list[RoundSummary]
    solvent: bool

    @property
    def all_verified(self) -> bool:
        return all(summary.verified for summary in self.rounds)


@dataclass
class DemoParties:
    owner: LocalAccount
    clearinghouse: LocalAccount
    treasury: LocalAccount
    users: list[LocalAccount]
    provers: list[LocalAccount]


def fund_parties(web3: Web3, options: DemoOptions) -> DemoParties:
    """Devnet accounts 0-2 run the market; users and provers are fresh accounts funded by account 0."""
    from proofmarket.chain.transactions import send_transaction

    owner, clearinghouse, treasury = (devnet_account(DEVNET_OWNER), devnet_account(DEVNET_CLEARINGHOUSE), devnet_account(DEVNET_TREASURY))
    rng = random.Random(options.seed)
    fresh = [Account.from_key(rng.randbytes(32)) for _ in range(options.users + options.provers)]
    for account in fresh:
        send_transaction(web3, owner, {"to": account.address, "value": 100 * ETHER})
    return DemoParties(owner, clearinghouse, treasury, fresh[: options.users], fresh[options.users :])


def user_bid(
    rng: random.Random,
    user: LocalAccount,
    round_id: int,
    nonce: int,
    client: ProofMarketClient,
    gwei_per_constraint: int | None = None,
) -> dict:
    """A random signed bid of ``user``: 20-400 constraints at 1-5 gwei per constraint (or at
    ``gwei_per_constraint``, if given)."""
    constraints = rng.randint(20, 400)
    max_fee = constraints * (gwei_per_constraint or rng.randint(1, 5)) * GWEI
    message = BidMessage(
        user=user.address, tx_hash=rng.randbytes(32), constraints=constraints, max_fee=max_fee, round=round_id, nonce=nonce
    )
    return bid_request(message, sign_bid(user, client.domain, message))


def run_demo(web3: Web3, options: DemoOptions, progress: Callable[[str], None] = lambda message: None) -> DemoReport:
    """Run ``options.rounds`` full market rounds on ``web3`` (a devnet that mines on request)."""
    serialize_requests(web3)
    work = _fresh_run_directory(options.work_directory)
    rng = random.Random(options.seed)
    progress("funding accounts")
    parties = fund_parties(web3, options)
    progress(f"deploying the market ({options.verifier} verifier)")
    settings = MarketSettings(
        capacity_per_round=2_000,
        collateral_per_constraint=10 * GWEI,
        surplus_policy=options.surplus_policy,
        round_length_blocks=40,
        proving_window_blocks=30,
    )
    deployment, client = deploy(
        web3, parties.owner, parties.clearinghouse.address, parties.treasury.address, settings, options.verifier
    )
    deployment.save(work / "deployment.json")
    node = build_clearinghouse(
        web3, deployment, parties.clearinghouse, f"sqlite:///{work / 'clearinghouse.db'}", work / "rounds", cache_seconds=0
    )
    server = ApiServer(node.app).start()
    api = HttpClearinghouseApi(server.url)
    try:
        for user in parties.users:
            client.deposit(user, 10 * ETHER)
        agents = [
            build_prover_agent(
                web3, deployment, prover, server.url, capacity=rng.choice([600, 800, 1000]), unit_cost_wei=rng.randint(1, 3) * GWEI
            )
            for prover in parties.provers
        ]
        for agent in agents:
            agent.ensure_registered()
        rounds = []
        for iteration in range(options.rounds):
            round_id = _run_round(web3, client, node, api, agents, parties, rng, iteration, options, progress)
            rounds.append(round_id)
        progress("resolving the last deadlines")
        _resolve_all(web3, client, node, agents, rounds)
        summaries = [_summarise(client, node, api, round_id) for round_id in rounds]
        return DemoReport(deployment, summaries, client.is_solvent())
    finally:
        server.stop()
        node.close()


def _fresh_run_directory(parent: Path | None) -> Path:
    """A new directory for this run's database, round files and deployment record.

    Each demo starts a new devnet, so nothing of an earlier run's database applies to it; earlier
    runs' directories are kept beside it for inspection.
    """
    if parent is None:
        return Path(tempfile.mkdtemp(prefix="proofmarket-demo-"))
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=time.strftime("run-%Y%m%d-%H%M%S-"), dir=parent))


def _mine_until(web3: Web3, block: int) -> None:
    mine_blocks(web3, block - web3.eth.block_number)


def _run_round(web3, client, node, api, agents: list[ProverAgent], parties, rng, iteration, options, progress) -> int:
    config = client.config()
    head = web3.eth.block_number
    round_id = max(0, (head - config.genesis_block) // config.round_length_blocks)
    if head < config.genesis_block:
        _mine_until(web3, config.genesis_block)
    silent = options.silent_round == iteration
    progress(f"round {round_id}: provers ask" + (" (one prover will stay silent)" if silent else ""))
    for agent in agents:
        agent.ensure_registered()
        agent.post_ask(round_id)
    progress(f"round {round_id}: {len(parties.users) * options.bids_per_user} signed bids through the API")
    bids = [
        user_bid(rng, user, round_id, iteration * options.bids_per_user + nonce, client)
        for user in parties.users
        for nonce in range(options.bids_per_user)
    ]
    result = api.post_bids(bids)
    if result["rejected"]:
        raise RuntimeError(f"the demo's bids were rejected: {result['rejected'][:3]}")
    _mine_until(web3, client.round_close_block(round_id))
    progress(f"round {round_id}: closed; clearing and settling")
    node.run_once()
    chunks = api.round_status(round_id)["chunks"]
    if silent and chunks:  # the prover of the first chunk stays silent: it will be slashed
        for agent in agents:
            agent.silent = agent.address == chunks[0]["prover"]
    for agent in agents:
        for proved in agent.prove_assignments():
            progress(
                f"round {round_id}: {agent.address[:10]} proved chunk {proved.chunk_index} "
                f"({proved.transactions} txs, {proved.proving_seconds:.1f}s, gas {proved.gas_used})"
            )
    node.run_once()
    if silent and chunks:  # only this round's chunk goes unproven: slash it now, then the prover works again
        progress(f"round {round_id}: mining past the proving deadline; the silent prover's chunk is slashed")
        _mine_until(web3, client.round(round_id).deadline + 1)
        node.run_once()
        for agent in agents:
            agent.silent = False
    return round_id


def _resolve_all(web3, client, node, agents, rounds) -> None:
    """Mine past every deadline and let the clearinghouse slash what is still unproven."""
    deadlines = [client.round(round_id).deadline for round_id in rounds if client.round(round_id).settled]
    if deadlines:
        _mine_until(web3, max(deadlines) + 1)
    node.run_once()
    for agent in agents:  # an agent that was silent tops its collateral back up
        agent.silent = False


def _summarise(client: ProofMarketClient, node, api: HttpClearinghouseApi, round_id: int) -> RoundSummary:
    status = api.round_status(round_id)
    state = client.round(round_id)
    slashed = 0
    proven = 0
    for chunk in status["chunks"]:
        if chunk["state"] == "slashed":
            slashed += client.chunk(round_id, chunk["chunk"]).collateral
        proven += chunk["state"] == "proven"
    if not state.settled:
        return RoundSummary(round_id, status["bids"], 0, "-", 0, 0, 0, 0, 0, 0, status["state"] == RoundState.EMPTY.value)
    verification = verify_round(api.round_input(round_id), settled_round_from_chain(client, round_id))
    return RoundSummary(
        round_id=round_id,
        bids=status["bids"],
        included=state.bid_count,
        price=f"{state.price_num / state.price_den / GWEI:.4f} gwei",
        revenue_wei=state.revenue,
        payouts_wei=state.payments,
        surplus_wei=state.surplus,
        slashed_wei=slashed,
        chunks=state.chunk_count,
        proven=proven,
        verified=verification.agrees,
        differences=verification.differences,
    )
