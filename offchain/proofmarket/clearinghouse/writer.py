"""Group commit for intake: many concurrent submissions, one database transaction.

A bid is acknowledged only after it is committed (a crash never loses an accepted bid), yet the
database sees one transaction per burst of requests instead of one per bid: each caller hands
its bids to a single writer thread and waits; the writer takes everything queued, stores it in
one transaction, and wakes every caller with its own result.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .database import BidSource
from .intake import SignedBid

StoreBids = Callable[[Sequence[tuple[SignedBid, str]], BidSource], list[bool]]


@dataclass
class _Request:
    items: Sequence[tuple[SignedBid, str]]
    source: BidSource
    done: threading.Event = field(default_factory=threading.Event)
    results: list[bool] | None = None
    error: BaseException | None = None


class GroupCommitWriter:
    """Serialises bid writes through one thread, committing queued requests together."""

    def __init__(self, store_bids: StoreBids, max_bids_per_commit: int = 10_000):
        self._store_bids = store_bids
        self._max = max_bids_per_commit
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="bid-writer", daemon=True)
        self._thread.start()

    def submit(self, items: Sequence[tuple[SignedBid, str]], source: BidSource = BidSource.API) -> list[bool]:
        """Store ``items`` and return, per item, True if new and False if already known.

        Blocks until the items are committed; re-raises the storage error if the commit failed.
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
                group = [request for request in burst if request.source == source]
                items = [item for request in group for item in request.items]
                try:
                    results = self._store_bids(items, source)
                    position = 0
                    for request in group:
                        request.results = results[position : position + len(request.items)]
                        position += len(request.items)
                except BaseException as error:  # noqa: BLE001 - handed to every waiting caller
                    for request in group:
                        request.error = error
                for request in group:
                    request.done.set()
