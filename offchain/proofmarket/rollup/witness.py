"""The chunk circuit's input: ``chunk_witness(pre_state, operations, binding)`` (docs/rollup.md).

Applies the operations to the pre-state one by one with :mod:`proofmarket.rollup.state`,
recording for each slot the Merkle paths of the sender (before its debit) and of the recipient
(after the debit, before its credit), exactly the order circuits/rollup_chunk.circom checks.
Unused slots are no-ops (all zeros). Pure: no file, no process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from proofmarket.exceptions import UserInputError
from proofmarket.zk.commitment import commitment_chain
from proofmarket.zk.field import SCALAR_FIELD_ORDER

from .state import Account, Deposit, Operation, RollupState, Transfer, transfer_hash, transfer_hash_int

#: Slots of the chunk circuit: ``RollupChunk(3, 8, 128)``'s N.
CHUNK_SLOTS = 3


class ChunkTooLarge(UserInputError):
    """More operations than the circuit has slots."""

    def __init__(self, count: int, slots: int):
        self.count = count
        self.slots = slots
        super().__init__(f"a rollup chunk holds at most {slots} operations, got {count}")


class BindingInvalid(UserInputError):
    """The binding is not a scalar field element."""

    def __init__(self, value: object):
        self.value = value
        super().__init__(f"the binding must be an integer in [0, r), got {value!r}")


@dataclass(frozen=True)
class ChunkStatement:
    """The public inputs of one chunk proof, in the circuit's order."""

    pre_state_root: int
    post_state_root: int
    commitment: int
    binding: int

    def public_signals(self) -> list[str]:
        """The public inputs as snarkjs lists them (decimal strings)."""
        return [str(self.pre_state_root), str(self.post_state_root), str(self.commitment), str(self.binding)]


@dataclass(frozen=True)
class ChunkWitness:
    """A chunk's circuit input, its statement, the state after it and its transfers' hashes."""

    circuit_input: dict[str, object]
    statement: ChunkStatement
    post_state: RollupState
    tx_hashes: tuple[bytes, ...]


def _empty_slot(depth: int) -> dict[str, object]:
    return {
        "isTransfer": 0,
        "isDeposit": 0,
        "sender": 0,
        "recipient": 0,
        "amount": 0,
        "nonce": 0,
        "senderIndex": 0,
        "senderBalance": 0,
        "senderSiblings": [0] * depth,
        "recipientIndex": 0,
        "recipientBalance": 0,
        "recipientNonce": 0,
        "recipientIsNew": 0,
        "recipientSiblings": [0] * depth,
    }


def chunk_witness(
    pre_state: RollupState, operations: Sequence[Operation], binding: int, slots: int = CHUNK_SLOTS
) -> ChunkWitness:
    """The circuit input proving ``operations`` on ``pre_state`` for ``binding``.

    Raises :class:`ChunkTooLarge` for more than ``slots`` operations, :class:`BindingInvalid`
    for a binding outside the field, and :class:`~proofmarket.rollup.state.OperationInvalid`
    for an operation the state refuses (such a chunk has no proof).
    """
    if len(operations) > slots:
        raise ChunkTooLarge(len(operations), slots)
    if isinstance(binding, bool) or not isinstance(binding, int) or not 0 <= binding < SCALAR_FIELD_ORDER:
        raise BindingInvalid(binding)
    depth = pre_state.depth
    state = pre_state
    slot_values = []
    hashes: list[int] = []
    for operation in operations:
        slot = _empty_slot(depth)
        if isinstance(operation, Transfer):
            sender_index = state.index_of(operation.sender)
            after = state.apply_transfer(operation)  # raises OperationInvalid for an invalid transfer
            assert sender_index is not None
            sender = state.accounts[sender_index]
            slot.update(
                isTransfer=1,
                sender=operation.sender,
                nonce=operation.nonce,
                senderIndex=sender_index,
                senderBalance=sender.balance,
                senderSiblings=list(state.merkle_proof(sender_index).siblings),
            )
            debited = state.with_account(
                sender_index, Account(sender.address, sender.balance - operation.amount, sender.nonce + 1)
            )
            hashes.append(transfer_hash_int(operation))
        elif isinstance(operation, Deposit):
            after = state.apply_deposit(operation)
            debited = state
            slot.update(isDeposit=1)
        else:
            raise UserInputError(f"not a rollup operation: {operation!r}")
        recipient_index = debited.index_of(operation.recipient)
        if recipient_index is None:
            recipient_index = debited.account_count
            slot.update(recipientIsNew=1)
        else:
            account = debited.accounts[recipient_index]
            slot.update(recipientBalance=account.balance, recipientNonce=account.nonce)
        slot.update(
            recipient=operation.recipient,
            amount=operation.amount,
            recipientIndex=recipient_index,
            recipientSiblings=list(debited.merkle_proof(recipient_index).siblings),
        )
        slot_values.append(slot)
        state = after
    slot_values += [_empty_slot(depth) for _ in range(slots - len(slot_values))]
    commitment = commitment_chain(hashes)[-1]  # c_0 = 0 when the chunk has no transfer
    statement = ChunkStatement(pre_state.root, state.root, commitment, binding)
    circuit_input: dict[str, object] = {
        "preStateRoot": statement.pre_state_root,
        "postStateRoot": statement.post_state_root,
        "commitment": statement.commitment,
        "binding": binding,
        "preAccountsRoot": pre_state.accounts_root,
        "preAccountCount": pre_state.account_count,
        "preDepositChain": pre_state.deposit_chain,
    }
    for name in _empty_slot(depth):
        circuit_input[name] = [slot[name] for slot in slot_values]
    return ChunkWitness(
        circuit_input=_decimal(circuit_input),  # type: ignore[arg-type]
        statement=statement,
        post_state=state,
        tx_hashes=tuple(transfer_hash(operation) for operation in operations if isinstance(operation, Transfer)),
    )


def _decimal(value: object) -> object:
    """Integers as decimal strings, the form snarkjs reads without losing precision."""
    if isinstance(value, dict):
        return {key: _decimal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimal(item) for item in value]
    return str(value)
