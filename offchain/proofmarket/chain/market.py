"""Python bindings of ``ProofMarket.sol``: typed records, deployment, and a thin client.

:class:`ProofMarketClient` wraps a web3 contract with one typed method per external function
(README.md "One round" steps 1-7) and typed views; the clearinghouse, the prover agent, the
benchmarks and the tests all go through it. Every transaction is signed locally by the account
passed in, and every revert surfaces as :class:`~proofmarket.chain.errors.ContractRevert`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from typing import Any

from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

from proofmarket.exceptions import ChainError

from .client import ContractClient
from .compiler import artifact as load_artifact
from .transactions import deploy_contract
from .typed_data import (
    AskMessage,
    BidMessage,
    Domain,
    address_bytes,
    bytes32,
    sign_ask,
    sign_bid,
    to_compact,
)

MARKET_CONTRACT = "ProofMarket"
DEVELOPMENT_VERIFIER_CONTRACT = "DevelopmentProofVerifier"

#: r, the order of the BN254 scalar field: ``settleRound`` refuses a chunk commitment >= r
#: (``CommitmentNotInField``). Equal to ``proofmarket.zk.field.SCALAR_FIELD_ORDER`` (the chain
#: layer imports nothing from ``zk``).
SCALAR_FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617


#: The zero address: no consumer configured.
ZERO_ADDRESS = "0x" + "00" * 20


class SurplusPolicy(IntEnum):
    """Where a round's surplus goes (docs/mechanism.md "Surplus policies"); values as the Solidity enum."""

    TREASURY = 0
    BURN = 1
    REBATE = 2


class ChunkStatus(IntEnum):
    """A chunk's lifecycle; values as the Solidity enum."""

    NONE = 0
    PENDING = 1
    PROVEN = 2
    SLASHED = 3
    DISPUTED = 4

    @property
    def state_name(self) -> str:
        """The name the clearinghouse and its API give this status ("none" for no chunk)."""
        return _CHUNK_STATE_NAMES[self]


_CHUNK_STATE_NAMES = {
    ChunkStatus.NONE: "none",
    ChunkStatus.PENDING: "assigned",
    ChunkStatus.PROVEN: "proven",
    ChunkStatus.SLASHED: "slashed",
    ChunkStatus.DISPUTED: "disputed",
}


#: The bounds ``[min, max]`` of each config field the contract checks (``ConfigOutOfBounds(field,
#: value, min, max)``), by Solidity field name; docs/contract.md "Configuration" explains them.
#: The addresses must be non-zero (``ZeroAddress``); the other fields take any value of their type.
CONFIG_BOUNDS: dict[str, tuple[int, int]] = {
    "reporterShareBps": (0, 10_000),
    "roundLengthBlocks": (1, 216_000),
    "provingWindowBlocks": (2, 216_000),
    "exitDelayBlocks": (1, 216_000),
    "settlementWindowBlocks": (1, 216_000),
    "capacityPerRound": (1, 2**64 - 1),
    "maxBidsPerChunk": (1, 256),
    "consumerGasLimit": (0, 1_000_000),
}

#: The most bids one chunk may hold unless configured otherwise: the contract's largest value,
#: whose dispute (256 Poseidon hashes and refunds into empty escrow slots) costs about 14.6M gas.
DEFAULT_MAX_BIDS_PER_CHUNK = 256


