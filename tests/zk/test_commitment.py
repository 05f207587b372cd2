"""The chunk commitment of docs/zk.md: t_i = txHash_i mod r, c_0 = 0, c_i = Poseidon2(c_{i-1}, t_i)."""

from __future__ import annotations

import pytest
from hexbytes import HexBytes
from hypothesis import given, settings
from hypothesis import strategies as st

from proofmarket.zk.commitment import (
    ChunkEmpty,
    chunk_commitment,
    chunk_commitment_int,
    commitment_chain,
    split_into_segments,
    transaction_field_elements,
)
from proofmarket.zk.field import SCALAR_FIELD_ORDER, TransactionHashInvalid, transaction_field_element
from proofmarket.zk.poseidon import poseidon2

ONE = (1).to_bytes(32, "big")
TWO = (2).to_bytes(32, "big")
ALL_ONES = b"\xff" * 32

hashes = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40)


@pytest.mark.parametrize(
    "tx_hashes, expected",
    [
        ([ONE], "1bd20834f5de9830c643778a2e88a3a1363c8b9ac083d36d75bf87c49953e65e"),
        ([ONE, TWO], "1a10eff92ef503e5c72d7993c5a0547b2c2c60a3142d882d1e5d8d8a9a7ffa90"),
        ([ALL_ONES], "01ab1a4b0809eab25bfe058bd5e0acd79e349542f0bd7aba245870ecdad4be5e"),
    ],
)
def test_chunk_commitment_matches_the_documented_vectors(tx_hashes, expected):
    assert chunk_commitment(tx_hashes).hex() == expected


def test_chunk_commitment_is_the_spec_written_out():
    t1, t2 = 1, 2
    assert chunk_commitment([ONE, TWO]) == poseidon2(poseidon2(0, t1), t2).to_bytes(32, "big")


def test_transaction_hash_above_r_is_reduced():
    assert transaction_field_element(ALL_ONES) == (2**256 - 1) % SCALAR_FIELD_ORDER
    assert transaction_field_element(ALL_ONES) == 0x0E0A77C19A07DF2F666EA36F7879462E36FC76959F60CD29AC96341C4FFFFFFA
    # Two hashes that differ by r are the same field element, hence the same commitment.
    alias = ((2**256 - 1) - SCALAR_FIELD_ORDER).to_bytes(32, "big")
    assert chunk_commitment([alias]) == chunk_commitment([ALL_ONES])


def test_chunk_commitment_accepts_bytes_bytearray_and_hexbytes():
    assert chunk_commitment([bytearray(ONE), HexBytes(TWO)]) == chunk_commitment([ONE, TWO])


def test_chunk_commitment_refuses_an_empty_chunk():
    with pytest.raises(ChunkEmpty):
        chunk_commitment([])


@pytest.mark.parametrize("bad", [b"\x01" * 31, b"\x01" * 33, "0x" + "11" * 32, 7])
def test_chunk_commitment_refuses_a_hash_that_is_not_32_bytes(bad):
    with pytest.raises(TransactionHashInvalid) as info:
        chunk_commitment([ONE, bad])
    assert info.value.index == 1


@given(hashes)
@settings(max_examples=30, deadline=None)
def test_commitment_extends_the_chain_by_one_hash_per_transaction(tx_hashes):
    elements = transaction_field_elements(tx_hashes)
    expected = poseidon2(chunk_commitment_int(tx_hashes[:-1]), elements[-1]) if len(tx_hashes) > 1 else poseidon2(0, elements[0])
    assert chunk_commitment_int(tx_hashes) == expected
    assert 0 <= expected < SCALAR_FIELD_ORDER


@given(hashes, st.integers(1, 16))
@settings(max_examples=30, deadline=None)
def test_segments_chain_from_zero_to_the_commitment(tx_hashes, segment_size):
    elements = transaction_field_elements(tx_hashes)
    segments = split_into_segments(elements, segment_size)
    assert len(segments) == -(-len(elements) // segment_size)
    assert segments[0].previous_commitment == 0
    assert segments[-1].next_commitment == chunk_commitment_int(tx_hashes)
    for before, after in zip(segments, segments[1:]):
        assert after.previous_commitment == before.next_commitment
    for segment in segments:
        assert 1 <= len(segment.transactions) <= segment_size
        assert commitment_chain(segment.transactions, segment.previous_commitment)[-1] == segment.next_commitment
    assert [t for segment in segments for t in segment.transactions] == elements
