"""``proofmarket bench clearing``: how clearing scales, measured
against ``list.sort`` of the same bids.

For N = 10^3 … 10^6 bids against N/100 provers (10 … 10^4), seeded (:func:`bench_round`), it
times each mechanism's ``clear_round`` and, as the yardstick, ``list.sort`` of the same bids as
``(density key, id)`` tuples (the exact integer key of :mod:`proofmarket.mechanism.ordering`),
built beforehand and sorted in the same run. Each figure is the best of a few repeats, with the
garbage collector paused as ``timeit`` does. Hashing and serialising the outcome are not part
of clearing (the hashes are computed on demand); their time is printed separately.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import time
from typing import Callable

from proofmarket.mechanism import MECHANISM_NAMES, clear_round
from proofmarket.mechanism.ordering import density_key, density_sort_scale
from proofmarket.mechanism.roundfile import outcome_to_json
from proofmarket.mechanism.types import RoundInput
from proofmarket.sim.workloads import bench_round


def best_time(action: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs of ``action``, in seconds, with the GC paused."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            action()
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best


def time_reference_sort(round_input: RoundInput, repeats: int) -> float:
    """``list.sort`` of the bids as ``(density key, id)`` tuples (a fresh copy each run)."""
    bids = list(round_input.bids)
    scale = density_sort_scale(bids)
    keyed = [(-density_key(bid, scale), bid.id) for bid in bids]
    best = float("inf")
    for _ in range(repeats):
        copy = list(keyed)
        best = min(best, best_time(copy.sort, 1))
    return best


def run_clearing_bench(
    seed: int,
    max_bids: int = 10**6,
    mechanisms: tuple[str, ...] = MECHANISM_NAMES,
    echo: Callable[[str], None] = print,
) -> float:
    """Print the timings; the last line is ``clear/sort ratio at N bids: X`` for the largest N
    (Prooφ's clearing, or the first mechanism's if Prooφ is not benched). Returns X."""
    rng = random.Random(seed)
    sizes = [10**exponent for exponent in range(3, 7) if 10**exponent <= max_bids]
    headline = "proofphi" if "proofphi" in mechanisms else mechanisms[0]
    echo(f"clearing bench, seed {seed} (best of repeats, gc paused during timing)")
    echo(f"{'bids':>9} {'provers':>8} {'mechanism':<16} {'included':>9} {'clear s':>9} {'sort s':>8} {'clear/sort':>10}")
    ratio = 0.0
    for bid_count in sizes:
        prover_count = bid_count // 100
        round_input = bench_round(rng, bid_count, prover_count)
        repeats = 2 if bid_count >= 10**6 else 3
        sort_seconds = time_reference_sort(round_input, repeats)
        for mechanism in mechanisms:
            variant = dataclasses.replace(round_input, mechanism=mechanism)
            outcome = clear_round(variant)
            clear_seconds = best_time(lambda: clear_round(variant), repeats)
            echo(
                f"{bid_count:>9} {prover_count:>8} {mechanism:<16} {len(outcome.included_bid_ids):>9} "
                f"{clear_seconds:>9.4f} {sort_seconds:>8.4f} {clear_seconds / sort_seconds:>10.2f}"
            )
            if mechanism == headline:
                ratio = clear_seconds / sort_seconds
            del outcome
        serialise_seconds = best_time(lambda: outcome_to_json(clear_round(round_input)), 1)
        echo(f"{'':>9} {'':>8} {'(clear + hashes + JSON, proofphi: ' + format(serialise_seconds, '.3f') + ' s; not part of clearing)'}")
    echo(f"clear/sort ratio at {sizes[-1]} bids: {ratio:.2f}")
    return ratio
