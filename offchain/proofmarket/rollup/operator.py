"""The rollup's operator: carries the market's settled rounds to finalized state roots on L1.

Each :meth:`RollupOperator.step`, for the sequenced rounds after the last finalized one, in
round order:

1. **confirm** every chunk on the rollup contract (``confirmChunk``: each transfer's sender is the
   signer of the bid that carries it), once the round is settled;
2. **rescue** a chunk the market slashed (its prover missed the deadline): the operator proves it
   itself and sends the proof to ``proveMissedChunk`` for the rescue reward. This is the
   missed-deadline rule of docs/rollup.md: anyone may do it, the operator is simply the first
   to have the chunk's data;
3. **record** the proof of a chunk the market proved but whose callback recorded nothing (the
   callback was off or short of gas, or the market's verifier was not the rollup's): the
   operator proves the chunk for the market's statement and sends it to ``recordChunkProof``;
4. **finalize** the round (``finalize``) once every chunk has a recorded proof or is rescued,
   with the chunks' roots and the opening of the round's final state.

A round still being proven stops the walk (rounds finalize in order). Every action is read back
from the chain first, so a step after a crash or a restart redoes only what is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak

from proofmarket.chain.market import ChunkStatus, ProofMarketClient
from proofmarket.logs import event
from proofmarket.rollup.prover import prove_rollup_chunk
from proofmarket.rollup.sequencing import SequencedRound, operation_from_json, replay, round_from_json, state_from_json
from proofmarket.rollup.state import RollupState, Transfer
from proofmarket.rollup.verifier import MarketChunkStatement

log = logging.getLogger(__name__)


@dataclass
class RollupOperator:
    """Confirms, rescues, records and finalizes the sequenced rounds (see the module doc)."""

    rollup: object  # proofmarket.rollup.contract.RollupClient
    market: ProofMarketClient
    account: LocalAccount
    #: The sequence documents of the settled rounds, in round order (the clearinghouse's).
    sequences: Callable[[], Sequence[Mapping]]
    #: Whether to prove slashed chunks (the rescue); off, a slashed chunk waits for someone else.
    rescue: bool = True
    #: Rounds finalized by this operator, in order (for the demo's report).
    finalized: list[int] = field(default_factory=list)
    rescued: list[tuple[int, int]] = field(default_factory=list)
    #: How many of the documents (a prefix) are finalized, the round of the last of them, and the
    #: state after them: each step replays only the documents after that prefix.
    _finalized_prefix: tuple[int, int | None, RollupState] = field(default_factory=lambda: (0, None, RollupState()), repr=False)

    def step(self) -> list[int]:
        """One pass; returns the rounds finalized in it."""
        last = self.rollup.last_finalized_round()
        documents = self.sequences()
        start, prefix_round, state = self._finalized_prefix
        if start > len(documents) or (start and documents[start - 1]["round"] != prefix_round):
            start, state = 0, RollupState()  # another list of documents: replay from the start
        done = []
        for position in range(start, len(documents)):
            document = documents[position]
            sequenced = round_from_json(document)
            end = replay([sequenced], state)
            if last is not None and sequenced.round_id <= last:
                state = end
                self._finalized_prefix = (position + 1, sequenced.round_id, end)
                continue
            if not self._ready(document, sequenced):
                break
            roots = [sequenced.chunks[0].pre_root, *(chunk.post_root for chunk in sequenced.chunks)]
            self.rollup.finalize(self.account, sequenced.round_id, roots, end.accounts_root, end.account_count, end.deposit_chain)
            event(
                log, f"rollup round {sequenced.round_id} finalized", round=sequenced.round_id, state_root=str(end.root),
                chunks=len(sequenced.chunks), deposits=sequenced.deposits,
            )
            self.finalized.append(sequenced.round_id)
            done.append(sequenced.round_id)
            state = end
        return done

    def _ready(self, document: Mapping, sequenced: SequencedRound) -> bool:
        """Confirm, rescue and record what the round needs; True once every chunk has a recorded
        proof or is rescued."""
        round_id = sequenced.round_id
        ready = True
        refunds = None
        for index, chunk in enumerate(sequenced.chunks):
            status = self.market.chunk(round_id, index).status
            if status == ChunkStatus.NONE:
                return False  # not settled yet
            if not self.rollup.is_chunk_confirmed(round_id, index):
                refunds = refunds or self.market.refunds_from_settlement(round_id)
                transfers = [op for op in chunk.operations if isinstance(op, Transfer)]
                self.rollup.confirm_chunk(self.account, round_id, index, refunds[index], transfers)
            if status == ChunkStatus.SLASHED and not self.rollup.is_chunk_rescued(round_id, index):
                if not self.rescue:
                    ready = False
                    continue
                self._rescue(round_id, index, document["chunks"][index])
            elif status == ChunkStatus.PROVEN and not self.rollup.is_chunk_proof_recorded(round_id, index):
                ready = self._record(round_id, index, document["chunks"][index]) and ready
            elif status in (ChunkStatus.PENDING, ChunkStatus.DISPUTED):
                ready = False
        return ready

    def _rescue(self, round_id: int, index: int, chunk: Mapping) -> None:
        """Prove a slashed chunk with this operator as the statement's prover, and send it."""
        proof = self._prove(round_id, index, chunk, self.market.chunk(round_id, index), self.account.address)
        self.rollup.prove_missed_chunk(self.account, round_id, index, _statement_data(chunk), proof.encoded)
        self.rescued.append((round_id, index))
        event(
            log, f"rollup round {round_id} chunk {index} rescued: its prover missed the deadline", logging.WARNING,
            round=round_id, chunk=index, rescuer=self.account.address, proving_seconds=round(proof.wall_seconds, 2),
        )

    def _record(self, round_id: int, index: int, chunk: Mapping) -> bool:
        """Prove a chunk the market proved for its statement (the assigned prover's binding) and
        have the rollup record it: its callback did not. False, without proving, if the sequence's
        statement data is not the chunk's (no proof of it could be recorded)."""
        on_chain = self.market.chunk(round_id, index)
        statement_data = _statement_data(chunk)
        if keccak(statement_data) != bytes(on_chain.statement_data_hash):
            event(
                log, f"rollup round {round_id} chunk {index}: the sequence's statement data is not the chunk's; "
                "its proof cannot be recorded", logging.ERROR, round=round_id, chunk=index,
            )
            return False
        proof = self._prove(round_id, index, chunk, on_chain, on_chain.prover)
        self.rollup.record_chunk_proof(self.account, round_id, index, statement_data, proof.encoded)
        event(
            log, f"rollup round {round_id} chunk {index}: proof recorded (the market's callback recorded none)",
            logging.WARNING, round=round_id, chunk=index, prover=on_chain.prover,
            proving_seconds=round(proof.wall_seconds, 2),
        )
        return True

    def _prove(self, round_id: int, index: int, chunk: Mapping, on_chain, prover: str):
        """A proof of the sequenced ``chunk`` for the market's statement (``on_chain``: the
        market's chunk) with ``prover`` as its prover."""
        statement = MarketChunkStatement(
            round_id, index, prover, bytes(on_chain.commitment), bytes(on_chain.statement_data_hash)
        )
        pre_state = state_from_json(chunk["pre_state"])
        operations = [operation_from_json(operation) for operation in chunk["operations"]]
        return prove_rollup_chunk(pre_state, operations, statement.binding())


def _statement_data(chunk: Mapping) -> bytes:
    """The sequenced chunk's statement data, ``abi.encode(preStateRoot, postStateRoot)``."""
    return bytes.fromhex(chunk["statement_data"][2:])
