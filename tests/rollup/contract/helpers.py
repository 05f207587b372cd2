"""A test sequencer: executes L2 operations with the Python ``RollupState``, settles them as
market rounds (one bid per transfer, signed by its sender, ``txHash`` = the transfer's hash;
statement data = the chunk's pre- and post-state roots), proves, confirms and finalizes.

Each round has at most two chunks (one per registered prover: the market assigns a prover
one chunk per round) and each chunk at least one transfer (a chunk holds at least one bid).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from eth_utils import to_checksum_address

from proofmarket.chain.market import ProofMarketClient, Refund
from proofmarket.rollup.contract import RollupClient, exit_address_of
from proofmarket.rollup.state import Deposit, Operation, RollupState, Transfer, transfer_hash
from proofmarket.rollup.verifier import rollup_statement_data
from proofmarket.zk.commitment import chunk_commitment

#: Constraints, max fee (= charge) and the prover's unit cost of every bid of a test round.
BID_CONSTRAINTS = 300
BID_CHARGE = 3_000
UNIT_COST = 5


def l2_address(account) -> int:
    """An L1 account's L2 address: its address as an integer."""
    return int(account.address, 16)


@dataclass
class PlannedChunk:
    """One chunk of a round: its operations, states and what the market records."""

    chunk_index: int
    prover: object
    operations: tuple[Operation, ...]
    pre_state: RollupState
    post_state: RollupState

    @property
    def transfers(self) -> list[Transfer]:
        return [operation for operation in self.operations if isinstance(operation, Transfer)]

    @property
    def statement_data(self) -> bytes:
        return rollup_statement_data(self.pre_state.root, self.post_state.root)


@dataclass
class PlannedRound:
    round_id: int
    chunks: list[PlannedChunk]
    refunds: list[list[Refund]] = field(default_factory=list)

    @property
    def roots(self) -> list[int]:
        return [self.chunks[0].pre_state.root, *(chunk.post_state.root for chunk in self.chunks)]

    @property
    def post_state(self) -> RollupState:
        return self.chunks[-1].post_state


class Sequencer:
    """Drives rounds of L2 operations through the market and the rollup contract."""

    def __init__(self, market: ProofMarketClient, rounds, rollup: RollupClient, users: Sequence, provers: Sequence, caller):
        self.market = market
        self.rounds = rounds
        self.rollup = rollup
        self.signers = {l2_address(user): user for user in users}
        self.provers = list(provers)
        self.caller = caller
        #: The L2 state after the last round settled through this sequencer.
        self.state = RollupState()

    def plan(self, chunk_operations: Sequence[Sequence[Operation]], pre_state: RollupState | None = None) -> list[PlannedChunk]:
        """Execute each chunk's operations in order from ``pre_state`` (default: the sequencer's state)."""
        state = self.state if pre_state is None else pre_state
        chunks = []
        for index, operations in enumerate(chunk_operations):
            post = state.apply_all(operations)
            chunks.append(PlannedChunk(index, self.provers[index], tuple(operations), state, post))
            state = post
        return chunks

    def settle(self, chunks: Sequence[PlannedChunk], signer_of=None, commitment_of=None) -> PlannedRound:
        """Settle the open round with ``chunks``: each transfer's bid is signed by its sender
        (``signer_of(transfer)`` overrides who signs), the commitment is the Poseidon chain of the
        transfers' hashes (``commitment_of(chunk)`` overrides it)."""
        round_id = self.rounds.open_round()
        bids, assignments = [], []
        for chunk in chunks:
            transfers = chunk.transfers
            for transfer in transfers:
                signer = signer_of(transfer) if signer_of else self.signers[transfer.sender]
                bids.append(self.rounds.bid(signer, round_id, BID_CONSTRAINTS, BID_CHARGE, tx_hash=transfer_hash(transfer)))
            commitment = commitment_of(chunk) if commitment_of else chunk_commitment([transfer_hash(t) for t in transfers])
            assignments.append(
                self.rounds.chunk(
                    chunk.prover,
                    round_id,
                    UNIT_COST,
                    len(transfers),
                    UNIT_COST * BID_CONSTRAINTS * len(transfers),
                    commitment=commitment,
                    statement_data=chunk.statement_data,
                )
            )
        self.rounds.settle(round_id, bids, assignments)
        self.state = chunks[-1].post_state
        return PlannedRound(round_id, list(chunks), self.market.refunds_from_settlement(round_id))

    def prove(self, planned: PlannedRound, chunk_indexes: Sequence[int] | None = None) -> None:
        """Submit the development verifier's proof (NOT SECURE) of each chunk, by its prover."""
        for chunk in planned.chunks:
            if chunk_indexes is None or chunk.chunk_index in chunk_indexes:
                proof = self.rounds.proof(planned.round_id, chunk.chunk_index)
                self.market.submit_proof(chunk.prover, planned.round_id, chunk.chunk_index, proof, chunk.statement_data)

    def confirm(self, planned: PlannedRound, chunk_indexes: Sequence[int] | None = None) -> list[dict]:
        """``confirmChunk`` each chunk with its refund list and transfers."""
        return [
            self.rollup.confirm_chunk(self.caller, planned.round_id, chunk.chunk_index, planned.refunds[chunk.chunk_index], chunk.transfers)
            for chunk in planned.chunks
            if chunk_indexes is None or chunk.chunk_index in chunk_indexes
        ]

    def finalize(self, planned: PlannedRound, roots: Sequence[int] | None = None, opening: tuple[int, int, int] | None = None) -> dict:
        """``finalize`` the round with its roots and the opening of its post-state root."""
        post = planned.post_state
        accounts_root, account_count, deposit_chain = opening or (post.accounts_root, post.account_count, post.deposit_chain)
        return self.rollup.finalize(
            self.caller, planned.round_id, planned.roots if roots is None else list(roots), accounts_root, account_count, deposit_chain
        )

    def run(self, chunk_operations: Sequence[Sequence[Operation]]) -> PlannedRound:
        """Settle, prove, confirm and finalize one round; returns it."""
        planned = self.settle(self.plan(chunk_operations))
        self.prove(planned)
        self.confirm(planned)
        self.finalize(planned)
        return planned

    def deposit(self, account, amount: int, recipient=None) -> Deposit:
        """Deposit on L1 from ``account`` for ``recipient`` (default: itself); returns the L2 deposit."""
        recipient = recipient or account
        self.rollup.deposit(account, recipient.address, amount)
        return Deposit(l2_address(recipient), amount)


def exit_account_address(user) -> int:
    """The L2 address of ``user``'s exit account."""
    return int(exit_address_of(to_checksum_address(user.address)), 16)
