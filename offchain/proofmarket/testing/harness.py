"""A whole market in one process, for tests: the contract, the clearinghouse behind the bid API,
prover agents, funded users, and rounds run to the end in one call.

:func:`start_market` deploys a market (with the Groth16 verifier, the development verifier, or
a verifier of the caller's own) and wires the product's own pieces around it
(``proofmarket.bootstrap``): nothing here re-implements the clearinghouse or the agents. A test
queues bids (:meth:`MarketHarness.bid`) and calls :meth:`MarketHarness.run_round`, which runs
the round until it is settled and every chunk is proven or slashed, and returns what happened.

Two functions plug a rollup in:

- ``statement_data(chunk)``: the statement data of each settled chunk (a rollup: its pre- and
  post-state roots), given the chunk's round, index, prover and transactions; called once per
  chunk, in chunk order, when the round is cleared (it is the clearinghouse's sequencer,
  :class:`StatementDataSequencer`). The clearinghouse sends it with the settlement, the bid API
  lists it with each assignment, and the prover agents prove and submit with it.
- ``prove(request)``: the proof of a chunk for the market's verifier, given the chunk's statement,
  statement data and transactions. Without one, the agents prove as the market's verifier
  requires (development proofs, or real Groth16 proofs).
"""

from __future__ import annotations

import dataclasses
import logging
import random
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from proofmarket.bootstrap import ApiServer, ClearinghouseNode, HttpClearinghouseApi, build_clearinghouse, build_prover_agent
from proofmarket.chain.market import ZERO_ADDRESS, ChunkStatement, ProofMarketClient
from proofmarket.chain.transactions import send_transaction
from proofmarket.chain.typed_data import BidMessage, bid_digest, bid_request, sign_bid
from proofmarket.clearinghouse.ports import SequencerBid, SequencerChunk
from proofmarket.clearinghouse.service import no_faults
from proofmarket.demo import user_bid
from proofmarket.deployment import (
    DEVNET_CLEARINGHOUSE,
    DEVNET_OWNER,
    DEVNET_TREASURY,
    Deployment,
    MarketSettings,
    deploy,
)
from proofmarket.exceptions import ProofMarketError, UserInputError
from proofmarket.network import devnet_account, mine_blocks, serialize_requests
from proofmarket.prover.agent import ProverAgent
from proofmarket.zk.commitment import chunk_commitment

log = logging.getLogger(__name__)

GWEI = 10**9
ETHER = 10**18

#: The settings of a test market: short rounds (30 blocks) and proving windows (15 blocks),
#: room for 1,500 constraints a round, cheap collateral (10 gwei a constraint).
DEFAULT_MARKET_SETTINGS = MarketSettings(
    capacity_per_round=1_500,
    collateral_per_constraint=10 * GWEI,
    reporter_share_bps=2_000,
    round_length_blocks=30,
    proving_window_blocks=15,
)

#: The fewest blocks a round must have left for :meth:`MarketHarness.run_round` to run in it
#: (registering provers and posting asks and bids take a few); otherwise it waits for the next.
ROUND_MARGIN_BLOCKS = 10

#: How many passes of the clearinghouse :meth:`MarketHarness.run_round` allows a round to
#: settle in after its close, and to resolve in after its proving deadline, before it gives up.
RESOLVE_PASSES = 5


class HarnessError(ProofMarketError):
    """The harness could not run a round as asked (the message says what happened)."""


@dataclass(frozen=True)
class AssignedChunk:
    """A chunk of a settlement as the statement-data function sees it (before it is on-chain)."""

    round_id: int
    chunk_index: int
    prover: str
    #: The chunk's transactions (its bids' ``txHash``es), in settlement order.
    tx_hashes: tuple[bytes, ...]
    #: The chunk's transaction commitment (docs/zk.md, "Commitment").
    commitment: bytes


@dataclass(frozen=True)
class ProofRequest:
    """What a proving function gets: the statement the proof must bind, its data, the transactions."""

    statement: ChunkStatement
    statement_data: bytes
    tx_hashes: tuple[bytes, ...]


