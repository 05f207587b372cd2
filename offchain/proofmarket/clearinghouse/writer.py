"""Group commit for intake: many concurrent submissions, one database transaction.

A bid is acknowledged only after it is committed (a crash never loses an accepted bid), yet the
database sees one transaction per burst of requests instead of one per bid: each caller hands
its bids to a single writer thread and waits; the writer takes everything queued, stores it in
one transaction, and wakes every caller with its own result.

A request is stored whole or not at all: one whose round closed meanwhile gets
:class:`~proofmarket.clearinghouse.errors.RoundClosed` and nothing of it is stored. If a burst's
transaction fails, each of its requests is tried alone, so one bad request cannot fail the
others.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .database import BidSource
from .intake import SignedBid

Items = Sequence[tuple[SignedBid, str]]
#: ``Clearinghouse.store_bid_groups``: per group, a list of "was new" flags or the error refusing it.
StoreBidGroups = Callable[[Sequence[Items], BidSource], list]


@dataclass
class _Request:
    items: Sequence[tuple[SignedBid, str]]
    source: BidSource
    done: threading.Event = field(default_factory=threading.Event)
    results: list[bool] | None = None
    error: BaseException | None = None


class GroupCommitWriter:
    """Serialises bid writes through one thread, committing queued requests together."""

    def __init__(self, store_bid_groups: StoreBidGroups, max_bids_per_commit: int = 10_000):
        self._store_groups = store_bid_groups
        self._max = max_bids_per_commit
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="bid-writer", daemon=True)
        self._thread.start()

    def submit(self, items: Sequence[tuple[SignedBid, str]], source: BidSource = BidSource.API) -> list[bool]:
        """Store ``items`` and return, per item, True if new and False if already known.

        Blocks until the items are committed; raises the refusal (e.g. ``RoundClosed``) or the
        storage error if they were not stored, in which case none of them was.
        """
        if not items:
            return []
        request = _Request(items=list(items), source=source)
        self._queue.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.results or []

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _take_burst(self, first: _Request) -> list[_Request]:
        burst, count = [first], len(first.items)
        while count < self._max:
            try:
                following = self._queue.get_nowait()
            except queue.Empty:
                break
            if following is None:
                self._queue.put(None)
                break
            burst.append(following)
            count += len(following.items)
        return burst

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            burst = self._take_burst(first)
            for source in {request.source for request in burst}:
                self._store([request for request in burst if request.source == source], source)

    def _store(self, group: list[_Request], source: BidSource) -> None:
        """Store ``group`` in one transaction and wake its callers; if the transaction fails,
        store each request alone (only the request that cannot be stored gets the error)."""
        try:
            results = self._store_groups([request.items for request in group], source)
        except BaseException as error:  # noqa: BLE001 - handed to the waiting caller(s)
            if len(group) > 1:
                for request in group:
                    self._store([request], source)
                return
            results = [error]
        for request, result in zip(group, results):
            if isinstance(result, BaseException):
                request.error = result
            else:
                request.results = result
            request.done.set()
