"""One prover's agent.

Each ``step``: make sure the prover is registered with enough collateral; post a signed ask for
the open round (once per round); fetch its assigned chunks from the clearinghouse, check each
chunk against the chain (the commitment the contract stores must be the one its transactions
hash to, so a clearinghouse cannot make it prove something else), prove it, and submit the proof
before the deadline. A chunk whose recorded commitment is not the one its settled transactions
give can never be proven: the agent disputes it on-chain (``disputeCommitment``), which releases
its collateral unslashed and refunds the chunk's users. ``silent`` provers post asks but never prove (to exercise slashing).

Rules:

- Proving comes first: failing to register, top up or ask never stops the agent from proving
  the chunks it was assigned (an unproven chunk is slashed), and one chunk failing never stops
  the others.
- Each ask carries a fresh nonce (milliseconds since the epoch, increasing), so an agent
  restarted within a round posts an ask that replaces its earlier one: the clearinghouse counts
  a prover's latest ask in a round.
- The agent acts only for the capacity it was registered with: another ``capacity`` is refused
  (:class:`CapacityMismatch`), never acted on (it would top the collateral up to the wrong sum).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Protocol, Sequence

from eth_account.signers.local import LocalAccount

from proofmarket.chain import typed_data
from proofmarket.chain.market import ChunkStatement, statement_data_hash
from proofmarket.chain.typed_data import AskMessage, Domain
from proofmarket.exceptions import ProofMarketError, UserInputError
from proofmarket.logs import event

log = logging.getLogger(__name__)


class AgentError(ProofMarketError):
    """The prover agent could not carry out a step."""


class CapacityMismatch(AgentError, UserInputError):
    """The agent was given a capacity other than the one its prover is registered with."""

    def __init__(self, prover: str, registered: int, given: int):
        self.prover, self.registered, self.given = prover, registered, given
        super().__init__(
            f"prover {prover} is registered with capacity {registered}, not {given}: run the agent with "
            f"--capacity {registered} (a registered capacity changes only on-chain, with setCapacity)"
        )


class ProverMarket(Protocol):
    """What the agent needs from the chain (``chain_adapter.ProverMarketAdapter`` is the real one)."""

    def block_number(self) -> int: ...

    def open_round(self) -> int: ...

    def prover_status(self, prover: str): ...

    def collateral_wei_per_constraint(self) -> int: ...

    def register_prover(self, prover: LocalAccount, capacity: int, collateral_wei: int) -> None: ...

    def add_collateral(self, prover: LocalAccount, amount_wei: int) -> None: ...

    def chunk_on_chain(self, round_id: int, chunk_index: int) -> tuple[ChunkStatement, str]:
        """(statement, state) of a settled chunk."""
        ...

    def settled_transactions(self, round_id: int, chunk_index: int) -> list[bytes]:
        """The chunk's ``txHash``es as the settlement transaction's calldata holds them."""
        ...

    def submit_proof(
        self, prover: LocalAccount, round_id: int, chunk_index: int, proof: bytes, statement_data: bytes
    ) -> int:
        """Send the proof with the chunk's statement data; returns the gas used."""
        ...

    def dispute_commitment(self, prover: LocalAccount, round_id: int, chunk_index: int) -> int:
        """Show on-chain that the chunk's recorded commitment is not its transactions'; returns
        the gas used."""
        ...


class ClearinghouseApi(Protocol):
    def post_ask(self, ask: dict) -> dict: ...

    def assignments(self, prover: str, state: str | None = None) -> list[dict]: ...


@dataclass
class ProvedChunk:
    round_id: int
    chunk_index: int
    transactions: int
    proving_seconds: float
    gas_used: int


