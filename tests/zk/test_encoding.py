"""The proof bytes of docs/zk.md: abi.encode((bytes32, uint256[8])[]), canonical only."""

from __future__ import annotations

import pytest
from eth_abi import encode
from hypothesis import given, settings
from hypothesis import strategies as st

from proofmarket.zk.encoding import (
    ProofEncodingInvalid,
    SegmentProof,
    SnarkjsProofInvalid,
    decode_chunk_proof,
    encode_chunk_proof,
    proof_words_from_snarkjs,
)

words = st.integers(0, 2**256 - 1)
segments = st.lists(
    st.builds(SegmentProof, words, st.tuples(words, words, words, words, words, words, words, words)), min_size=1, max_size=5
)


@given(segments)
@settings(max_examples=40, deadline=None)
def test_encoding_round_trips_and_is_64_plus_288_bytes_per_segment(items):
    data = encode_chunk_proof(items)
    assert len(data) == 64 + 288 * len(items)
    assert data[:32] == (0x20).to_bytes(32, "big")
    assert int.from_bytes(data[32:64], "big") == len(items)
    assert decode_chunk_proof(data) == items


def test_encoding_is_abi_encode_of_the_segment_array():
    items = [SegmentProof(7, (1, 2, 3, 4, 5, 6, 7, 8)), SegmentProof(9, (11, 12, 13, 14, 15, 16, 17, 18))]
    expected = encode(["(bytes32,uint256[8])[]"], [[((7).to_bytes(32, "big"), [1, 2, 3, 4, 5, 6, 7, 8]), ((9).to_bytes(32, "big"), list(range(11, 19)))]])
    assert encode_chunk_proof(items) == expected


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "length"),
        (b"\x00" * 64, "length"),
        (b"\x00" * 351, "length"),
        ((0x40).to_bytes(32, "big") + (1).to_bytes(32, "big") + b"\x00" * 288, "offset word is 0x40"),
        ((0x20).to_bytes(32, "big") + (2).to_bytes(32, "big") + b"\x00" * 288, "segment count word is 2"),
    ],
)
def test_decoding_refuses_non_canonical_bytes(data, reason):
    with pytest.raises(ProofEncodingInvalid, match=reason):
        decode_chunk_proof(data)


def test_snarkjs_proof_words_put_the_imaginary_part_of_b_first():
    proof = {
        "protocol": "groth16",
        "curve": "bn128",
        "pi_a": ["1", "2", "1"],
        "pi_b": [["3", "4"], ["5", "6"], ["1", "0"]],
        "pi_c": ["7", "8", "1"],
    }
    assert proof_words_from_snarkjs(proof) == (1, 2, 4, 3, 6, 5, 7, 8)


@pytest.mark.parametrize(
    "change",
    [{"protocol": "plonk"}, {"curve": "bls12381"}, {"pi_a": ["1", "2", "0"]}, {"pi_b": [["3"], ["5", "6"], ["1", "0"]]}],
)
def test_snarkjs_proof_of_another_shape_is_refused(change):
    proof = {"protocol": "groth16", "curve": "bn128", "pi_a": ["1", "2", "1"], "pi_b": [["3", "4"], ["5", "6"], ["1", "0"]], "pi_c": ["7", "8", "1"]}
    proof.update(change)
    with pytest.raises(SnarkjsProofInvalid):
        proof_words_from_snarkjs(proof)