StatementDataFunction = Callable[[AssignedChunk], bytes]
ProveFunction = Callable[[ProofRequest], bytes]


@dataclass(frozen=True)
class BidResult:
    """One bid of a round: who sent it, its transaction, its EIP-712 digest, what it was charged."""

    user: str
    tx_hash: bytes
    digest: str
    included: bool
    charge_wei: int


@dataclass(frozen=True)
class ChunkResult:
    """One chunk of a settled round, as the chain has it after the round ran."""

    index: int
    prover: str
    #: "proven", "slashed", "disputed" (or "assigned" if it could not be resolved).
    state: str
    statement: ChunkStatement
    statement_data: bytes
    tx_hashes: tuple[bytes, ...]
    payment_wei: int
    #: Gas of the proof's ``submitProof`` (None if the chunk was not proven by an agent).
    proof_gas: int | None


@dataclass(frozen=True)
class RoundResult:
    """What :meth:`MarketHarness.run_round` did: the round, its bids and chunks, who paid what."""

    round_id: int
    bids: tuple[BidResult, ...]
    #: Bids the bid API refused, with its reason: ``(request, reason)``.
    refused: tuple[tuple[dict, str], ...]
    chunks: tuple[ChunkResult, ...]
    #: The round's outcome document (the clearinghouse's ``/v1/rounds/{id}/outcome``).
    outcome: dict
    balances_before: dict[str, int]
    balances_after: dict[str, int]

    @property
    def charges(self) -> dict[str, int]:
        """Wei charged per included bid, by bid digest."""
        return {bid.digest: bid.charge_wei for bid in self.bids if bid.included}

    @property
    def payments(self) -> dict[str, int]:
        """Wei paid per prover for its proven chunks."""
        paid: dict[str, int] = {}
        for chunk in self.chunks:
            if chunk.state == "proven":
                paid[chunk.prover] = paid.get(chunk.prover, 0) + chunk.payment_wei
        return paid

    @property
    def all_proven(self) -> bool:
        """The round has chunks and every one of them is proven."""
        return bool(self.chunks) and all(chunk.state == "proven" for chunk in self.chunks)


class StatementDataSequencer:
    """The clearinghouse's sequencer (its ``Sequencer`` port) for a test's ``statement_data``
    function: every bid is admitted, and each chunk of a cleared round gets the data the function
    gives for it, computed once per clearing (docs/testing.md)."""

    def __init__(self, statement_data: StatementDataFunction):
        self.statement_data = statement_data

    def transaction_hash(self, body):
        raise UserInputError("this test market takes no transaction bodies: a bid's txHash is all it takes")

    def admit(self, round_id: int, history, bids: Sequence[SequencerBid]) -> tuple[list[str], dict[str, str]]:
        return [bid.bid_id for bid in bids], {}

    def sequence(self, round_id: int, history, chunks: Sequence[SequencerChunk]) -> dict:
        documents = []
        for index, chunk in enumerate(chunks):
            tx_hashes = tuple(bid.tx_hash for bid in chunk.bids)
            assigned = AssignedChunk(round_id, index, chunk.prover, tx_hashes, chunk_commitment(list(tx_hashes)))
            documents.append({"statement_data": "0x" + bytes(self.statement_data(assigned)).hex()})
        return {"round": round_id, "chunks": documents}


def agent_prove_function(prove: ProveFunction):
    """``prove`` in the prover agent's form ``(tx_hashes, statement, sequence) -> proof``: the
    chunk's statement data comes with its assignment (``sequence``)."""

    def prove_chunk(tx_hashes, statement: ChunkStatement, sequence) -> bytes:
        statement_data = bytes.fromhex(sequence["statement_data"][2:]) if sequence else b""
        return prove(ProofRequest(statement=statement, statement_data=statement_data, tx_hashes=tuple(tx_hashes)))

    return prove_chunk