@dataclass
class ProverAgent:
    account: LocalAccount
    capacity: int
    unit_cost_wei: int
    market: ProverMarket
    api: ClearinghouseApi
    domain: Domain
    #: Proves the chunk's transactions for its statement (which the proof must bind), given what
    #: the clearinghouse's sequencer says of the chunk (the assignment's ``sequence``: a rollup
    #: chunk's pre-state and operations; None without a sequencer).
    prove: Callable[[Sequence[bytes], ChunkStatement, Mapping | None], bytes]
    commitment: Callable[[Sequence[bytes]], bytes]
    silent: bool = False
    asked_rounds: set[int] = field(default_factory=set)
    proved: list[ProvedChunk] = field(default_factory=list)
    clock: Callable[[], float] = time.time
    #: Set once the prover's exit is seen on-chain: from then on the agent neither asks nor
    #: registers again (it still proves what it was assigned).
    leaving: bool = False
    _last_nonce: int = field(default=0, repr=False)

    @property
    def address(self) -> str:
        return self.account.address

    def check_registration(self):
        """The prover's on-chain state; raises :class:`CapacityMismatch` if it is registered
        with another capacity than the agent's."""
        status = self.market.prover_status(self.address)
        if status.registered and status.capacity != self.capacity:
            raise CapacityMismatch(self.address, status.capacity, self.capacity)
        return status

    def ensure_registered(self) -> None:
        """Register with collateral κ·capacity if not registered; else top the free collateral
        back up to κ·capacity (after a slash, or while earlier chunks keep some locked), since
        the clearinghouse admits only asks whose capacity is fully backed. Raises
        :class:`CapacityMismatch` (doing nothing) if registered with another capacity.

        A prover that requested its exit is left alone: the agent stops asking and, once the
        collateral is withdrawn, never registers it again (:attr:`leaving`)."""
        status = self.check_registration()
        if status.registered and status.exit_available_at:
            if not self.leaving:
                event(
                    log, f"prover {self.address} is exiting: no more asks; assigned chunks are still proven",
                    logging.WARNING, prover=self.address, exit_available_at=status.exit_available_at,
                )
            self.leaving = True
            return
        if self.leaving:
            return  # exited and withdrawn: registering again is the user's decision, not the agent's
        required = self.market.collateral_wei_per_constraint() * self.capacity
        if not status.registered:
            self.market.register_prover(self.account, self.capacity, required)
            event(
                log, f"prover {self.address} registered", prover=self.address, capacity=self.capacity,
                collateral_wei=required,
            )
            return
        if status.free_collateral < required:
            self.market.add_collateral(self.account, required - status.free_collateral)
            event(
                log, f"prover {self.address} collateral topped up", prover=self.address,
                added_wei=required - status.free_collateral, collateral_wei=required,
            )

    def next_nonce(self) -> int:
        """A nonce above every earlier one of this prover's: milliseconds since the epoch (so
        above those of an earlier run of the agent too), strictly increasing within this one."""
        self._last_nonce = max(int(self.clock() * 1000), self._last_nonce + 1)
        return self._last_nonce

    def post_ask(self, round_id: int) -> str | None:
        """Sign and post this round's ask, once per round; returns its digest. Its nonce is
        fresh, so it replaces an ask posted for the round before a restart."""
        if round_id in self.asked_rounds:
            return None
        nonce = self.next_nonce()
        message = AskMessage(prover=self.address, unit_cost=self.unit_cost_wei, round=round_id, nonce=nonce)
        signature = typed_data.sign_ask(self.account, self.domain, message)
        answer = self.api.post_ask(
            {
                "prover": self.address,
                "unit_cost": str(self.unit_cost_wei),
                "round": round_id,
                "nonce": nonce,
                "signature": "0x" + signature.hex(),
            }
        )
        self.asked_rounds.add(round_id)
        event(
            log, f"prover {self.address} asked in round {round_id}", prover=self.address, round=round_id,
            unit_cost_gwei=self.unit_cost_wei / 10**9, capacity=self.capacity, digest=answer["digest"],
        )
        return answer["digest"]

    def prove_assignments(self) -> list[ProvedChunk]:
        """Prove and submit every assigned chunk still open on-chain; returns what was proven.

        A chunk that fails (its check, proving, or the submission) is logged and left for the
        next pass; the others are proven all the same."""
        if self.silent:
            return []
        done = []
        for chunk in self.api.assignments(self.address, state="assigned"):
            try:
                proved = self.prove_chunk(chunk)
            except Exception as error:  # noqa: BLE001 - the other chunks must still be proven
                log.error("prover %s: chunk %s/%s not proven this pass: %s", self.address, chunk["round"], chunk["chunk"], error)
                continue
            if proved is not None:
                done.append(proved)
        return done

    def prove_chunk(self, chunk: dict) -> ProvedChunk | None:
        """Check one assignment (``{"round", "chunk", "tx_hashes"}``, and ``"statement_data"``
        if the chunk has any, as the API lists it) against the chain, prove and submit it. None if
        it is no longer open on-chain, or if its recorded commitment is not its transactions'
        (then it is disputed instead)."""
        round_id, index = chunk["round"], chunk["chunk"]
        statement, state = self.market.chunk_on_chain(round_id, index)
        if state != "assigned":
            return None
        if statement.prover.lower() != self.address.lower():
            raise AgentError(f"chunk {round_id}/{index} is assigned to {statement.prover} on-chain, not to {self.address}")
        statement_data = bytes.fromhex(chunk.get("statement_data", "0x")[2:])
        if statement_data_hash(statement_data) != statement.data_hash:
            raise AgentError(f"chunk {round_id}/{index}: the clearinghouse's statement data does not hash to the on-chain one")
        commitment = statement.commitment
        tx_hashes = [bytes.fromhex(h[2:]) for h in chunk["tx_hashes"]]
        if self.commitment(tx_hashes) != commitment:
            # The settlement's calldata is the authority on the chunk's transactions, not the API.
            tx_hashes = self.market.settled_transactions(round_id, index)
            if self.commitment(tx_hashes) != commitment:
                self._dispute(round_id, index)
                return None
        started = time.perf_counter()
        proof = self.prove(tx_hashes, statement, chunk.get("sequence"))
        seconds = time.perf_counter() - started
        gas_used = self.market.submit_proof(self.account, round_id, index, proof, statement_data)
        proved = ProvedChunk(round_id, index, len(tx_hashes), seconds, gas_used)
        event(
            log, f"prover {self.address} proved round {round_id} chunk {index}", prover=self.address, round=round_id,
            chunk=index, transactions=len(tx_hashes), proving_seconds=round(seconds, 3), gas_used=gas_used,
        )
        self.proved.append(proved)
        return proved

    def _dispute(self, round_id: int, index: int) -> None:
        """The recorded commitment is not the chunk's: no proof can open it, so show it on-chain
        (the collateral is released, the users refunded) instead of waiting to be slashed."""
        gas_used = self.market.dispute_commitment(self.account, round_id, index)
        event(
            log, f"prover {self.address} disputed round {round_id} chunk {index}: its recorded commitment is not "
            "its transactions'", logging.WARNING, prover=self.address, round=round_id, chunk=index, gas_used=gas_used,
        )

    def step(self) -> list[ProvedChunk]:
        """One pass: registered, asked for the open round, assignments proven. A failure to
        register or ask is logged (and retried next pass); the assignments are proven anyway."""
        try:
            self.ensure_registered()
            if not self.leaving:
                self.post_ask(self.market.open_round())
        except Exception as error:  # noqa: BLE001 - the ask can wait; assigned chunks cannot
            log.warning("prover %s: no ask this pass: %s", self.address, error)
        proved = self.prove_assignments()
        event(log, f"prover {self.address} pass done", logging.DEBUG, prover=self.address, proved=len(proved))
        return proved
