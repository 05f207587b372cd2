"""A round with more bids than one chunk may hold (the contract's ``maxBidsPerChunk``) is cleared
within the bound by the mechanism itself and settles: every chunk can be slashed in one block."""

from __future__ import annotations

import dataclasses

import pytest

from tests.e2e.conftest import DEFAULT_SETTINGS, build_stack

BOUND = 2


@pytest.fixture(scope="module")
def bounded_stack(web3, signers, tmp_path_factory):
    settings = dataclasses.replace(DEFAULT_SETTINGS, max_bids_per_chunk=BOUND)
    stack = build_stack(web3, signers, tmp_path_factory.mktemp("bounded"), settings, provers=3)
    yield stack
    stack.server.stop()
    stack.node.close()


def test_a_round_of_more_bids_than_a_chunk_holds_settles_in_chunks_within_the_bound(bounded_stack):
    stack = bounded_stack
    assert stack.client.config().max_bids_per_chunk == BOUND
    round_id, outcome, before, after = stack.run_random_round(bid_count=8)
    assert stack.api.round_status(round_id)["state"] == "resolved"
    assert outcome["chunks"], "the round traded"
    assert all(len(chunk["bid_ids"]) <= BOUND for chunk in outcome["chunks"])
    published = stack.api.http.get(f"/v1/rounds/{round_id}/input").json()
    assert published["config"]["max_bids_per_chunk"] == str(BOUND), "verify-round re-clears with the bound"
    stack.assert_moved_exactly(round_id, outcome, before, after)
