"""The reference rollup's L2 state, in exact integers (docs/rollup.md, "State").

Accounts are the leaves of a binary Poseidon Merkle tree of depth :data:`DEPTH`: the leaf of
account ``i`` is ``Poseidon(address, balance, nonce)`` (circomlib's Poseidon of 3 inputs), an
empty leaf is 0, and an inner node is ``Poseidon(left, right)``. An account gets the next free
index when it is first credited (by a deposit or a transfer); the state keeps the
address -> index map. The state root, the value a chunk statement carries, is

    stateRoot = Poseidon(accountsRoot, accountCount, depositChain)

where ``depositChain`` is the Poseidon chain of the L1 deposits the state has applied:
``d_0 = 0``, ``d_k = Poseidon(d_{k-1}, address_k, amount_k)``.

A :class:`Transfer` ``(sender, recipient, amount, nonce)`` is valid iff the sender has an
account, ``nonce`` is the sender's nonce, ``amount <= `` the sender's balance, the recipient's
new balance stays below ``2^BALANCE_BITS``, and the recipient has an account or a free index is
left. Its hash ``Poseidon(sender, recipient, amount, nonce)`` is the bid's ``txHash``.

Everything here is pure: a state is immutable and every operation returns a new one. The chunk
circuit (circuits/rollup_chunk.circom) checks exactly these rules; ``witness.py`` records each
step's Merkle paths for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Union

from proofmarket.exceptions import UserInputError, ZkError
from proofmarket.zk.field import SCALAR_FIELD_ORDER
from proofmarket.zk.poseidon import poseidon, poseidon2

#: Depth of the accounts tree: 2^8 = 256 accounts. Each level costs four Poseidon hashes per
#: transaction in the circuit (docs/rollup.md, "Why these sizes").
DEPTH = 8

#: Number of accounts the tree holds.
CAPACITY = 1 << DEPTH

#: Balances and amounts are below 2^BALANCE_BITS (the circuit's range checks).
BALANCE_BITS = 128

#: Addresses are L1 (Ethereum) addresses: integers in [1, 2^160).
ADDRESS_BITS = 160


class RollupError(ZkError):
    """A rule of the rollup's state (docs/rollup.md) cannot be applied."""


class OperationInvalid(RollupError, UserInputError):
    """A transfer or deposit cannot be applied to the state; ``reason`` says which rule failed."""

    def __init__(self, operation: object, reason: str):
        self.operation = operation
        self.reason = reason
        super().__init__(f"{operation} cannot be applied: {reason}")


class MerkleProofInvalid(RollupError, UserInputError):
    """A Merkle proof is malformed (wrong depth, index out of range, values outside the field)."""


