"""Prover agents hand their proofs to a ProofBatch, sent in one submitProofs (prover/batching.py)."""

from types import SimpleNamespace

import pytest

from proofmarket.chain.errors import ContractRevert
from proofmarket.chain.market import ProofSubmission
from proofmarket.prover.batching import BatchingMarket, ProofBatch


class FakeClient:
    """Records each submitProofs; fails the next one when told to."""

    def __init__(self):
        self.sent: list[list[ProofSubmission]] = []
        self.fail_next = False

    def submit_proofs(self, sender, submissions):
        if self.fail_next:
            self.fail_next = False
            raise ContractRevert("InvalidProof", {"roundId": 1, "chunkIndex": 0, "prover": "0x0"}, b"", "InvalidProof(...)")
        self.sent.append(list(submissions))
        return {"gasUsed": 100_000 * len(submissions)}


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


def test_a_reverted_batch_keeps_its_proofs_queued():
    client = FakeClient()
    batch = ProofBatch(client)
    batch.add(ProofSubmission(1, 0, b"proof 0"))
    client.fail_next = True
    with pytest.raises(ContractRevert):
        batch.submit(sender=None)
    assert batch.submit(sender=None) == 100_000
