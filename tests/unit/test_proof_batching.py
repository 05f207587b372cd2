"""Prover agents hand their proofs to a ProofBatch, sent in one submitProofs (prover/batching.py)."""

from types import SimpleNamespace

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import ProofSubmission
from proofmarket.prover.batching import BatchingMarket, ProofBatch


def refused(name: str) -> ContractRevert:
    return ContractRevert(name, {}, b"", f"{name}(...)")


class FakeClient:
    """Records each submitProofs and submitProof; refuses batches holding a ``bad`` proof, and
    a ``bad`` proof sent alone."""

    def __init__(self):
        self.sent: list[list[ProofSubmission]] = []
        self.single: list[tuple[int, int]] = []

    def submit_proofs(self, sender, submissions):
        if any(submission.proof == b"bad" for submission in submissions):
            raise refused("InvalidProof")
        self.sent.append(list(submissions))
        return {"gasUsed": 100_000 * len(submissions)}

    def submit_proof(self, sender, round_id, chunk_index, proof, statement_data):
        if proof == b"bad":
            raise refused("InvalidProof")
        self.single.append((round_id, chunk_index))
        return {"gasUsed": 250_000}


def test_proofs_handed_over_by_agents_go_out_in_one_transaction():
    client = FakeClient()
    batch = ProofBatch(client)
    inner = SimpleNamespace(open_round=lambda: 7)
    first, second = BatchingMarket(inner, batch), BatchingMarket(inner, batch)
    assert first.submit_proof(None, 1, 0, b"proof 0", b"") == 0
    assert second.submit_proof(None, 1, 1, b"proof 1", b"roots") == 0
    assert first.open_round() == 7  # everything but submit_proof is the wrapped market's
    assert client.sent == []
    assert batch.submit(sender=None) == 200_000
    assert client.sent == [[ProofSubmission(1, 0, b"proof 0", b""), ProofSubmission(1, 1, b"proof 1", b"roots")]]
    assert batch.submit(sender=None) == 0  # nothing left


def test_a_refused_batch_is_sent_proof_by_proof_and_the_bad_proof_dropped():
    """One bad proof reverts the whole batch on-chain; the others still go out, one by one, and
    nothing stays queued to block the next batch."""
    client = FakeClient()
    batch = ProofBatch(client)
    for index, proof in enumerate((b"proof 0", b"bad", b"proof 2")):
        batch.add(ProofSubmission(1, index, proof))
    assert batch.submit(sender=None) == 2 * 250_000
    assert client.single == [(1, 0), (1, 2)] and client.sent == []
    batch.add(ProofSubmission(2, 0, b"proof"))
    assert batch.submit(sender=None) == 100_000
    assert client.sent == [[ProofSubmission(2, 0, b"proof")]]
