"""What the provers still in can carry (docs/mechanism.md, ``proofphi``, "Feasibility").

The truthful ``proofphi`` asks, again and again, whether the users still in fit the provers still
in, and whether they would fit without the largest of them. The answer must depend only on *sets*
(the sizes of the users in, the capacities of the provers in), never on anyone's bid or ask, and
whenever it says "fits" there must be an assignment. Two tests give it, either one sufficing:

1. **Effective capacity** (any round size; proven below). With a bound of ``L`` transactions per
   chunk, each prover counts for at most ``L·g_min`` (``g_min`` the smallest transaction in): a
   prover the walk leaves for holding ``L`` transactions carries at least that much.
2. **Packing walk** (rounds of at most :data:`PACKING_WALK_LIMIT` users in): the users in, largest
   transaction first (ties by id), walked over the provers in, largest capacity first (ties by
   id), each transaction whole to the current prover if it fits, else to the first later prover
   with room for it. Whether it succeeds is monotone: it still succeeds with any user removed
   (the walk's position is never worse, item by item) and with any prover replaced by a larger
   one (the sorted capacities dominate), so "fits without the largest prover" implies "fits
   without any one prover", and the users the user clock removes one by one can be found by
   bisection.

**Effective capacity.**

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

from bisect import bisect_left, bisect_right
from itertools import accumulate

from proofmarket.mechanism.assignment import WorkGroup, walk_provers
from proofmarket.mechanism.ordering import constraints_of
from proofmarket.mechanism.types import Ask, Bid

PACKING_WALK_LIMIT = 4096
"""The packing walk (test 2) is tried while at most this many users are in: it costs a pass over
them, so large rounds rely on the effective-capacity test alone (their transactions are small
beside the provers' capacities, where that test wastes little)."""


def effective_capacity(capacity: int, largest_transaction: int, cap: int = 0) -> int:
    """``e_j = max(0, s_j − ĝ + 1)``; with no transaction to place (``ĝ = 0``) it is ``s_j``; at
    most ``cap`` when ``cap > 0``."""
    effective = max(0, capacity - max(largest_transaction, 1) + 1)
    return min(effective, cap) if cap > 0 else effective


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

    def total(self, largest_transaction: int, cap: int = 0) -> int:
        """``Σ_j max(0, s_j − ĝ + 1)`` over the present provers, ``ĝ = largest_transaction``; with
        ``cap > 0``, each term is at most ``cap`` (``Σ_j min(e_j, cap)``)."""
        threshold = max(largest_transaction, 1)
        capacities = self._sorted_capacities
        first = bisect_left(capacities, threshold)
        split = bisect_right(capacities, cap + threshold - 1) if cap > 0 else len(capacities)  # ≥ first
        first_count, first_sum = self._prefix(first)
        split_count, split_sum = self._prefix(split)
        all_count, _ = self._prefix(len(capacities))
        uncapped = (split_sum - first_sum) - (threshold - 1) * (split_count - first_count)
        return uncapped + cap * (all_count - split_count) if cap > 0 else uncapped


def _walk_key(ask: Ask) -> tuple[int, str]:
    """The packing walk's order of provers: largest capacity first, then id (never the ask)."""
    return (-ask.capacity, ask.id)


class Feasibility:
    """The two tests of the module docstring over one round: the users in are the first ``users``
    of the density order, the provers in are those not yet :meth:`remove`-d.

    Pure bookkeeping over public data (sizes, capacities, ids): no bid or ask value is read.
    """

    def __init__(self, ordered_bids: list[Bid], ordered_asks: list[Ask], capacity: int, max_bids_per_chunk: int = 0) -> None:
        self.ordered_bids = ordered_bids
        self.capacity = capacity
        self.max_bids_per_chunk = max_bids_per_chunk
        sizes = list(map(constraints_of, ordered_bids))
        self.prefix_smallest = list(accumulate(sizes, min, initial=2**256)) if max_bids_per_chunk else []
        self.prefix_constraints = list(accumulate(sizes, initial=0))
        self.prefix_largest = list(accumulate(sizes, max, initial=0))
        self.supply = EffectiveSupply([ask.capacity for ask in ordered_asks])
        self.provers_in = sorted(ordered_asks, key=_walk_key)
        self._largest_first: list[int] | None = None

    @property
    def largest_first(self) -> list[int]:
        """Positions (in the density order) of the first :data:`PACKING_WALK_LIMIT` bids, largest
        transaction first, ties by id; sorted on first use (large rounds rarely need it)."""
        if self._largest_first is None:
            bids = self.ordered_bids
            small = min(len(bids), PACKING_WALK_LIMIT)
            self._largest_first = sorted(range(small), key=lambda index: (-bids[index].constraints, bids[index].id))
        return self._largest_first

    def remove(self, position: int, ask: Ask) -> None:
        """Take out the prover at ``position`` of the ask order (``ask``)."""
        self.supply.remove(position)
        walk_position = bisect_left(self.provers_in, (-ask.capacity, ask.id), key=_walk_key)
        del self.provers_in[walk_position]

    def fits(self, users: int) -> bool:
        """Whether the first ``users`` bids fit ``C`` and the provers in (test 1 or test 2)."""
        demand = self.prefix_constraints[users]
        if demand > self.capacity:
            return False
        if demand <= self.supply.total(self.prefix_largest[users], self._cap(users)):
            return True
        return self._walk(users, self.provers_in) is not None

    def _cap(self, users: int) -> int:
        """With at most ``L`` transactions a chunk, a prover left behind for holding ``L`` of them
        carries at least ``L·g_min``: test 1 counts each prover for ``min(e_j, L·g_min)``
        (0: no bound)."""
        if not self.max_bids_per_chunk or not users:
            return 0
        return self.max_bids_per_chunk * self.prefix_smallest[users]

    def redundant(self, users: int) -> bool:
        """Whether the first ``users`` bids would still fit without the largest prover in (so
        without any one of them): the test for the prover clock to fall (rule 2)."""
        if not self.provers_in:
            return False
        demand = self.prefix_constraints[users]
        largest = self.prefix_largest[users]
        largest_capacity = self.provers_in[0].capacity
        cap = self._cap(users)
        if demand <= self.supply.total(largest, cap) - effective_capacity(largest_capacity, largest, cap):
            return True
        return self._walk(users, self.provers_in[1:]) is not None

    def longest_fitting_prefix(self, users: int) -> int:
        """The largest ``k < users`` for which :meth:`fits` holds (``k = 0`` always fits): the
        users the rising user clock leaves in. Both tests are monotone in ``k``, so bisect."""
        return bisect_right(range(users), False, key=lambda k: not self.fits(k)) - 1

    def assign(self, users: int) -> tuple[list[Bid], list[WorkGroup]]:
        """The batch, in chunk order, and one work group per prover that got work. The packing
        walk's assignment if it succeeds, else the density-order walk that test 1 guarantees.

        Raises ``ValueError`` if neither places the batch (a bug: :meth:`fits` said it would).
        """
        walked = self._walk(users, self.provers_in)
        if walked is not None:
            return walked
        batch = self.ordered_bids[:users]
        groups = walk_provers(batch, self.provers_in, self.max_bids_per_chunk)
        if groups is None:
            raise ValueError("the batch does not fit the provers in (effective-capacity bound broken)")
        return batch, groups

    def _walk(self, users: int, provers: list[Ask]) -> tuple[list[Bid], list[WorkGroup]] | None:
        """Test 2: the packing walk of the first ``users`` bids over ``provers`` (or ``None``)."""
        if users > PACKING_WALK_LIMIT:
            return None
        batch = [self.ordered_bids[index] for index in self.largest_first if index < users]
        groups = walk_provers(batch, provers, self.max_bids_per_chunk)
        return None if groups is None else (batch, groups)
