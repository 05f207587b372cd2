"""The real :class:`~proofmarket.clearinghouse.ports.MarketPort`: the deployed ``ProofMarket``.

Transactions the clearinghouse must not lose track of (settlements, slashes) are *signed* here
and *broadcast* separately, so the service can store the signed bytes in its database in
between. A broadcast that finds the transaction already known is not an error; one that finds
its nonce taken by another transaction raises :class:`StaleTransaction`, and the service signs
the step again (the contract refuses a second settlement of a round, so this is always safe).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Sequence

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import HTTPProvider
from web3.exceptions import TimeExhausted, TransactionNotFound

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import ChunkStatus, IncludedBid, ChunkAssignment, ProofMarketClient, Refund
from proofmarket.chain.transactions import prepare_transaction
from proofmarket.chain.typed_data import BidMessage
from proofmarket.exceptions import ChainError

from .ports import (
    MarketParameters,
    PostedBid,
    ProverStatus,
    Receipt,
    Settlement,
    SignedTransaction,
    StaleTransaction,
    TransactionRejected,
)

log = logging.getLogger(__name__)

#: How long to look for a transaction's own receipt when the node says its nonce is used.
NONCE_TAKEN_GRACE_SECONDS = 3.0


def _is_nonce_taken(message: str) -> bool:
    message = message.lower()
    return any(
        phrase in message
        for phrase in ("nonce too low", "nonce is too low", "invalid transaction nonce", "replacement transaction underpriced")
    )


#: ``balanceOf(address)``'s selector (keccak256 of the signature, first four bytes).
BALANCE_OF_SELECTOR = "70a08231"


class MarketAdapter:
    """Reads the market for the clearinghouse and signs its transactions with its key."""

    def __init__(self, client: ProofMarketClient, account: LocalAccount):
        self.client = client
        self.web3 = client.web3
        self.account = account

    # -- reads ------------------------------------------------------------------------------

    def parameters(self) -> MarketParameters:
        config = self.client.config()
        return MarketParameters(
            chain_id=self.web3.eth.chain_id,
            market_address=self.client.address,
            capacity=config.capacity_per_round,
            reserve_wei_per_constraint=config.reserve_per_constraint,
            collateral_wei_per_constraint=config.collateral_per_constraint,
            surplus_policy=config.surplus_policy.name.lower(),
            genesis_block=config.genesis_block,
            round_length_blocks=config.round_length_blocks,
            proving_window_blocks=config.proving_window_blocks,
            settlement_window_blocks=config.settlement_window_blocks,
            max_bids_per_chunk=config.max_bids_per_chunk,
        )

    def block_number(self) -> int:
        return self.web3.eth.block_number

    def escrow_of(self, user: str) -> int:
        """``balanceOf(user)`` as one raw ``eth_call``: intake's hottest read (each API process
        reads every active user's escrow once a second), and web3's contract-call machinery
        (ABI handling, formatters, validation) costs milliseconds of CPU a call, which profiling
        showed as a third of an API process's time under load."""
        address = to_checksum_address(user)
        if not isinstance(self.web3.provider, HTTPProvider):  # the embedded devnet: the ordinary call
            return self.client.balance_of(address)
        data = "0x" + BALANCE_OF_SELECTOR + "00" * 12 + address[2:].lower()
        call = {"to": self.client.address, "data": data}
        response = self.web3.provider.make_request("eth_call", [call, "latest"])
        result = response.get("result") if isinstance(response, Mapping) else None
        if result is None:
            raise ChainError(f"balanceOf({address}) failed: {response.get('error') if isinstance(response, Mapping) else response}")
        return int(result if isinstance(result, str) else "0x" + bytes(result).hex(), 16)

    def prover_status(self, prover: str) -> ProverStatus:
        state = self.client.prover(to_checksum_address(prover))
        return ProverStatus(
            registered=state.registered,
            exiting=state.exiting,
            # A pending decrease may already be in force for the round being cleared: plan with
            # the lower of the two capacities, which every round can take.
            capacity=state.lowest_capacity,
            collateral_wei=state.collateral,
            locked_collateral_wei=state.locked,
        )

    def is_round_settled(self, round_id: int) -> bool:
        return self.client.round(round_id).settled

    def round_deadline(self, round_id: int) -> int:
        return self.client.round(round_id).deadline

    def chunk_state(self, round_id: int, chunk_index: int) -> str:
        status = self.client.chunk(round_id, chunk_index).status
        if status is ChunkStatus.NONE:
            raise ChainError(f"round {round_id} has no chunk {chunk_index} on-chain")
        return status.state_name

    def proof_transaction(self, round_id: int, chunk_index: int, from_block: int) -> str | None:
        """The hash of the transaction that emitted the chunk's ``ChunkProven`` event, if any."""
        events = self.client.contract.events.ChunkProven.get_logs(
            from_block=from_block, argument_filters={"roundId": round_id, "chunkIndex": chunk_index}
        )
        return _hex_of(events[0]["transactionHash"]) if events else None

    def posted_bids(self, from_block: int, to_block: int) -> Sequence[PostedBid]:
        """The ``BidPosted`` events in ``[from_block, to_block]``, decoded one by one.

        web3 hands each event's structs over as ``AttributeDict`` mappings (or tuples, by
        version): both are read by field name. A log that cannot be decoded into a bid is logged
        and skipped: one odd event must never stop the round loop from reading the others.
        """
        event = self.client.contract.events.BidPosted()
        logs = self.web3.eth.get_logs(
            {"address": self.client.address, "fromBlock": from_block, "toBlock": to_block, "topics": [event.topic]}
        )
        posted = []
        for raw in logs:
            try:
                posted.append(_posted_bid(event.process_log(raw)))
            except Exception as error:  # noqa: BLE001 - whatever the log holds, skip it, say why
                where = f"block {raw.get('blockNumber')}, transaction {_hex_of(raw.get('transactionHash'))}"
                log.warning("BidPosted event skipped (%s): cannot decode it: %s", where, error)
        return posted

    # -- signed transactions ----------------------------------------------------------------

    def _sign(self, function: str, *arguments: Any) -> SignedTransaction:
        """Sign a call of the market; raises :class:`TransactionRejected` if it would revert."""
        try:
            transaction = prepare_transaction(
                self.web3,
                self.account,
                {"to": self.client.address, "data": self.client.contract.encode_abi(function, args=list(arguments)), "value": 0},
                self.client.errors,
            )
        except ContractRevert as revert:
            raise TransactionRejected(str(revert)) from revert
        signed = self.account.sign_transaction(transaction)
        return SignedTransaction("0x" + bytes(signed.hash).hex(), "0x" + bytes(signed.raw_transaction).hex(), transaction["nonce"])

    def sign_settlement(self, settlement: Settlement) -> SignedTransaction:
        # The contract refuses a chunk over maxBidsPerChunk (its slash might not fit in a block):
        # say so before asking the node (the mechanism clears within it: RoundConfig.max_bids_per_chunk).
        limit = self.client.config().max_bids_per_chunk
        for index, chunk in enumerate(settlement.chunks):
            if chunk.bid_count > limit:
                raise TransactionRejected(
                    f"TooManyBidsInChunk(chunkIndex={index}, bidCount={chunk.bid_count}, maxBidsPerChunk={limit})"
                )
        bids = [IncludedBid(bid=b.message, signature=b.signature, charge=b.charge_wei).to_abi() for b in settlement.bids]
        chunks = [
            ChunkAssignment(
                ask=c.ask, ask_signature=c.ask_signature, bid_count=c.bid_count, payment=c.payment_wei,
                commitment=c.commitment, statement_data=c.statement_data,
            ).to_abi()
            for c in settlement.chunks
        ]
        return self._sign(
            "settleRound",
            settlement.round_id,
            settlement.input_hash,
            settlement.price_numerator,
            settlement.price_denominator,
            bids,
            chunks,
        )

    def sign_slash(
        self, round_id: int, chunk_index: int, refunds: Sequence[tuple[str, int, bytes]]
    ) -> SignedTransaction:
        entries = [Refund(user=user, charge=charge, tx_hash=tx_hash).to_abi() for user, charge, tx_hash in refunds]
        return self._sign("slash", round_id, chunk_index, entries)

    def broadcast(self, signed: SignedTransaction) -> None:
        """Send a signed transaction; already known to the node (pending or mined) is success.

        Raises :class:`StaleTransaction` if the node has not got it and its nonce is taken.
        """
        try:
            self.web3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception as error:  # noqa: BLE001 - nodes word these errors differently
            if self._node_knows(signed.transaction_hash):
                return
            if _is_nonce_taken(str(error)):
                # A node can say the nonce is used before it serves the transaction that used it
                # (anvil mines asynchronously): look for a moment before calling it stale.
                if self.wait_for_receipt(signed.transaction_hash, NONCE_TAKEN_GRACE_SECONDS) is not None:
                    return
                raise StaleTransaction(signed.transaction_hash, str(error)) from error
            raise

    def _node_knows(self, transaction_hash: str) -> bool:
        try:
            return self.web3.eth.get_transaction(transaction_hash) is not None
        except TransactionNotFound:
            return False

    def settlement_transaction(self, round_id: int) -> str:
        return self.client.settlement_transaction(round_id)

    def wait_for_receipt(self, transaction_hash: str, timeout_seconds: float) -> Receipt | None:
        """The receipt once the transaction is mined, or None if it is not within the timeout."""
        try:
            self.web3.eth.wait_for_transaction_receipt(transaction_hash, timeout=timeout_seconds, poll_latency=0.05)
        except TimeExhausted:
            return None
        return self.receipt(transaction_hash)

    def receipt(self, transaction_hash: str) -> Receipt | None:
        try:
            receipt = self.web3.eth.get_transaction_receipt(transaction_hash)
        except TransactionNotFound:
            return None
        if receipt is None:
            return None
        return Receipt(
            transaction_hash=transaction_hash,
            succeeded=receipt["status"] == 1,
            block_number=receipt["blockNumber"],
            gas_used=receipt["gasUsed"],
        )