@dataclass(frozen=True)
class MarketConfig:
    """The contract's ``MarketConfig`` (docs/mechanism.md "Model": C, ρ, L; docs/contract.md "Configuration")."""

    clearinghouse: str
    treasury: str
    verifier: str
    genesis_block: int
    round_length_blocks: int
    proving_window_blocks: int
    exit_delay_blocks: int
    capacity_per_round: int
    reserve_per_constraint: int
    collateral_per_constraint: int
    reporter_share_bps: int
    #: A round can be settled up to ``round_close_block + settlement_window_blocks`` (>= 1).
    settlement_window_blocks: int
    surplus_policy: SurplusPolicy = SurplusPolicy.TREASURY
    #: The most bids one chunk may hold (1 ... 256): bounds the gas of the chunk's ``slash`` and
    #: ``disputeCommitment``.
    max_bids_per_chunk: int = DEFAULT_MAX_BIDS_PER_CHUNK
    #: Called back (``IChunkConsumer.onChunkProven``) when a chunk is proven; zero: none.
    consumer: str = ZERO_ADDRESS
    #: The most gas the consumer's callback may use (0 ... 1,000,000); 0: no callback.
    consumer_gas_limit: int = 0

    def to_abi(self) -> tuple:
        """The tuple in the Solidity struct's field order (which packs it into six slots)."""
        return (
            to_checksum_address(self.clearinghouse),
            self.genesis_block,
            self.reporter_share_bps,
            int(self.surplus_policy),
            to_checksum_address(self.treasury),
            self.round_length_blocks,
            self.max_bids_per_chunk,
            to_checksum_address(self.verifier),
            self.proving_window_blocks,
            self.consumer_gas_limit,
            self.capacity_per_round,
            self.exit_delay_blocks,
            self.settlement_window_blocks,
            self.reserve_per_constraint,
            self.collateral_per_constraint,
            to_checksum_address(self.consumer),
        )

    @classmethod
    def from_abi(cls, values: Sequence) -> MarketConfig:
        """The config from the contract's ``getConfig()`` tuple."""
        (
            clearinghouse, genesis, bps, policy, treasury, length, max_bids, verifier, window, consumer_gas_limit,
            capacity, delay, settlement_window, reserve, kappa, consumer,
        ) = values
        return cls(
            clearinghouse=to_checksum_address(clearinghouse),
            treasury=to_checksum_address(treasury),
            verifier=to_checksum_address(verifier),
            genesis_block=genesis,
            round_length_blocks=length,
            proving_window_blocks=window,
            exit_delay_blocks=delay,
            capacity_per_round=capacity,
            reserve_per_constraint=reserve,
            collateral_per_constraint=kappa,
            reporter_share_bps=bps,
            settlement_window_blocks=settlement_window,
            surplus_policy=SurplusPolicy(policy),
            max_bids_per_chunk=max_bids,
            consumer=to_checksum_address(consumer),
            consumer_gas_limit=consumer_gas_limit,
        )

    def replace(self, **changes: Any) -> MarketConfig:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class IncludedBid:
    """A signed bid the clearinghouse includes, with the charge it settles at (wei)."""

    bid: BidMessage
    signature: bytes
    charge: int

    def to_abi(self) -> tuple:
        return (self.bid.to_abi(), to_compact(self.signature), self.charge)


@dataclass(frozen=True)
class ChunkAssignment:
    """One chunk of a settlement: the winning signed ask and the next ``bid_count`` bids."""

    ask: AskMessage
    ask_signature: bytes
    bid_count: int
    payment: int
    commitment: bytes
    #: What the deployment's verifier defines (a rollup: its pre- and post-state roots); b"": none.
    statement_data: bytes = b""

    def to_abi(self) -> tuple:
        return (
            self.ask.to_abi(),
            to_compact(self.ask_signature),
            self.bid_count,
            self.payment,
            bytes32("commitment", self.commitment),
            bytes(self.statement_data),
        )


#: ``ChunkStatement.dataHash`` of a chunk without statement data.
NO_STATEMENT_DATA = b"\x00" * 32


def statement_data_hash(statement_data: bytes) -> bytes:
    """``ChunkStatement.dataHash``: keccak256 of the statement data, or zero when it is empty."""
    return keccak(statement_data) if statement_data else NO_STATEMENT_DATA


@dataclass(frozen=True)
class ChunkStatement:
    """What a chunk proof proves (the Solidity ``ChunkStatement``): round, chunk, prover,
    transaction commitment and the hash of the statement data supplied at settlement."""

    round_id: int
    chunk_index: int
    prover: str
    commitment: bytes
    data_hash: bytes = NO_STATEMENT_DATA

    ABI_TYPES = ("uint64", "uint256", "address", "bytes32", "bytes32")

    def to_abi(self) -> tuple:
        return (
            self.round_id,
            self.chunk_index,
            to_checksum_address(self.prover),
            bytes32("commitment", self.commitment),
            bytes32("data_hash", self.data_hash),
        )

    def encoded(self) -> bytes:
        """``abi.encode(statement)`` (a static struct: its fields, one word each)."""
        return abi_encode(list(self.ABI_TYPES), list(self.to_abi()))

    def binding(self) -> int:
        """``ChunkStatementLib.binding``: ``uint256(keccak256(abi.encode(statement))) mod r``, the
        public input that binds a proof to this statement."""
        return int.from_bytes(keccak(self.encoded()), "big") % SCALAR_FIELD_ORDER


