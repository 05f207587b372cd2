"""Admission at clearing time: escrow-limited bids, latest ask per prover, collateral-backed asks."""

from hypothesis import given, strategies as st

from proofmarket.clearinghouse.admission import (
    CandidateAsk,
    CandidateBid,
    admit_asks,
    admit_bids_within_escrow,
    latest_ask_per_prover,
)
from proofmarket.clearinghouse.ports import ProverStatus
from proofmarket.clearinghouse.schedule import close_block, round_at_block


def bid(digest, user, constraints, fee):
    return CandidateBid(digest=digest, user=user, constraints=constraints, max_fee_wei=fee)


def test_admit_keeps_a_users_densest_bids_that_escrow_covers():
    bids = [bid("0x01", "alice", 10, 100), bid("0x02", "alice", 10, 300), bid("0x03", "alice", 10, 200)]
    admitted = admit_bids_within_escrow(bids, {"alice": 500}, capacity=1000, reserve_wei_per_constraint=0)
    assert [b.digest for b in admitted] == ["0x02", "0x03"]  # 300 + 200 = 500; the 100 no longer fits


def test_admit_drops_every_bid_of_a_user_who_withdrew_everything():
    bids = [bid("0x01", "alice", 10, 100), bid("0x02", "bob", 10, 100)]
    admitted = admit_bids_within_escrow(bids, {"alice": 0, "bob": 100}, capacity=1000, reserve_wei_per_constraint=0)
    assert [b.digest for b in admitted] == ["0x02"]


def test_admit_drops_bids_over_capacity_or_under_reserve():
    bids = [bid("0x01", "a", 2000, 10**6), bid("0x02", "a", 10, 49), bid("0x03", "a", 10, 50)]
    admitted = admit_bids_within_escrow(bids, {"a": 10**9}, capacity=1000, reserve_wei_per_constraint=5)
    assert [b.digest for b in admitted] == ["0x03"]


def test_admit_breaks_density_ties_by_digest():
    bids = [bid("0x0b", "a", 10, 100), bid("0x0a", "a", 20, 200)]
    admitted = admit_bids_within_escrow(bids, {"a": 200}, capacity=1000, reserve_wei_per_constraint=0)
    assert [b.digest for b in admitted] == ["0x0a"]


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 50), st.integers(0, 10**24)),
        max_size=30,
    ),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, 10**25)),
)
def test_admitted_bids_never_exceed_any_users_escrow(raw_bids, escrow):
    bids = [bid(f"0x{index:04x}", user, size, fee) for index, (user, size, fee) in enumerate(raw_bids)]
    admitted = admit_bids_within_escrow(bids, escrow, capacity=40, reserve_wei_per_constraint=0)
    for user in {"a", "b", "c"}:
        assert sum(b.max_fee_wei for b in admitted if b.user == user) <= escrow.get(user, 0)
    assert all(b.constraints <= 40 for b in admitted)


def test_latest_ask_per_prover_takes_the_highest_nonce():
    asks = [CandidateAsk("0x01", "p", 5, 0), CandidateAsk("0x02", "p", 7, 3), CandidateAsk("0x03", "q", 9, 1)]
    assert [a.digest for a in latest_ask_per_prover(asks)] == ["0x02", "0x03"]


def test_admit_asks_requires_registered_non_exiting_collateral_backed_provers():
    asks = [CandidateAsk(f"0x0{i}", f"p{i}", 5, 0) for i in range(5)]
    statuses = {
        "p0": ProverStatus(registered=True, exiting=False, capacity=100, collateral_wei=1000, locked_collateral_wei=0),
        "p1": ProverStatus(registered=False, exiting=False, capacity=0, collateral_wei=0, locked_collateral_wei=0),
        "p2": ProverStatus(registered=True, exiting=True, capacity=100, collateral_wei=1000, locked_collateral_wei=0),
        "p3": ProverStatus(registered=True, exiting=False, capacity=100, collateral_wei=1000, locked_collateral_wei=1),
    }
    admitted = admit_asks(asks, statuses, collateral_wei_per_constraint=10)
    assert [ask.prover for ask, _ in admitted] == ["p0"]


def test_round_schedule_matches_the_contracts_block_arithmetic():
    assert round_at_block(99, genesis_block=100, round_length_blocks=10) == 0
    assert round_at_block(100, genesis_block=100, round_length_blocks=10) == 0
    assert round_at_block(119, genesis_block=100, round_length_blocks=10) == 1
    assert close_block(1, genesis_block=100, round_length_blocks=10) == 120
