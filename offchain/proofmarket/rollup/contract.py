"""Python bindings of the rollup's L1 contract, ``ReferenceRollup`` (docs/rollup.md, "The rollup
contract"), and of its ``PoseidonHasher``.

:func:`deploy_rollup` deploys both; :class:`RollupClient` has one method per external function
(each transaction signed by the account passed, returning its receipt; a revert raises
:class:`~proofmarket.chain.errors.ContractRevert` with the contract's custom error decoded,
including the hasher's and the rollup verifier's) and typed views.

Withdrawals go through **exit addresses**: :func:`exit_address_of` is the address a user
transfers to on L2 to withdraw on L1 (the contract's ``exitAddressOf``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

from proofmarket.chain.client import ContractClient
from proofmarket.chain.compiler import artifact
from proofmarket.chain.market import ProofMarketClient, Refund
from proofmarket.chain.transactions import bind_contract, deploy_contract
from proofmarket.exceptions import UserInputError

from .state import DEPTH, Deposit, MerkleProof, Transfer
from .verifier import ROLLUP_VERIFIER_CONTRACT

ROLLUP_CONTRACT = "ReferenceRollup"
POSEIDON_HASHER_CONTRACT = "PoseidonHasher"

#: The string an exit address is derived from, with the user's address.
EXIT_ADDRESS_DOMAIN = "proofmarket.rollup.exit"


def exit_address_of(user: str) -> str:
    """``address(uint160(uint256(keccak256(abi.encode("proofmarket.rollup.exit", user)))))``: the
    L2 account ``user`` transfers to in order to withdraw on L1 (nobody holds its key)."""
    digest = keccak(encode(["string", "address"], [EXIT_ADDRESS_DOMAIN, to_checksum_address(user)]))
    return to_checksum_address(digest[12:])


def _refund_abi(entry: Refund | tuple) -> tuple:
    """A refund entry as the ABI takes it, from a :class:`~proofmarket.chain.market.Refund` or a
    ``(user, charge, tx_hash)`` tuple."""
    refund = entry if isinstance(entry, Refund) else Refund(*entry)
    return refund.to_abi()


def _transfer_abi(transfer: Transfer) -> tuple:
    return (transfer.sender, transfer.recipient, transfer.amount, transfer.nonce)


def deploy_poseidon_hasher(web3: Web3, sender: LocalAccount) -> Contract:
    """Deploy ``PoseidonHasher`` (which creates its ``Poseidon4Hasher``) from ``sender``."""
    return deploy_contract(web3, POSEIDON_HASHER_CONTRACT, sender)


#: The market's ``consumerGasLimit`` for the rollup's callback (``onChunkProven``, which records a
#: proven chunk: about 45,000 gas measured, docs/rollup.md), with room to spare.
ROLLUP_CONSUMER_GAS_LIMIT = 100_000
#: The least ``consumerGasLimit`` a rollup deployment takes: below it every callback would run
#: out of gas, and every chunk would need a ``recordChunkProof``.
ROLLUP_MIN_CONSUMER_GAS_LIMIT = 60_000


def require_rollup_consumer_gas_limit(gas_limit: int) -> None:
    """Raise ``UserInputError`` if ``gas_limit`` is below :data:`ROLLUP_MIN_CONSUMER_GAS_LIMIT`."""
    if gas_limit < ROLLUP_MIN_CONSUMER_GAS_LIMIT:
        raise UserInputError(
            f"a consumer gas limit of {gas_limit:,} is too low for the rollup's callback: "
            f"give at least {ROLLUP_MIN_CONSUMER_GAS_LIMIT:,} (default {ROLLUP_CONSUMER_GAS_LIMIT:,})"
        )


def deploy_rollup(
    web3: Web3,
    sender: LocalAccount,
    market_address: str,
    verifier_address: str,
    rescue_reward_wei: int = 0,
    hasher_address: str | None = None,
    consumer_gas_limit: int | None = ROLLUP_CONSUMER_GAS_LIMIT,
) -> RollupClient:
    """Deploy a ``ReferenceRollup`` on the market at ``market_address`` whose chunks are checked
    by ``verifier_address`` (the market's verifier), with the ``PoseidonHasher`` at
    ``hasher_address`` (stateless, so rollups may share one), or a new one.

    Unless ``consumer_gas_limit`` is None, the rollup then becomes the market's consumer with that
    gas limit (``sender`` must be the market's owner), so proofs are recorded as they land;
    without it, each proven chunk needs a ``recordChunkProof`` before its round can finalize.
    """
    if consumer_gas_limit is not None:
        require_rollup_consumer_gas_limit(consumer_gas_limit)
    hasher = bind_contract(web3, POSEIDON_HASHER_CONTRACT, hasher_address) if hasher_address else deploy_poseidon_hasher(web3, sender)
    contract = deploy_contract(
        web3,
        ROLLUP_CONTRACT,
        sender,
        to_checksum_address(market_address),
        to_checksum_address(verifier_address),
        hasher.address,
        rescue_reward_wei,
    )
    if consumer_gas_limit is not None:
        market = ProofMarketClient.at(web3, market_address)
        market.update_config(sender, market.config().replace(consumer=contract.address, consumer_gas_limit=consumer_gas_limit))
    return RollupClient(web3, contract.address)


class RollupClient(ContractClient):
    """A deployed ``ReferenceRollup``: typed transactions and views."""

    def __init__(self, web3: Web3, address: str):
        contract = bind_contract(web3, ROLLUP_CONTRACT, address)
        super().__init__(
            web3, contract, [artifact(POSEIDON_HASHER_CONTRACT).abi, artifact(ROLLUP_VERIFIER_CONTRACT).abi]
        )

    # ------------------------------------------------------------------ transactions

    def deposit(self, sender: LocalAccount, recipient: str, amount: int) -> dict:
        """Escrow ``amount`` wei for ``recipient`` on L2 (appended to the deposit queue)."""
        return self._transact(sender, "deposit", to_checksum_address(recipient), value=amount)

    def confirm_chunk(
        self,
        sender: LocalAccount,
        round_id: int,
        chunk_index: int,
        refunds: Sequence[Refund | tuple],
        transfers: Sequence[Transfer],
    ) -> dict:
        """Show that the chunk's transfers are its bids' transactions, each signed by its sender."""
        return self._transact(
            sender,
            "confirmChunk",
            round_id,
            chunk_index,
            [_refund_abi(entry) for entry in refunds],
            [_transfer_abi(transfer) for transfer in transfers],
        )

    def prove_missed_chunk(
        self, sender: LocalAccount, round_id: int, chunk_index: int, statement_data: bytes, proof: bytes
    ) -> dict:
        """Prove a slashed chunk, for the rescue reward; the proof must bind ``sender`` as prover."""
        return self._transact(sender, "proveMissedChunk", round_id, chunk_index, bytes(statement_data), bytes(proof))

    def record_chunk_proof(
        self, sender: LocalAccount, round_id: int, chunk_index: int, statement_data: bytes, proof: bytes
    ) -> dict:
        """Record the proof of a chunk the market proved but whose callback recorded nothing
        (``proof``: accepted by the rollup's verifier for the market's statement)."""
        return self._transact(sender, "recordChunkProof", round_id, chunk_index, bytes(statement_data), bytes(proof))

    def finalize(
        self,
        sender: LocalAccount,
        round_id: int,
        roots: Sequence[int],
        accounts_root: int,
        account_count: int,
        deposit_chain: int,
    ) -> dict:
        """Finalize ``round_id``: ``roots[k]`` / ``roots[k + 1]`` are chunk k's pre- / post-state roots,
        the last root opens to ``(accounts_root, account_count, deposit_chain)``."""
        return self._transact(sender, "finalize", round_id, list(roots), accounts_root, account_count, deposit_chain)

    def withdraw(
        self, sender: LocalAccount, round_id: int, balance: int, nonce: int, index: int, siblings: Sequence[int]
    ) -> dict:
        """Withdraw what ``sender``'s exit account holds in finalized ``round_id``'s accounts tree,
        less what it withdrew already."""
        if len(siblings) != DEPTH:
            raise UserInputError(f"a withdrawal needs {DEPTH} siblings, got {len(siblings)}")
        return self._transact(sender, "withdraw", round_id, balance, nonce, index, list(siblings))

    def withdraw_with_proof(self, sender: LocalAccount, round_id: int, balance: int, nonce: int, proof: MerkleProof) -> dict:
        """:meth:`withdraw` with a :class:`~proofmarket.rollup.state.MerkleProof` of the exit account."""
        return self.withdraw(sender, round_id, balance, nonce, proof.index, proof.siblings)

    def fund_rescue_rewards(self, sender: LocalAccount, amount: int) -> dict:
        """Add ``amount`` wei to the rescue reward pool."""
        return self._transact(sender, "fundRescueRewards", value=amount)

    def claim_rescue_reward(self, sender: LocalAccount) -> dict:
        """Collect ``sender``'s credited rescue rewards."""
        return self._transact(sender, "claimRescueReward")

    # ------------------------------------------------------------------ views

    def _view(self, function: str, *arguments: Any) -> Any:
        return self._call(getattr(self.contract.functions, function)(*arguments))

    def state_root(self) -> int:
        return self._view("stateRoot")

    def empty_state_root(self) -> int:
        return self._view("emptyStateRoot")

    def last_finalized_round(self) -> int | None:
        """The last finalized round, or None before any."""
        any_finalized, round_id = self._view("lastFinalizedRound")
        return round_id if any_finalized else None

    def finalized_accounts_root(self, round_id: int) -> int:
        """The accounts root of a finalized round (``RootNotFinalized`` otherwise)."""
        return self._view("finalizedAccountsRoot", round_id)

    def finalized_deposit_position(self) -> int:
        return self._view("finalizedDepositPosition")

    def deposit_count(self) -> int:
        return self._view("depositCount")

    def deposit_recipient_count(self) -> int:
        """How many distinct addresses have deposits (at most ``MAX_DEPOSIT_RECIPIENTS``)."""
        return self._view("depositRecipientCount")

    def deposit_chain_at(self, position: int) -> int:
        """The deposit chain after the deposit at ``position`` (0 for position 0)."""
        return self._view("depositAt", position)[2]

    def deposits(self, start_position: int, end_position: int) -> list[Deposit]:
        """The queued deposits at positions ``start_position`` to ``end_position`` (1-based, inclusive)."""
        if not 1 <= start_position <= end_position + 1 or end_position > self.deposit_count():
            raise UserInputError(
                f"deposit positions {start_position}..{end_position} are not within the queue 1..{self.deposit_count()}"
            )
        queued = []
        for position in range(start_position, end_position + 1):
            recipient, amount, _chain = self._view("depositAt", position)
            queued.append(Deposit(int(recipient, 16), amount))
        return queued

    def position_of_chain(self, deposit_chain: int) -> int:
        return self._view("positionOfChain", deposit_chain)

    def exit_address(self, user: str) -> str:
        return self._view("exitAddressOf", to_checksum_address(user))

    def is_chunk_confirmed(self, round_id: int, chunk_index: int) -> bool:
        return self._view("isChunkConfirmed", round_id, chunk_index)

    def verifier(self) -> str:
        """The rollup's own verifier (immutable): the only one whose proofs it records."""
        return self._view("verifier")

    def is_chunk_proof_recorded(self, round_id: int, chunk_index: int) -> bool:
        return self._view("isChunkProofRecorded", round_id, chunk_index)

    def is_chunk_rescued(self, round_id: int, chunk_index: int) -> bool:
        return self._view("isChunkRescued", round_id, chunk_index)

    def withdrawn(self, user: str) -> int:
        return self._view("withdrawnOf", to_checksum_address(user))

    def rescue_reward_of(self, rescuer: str) -> int:
        return self._view("rescueRewardOf", to_checksum_address(rescuer))

    def rescue_reward_pool(self) -> int:
        return self._view("rescueRewardPool")

    def rescue_reward(self) -> int:
        return self._view("rescueReward")

    def totals(self) -> tuple[int, int, int]:
        """``(deposited, withdrawn, rewards owed)``."""
        return tuple(self._view("totals"))

    def ether_balance(self) -> int:
        """The ETH the rollup contract holds."""
        return self.web3.eth.get_balance(self.address)

    def is_solvent(self) -> bool:
        """The contract holds at least the deposits not withdrawn, the reward pool and the rewards owed."""
        deposited, withdrawn, owed = self.totals()
        return self.ether_balance() >= deposited - withdrawn + self.rescue_reward_pool() + owed