@dataclass
class MarketHarness:
    """One market and everything around it, in this process; methods are the steps of a round."""

    web3: Web3
    deployment: Deployment
    client: ProofMarketClient
    owner: LocalAccount
    clearinghouse_account: LocalAccount
    treasury: LocalAccount
    database_url: str
    publish_directory: Path
    node: ClearinghouseNode
    server: ApiServer
    api: HttpClearinghouseApi
    users: list[LocalAccount]
    agents: list[ProverAgent]
    statement_data: StatementDataFunction | None = None
    accounts_rng: random.Random = field(default_factory=lambda: random.Random(5))
    #: Draws the random bids (:meth:`random_bids`).
    rng: random.Random = field(default_factory=lambda: random.Random(11))
    #: The bids :meth:`run_round` sends next: each signs itself for a round with a nonce.
    pending_bids: list[Callable[[int, int], dict]] = field(default_factory=list)
    #: The last bid nonce used (each bid the harness signs takes the next).
    nonce: int = 0
    #: A directory the harness made and removes when it stops (None: the caller's).
    owned_directory: Path | None = None
    #: The consumer the market calls back, as it was given (an address or a web3 contract), if any.
    consumer: object | None = None

    # -- parties ------------------------------------------------------------------------------

    def new_user(self, escrow_wei: int = ETHER, ether: int = 10 * ETHER) -> LocalAccount:
        """A fresh user holding ``ether`` wei, ``escrow_wei`` of it deposited in the market."""
        user = Account.from_key(self.accounts_rng.randbytes(32))
        send_transaction(self.web3, self.owner, {"to": user.address, "value": ether})
        if escrow_wei:
            self.client.deposit(user, escrow_wei)
        self.users.append(user)
        return user

    def fund(self, user: LocalAccount, escrow_wei: int) -> None:
        """Deposit ``escrow_wei`` more of ``user``'s ETH in the market (what bids are charged from)."""
        self.client.deposit(user, escrow_wei)

    def set_consumer(self, consumer, gas_limit: int) -> None:
        """Make ``consumer`` (an address or a web3 contract) the market's consumer, called back
        with ``gas_limit`` gas on each proven chunk (the owner updates the market's config)."""
        config = self.client.config().replace(consumer=address_of(consumer), consumer_gas_limit=gas_limit)
        self.client.update_config(self.owner, config)
        self.consumer = consumer

    # -- bids ---------------------------------------------------------------------------------

    def bid(self, user: LocalAccount, tx_hash: bytes, max_fee: int, constraints: int = 100) -> None:
        """Queue ``user``'s bid to have transaction ``tx_hash`` (``constraints`` constraints)
        proven for at most ``max_fee`` wei; :meth:`run_round` signs and sends it."""

        def signed(round_id: int, nonce: int) -> dict:
            message = BidMessage(
                user=user.address, tx_hash=bytes(tx_hash), constraints=constraints, max_fee=max_fee, round=round_id, nonce=nonce
            )
            return bid_request(message, sign_bid(user, self.client.domain, message))

        self.pending_bids.append(signed)

    def submit_bids(self, bids: Iterable[tuple[LocalAccount, bytes, int]]) -> None:
        """Queue several bids ``(user, tx_hash, max_fee)`` (100 constraints each)."""
        for user, tx_hash, max_fee in bids:
            self.bid(user, tx_hash, max_fee)

    def random_bids(self, count: int, gwei_per_constraint: int | None = None) -> None:
        """Queue ``count`` random bids of the harness's users in turn (20-400 constraints at 1-5
        gwei per constraint, or at ``gwei_per_constraint``), as the demo's users bid."""
        for index in range(count):
            user = self.users[index % len(self.users)]
            self.pending_bids.append(
                lambda round_id, nonce, user=user: user_bid(self.rng, user, round_id, nonce, self.client, gwei_per_constraint)
            )

    # -- the steps of a round -----------------------------------------------------------------

    def open_round(self) -> int:
        """The round open at the chain's head (mining to the market's genesis if needed)."""
        config = self.client.config()
        head = self.web3.eth.block_number
        if head < config.genesis_block:
            mine_blocks(self.web3, config.genesis_block - head)
            head = self.web3.eth.block_number
        return (head - config.genesis_block) // config.round_length_blocks

    def post_asks(self, round_id: int) -> None:
        """Every agent registers (or tops its collateral up) and asks in ``round_id``."""
        for agent in self.agents:
            agent.ensure_registered()
            agent.post_ask(round_id)

    def close(self, round_id: int) -> None:
        """Mine to ``round_id``'s close block."""
        mine_blocks(self.web3, self.client.round_close_block(round_id) - self.web3.eth.block_number)

    def outcome(self, round_id: int) -> dict:
        """The round's outcome document, as the bid API serves it."""
        return self.api.round_outcome(round_id)

    def prove_all(self) -> int:
        """Every agent proves its assigned chunks, all agents' chunks in chunk order (so a
        consumer that applies chunks in order is called in order); a chunk that fails (its
        check, its proof, its submission) is logged and left to its deadline. Returns how many
        were proven."""
        work = [
            (chunk["round"], chunk["chunk"], agent, chunk)
            for agent in self.agents
            if not agent.silent
            for chunk in agent.api.assignments(agent.address, state="assigned")
        ]
        proven = 0
        for round_id, index, agent, chunk in sorted(work, key=lambda item: item[:2]):
            try:
                proven += agent.prove_chunk(chunk) is not None
            except Exception as error:  # noqa: BLE001 - the other chunks must still be proven
                log.error("prover %s: chunk %s/%s not proven: %s", agent.address, round_id, index, error)
        return proven

    def run_round(self) -> RoundResult:
        """Run a whole round with the queued bids: asks, bids over HTTP, close, settlement, proofs,
        and slashes of the chunks left unproven at their deadline. Returns what happened.

        Raises :class:`HarnessError` if no bid is queued, or the round cannot be resolved."""
        if not self.pending_bids:
            raise HarnessError("no bids queued: call bid() or random_bids() before run_round()")
        round_id = self._round_with_room()
        self.post_asks(round_id)
        requests = [sign(round_id, self._next_nonce()) for sign in self.pending_bids]
        self.pending_bids = []
        answer = self.api.post_bids(requests)
        refused_indexes = {item["index"] for item in answer["rejected"]}
        refused = tuple((requests[item["index"]], item["error"]) for item in answer["rejected"])
        accepted = [request for index, request in enumerate(requests) if index not in refused_indexes]
        before = self.balances()
        self.close(round_id)
        if self._settle(round_id) != "empty":
            self.prove_all()
            self.node.run_once()
            self._resolve(round_id)
        return self._result(round_id, accepted, refused, before)

    def _round_with_room(self) -> int:
        """The open round, or the next one if this one has too few blocks left to run in."""
        round_id = self.open_round()
        if self.client.round_close_block(round_id) - self.web3.eth.block_number < ROUND_MARGIN_BLOCKS:
            self.close(round_id)
            round_id += 1
        return round_id

    def _next_nonce(self) -> int:
        self.nonce += 1
        return self.nonce

    def _settle(self, round_id: int) -> str:
        """Let the clearinghouse clear and settle the closed round; returns its state then
        (``settled``, or ``empty`` for a round with nothing to settle)."""
        for _ in range(RESOLVE_PASSES):
            self.node.run_once()
            status = self.api.round_status(round_id)["state"]
            if status in ("settled", "resolved", "empty"):
                return status
            if status == "failed":
                break
        raise HarnessError(f"round {round_id} is {status!r} after its close, not settled: {self.node.health()}")

    def _resolve(self, round_id: int) -> None:
        """Mine past the proving deadline and let the clearinghouse slash what is still unproven."""
        for _ in range(RESOLVE_PASSES):
            if self.api.round_status(round_id)["state"] == "resolved":
                return
            deadline = self.client.round(round_id).deadline
            mine_blocks(self.web3, deadline + 1 - self.web3.eth.block_number)
            self.node.run_once()
        raise HarnessError(f"round {round_id} is not resolved after its deadline: {self.node.health()}")

    def _result(self, round_id: int, accepted: list[dict], refused: tuple, before: dict[str, int]) -> RoundResult:
        outcome = self.outcome(round_id) if self.api.round_status(round_id)["state"] != "empty" else {}
        charges = {digest: int(wei) for digest, wei in outcome.get("charges_wei", {}).items()}
        bids, tx_hash_of = [], {}
        for request in accepted:
            message = BidMessage(
                user=request["user"], tx_hash=bytes.fromhex(request["tx_hash"][2:]), constraints=request["constraints"],
                max_fee=int(request["max_fee"]), round=request["round"], nonce=request["nonce"],
            )
            digest = "0x" + bid_digest(self.client.domain, message).hex()
            tx_hash_of[digest] = message.tx_hash
            bids.append(BidResult(message.user, message.tx_hash, digest, digest in charges, charges.get(digest, 0)))
        gas = {(p.round_id, p.chunk_index): p.gas_used for agent in self.agents for p in agent.proved}
        with self.node.clearinghouse.store.session() as session:
            sequence = self.node.clearinghouse.round_sequence(session, round_id) or {"chunks": []}
        statement_data = [bytes.fromhex(chunk["statement_data"][2:]) for chunk in sequence["chunks"]]
        chunks = []
        for index, planned in enumerate(outcome.get("chunks", [])):
            on_chain = self.client.chunk(round_id, index)
            chunks.append(
                ChunkResult(
                    index=index,
                    prover=on_chain.prover,
                    state=on_chain.status.state_name,
                    statement=on_chain.statement(round_id, index),
                    statement_data=statement_data[index] if index < len(statement_data) else b"",
                    tx_hashes=tuple(tx_hash_of.get(digest, b"") for digest in planned["bid_ids"]),
                    payment_wei=int(planned["payment_wei"]),
                    proof_gas=gas.get((round_id, index)),
                )
            )
        return RoundResult(round_id, tuple(bids), refused, tuple(chunks), outcome, before, self.balances())

    # -- the clearinghouse --------------------------------------------------------------------

    def restart(self, fault: Callable[[str], None] = no_faults) -> ClearinghouseNode:
        """A new clearinghouse process over the same database (the old one is dropped, as a kill would)."""
        self.node = build_clearinghouse(
            self.web3, self.deployment, self.clearinghouse_account, self.database_url, self.publish_directory,
            fault=fault, cache_seconds=0,
        )
        self._plug_statement_data()
        self.server.app = self.node.app
        return self.node

    def _plug_statement_data(self) -> None:
        if self.statement_data is not None:
            self.node.clearinghouse.sequencer = StatementDataSequencer(self.statement_data)

    def stop(self) -> None:
        """Stop the bid API and the clearinghouse; remove the harness's own directory."""
        self.server.stop()
        self.node.close()
        if self.owned_directory is not None:
            shutil.rmtree(self.owned_directory, ignore_errors=True)

    # -- balances -----------------------------------------------------------------------------

    def balances(self) -> dict[str, int]:
        """Every party's balance in the market, and each prover's collateral (``collateral:<address>``)."""
        parties = {user.address: self.client.balance_of(user.address) for user in self.users}
        for agent in self.agents:
            parties[agent.address] = self.client.balance_of(agent.address)
            parties[f"collateral:{agent.address}"] = self.client.prover(agent.address).collateral
        for account in (self.treasury, self.clearinghouse_account):
            parties[account.address] = self.client.balance_of(account.address)
        return parties

    def assert_conserved(self) -> None:
        """The conservation invariant (docs/contract.md, "Conservation invariant"): the contract's
        ETH equals the sum of its buckets, exactly."""
        assert self.client.ether_balance() == self.client.totals().held