BID_FIELDS = ("user", "txHash", "constraints", "maxFee", "round", "nonce")
SIGNATURE_FIELDS = ("r", "vs")


def _as_tuple(value: Any, fields: Sequence[str] | None = None) -> tuple:
    """A decoded ABI struct as a tuple in declaration order.

    web3 returns structs as tuples or as mappings (``AttributeDict`` is a ``Mapping``, not a
    ``dict``); a mapping is read by ``fields`` when given, else in its own order."""
    if isinstance(value, Mapping):
        return tuple(value[name] for name in fields) if fields else tuple(value.values())
    return tuple(value)


def _hex_of(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def _posted_bid(event: Any) -> PostedBid:
    """One decoded ``BidPosted`` event as a :class:`PostedBid`."""
    user, tx_hash, constraints, max_fee, round_id, nonce = _as_tuple(event["args"]["bid"], BID_FIELDS)
    signature_r, signature_vs = _as_tuple(event["args"]["signature"], SIGNATURE_FIELDS)
    message = BidMessage(
        user=to_checksum_address(user),
        tx_hash=bytes(tx_hash),
        constraints=int(constraints),
        max_fee=int(max_fee),
        round=int(round_id),
        nonce=int(nonce),
    )
    return PostedBid(
        message, bytes(signature_r) + bytes(signature_vs), int(event["blockNumber"]), _hex_of(event.get("transactionHash"))
    )


def settled_round_from_chain(client: ProofMarketClient, round_id: int):
    """The settlement of ``round_id`` as the chain recorded it, for ``verify-round``.

    The round's input hash and price come from the contract's storage; the included bids (by
    EIP-712 digest, with their charges) and the chunks from the calldata of the transaction that
    settled it.
    """
    from proofmarket.chain.typed_data import AskMessage, ask_digest, bid_digest

    from .verify import SettledChunk, SettledRound

    state = client.round(round_id)
    if not state.settled:
        raise ChainError(f"round {round_id} is not settled on-chain")
    transaction = client.web3.eth.get_transaction(client.settlement_transaction(round_id))
    function, arguments = client.contract.decode_function_input(transaction["input"])
    if function.fn_name != "settleRound":
        raise ChainError(f"round {round_id} was not settled by a direct settleRound call")
    charges = []
    for included in arguments["bids"]:
        bid, _signature, charge = _as_tuple(included)
        user, tx_hash, constraints, max_fee, bid_round, nonce = _as_tuple(bid)
        message = BidMessage(
            user=to_checksum_address(user), tx_hash=bytes(tx_hash), constraints=constraints,
            max_fee=max_fee, round=bid_round, nonce=nonce,
        )
        charges.append(("0x" + bid_digest(client.domain, message).hex(), charge))
    chunks, cursor = [], 0
    for assignment in arguments["chunks"]:
        ask, _signature, bid_count, payment, _commitment, _statement_data = _as_tuple(assignment)
        prover, unit_cost, ask_round, nonce = _as_tuple(ask)
        message = AskMessage(prover=to_checksum_address(prover), unit_cost=unit_cost, round=ask_round, nonce=nonce)
        chunks.append(
            SettledChunk(
                ask_digest="0x" + ask_digest(client.domain, message).hex(),
                prover=message.prover,
                bid_digests=tuple(digest for digest, _ in charges[cursor : cursor + bid_count]),
                payment_wei=payment,
            )
        )
        cursor += bid_count
    return SettledRound(
        round_id=round_id,
        input_hash=bytes(state.input_hash),
        price_numerator=state.price_num,
        price_denominator=state.price_den,
        charges_wei=tuple(charges),
        chunks=tuple(chunks),
    )
