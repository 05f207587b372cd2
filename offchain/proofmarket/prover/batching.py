"""Prover agents handing their proofs to one submitter, who sends them in one ``submitProofs``.

A batch of proofs shares one pairing check and one transaction (docs/contract.md, "Batched
proofs"), so a submitter (a relayer, or one of the provers) pays far less gas per chunk than
each prover sending its own ``submitProof``; each chunk's payment still goes to its own prover.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from eth_account.signers.local import LocalAccount

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import ProofMarketClient, ProofSubmission

log = logging.getLogger(__name__)


class ProofBatch:
    """Proofs handed over (from any thread), sent together by :meth:`submit`."""

    def __init__(self, client: ProofMarketClient):
        self.client = client
        self._submissions: list[ProofSubmission] = []
        self._lock = threading.Lock()

    def add(self, submission: ProofSubmission) -> None:
        with self._lock:
            self._submissions.append(submission)

    def submit(self, sender: LocalAccount) -> int:
        """Sends every proof handed over since the last call in one ``submitProofs`` from
        ``sender``; returns the gas used (0 if there was none).

        The contract reverts a whole batch for one bad entry (an invalid proof, a passed
        deadline): then each proof is sent alone with ``submitProof``, and the ones the contract
        refuses are logged and dropped, so one bad proof never holds the others back."""
        with self._lock:
            submissions = list(self._submissions)
            del self._submissions[: len(submissions)]
        if not submissions:
            return 0
        try:
            return int(self.client.submit_proofs(sender, submissions)["gasUsed"])
        except ContractRevert as revert:
            log.warning("a batch of %d proofs was refused (%s): sending them one by one", len(submissions), revert)
        gas_used = 0
        for submission in submissions:
            try:
                receipt = self.client.submit_proof(
                    sender, submission.round_id, submission.chunk_index, submission.proof, submission.statement_data
                )
                gas_used += int(receipt["gasUsed"])
            except ContractRevert as revert:
                log.error("proof of chunk %s/%s refused: %s", submission.round_id, submission.chunk_index, revert)
        return gas_used


class BatchingMarket:
    """A prover agent's market (``ProverMarket``) whose ``submit_proof`` hands the proof to a
    :class:`ProofBatch` instead of sending a transaction; everything else is the wrapped market's.
    The agent records 0 gas for such a proof: the batch's gas is known when it is sent."""

    def __init__(self, market: Any, batch: ProofBatch):
        self._market = market
        self._batch = batch

    def __getattr__(self, name: str) -> Any:
        return getattr(self._market, name)

    def submit_proof(
        self, prover: LocalAccount, round_id: int, chunk_index: int, proof: bytes, statement_data: bytes
    ) -> int:
        self._batch.add(ProofSubmission(round_id, chunk_index, proof, statement_data))
        return 0