def market_settings(**overrides) -> MarketSettings:
    """:data:`DEFAULT_MARKET_SETTINGS` with ``overrides`` (``MarketSettings`` field names); a
    one-line error naming the valid fields for any other name."""
    fields = {item.name for item in dataclasses.fields(DEFAULT_MARKET_SETTINGS)}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise UserInputError(f"unknown market setting {', '.join(unknown)}: choose among {', '.join(sorted(fields))}")
    return dataclasses.replace(DEFAULT_MARKET_SETTINGS, **overrides)


def address_of(value) -> str:
    """An address given as a string or as a web3 contract (anything with ``.address``)."""
    return value if isinstance(value, str) else value.address


def start_market(
    web3: Web3,
    work_directory: Path,
    settings: MarketSettings = DEFAULT_MARKET_SETTINGS,
    verifier_kind: str = "development",
    verifier_address: str | None = None,
    consumer: object | Callable[[str], object] | None = None,
    statement_data: StatementDataFunction | None = None,
    prove: ProveFunction | None = None,
    provers: int = 2,
    users: int = 3,
    database_url: str | None = None,
    cache_seconds: float = 0,
    operators: tuple[LocalAccount, LocalAccount, LocalAccount] | None = None,
    seed: str | None = None,
    harness_type: type[MarketHarness] = MarketHarness,
    owns_directory: bool = False,
) -> MarketHarness:
    """Deploy a market and start everything around it; stop it with :meth:`MarketHarness.stop`.

    The market uses ``verifier_address`` if given (proofs then come from ``prove``), else a fresh
    verifier of ``verifier_kind`` (``development``: NOT SECURE, instant proofs; ``groth16``: real
    proofs, about 2 s per 64 transactions); ``consumer`` (an address, a web3 contract, or a function given
    the market's address that deploys one and returns it) is called back on each proven chunk
    with ``settings.consumer_gas_limit`` gas. ``operators`` (owner, clearinghouse, treasury; default:
    devnet accounts 0-2) run the market; ``users`` fresh users hold 1 ETH of escrow each and
    ``provers`` fresh prover agents (capacity 500, 750, ...; unit cost 1, 2, ... gwei) prove. The
    clearinghouse keeps its database in ``database_url`` (default: a SQLite file in
    ``work_directory``); ``cache_seconds``: how long intake trusts a chain read."""
    serialize_requests(web3)
    owner, clearinghouse_account, treasury = operators or (
        devnet_account(DEVNET_OWNER), devnet_account(DEVNET_CLEARINGHOUSE), devnet_account(DEVNET_TREASURY)
    )
    deployment, client = deploy(
        web3, owner, clearinghouse_account.address, treasury.address, settings, verifier_kind, verifier_address,
        ZERO_ADDRESS if consumer is None or callable(consumer) else address_of(consumer),
    )
    if callable(consumer):
        consumer = consumer(client.address)
        client.update_config(owner, client.config().replace(consumer=address_of(consumer)))
    accounts_rng = random.Random(seed if seed is not None else str(work_directory))
    fresh = [Account.from_key(accounts_rng.randbytes(32)) for _ in range(users + provers)]
    for account in fresh:
        send_transaction(web3, owner, {"to": account.address, "value": 10 * ETHER})
    database_url = database_url or f"sqlite:///{work_directory / 'clearinghouse.db'}"
    node = build_clearinghouse(
        web3, deployment, clearinghouse_account, database_url, work_directory / "rounds", cache_seconds=cache_seconds
    )
    server = ApiServer(node.app).start()
    try:
        harness = harness_type(
            web3=web3, deployment=deployment, client=client, owner=owner, clearinghouse_account=clearinghouse_account,
            treasury=treasury, database_url=database_url, publish_directory=work_directory / "rounds", node=node,
            server=server, api=HttpClearinghouseApi(server.url), users=fresh[:users], agents=[],
            statement_data=statement_data, accounts_rng=accounts_rng, consumer=consumer,
            owned_directory=work_directory if owns_directory else None,
        )
        harness._plug_statement_data()
        for user in harness.users:
            client.deposit(user, ETHER)
        agent_prove = agent_prove_function(prove) if prove is not None else None
        harness.agents = [
            build_prover_agent(
                web3, deployment, prover, server.url, capacity=500 + 250 * index, unit_cost_wei=(1 + index) * GWEI,
                prove=agent_prove,
            )
            for index, prover in enumerate(fresh[users:])
        ]
    except BaseException:
        server.stop()
        node.close()
        raise
    return harness
