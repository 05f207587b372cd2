"""The proof bytes ``submitProof`` takes (docs/zk.md, "Proof encoding").

A chunk proof is ``abi.encode(Segment[])`` with ``Segment = (bytes32 nextCommitment,
uint256[8] proof)``: one entry per segment, in chain order. Each ``proof`` is a Groth16 proof
``[A.x, A.y, B.x_imag, B.x_real, B.y_imag, B.y_real, C.x, C.y]`` (the order the EVM pairing
precompile reads G2 coordinates in). So the bytes are exactly

    0x20 | n | n * (nextCommitment | 8 proof words)        (32-byte big-endian words)

that is ``64 + 288 n`` bytes; the verifier accepts this canonical form only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from eth_abi import encode

from proofmarket.exceptions import UserInputError, ZkError

#: Bytes of one encoded segment: the next commitment and eight proof words.
SEGMENT_BYTES = 9 * 32

#: Bytes before the first segment: the offset word (0x20) and the segment count.
HEADER_BYTES = 2 * 32

#: The ABI type of a chunk proof.
CHUNK_PROOF_ABI_TYPE = "(bytes32,uint256[8])[]"


class ProofEncodingInvalid(ZkError, UserInputError):
    """Bytes are not a canonical chunk proof encoding."""

    def __init__(self, length: int, reason: str):
        self.length = length
        self.reason = reason
        super().__init__(f"a chunk proof of {length} bytes is malformed: {reason}")


class SnarkjsProofInvalid(ZkError):
    """snarkjs returned a proof that is not a BN254 Groth16 proof in affine coordinates."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"snarkjs proof cannot be encoded: {reason}")


@dataclass(frozen=True)
class SegmentProof:
    """One segment's Groth16 proof and the chain value it ends at."""

    next_commitment: int
    proof: tuple[int, int, int, int, int, int, int, int]


def proof_words_from_snarkjs(proof: dict) -> tuple[int, int, int, int, int, int, int, int]:
    """The eight words of a snarkjs Groth16 proof object, in the verifier's order.

    snarkjs writes ``pi_b`` as ``[[x_real, x_imag], [y_real, y_imag], [1, 0]]``; the precompile
    reads the imaginary part first. Raises :class:`SnarkjsProofInvalid` on any other shape.
    """
    try:
        if proof["protocol"] != "groth16" or proof["curve"] != "bn128":
            raise SnarkjsProofInvalid(f"protocol/curve is {proof['protocol']}/{proof['curve']}")
        a, b, c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
        if str(a[2]) != "1" or str(c[2]) != "1" or [str(v) for v in b[2]] != ["1", "0"]:
            raise SnarkjsProofInvalid("points are not affine")
        words = (a[0], a[1], b[0][1], b[0][0], b[1][1], b[1][0], c[0], c[1])
        return tuple(int(str(word), 10) for word in words)  # type: ignore[return-value]
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise SnarkjsProofInvalid(f"unexpected shape ({error!r})") from None


def encode_chunk_proof(segments: Sequence[SegmentProof]) -> bytes:
    """``abi.encode(Segment[])`` of the segments, in chain order."""
    if len(segments) == 0:
        raise ZkError("a chunk proof needs at least one segment")
    return encode(
        [CHUNK_PROOF_ABI_TYPE],
        [[(segment.next_commitment.to_bytes(32, "big"), list(segment.proof)) for segment in segments]],
    )


def decode_chunk_proof(data: bytes) -> list[SegmentProof]:
    """The segments of a canonical chunk proof encoding (the inverse of :func:`encode_chunk_proof`).

    Applies the verifier contract's encoding rules, in its order, and raises
    :class:`ProofEncodingInvalid` naming the first one that fails.
    """
    length = len(data)
    if length < HEADER_BYTES + SEGMENT_BYTES or (length - HEADER_BYTES) % SEGMENT_BYTES != 0:
        raise ProofEncodingInvalid(length, f"length is not {HEADER_BYTES} + {SEGMENT_BYTES} * n with n >= 1")
    words = [int.from_bytes(data[offset : offset + 32], "big") for offset in range(0, length, 32)]
    if words[0] != 0x20:
        raise ProofEncodingInvalid(length, f"offset word is {words[0]:#x}, not 0x20")
    count = (length - HEADER_BYTES) // SEGMENT_BYTES
    if words[1] != count:
        raise ProofEncodingInvalid(length, f"segment count word is {words[1]}, the length holds {count}")
    segments = []
    for index in range(count):
        base = 2 + 9 * index
        segments.append(SegmentProof(words[base], tuple(words[base + 1 : base + 9])))  # type: ignore[arg-type]
    return segments
