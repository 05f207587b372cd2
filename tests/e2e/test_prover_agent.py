"""The prover agent restarted, refused or misconfigured: it never loses its chunk to a slash.

- An agent restarted within a round asks again; the new ask replaces the earlier one (the
  latest ask counts) instead of a ``409 duplicate``.
- An ask that is not above the prover's latest in the round is refused naming that ask.
- An agent that cannot post its ask still proves what it was assigned.
- A ``capacity`` other than the registered one is refused, and nothing is done for it.
"""

from __future__ import annotations

import json

import httpx
import pytest

from proofmarket.bootstrap import build_prover_agent
from proofmarket.chain.typed_data import AskMessage, sign_ask
from proofmarket.prover.agent import CapacityMismatch

GWEI = 10**9


def restarted(stack, agent, unit_cost_wei: int):
    """The same prover's agent, started afresh (nothing carried over in memory)."""
    return build_prover_agent(stack.web3, stack.deployment, agent.account, stack.server.url, agent.capacity, unit_cost_wei)


def ask_body(stack, prover, round_id: int, unit_cost: int, nonce: int) -> dict:
    message = AskMessage(prover=prover.address, unit_cost=unit_cost, round=round_id, nonce=nonce)
    return {"prover": prover.address, "unit_cost": str(unit_cost), "round": round_id, "nonce": nonce,
            "signature": "0x" + sign_ask(prover, stack.client.domain, message).hex()}


def test_an_agent_restarted_within_a_round_replaces_its_ask_and_proves_its_chunk(stack):
    round_id = stack.open_round()
    stack.post_asks(round_id)
    cheap = stack.agents[0]
    again = restarted(stack, cheap, unit_cost_wei=cheap.unit_cost_wei + 1)
    assert again.step() == []  # asks again (no 409), nothing assigned yet
    stack.agents[0] = again
    stack.api.post_bids(stack.signed_bids(round_id, 6))
    stack.close(round_id)
    stack.node.run_once()
    asks = {ask["id"]: int(ask["unit_cost_wei"]) for ask in json.loads(stack.api.round_input(round_id))["asks"]}
    assert cheap.unit_cost_wei + 1 in asks.values() and cheap.unit_cost_wei not in asks.values(), "the latest ask counts"
    assert stack.api.round_status(round_id)["chunks"], "the round settles"
    chunks = [c for c in stack.api.round_status(round_id)["chunks"] if c["prover"] == again.address]
    proved = again.step()
    assert [(p.round_id, p.chunk_index) for p in proved] == [(round_id, c["chunk"]) for c in chunks]
    stack.prove_all()
    stack.node.run_once()
    assert stack.api.round_status(round_id)["state"] == "resolved"


def test_an_ask_not_above_the_latest_is_refused_naming_it(stack):
    http = httpx.Client(base_url=stack.server.url, timeout=30)
    prover, round_id = stack.agents[1].account, stack.open_round()
    first = http.post("/v1/asks", json=ask_body(stack, prover, round_id, 5 * GWEI, nonce=10))
    assert first.status_code == 201, first.text
    digest = first.json()["digest"]
    again = http.post("/v1/asks", json=ask_body(stack, prover, round_id, 5 * GWEI, nonce=10))
    assert again.status_code == 409 and digest in again.json()["error"] and "duplicate" in again.json()["error"]
    for nonce in (10, 9):  # other terms with the same or a lower nonce
        refused = http.post("/v1/asks", json=ask_body(stack, prover, round_id, 6 * GWEI, nonce=nonce))
        assert refused.status_code == 409, refused.text
        message = refused.json()["error"]
        assert digest in message and "higher nonce" in message and "\n" not in message
    higher = http.post("/v1/asks", json=ask_body(stack, prover, round_id, 6 * GWEI, nonce=11))
    assert higher.status_code == 201, higher.text


def test_a_capacity_other_than_the_registered_one_is_refused_and_not_acted_on(stack):
    agent = stack.agents[1]
    agent.ensure_registered()
    collateral = stack.client.prover(agent.address).collateral
    with pytest.raises(CapacityMismatch) as refusal:
        build_prover_agent(stack.web3, stack.deployment, agent.account, stack.server.url, agent.capacity * 2, GWEI)
    message = str(refusal.value)
    assert f"registered with capacity {agent.capacity}, not {agent.capacity * 2}" in message and "\n" not in message
    wrong = restarted(stack, agent, GWEI)
    wrong.capacity = agent.capacity * 2
    with pytest.raises(CapacityMismatch):
        wrong.ensure_registered()
    assert stack.client.prover(agent.address).collateral == collateral


def test_an_agent_that_cannot_ask_still_proves_its_chunk(stack):
    """Runs last in this module: its prover requests exit, so it can never ask again."""
    round_id = stack.open_round()
    stack.post_asks(round_id)
    stack.api.post_bids(stack.signed_bids(round_id, 6))
    stack.close(round_id)
    stack.node.run_once()
    chunks = stack.api.round_status(round_id)["chunks"]
    assert chunks
    leaving = next(agent for agent in stack.agents if agent.address in {c["prover"] for c in chunks})
    stack.client.request_exit(leaving.account)
    proved = leaving.step()  # the ask for the open round is refused (prover exiting) ...
    assert leaving.market.open_round() not in leaving.asked_rounds
    mine = [(round_id, c["chunk"]) for c in chunks if c["prover"] == leaving.address]
    assert [(p.round_id, p.chunk_index) for p in proved] == mine  # ... and its chunk is proven anyway


def test_an_agent_whose_prover_exits_stops_asking_and_never_registers_it_again(stack):
    """The README's walkthrough: `proofmarket exit`, then `withdraw-collateral`, with the agent
    still running. It must not ask for the exiting prover, nor register it again afterwards."""
    from eth_account import Account

    from proofmarket.chain.transactions import send_transaction
    from proofmarket.network import mine_blocks

    prover = Account.from_key(b"\x5e" * 32)
    send_transaction(stack.web3, stack.owner, {"to": prover.address, "value": 10**18})
    agent = build_prover_agent(stack.web3, stack.deployment, prover, stack.server.url, 300, GWEI)
    agent.step()
    assert stack.client.prover(prover.address).registered
    asked = set(agent.asked_rounds)
    stack.client.request_exit(prover)
    agent.step()
    assert agent.leaving and agent.asked_rounds == asked, "no ask for an exiting prover"
    state = stack.client.prover(prover.address)
    withdrawable = state.exit_available_at + stack.client.config().settlement_window_blocks
    mine_blocks(stack.web3, max(0, withdrawable - stack.web3.eth.block_number))
    stack.client.withdraw_collateral(prover)
    for _ in range(2):
        agent.step()
    assert not stack.client.prover(prover.address).registered, "the agent registered the exited prover again"
