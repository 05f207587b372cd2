"""``/metrics``: the clearinghouse's counters in Prometheus' text format, after a real round
through the e2e stack (bids over HTTP, a duplicate and a late bid refused, Groth16 proofs)."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families


def scrape(stack) -> dict[tuple[str, tuple], float]:
    """``/metrics`` parsed: (sample name, sorted labels) -> value."""
    response = stack.api.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.fixture(scope="module")
def one_round(stack):
    """A round with six bids (one sent twice), settled and proven, then a bid for it once closed;
    returns ``(round_id, outcome)``."""
    round_id = stack.open_round()
    stack.post_asks(round_id)
    bids = stack.signed_bids(round_id, 6)
    assert stack.api.post_bids(bids)["rejected"] == []
    assert stack.api.http.post("/v1/bids", json=bids[0]).status_code == 409
    stack.close(round_id)
    stack.node.run_once()
    outcome = stack.outcome(round_id)
    assert stack.prove_all() == len(outcome["chunks"])
    stack.node.run_once()
    late = stack.signed_bids(round_id, 1)[0]
    assert stack.api.http.post("/v1/bids", json=late).status_code == 422
    return round_id, outcome


def test_metrics_count_the_bids_accepted_and_rejected_by_reason(stack, one_round):
    samples = scrape(stack)
    assert samples[("proofmarket_bids_accepted_total", ())] == 6
    assert samples[("proofmarket_bids_rejected_total", (("reason", "duplicate_submission"),))] == 1
    assert samples[("proofmarket_bids_rejected_total", (("reason", "wrong_round"),))] == 1


def test_metrics_count_each_round_transition_once(stack, one_round):
    samples = scrape(stack)
    for state in ("closed", "cleared", "settle_signed", "settled", "resolved"):
        assert samples[("proofmarket_round_transitions_total", (("state", state),))] == 1, state
    assert ("proofmarket_round_transitions_total", (("state", "failed"),)) not in samples
    assert samples[("proofmarket_clearing_seconds_count", ())] == 1
    assert samples[("proofmarket_settlement_seconds_count", ())] == 1
    assert samples[("proofmarket_settlement_seconds_sum", ())] > 0


def test_metrics_sum_the_settlement_and_proof_gas(stack, one_round):
    round_id, outcome = one_round
    samples = scrape(stack)
    settlement = stack.web3.eth.get_transaction_receipt(stack.client.settlement_transaction(round_id))
    assert samples[("proofmarket_settlement_gas_used_count", ())] == 1
    assert samples[("proofmarket_settlement_gas_used_sum", ())] == settlement["gasUsed"]
    proofs = [proved for agent in stack.agents for proved in agent.proved if proved.round_id == round_id]
    assert len(proofs) == len(outcome["chunks"])
    assert samples[("proofmarket_proof_gas_used_count", ())] == len(proofs)
    assert samples[("proofmarket_proof_gas_used_sum", ())] == sum(proved.gas_used for proved in proofs)


def test_metrics_show_the_round_loop_lag_and_its_errors(stack, one_round):
    stack.node.run_once()
    samples = scrape(stack)
    head, last_pass = stack.web3.eth.block_number, stack.node.clearinghouse.health.last_pass_head
    assert samples[("proofmarket_chain_head_lag_blocks", ())] == head - last_pass
    assert not any(name == "proofmarket_round_loop_errors_total" for name, _ in samples)
    stack.node.clearinghouse.health.run("reading the chain head", lambda: 1 / 0)
    samples = scrape(stack)
    assert samples[("proofmarket_round_loop_errors_total", (("step", "reading the chain head"),))] == 1
