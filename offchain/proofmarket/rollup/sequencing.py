"""The sequencer's rules (docs/rollup.md, "Sequencing"): which bids' transfers a round may
include, and how a cleared round becomes chunks of operations with their state roots. Pure.

A round is sequenced on the state its predecessors left (the *round-start state*):

1. **Admission** (before clearing): a bid's transfer is admitted iff its body is known and hashes
   to the bid's ``txHash``, its sender is the bid's signer, it is the first admitted transfer of
   that sender in the round (bids in id order), and it is valid on the *base state*: the
   round-start state with the first ``guaranteed_deposits`` pending L1 deposits applied. A
   transfer that creates an account (a recipient with no L1 deposit ever) is admitted while
   transfers have created fewer than :data:`TRANSFER_ACCOUNTS` accounts: the rollup contract
   takes deposits for at most :data:`MAX_DEPOSIT_RECIPIENTS` addresses, so deposits and
   transfers never fill the tree between them and a queued deposit can always be applied.
2. **Sequencing** (after clearing): chunks in settlement order; each chunk takes, in queue order,
   as many pending deposits as its free slots hold (``slots`` minus its transfers), then its
   transfers in bid order; chunk k starts at chunk k-1's post-state.

Why every admitted transfer is valid where it lands: chunk 0 has at least
``slots - max_bids_per_chunk`` free slots, so the guaranteed deposits precede every transfer;
each sender is debited once, by its own transfer, whose nonce and amount were checked on the base
state; everything else only credits (deposits, incoming transfers). So any batch order the
mechanism picks executes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from proofmarket.exceptions import UserInputError
from proofmarket.rollup.state import (
    CAPACITY,
    Account,
    Deposit,
    Operation,
    OperationInvalid,
    RollupState,
    Transfer,
    transfer_hash,
)
from proofmarket.rollup.verifier import rollup_statement_data

#: Operations one rollup chunk proof holds (the circuit's slots: ``RollupChunk(3, 8, 128)``).
CHUNK_SLOTS = 3

#: The most distinct addresses the rollup contract takes deposits for (``ReferenceRollup``).
MAX_DEPOSIT_RECIPIENTS = 128

#: The most accounts transfers may create: the rest of the tree.
TRANSFER_ACCOUNTS = CAPACITY - MAX_DEPOSIT_RECIPIENTS


class SequencingError(UserInputError):
    """A round cannot be sequenced as asked (a chunk larger than the circuit's slots)."""


def guaranteed_deposits(max_bids_per_chunk: int, slots: int = CHUNK_SLOTS) -> int:
    """How many pending deposits every round with a chunk applies before any transfer: the free
    slots chunk 0 always has. A market whose chunks could fill every slot has none, and is
    refused: its deposits might never be applied."""
    if not 1 <= max_bids_per_chunk < slots:
        raise SequencingError(
            f"a rollup market needs maxBidsPerChunk between 1 and {slots - 1} (the chunk circuit has {slots} slots, "
            f"and deposits need one), not {max_bids_per_chunk}"
        )
    return slots - max_bids_per_chunk


@dataclass(frozen=True)
class CandidateTransfer:
    """A bid as admission sees it: its id, signer, ``txHash`` and the transfer body, if known."""

    bid_id: str
    user: int
    tx_hash: bytes
    transfer: Transfer | None


def admit_transfers(
    round_start: RollupState,
    pending_deposits: Sequence[Deposit],
    candidates: Iterable[CandidateTransfer],
    guaranteed: int,
    deposit_recipients: frozenset[int] = frozenset(),
) -> tuple[list[str], dict[str, str]]:
    """The ids of the admitted bids (in id order) and, for each refused one, why (rule 1).

    ``deposit_recipients``: every address the L1 queue holds a deposit for (applied or not)."""
    base = round_start.apply_all(pending_deposits[:guaranteed])
    deposit_recipients = deposit_recipients | {deposit.recipient for deposit in pending_deposits}
    admitted: list[str] = []
    refused: dict[str, str] = {}
    senders: set[int] = set()
    created = {account.address for account in base.accounts if account.address not in deposit_recipients}
    for candidate in sorted(candidates, key=lambda c: c.bid_id):
        reason = _refusal(base, candidate, senders, created, deposit_recipients)
        if reason is not None:
            refused[candidate.bid_id] = reason
            continue
        transfer = candidate.transfer
        senders.add(transfer.sender)
        if transfer.recipient not in deposit_recipients:
            created.add(transfer.recipient)
        admitted.append(candidate.bid_id)
    return admitted, refused


def _refusal(
    base: RollupState, candidate: CandidateTransfer, senders: set[int], created: set[int], deposit_recipients: frozenset[int]
) -> str | None:
    transfer = candidate.transfer
    if transfer is None:
        return "no transfer was submitted for this txHash"
    if transfer_hash(transfer) != candidate.tx_hash:
        return "the transfer does not hash to the bid's txHash"
    if transfer.sender != candidate.user:
        return "the transfer's sender is not the bid's signer"
    if transfer.sender in senders:
        return "the sender already has a transfer in this round (one per sender per round)"
    sender = base.account(transfer.sender)
    if sender is None:
        return "the sender has no account yet"
    if transfer.nonce != sender.nonce:
        return f"the nonce is {transfer.nonce}, the sender's next is {sender.nonce}"
    if transfer.amount > sender.balance:
        return f"the amount exceeds the sender's balance {sender.balance}"
    if transfer.recipient not in deposit_recipients and transfer.recipient not in created:
        if len(created) >= TRANSFER_ACCOUNTS:
            return f"transfers have created the {TRANSFER_ACCOUNTS} accounts they may (the rest are for deposits)"
    return None


@dataclass(frozen=True)
class SequencedChunk:
    """One chunk's operations in slot order, and the state roots before and after them."""

    pre_root: int
    post_root: int
    operations: tuple[Operation, ...]

    @property
    def statement_data(self) -> bytes:
        """``abi.encode(preStateRoot, postStateRoot)``: what the chunk's statement binds."""
        return rollup_statement_data(self.pre_root, self.post_root)


@dataclass(frozen=True)
class SequencedRound:
    """A round as the sequencer executed it."""

    round_id: int
    chunks: tuple[SequencedChunk, ...]

    @property
    def deposits(self) -> int:
        """How many L1 deposits the round applies."""
        return sum(isinstance(op, Deposit) for chunk in self.chunks for op in chunk.operations)


def sequence_round(
    round_start: RollupState,
    round_id: int,
    chunk_transfers: Sequence[Sequence[Transfer]],
    pending_deposits: Sequence[Deposit],
    slots: int = CHUNK_SLOTS,
) -> tuple[SequencedRound, RollupState]:
    """Rule 2: the round's chunks with their roots, and the state after the round.

    Raises :class:`SequencingError` for a chunk of more than ``slots`` transfers and
    :class:`OperationInvalid` if a transfer does not apply (it was not admitted by rule 1)."""
    state = round_start
    queue = list(pending_deposits)
    chunks = []
    for index, transfers in enumerate(chunk_transfers):
        if len(transfers) > slots:
            raise SequencingError(f"chunk {index} of round {round_id} has {len(transfers)} transfers; a chunk holds {slots}")
        deposits, queue = queue[: slots - len(transfers)], queue[slots - len(transfers):]
        operations = (*deposits, *transfers)
        after = state.apply_all(operations)
        chunks.append(SequencedChunk(state.root, after.root, operations))
        state = after
    return SequencedRound(round_id, tuple(chunks)), state


def replay(rounds: Iterable[SequencedRound], start: RollupState | None = None) -> RollupState:
    """The state after ``rounds`` in order from ``start`` (the empty state), checking that each
    chunk starts at the root the one before ended at."""
    state = start if start is not None else RollupState()
    for sequenced in rounds:
        for index, chunk in enumerate(sequenced.chunks):
            if chunk.pre_root != state.root:
                raise SequencingError(f"round {sequenced.round_id} chunk {index} starts at another root than the state's")
            state = state.apply_all(chunk.operations)
            if state.root != chunk.post_root:
                raise SequencingError(f"round {sequenced.round_id} chunk {index} does not end at its recorded root")
    return state


# ---------------------------------------------------------------------- JSON documents


def operation_to_json(operation: Operation) -> dict:
    """An operation as the API and the database hold it (integers as decimal strings)."""
    if isinstance(operation, Transfer):
        return {
            "kind": "transfer", "sender": _address(operation.sender), "recipient": _address(operation.recipient),
            "amount": str(operation.amount), "nonce": operation.nonce,
        }
    return {"kind": "deposit", "recipient": _address(operation.recipient), "amount": str(operation.amount)}


def operation_from_json(document: Mapping) -> Operation:
    """The inverse of :func:`operation_to_json`; raises :class:`UserInputError` for a bad document."""
    try:
        if document["kind"] == "transfer":
            return Transfer(
                int(document["sender"], 16), int(document["recipient"], 16), int(document["amount"]), int(document["nonce"])
            )
        if document["kind"] == "deposit":
            return Deposit(int(document["recipient"], 16), int(document["amount"]))
    except (KeyError, TypeError, ValueError) as error:
        raise UserInputError(f"not a rollup operation: {error}") from None
    raise UserInputError(f"unknown operation kind {document.get('kind')!r}")


def _address(value: int) -> str:
    return f"0x{value:040x}"


def state_to_json(state: RollupState) -> dict:
    """What a prover needs to rebuild a state: its accounts in index order and its deposit chain."""
    return {
        "accounts": [[_address(a.address), str(a.balance), a.nonce] for a in state.accounts],
        "deposit_chain": str(state.deposit_chain),
        "deposits_applied": state.deposits_applied,
    }


def state_from_json(document: Mapping) -> RollupState:
    """The inverse of :func:`state_to_json` (the tree is recomputed from the accounts)."""
    state = RollupState(deposit_chain=int(document["deposit_chain"]), deposits_applied=int(document["deposits_applied"]))
    for index, (address, balance, nonce) in enumerate(document["accounts"]):
        state = state.with_account(index, Account(int(address, 16), int(balance), int(nonce)))
    return state


def round_to_json(sequenced: SequencedRound) -> dict:
    """A sequenced round as the clearinghouse stores and publishes it."""
    return {
        "round": sequenced.round_id,
        "chunks": [
            {
                "pre_root": str(chunk.pre_root),
                "post_root": str(chunk.post_root),
                "statement_data": "0x" + chunk.statement_data.hex(),
                "operations": [operation_to_json(op) for op in chunk.operations],
            }
            for chunk in sequenced.chunks
        ],
    }


def round_from_json(document: Mapping) -> SequencedRound:
    """The inverse of :func:`round_to_json`."""
    return SequencedRound(
        int(document["round"]),
        tuple(
            SequencedChunk(
                int(chunk["pre_root"]), int(chunk["post_root"]), tuple(operation_from_json(op) for op in chunk["operations"])
            )
            for chunk in document["chunks"]
        ),
    )


__all__ = [
    "CHUNK_SLOTS", "CandidateTransfer", "OperationInvalid", "SequencedChunk", "SequencedRound", "SequencingError",
    "admit_transfers", "guaranteed_deposits", "operation_from_json", "operation_to_json", "replay", "round_from_json",
    "round_to_json", "sequence_round", "state_from_json", "state_to_json",
]
