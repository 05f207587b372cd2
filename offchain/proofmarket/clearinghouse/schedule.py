"""The round schedule, in blocks, exactly as the contract computes it.

Round ``r`` is open for blocks ``[genesis + r·L, genesis + (r+1)·L)`` and closes at block
``genesis + (r+1)·L``; it can be settled from then on, up to and including that block plus the
settlement window ``W``.
"""

from __future__ import annotations


def round_at_block(block: int, genesis_block: int, round_length_blocks: int) -> int:
    """The round open at ``block``; blocks before genesis belong to round 0."""
    if block < genesis_block:
        return 0
    return (block - genesis_block) // round_length_blocks


def close_block(round_id: int, genesis_block: int, round_length_blocks: int) -> int:
    """The first block at which round ``round_id`` is closed (and may be settled)."""
    return genesis_block + (round_id + 1) * round_length_blocks


def last_settlement_block(round_id: int, genesis_block: int, round_length_blocks: int, settlement_window_blocks: int) -> int:
    """The last block in which round ``round_id`` may be settled: its close block plus the window."""
    return close_block(round_id, genesis_block, round_length_blocks) + settlement_window_blocks