@dataclass(frozen=True)
class ProofSubmission:
    """One entry of ``submitProofs``: a chunk, its statement data (exactly as its settlement
    supplied it) and its proof."""

    round_id: int
    chunk_index: int
    proof: bytes
    statement_data: bytes = b""

    def to_abi(self) -> tuple:
        return (self.round_id, self.chunk_index, bytes(self.statement_data), bytes(self.proof))


@dataclass(frozen=True)
class Refund:
    """One entry of a chunk's refund list: a user, the charge of its included bid, and the bid's
    ``txHash`` (which binds the chunk's transactions for ``disputeCommitment``)."""

    user: str
    charge: int
    tx_hash: bytes

    def to_abi(self) -> tuple:
        return (to_checksum_address(self.user), self.charge, bytes32("tx_hash", self.tx_hash))


@dataclass(frozen=True)
class ProverState:
    """A prover's registry entry (all zero if never registered). ``earnings`` are payments of
    proven chunks not yet collected into its escrow balance (already part of ``balanceOf``);
    they outlive an exit.

    What a round may assign the prover is fixed by the round's close block
    (:meth:`capacity_for_close`, :meth:`eligible_for_close`): a pending decrease
    (``next_capacity`` from ``capacity_change_at``) and an exit (from ``exit_available_at``)
    only reach rounds closing at or after their block. Collateral is withdrawable from
    ``exit_available_at + settlementWindowBlocks``."""

    locked: int
    earnings: int
    capacity: int
    collateral: int
    exit_available_at: int
    capacity_change_at: int = 0
    next_capacity: int = 0

    @property
    def registered(self) -> bool:
        return self.capacity != 0

    @property
    def exiting(self) -> bool:
        return self.exit_available_at != 0

    @property
    def free_collateral(self) -> int:
        return self.collateral - self.locked

    @property
    def decrease_pending(self) -> bool:
        return self.capacity_change_at != 0

    @property
    def lowest_capacity(self) -> int:
        """The smallest capacity in force for any round: safe to plan any unsettled round with."""
        return min(self.capacity, self.next_capacity) if self.decrease_pending else self.capacity

    def capacity_for_close(self, close_block: int) -> int:
        """The capacity a round closing at ``close_block`` may assign (as ``settleRound`` checks)."""
        if self.decrease_pending and close_block >= self.capacity_change_at:
            return self.next_capacity
        return self.capacity

    def eligible_for_close(self, close_block: int) -> bool:
        """Whether a round closing at ``close_block`` may assign the prover a chunk."""
        return self.registered and not (self.exiting and close_block >= self.exit_available_at)


@dataclass(frozen=True)
class RoundState:
    """A settled round (all zero if not settled)."""

    input_hash: bytes
    price_num: int
    price_den: int
    revenue: int
    surplus: int
    settled_at: int
    deadline: int
    bid_count: int
    chunk_count: int
    surplus_policy: SurplusPolicy

    @property
    def settled(self) -> bool:
        return self.settled_at != 0

    @property
    def price(self) -> Fraction | None:
        """The recorded price per constraint, exactly; None if the round is not settled."""
        return Fraction(self.price_num, self.price_den) if self.price_den else None

    @property
    def payments(self) -> int:
        return self.revenue - self.surplus


@dataclass(frozen=True)
class ChunkState:
    """A chunk of a settled round."""

    prover: str
    constraints: int
    status: ChunkStatus
    payment: int
    collateral: int
    deadline: int
    commitment: bytes
    refund_hash: bytes
    #: keccak256 of the chunk's statement data, zero if it has none.
    statement_data_hash: bytes = NO_STATEMENT_DATA

    def statement(self, round_id: int, chunk_index: int) -> ChunkStatement:
        """The statement a proof of this chunk must prove."""
        return ChunkStatement(round_id, chunk_index, self.prover, bytes(self.commitment), bytes(self.statement_data_hash))


@dataclass(frozen=True)
class Totals:
    """The market's running totals; their sum is the ETH the market must hold. ``reserved``
    includes the provers' uncollected earnings, ``balances`` does not (``Σ balanceOf ==
    balances + Σ earnings``)."""

    balances: int
    reserved: int
    collateral: int
    burned: int

    @property
    def held(self) -> int:
        return self.balances + self.reserved + self.collateral + self.burned