def _require_address(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 1 << ADDRESS_BITS:
        raise UserInputError(f"{name} must be an address, an integer in [1, 2^160), got {value!r}")
    return value


def _require_amount(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << BALANCE_BITS:
        raise UserInputError(f"{name} must be an integer in [0, 2^{BALANCE_BITS}), got {value!r}")
    return value


def address_value(address: str | int) -> int:
    """An address as the integer the state uses: ``int`` as is, a ``0x`` hex string parsed."""
    if isinstance(address, str):
        text = address[2:] if address.lower().startswith("0x") else address
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise UserInputError(f"address {address!r} is not hex") from None
        if len(raw) != 20:
            raise UserInputError(f"address {address!r} is not 20 bytes")
        return _require_address("address", int.from_bytes(raw, "big"))
    return _require_address("address", address)


@dataclass(frozen=True)
class Account:
    """One account: its L1 address, balance and the nonce of its next transfer."""

    address: int
    balance: int
    nonce: int

    def leaf(self) -> int:
        """The tree leaf ``Poseidon(address, balance, nonce)``."""
        return poseidon([self.address, self.balance, self.nonce])


@dataclass(frozen=True)
class Transfer:
    """An L2 transfer; its :func:`transfer_hash` is the bid's ``txHash``."""

    sender: int
    recipient: int
    amount: int
    nonce: int

    def __post_init__(self) -> None:
        _require_address("sender", self.sender)
        _require_address("recipient", self.recipient)
        _require_amount("amount", self.amount)
        if isinstance(self.nonce, bool) or not isinstance(self.nonce, int) or not 0 <= self.nonce < 1 << 64:
            raise UserInputError(f"nonce must be an integer in [0, 2^64), got {self.nonce!r}")

    def __str__(self) -> str:
        return f"transfer {self.sender:#042x} -> {self.recipient:#042x} of {self.amount} (nonce {self.nonce})"


@dataclass(frozen=True)
class Deposit:
    """An L1 deposit credited to ``recipient`` on L2 (docs/rollup.md, "Deposits")."""

    recipient: int
    amount: int

    def __post_init__(self) -> None:
        _require_address("recipient", self.recipient)
        _require_amount("amount", self.amount)

    def __str__(self) -> str:
        return f"deposit of {self.amount} to {self.recipient:#042x}"


Operation = Union[Transfer, Deposit]


def transfer_hash_int(transfer: Transfer) -> int:
    """``Poseidon(sender, recipient, amount, nonce)``: a scalar field element."""
    return poseidon([transfer.sender, transfer.recipient, transfer.amount, transfer.nonce])


def transfer_hash(transfer: Transfer) -> bytes:
    """The transfer's ``txHash`` (bytes32, big-endian). Below r, so ``uint256(txHash) mod r == txHash``."""
    return transfer_hash_int(transfer).to_bytes(32, "big")


def deposit_chain_step(chain: int, deposit: Deposit) -> int:
    """``d_k = Poseidon(d_{k-1}, recipient, amount)``: the next value of the deposit chain."""
    return poseidon([chain, deposit.recipient, deposit.amount])


def deposit_chain(deposits: Iterable[Deposit], start: int = 0) -> int:
    """The deposit chain after ``deposits``, from ``start`` (0: no deposit)."""
    chain = start
    for deposit in deposits:
        chain = deposit_chain_step(chain, deposit)
    return chain


def state_root_of(accounts_root: int, account_count: int, chain: int) -> int:
    """``Poseidon(accountsRoot, accountCount, depositChain)``."""
    return poseidon([accounts_root, account_count, chain])


def _zero_hashes(depth: int) -> tuple[int, ...]:
    zeros = [0]
    for _ in range(depth):
        zeros.append(poseidon2(zeros[-1], zeros[-1]))
    return tuple(zeros)


#: ZERO_HASHES[level]: the root of an empty subtree of height ``level`` (level 0: an empty leaf).
ZERO_HASHES = _zero_hashes(DEPTH)


@dataclass(frozen=True)
class MerkleProof:
    """The siblings of leaf ``index`` from the leaf level up; ``index``'s bits say left (0) or right (1)."""

    index: int
    leaf: int
    siblings: tuple[int, ...]

    def root(self) -> int:
        """The root these siblings give for ``leaf`` at ``index``."""
        if not 0 <= self.index < 1 << len(self.siblings):
            raise MerkleProofInvalid(f"index {self.index} is outside a tree of depth {len(self.siblings)}")
        node = self.leaf
        for level, sibling in enumerate(self.siblings):
            if (self.index >> level) & 1:
                node = poseidon2(sibling, node)
            else:
                node = poseidon2(node, sibling)
        return node


def verify_merkle_proof(root: int, proof: MerkleProof, depth: int = DEPTH) -> bool:
    """Whether ``proof`` shows ``proof.leaf`` at ``proof.index`` in the tree of ``root``.

    Raises :class:`MerkleProofInvalid` if the proof does not have ``depth`` siblings or holds a
    value outside the scalar field; a well-formed proof of another tree returns False.
    """
    if len(proof.siblings) != depth:
        raise MerkleProofInvalid(f"a proof has {depth} siblings, this one {len(proof.siblings)}")
    for value in (root, proof.leaf, *proof.siblings):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < SCALAR_FIELD_ORDER:
            raise MerkleProofInvalid(f"{value!r} is not a scalar field element")
    return proof.root() == root


def verify_account(root: int, account: Account, proof: MerkleProof, depth: int = DEPTH) -> bool:
    """Whether ``account`` is the leaf the proof opens in the accounts tree ``root`` (a withdrawal's check)."""
    return proof.leaf == account.leaf() and verify_merkle_proof(root, proof, depth)


@dataclass(frozen=True)
class RollupState:
    """The L2 state: accounts by index, the address -> index map, the tree, the deposit chain.

    Immutable: :meth:`apply` returns a new state. ``levels[0]`` are the ``2^depth`` leaves,
    ``levels[depth]`` is ``[accountsRoot]``.
    """

    depth: int = DEPTH
    accounts: tuple[Account, ...] = ()
    levels: tuple[tuple[int, ...], ...] = field(default=())
    deposit_chain: int = 0
    deposits_applied: int = 0
    #: The address -> index map of :attr:`accounts`.
    indices: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "indices", {account.address: index for index, account in enumerate(self.accounts)})
        if not self.levels:
            zeros = _zero_hashes(self.depth)
            object.__setattr__(
                self, "levels", tuple(tuple([zeros[level]] * (1 << (self.depth - level))) for level in range(self.depth + 1))
            )

    # ------------------------------------------------------------------ reading

    @property
    def accounts_root(self) -> int:
        """The root of the accounts tree."""
        return self.levels[self.depth][0]

    @property
    def account_count(self) -> int:
        """How many accounts exist; the next new account gets this index."""
        return len(self.accounts)

    @property
    def root(self) -> int:
        """The state root a chunk statement carries: ``Poseidon(accountsRoot, accountCount, depositChain)``."""
        return state_root_of(self.accounts_root, self.account_count, self.deposit_chain)

    def index_of(self, address: int) -> int | None:
        """The index of ``address``'s account, or None if it has none."""
        return self.indices.get(address)

    def account(self, address: int) -> Account | None:
        """``address``'s account, or None."""
        index = self.index_of(address)
        return None if index is None else self.accounts[index]

    def total_balance(self) -> int:
        """The sum of all balances (what the rollup contract must hold)."""
        return sum(account.balance for account in self.accounts)

    def merkle_proof(self, index: int) -> MerkleProof:
        """The Merkle proof of leaf ``index`` (an account, or an empty leaf) in :attr:`accounts_root`."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 1 << self.depth:
            raise MerkleProofInvalid(f"index {index!r} is outside a tree of depth {self.depth}")
        siblings = tuple(self.levels[level][(index >> level) ^ 1] for level in range(self.depth))
        return MerkleProof(index, self.levels[0][index], siblings)

    # ------------------------------------------------------------------ writing

    def with_account(self, index: int, account: Account) -> RollupState:
        """The state with ``account`` at ``index`` (an existing index, or the next free one).

        A building block, no rule checked: :meth:`apply` is the way to change a state.
        """
        levels = [list(level) for level in self.levels]
        levels[0][index] = account.leaf()
        position = index
        for level in range(self.depth):
            position >>= 1
            levels[level + 1][position] = poseidon2(levels[level][2 * position], levels[level][2 * position + 1])
        accounts = list(self.accounts)
        if index == len(accounts):
            accounts.append(account)
        else:
            accounts[index] = account
        return RollupState(self.depth, tuple(accounts), tuple(tuple(level) for level in levels), self.deposit_chain, self.deposits_applied)

    def _credit(self, operation: Operation, recipient: int, amount: int) -> RollupState:
        index = self.index_of(recipient)
        if index is None:
            if self.account_count >= 1 << self.depth:
                raise OperationInvalid(operation, f"the tree is full ({1 << self.depth} accounts)")
            return self.with_account(self.account_count, Account(recipient, amount, 0))
        account = self.accounts[index]
        if account.balance + amount >= 1 << BALANCE_BITS:
            raise OperationInvalid(operation, f"the recipient's balance would reach 2^{BALANCE_BITS}")
        return self.with_account(index, Account(recipient, account.balance + amount, account.nonce))

    def apply_transfer(self, transfer: Transfer) -> RollupState:
        """The state after ``transfer``: the sender debited and its nonce incremented, then the
        recipient credited (a new account at the next free index if it has none)."""
        index = self.index_of(transfer.sender)
        if index is None:
            raise OperationInvalid(transfer, "the sender has no account")
        sender = self.accounts[index]
        if transfer.nonce != sender.nonce:
            raise OperationInvalid(transfer, f"the nonce is {transfer.nonce}, the sender's is {sender.nonce}")
        if transfer.amount > sender.balance:
            raise OperationInvalid(transfer, f"the amount exceeds the sender's balance {sender.balance}")
        debited = self.with_account(index, Account(sender.address, sender.balance - transfer.amount, sender.nonce + 1))
        return debited._credit(transfer, transfer.recipient, transfer.amount)

    def apply_deposit(self, deposit: Deposit) -> RollupState:
        """The state after the L1 deposit: the recipient credited, the deposit chain advanced."""
        credited = self._credit(deposit, deposit.recipient, deposit.amount)
        return RollupState(
            credited.depth,
            credited.accounts,
            credited.levels,
            deposit_chain_step(self.deposit_chain, deposit),
            self.deposits_applied + 1,
        )

    def apply(self, operation: Operation) -> RollupState:
        """Apply a transfer or a deposit; raises :class:`OperationInvalid` if it is not valid."""
        if isinstance(operation, Transfer):
            return self.apply_transfer(operation)
        if isinstance(operation, Deposit):
            return self.apply_deposit(operation)
        raise UserInputError(f"not a rollup operation: {operation!r}")

    def apply_all(self, operations: Iterable[Operation]) -> RollupState:
        """Apply ``operations`` in order."""
        state = self
        for operation in operations:
            state = state.apply(operation)
        return state
