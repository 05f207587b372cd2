"""The chunk commitment and its segments (docs/zk.md, "Commitment" and "Chunk proof").

The rule, for a chunk of n >= 1 transactions with hashes txHash_1..txHash_n (32 bytes each):

    t_i = uint256(txHash_i) mod r         r = BN254 scalar field order
    c_0 = 0
    c_i = Poseidon2(c_{i-1}, t_i)         circomlib's Poseidon with two inputs
    commitment = c_n as bytes32 (big-endian)

The clearinghouse computes it with :func:`chunk_commitment` and submits it in ``settleRound``;
the prover proves knowledge of t_1..t_n as a chain of segments, each covering at most
``segment_size`` consecutive transactions (:func:`split_into_segments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from proofmarket.exceptions import UserInputError, ZkError

from .field import transaction_field_element
from .poseidon import poseidon2


class ChunkEmpty(ZkError, UserInputError):
    """A chunk must hold at least one transaction: the commitment of nothing is not defined."""

    def __init__(self):
        super().__init__("a chunk commitment needs at least one transaction hash, got none")


def transaction_field_elements(tx_hashes: Sequence[bytes]) -> list[int]:
    """``t_i = uint256(txHash_i) mod r`` for each hash, in order; raises if the list is empty."""
    if len(tx_hashes) == 0:
        raise ChunkEmpty()
    return [transaction_field_element(tx_hash, index) for index, tx_hash in enumerate(tx_hashes)]


def commitment_chain(elements: Sequence[int], start: int = 0) -> list[int]:
    """``[c_0, c_1, ..., c_n]`` with ``c_0 = start`` and ``c_i = Poseidon2(c_{i-1}, t_i)``."""
    chain = [start]
    for element in elements:
        chain.append(poseidon2(chain[-1], element))
    return chain


def chunk_commitment_int(tx_hashes: Sequence[bytes]) -> int:
    """The chunk commitment ``c_n`` as an integer below r."""
    return commitment_chain(transaction_field_elements(tx_hashes))[-1]


def chunk_commitment(tx_hashes: Sequence[bytes]) -> bytes:
    """The chunk commitment ``c_n`` as 32 big-endian bytes: what ``settleRound`` records.

    Raises :class:`ChunkEmpty` for no hashes and
    :class:`~proofmarket.zk.field.TransactionHashInvalid` for a hash that is not 32 bytes.
    """
    return chunk_commitment_int(tx_hashes).to_bytes(32, "big")


@dataclass(frozen=True)
class SegmentStatement:
    """One segment: its transactions extend the chain from ``previous`` to ``next``."""

    previous_commitment: int
    next_commitment: int
    transactions: tuple[int, ...]


def split_into_segments(elements: Sequence[int], segment_size: int) -> list[SegmentStatement]:
    """Cut ``t_1..t_n`` into consecutive segments of ``segment_size`` (the last one shorter).

    Segment k covers ``t_{k*N+1} .. t_{min((k+1)*N, n)}``; its previous commitment is the next
    commitment of segment k-1 (0 for the first), and the last one's next commitment is ``c_n``.
    The verifier accepts any cut into non-empty segments of at most N; this one is the fewest.
    """
    if len(elements) == 0:
        raise ChunkEmpty()
    if segment_size < 1:
        raise ZkError(f"segment size must be at least 1, got {segment_size}")
    chain = commitment_chain(elements)
    segments = []
    for start in range(0, len(elements), segment_size):
        stop = min(start + segment_size, len(elements))
        segments.append(SegmentStatement(chain[start], chain[stop], tuple(elements[start:stop])))
    return segments
