"""Effective supply: how many constraints a set of provers can surely carry (docs/mechanism.md,
``proofphi``, "Effective capacity").

Transactions are indivisible and each prover's chunk is a contiguous run of the batch, so a set
of provers with total capacity ``Σ s_j ≥ G`` may still be unable to carry transactions of total
size ``G``. The rule that makes feasibility a function of *sets* alone (which the truthful
``proofphi`` needs: it must not depend on anyone's bid or ask):

    With ``ĝ`` the largest transaction among those to place, prover ``j``'s *effective
    capacity* is ``e_j = max(0, s_j − ĝ + 1)``. If ``G ≤ Σ e_j``, the greedy walk (each
    transaction, in any order, goes to the current prover if it fits in what that prover has
    left, else to the first later prover with room for it, in any fixed order of provers)
    places every transaction.

Proof: suppose the walk fails on a transaction of size ``g ≤ ĝ``. Every prover the walk left
behind was left because some transaction of size ``≤ ĝ`` did not fit, so it carries more than
``s_j − ĝ``, i.e. at least ``e_j``; so does the current one (``g`` does not fit in it); every
prover skipped or never reached has ``s_j < g ≤ ĝ``, so ``e_j = 0``. The walk has then placed
at least ``Σ e_j`` and still holds ``g ≥ 1``: ``G > Σ e_j``, a contradiction.

:class:`EffectiveSupply` answers ``Σ e_j`` over a shrinking set of provers for any ``ĝ`` in
``O(log m)``: a Fenwick tree over the provers' capacities in ascending order holds the count and
the sum of the capacities still present, and ``Σ_{s_j ≥ ĝ} (s_j − ĝ + 1)`` is the suffix sum less
``(ĝ − 1)`` times the suffix count.
"""

from __future__ import annotations

from bisect import bisect_left


def effective_capacity(capacity: int, largest_transaction: int) -> int:
    """``e_j = max(0, s_j − ĝ + 1)``; with no transaction to place (``ĝ = 0``) it is ``s_j``."""
    return max(0, capacity - max(largest_transaction, 1) + 1)


class EffectiveSupply:
    """``Σ e_j`` over the provers still present, for any largest transaction ``ĝ``.

    Provers are named by their position in the list given at construction; :meth:`remove` takes
    one out (once). Pure bookkeeping: no I/O, integers only.
    """

    def __init__(self, capacities: list[int]) -> None:
        order = sorted(range(len(capacities)), key=capacities.__getitem__)
        self._sorted_capacities = [capacities[index] for index in order]
        self._rank = [0] * len(capacities)
        for rank, index in enumerate(order):
            self._rank[index] = rank
        size = len(capacities)
        self._count = [0] * (size + 1)
        self._sum = [0] * (size + 1)
        for rank, capacity in enumerate(self._sorted_capacities):
            self._add(rank, 1, capacity)

    def _add(self, rank: int, count: int, capacity: int) -> None:
        position = rank + 1
        while position < len(self._count):
            self._count[position] += count
            self._sum[position] += capacity
            position += position & -position

    def _prefix(self, rank_end: int) -> tuple[int, int]:
        """Count and capacity sum of the present provers with rank ``< rank_end``."""
        count = total = 0
        position = rank_end
        while position > 0:
            count += self._count[position]
            total += self._sum[position]
            position -= position & -position
        return count, total

    def remove(self, prover: int) -> None:
        """Take prover ``prover`` (its position at construction) out of the supply."""
        rank = self._rank[prover]
        self._add(rank, -1, -self._sorted_capacities[rank])

    def total(self, largest_transaction: int) -> int:
        """``Σ_j max(0, s_j − ĝ + 1)`` over the present provers, ``ĝ = largest_transaction``."""
        threshold = max(largest_transaction, 1)
        first = bisect_left(self._sorted_capacities, threshold)
        all_count, all_sum = self._prefix(len(self._sorted_capacities))
        below_count, below_sum = self._prefix(first)
        return (all_sum - below_sum) - (threshold - 1) * (all_count - below_count)