def refund_list_hash(refunds: Sequence[Refund]) -> bytes:
    """The chained hash the contract stores as ``Chunk.refundHash``:
    ``h_0 = 0``, ``h_i = keccak256(abi.encode(h_{i-1}, user_i, charge_i, txHash_i))``."""
    digest = b"\x00" * 32
    for refund in refunds:
        digest = keccak(
            digest
            + b"\x00" * 12
            + address_bytes("user", refund.user)
            + refund.charge.to_bytes(32, "big")
            + bytes32("tx_hash", refund.tx_hash)
        )
    return digest


def field_commitment(data: bytes) -> bytes:
    """A stand-in chunk commitment for the development verifier: ``keccak256(data) mod r``, a
    field element as ``settleRound`` requires (the Groth16 market uses the Poseidon commitment)."""
    return (int.from_bytes(keccak(data), "big") % SCALAR_FIELD_ORDER).to_bytes(32, "big")


def development_proof(statement: ChunkStatement) -> bytes:
    """The proof ``DevelopmentProofVerifier`` (NOT SECURE, tests only) accepts for a chunk:
    ``keccak256(abi.encode(statement))``."""
    return keccak(statement.encoded())


class ProofMarketClient(ContractClient):
    """A deployed ``ProofMarket``: typed transactions (each signed by the account passed) and views."""

    def __init__(self, web3: Web3, contract: Contract):
        super().__init__(web3, contract)
        self.domain = Domain(chain_id=web3.eth.chain_id, verifying_contract=contract.address)

    @classmethod
    def at(cls, web3: Web3, address: str) -> ProofMarketClient:
        """The client of the market deployed at ``address`` (ABI from the project's sources)."""
        abi = load_artifact(MARKET_CONTRACT).abi
        return cls(web3, web3.eth.contract(address=to_checksum_address(address), abi=abi))

    # ------------------------------------------------------------------ owner and config

    def update_config(self, sender: LocalAccount, config: MarketConfig) -> dict:
        return self._transact(sender, "updateConfig", config.to_abi())

    def set_verifier(self, sender: LocalAccount, verifier: str) -> dict:
        """Replaces only the verifier of the current config (owner only)."""
        return self.update_config(sender, self.config().replace(verifier=to_checksum_address(verifier)))

    def pause(self, sender: LocalAccount) -> dict:
        return self._transact(sender, "pause")

    def unpause(self, sender: LocalAccount) -> dict:
        return self._transact(sender, "unpause")

    def transfer_ownership(self, sender: LocalAccount, new_owner: str) -> dict:
        return self._transact(sender, "transferOwnership", to_checksum_address(new_owner))

    def accept_ownership(self, sender: LocalAccount) -> dict:
        return self._transact(sender, "acceptOwnership")

    # ------------------------------------------------------------------ escrow and registry

    def deposit(self, sender: LocalAccount, amount: int) -> dict:
        return self._transact(sender, "deposit", value=amount)

    def register_prover(self, sender: LocalAccount, capacity: int, collateral: int) -> dict:
        return self._transact(sender, "registerProver", capacity, value=collateral)

    def add_collateral(self, sender: LocalAccount, amount: int) -> dict:
        return self._transact(sender, "addCollateral", value=amount)

    def set_capacity(self, sender: LocalAccount, capacity: int) -> dict:
        return self._transact(sender, "setCapacity", capacity)

    def request_exit(self, sender: LocalAccount) -> dict:
        return self._transact(sender, "requestExit")

    def withdraw_collateral(self, sender: LocalAccount) -> dict:
        return self._transact(sender, "withdrawCollateral")

    def withdraw(self, sender: LocalAccount, amount: int) -> dict:
        return self._transact(sender, "withdraw", amount)

    # ------------------------------------------------------------------ bids and asks

    def sign_bid(self, account: Any, bid: BidMessage) -> bytes:
        """``account``'s 65-byte signature of ``bid`` in this market's domain."""
        return sign_bid(account, self.domain, bid)

    def sign_ask(self, account: Any, ask: AskMessage) -> bytes:
        """``account``'s 65-byte signature of ``ask`` in this market's domain."""
        return sign_ask(account, self.domain, ask)

    def post_bid(self, sender: LocalAccount, bid: BidMessage, signature: bytes) -> dict:
        return self._transact(sender, "postBid", bid.to_abi(), to_compact(signature))

    # ------------------------------------------------------------------ settle, prove, slash

    def settle_round(
        self,
        sender: LocalAccount,
        round_id: int,
        input_hash: bytes,
        price: Fraction | tuple[int, int],
        bids: Sequence[IncludedBid],
        chunks: Sequence[ChunkAssignment],
        gas: int | None = None,
    ) -> dict:
        """Settles ``round_id`` (clearinghouse only). ``bids`` in chunk order; chunk ``j`` takes
        the next ``chunks[j].bid_count`` bids. ``price`` is recorded as an exact fraction."""
        if isinstance(price, Fraction):
            price_num, price_den = price.numerator, price.denominator
        else:
            price_num, price_den = price
        return self._transact(
            sender,
            "settleRound",
            round_id,
            bytes32("input_hash", input_hash),
            price_num,
            price_den,
            [included.to_abi() for included in bids],
            [chunk.to_abi() for chunk in chunks],
            gas=gas,
        )

    def submit_proof(
        self, sender: LocalAccount, round_id: int, chunk_index: int, proof: bytes, statement_data: bytes = b""
    ) -> dict:
        """``submitProof``; ``statement_data`` exactly as the chunk's settlement supplied it."""
        return self._transact(sender, "submitProof", round_id, chunk_index, bytes(statement_data), proof)

    def submit_proofs(self, sender: LocalAccount, submissions: Sequence[ProofSubmission]) -> dict:
        """``submitProofs``: the proofs of several chunks (any rounds, any provers) in one
        transaction. Chunks already resolved, or listed twice, are skipped; any other bad entry
        reverts the whole batch (docs/contract.md, "Batched proofs")."""
        return self._transact(sender, "submitProofs", [submission.to_abi() for submission in submissions])

    def slash(
        self, sender: LocalAccount, round_id: int, chunk_index: int, refunds: Sequence[Refund] | None = None
    ) -> dict:
        """Slashes an unproven chunk after its deadline. Without ``refunds``, the chunk's refund
        list is rebuilt from the settlement transaction (:meth:`refunds_from_settlement`)."""
        if refunds is None:
            refunds = self.refunds_from_settlement(round_id)[chunk_index]
        return self._transact(sender, "slash", round_id, chunk_index, [refund.to_abi() for refund in refunds])

    def dispute_commitment(
        self, sender: LocalAccount, round_id: int, chunk_index: int, refunds: Sequence[Refund] | None = None
    ) -> dict:
        """Shows on-chain that a pending chunk's recorded commitment is not its transactions'
        (``disputeCommitment``). Without ``refunds``, the chunk's list is rebuilt from the
        settlement transaction (:meth:`refunds_from_settlement`)."""
        if refunds is None:
            refunds = self.refunds_from_settlement(round_id)[chunk_index]
        entries = [refund.to_abi() for refund in refunds]
        return self._transact(sender, "disputeCommitment", round_id, chunk_index, entries)

    def settlement_transaction(self, round_id: int) -> str:
        """The hash of the transaction that settled ``round_id`` (found by its RoundSettled log)."""
        state = self.round(round_id)
        if not state.settled:
            raise ChainError(f"round {round_id} is not settled")
        logs = self.contract.events.RoundSettled.get_logs(
            from_block=state.settled_at, to_block=state.settled_at, argument_filters={"roundId": round_id}
        )
        if not logs:
            raise ChainError(f"no RoundSettled log for round {round_id} in block {state.settled_at}")
        return "0x" + bytes(logs[0]["transactionHash"]).hex()

    def refunds_from_settlement(self, round_id: int) -> list[list[Refund]]:
        """Each chunk's refund list ``[(user, charge, txHash), ...]``, rebuilt from the calldata of the
        transaction that settled ``round_id``. Needs that transaction to call ``settleRound``
        directly (a clearinghouse behind a multisig must keep its own copy of the lists)."""
        transaction = self.web3.eth.get_transaction(self.settlement_transaction(round_id))
        try:
            function, arguments = self.contract.decode_function_input(transaction["input"])
        except ValueError as error:
            raise ChainError(f"round {round_id} was not settled by a direct settleRound call: {error}") from error
        if function.fn_name != "settleRound" or arguments["roundId"] != round_id:
            raise ChainError(f"round {round_id} was not settled by a direct settleRound call")
        bids = [_as_tuple(included) for included in arguments["bids"]]
        lists: list[list[Refund]] = []
        cursor = 0
        for chunk in arguments["chunks"]:
            bid_count = _as_tuple(chunk)[2]
            lists.append(
                [
                    Refund(user=to_checksum_address(_as_tuple(bid[0])[0]), charge=bid[2], tx_hash=bytes(_as_tuple(bid[0])[1]))
                    for bid in bids[cursor : cursor + bid_count]
                ]
            )
            cursor += bid_count
        return lists

    # ------------------------------------------------------------------ views

    def config(self) -> MarketConfig:
        return MarketConfig.from_abi(self._call(self.contract.functions.getConfig()))

    def owner(self) -> str:
        return self._call(self.contract.functions.owner())

    def paused(self) -> bool:
        return self._call(self.contract.functions.paused())

    def balance_of(self, account: str) -> int:
        return self._call(self.contract.functions.balanceOf(to_checksum_address(account)))

    def prover(self, prover: str) -> ProverState:
        return ProverState(*self._call(self.contract.functions.getProver(to_checksum_address(prover))))

    def round(self, round_id: int) -> RoundState:
        values = list(self._call(self.contract.functions.getRound(round_id)))
        values[-1] = SurplusPolicy(values[-1])
        return RoundState(*values)

    def chunk(self, round_id: int, chunk_index: int) -> ChunkState:
        prover, constraints, status, _has_data, payment, collateral, deadline, commitment, refund_hash, data_hash = (
            self._call(self.contract.functions.getChunk(round_id, chunk_index))
        )
        return ChunkState(
            prover, constraints, ChunkStatus(status), payment, collateral, deadline, commitment, refund_hash, data_hash
        )

    def proven_chunk(self, round_id: int, chunk_index: int) -> tuple[bool, ChunkStatement]:
        """``provenChunk``: whether the chunk is proven, and its statement."""
        proven, values = self._call(self.contract.functions.provenChunk(round_id, chunk_index))
        round_value, index, prover, commitment, data_hash = values
        return proven, ChunkStatement(round_value, index, to_checksum_address(prover), bytes(commitment), bytes(data_hash))

    def round_proven(self, round_id: int) -> bool:
        """``roundProven``: the round is settled and every chunk of it is proven."""
        return self._call(self.contract.functions.roundProven(round_id))

    def totals(self) -> Totals:
        return Totals(*self._call(self.contract.functions.getTotals()))

    def current_round(self) -> int:
        return self._call(self.contract.functions.currentRound())

    def round_open_block(self, round_id: int) -> int:
        return self._call(self.contract.functions.roundOpenBlock(round_id))

    def round_close_block(self, round_id: int) -> int:
        return self._call(self.contract.functions.roundCloseBlock(round_id))

    def domain_separator(self) -> bytes:
        return self._call(self.contract.functions.domainSeparator())

    def bid_digest(self, bid: BidMessage) -> bytes:
        """The contract's own digest of ``bid`` (equal to :func:`typed_data.bid_digest`)."""
        return self._call(self.contract.functions.bidDigest(bid.to_abi()))

    def ask_digest(self, ask: AskMessage) -> bytes:
        """The contract's own digest of ``ask`` (equal to :func:`typed_data.ask_digest`)."""
        return self._call(self.contract.functions.askDigest(ask.to_abi()))

    def refund_hash(self, refunds: Sequence[Refund]) -> bytes:
        """The contract's own hash of a refund list (equal to :func:`refund_list_hash`)."""
        return self._call(self.contract.functions.refundHash([refund.to_abi() for refund in refunds]))

    def ether_balance(self) -> int:
        """The ETH the market contract holds."""
        return self.web3.eth.get_balance(self.address)

    def is_solvent(self) -> bool:
        """The conservation invariant: the contract holds at least every bucket's total
        (exactly, unless ETH was forced in without a call)."""
        return self.ether_balance() >= self.totals().held


def _as_tuple(value: Any) -> tuple:
    """web3 decodes structs as tuples or as dicts, depending on version and settings."""
    if isinstance(value, dict):
        return tuple(_as_tuple(item) if isinstance(item, dict) else item for item in value.values())
    return tuple(value)


def deploy_development_verifier(web3: Web3, sender: LocalAccount) -> str:
    """Deploys ``DevelopmentProofVerifier`` (NOT SECURE, for tests and demos); returns its address."""
    return deploy_contract(web3, DEVELOPMENT_VERIFIER_CONTRACT, sender).address


def deploy_market(web3: Web3, owner: LocalAccount, config: MarketConfig) -> ProofMarketClient:
    """Deploys ``ProofMarket`` from ``owner`` (who becomes its owner) with ``config``."""
    contract = deploy_contract(web3, MARKET_CONTRACT, owner, owner.address, config.to_abi())
    return ProofMarketClient(web3, contract)
