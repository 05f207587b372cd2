"""A short-lived cache of the chain state intake checks against (escrow, provers, the open round).

Intake must answer thousands of bids a second; reading escrow from a node for each one would cap
it at the node's call rate. A value here is at most ``ttl_seconds`` old, which is safe because
intake is advisory: the clearinghouse reads the chain again at the round's close
(``admission``), and the contract checks everything once more at settlement.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Generic, Hashable, TypeVar

from .ports import MarketPort, ProverStatus
from .schedule import round_at_block

Value = TypeVar("Value")


class TimedCache(Generic[Value]):
    """A thread-safe map whose entries expire ``ttl_seconds`` after they were loaded.

    Loads are single-flight: while one thread loads a key, the others asking for it wait for
    that load instead of each reading the node too (under a burst of bids every request thread
    would otherwise miss the same expired entries at once). A waiter takes the value if it is
    still fresh, or if its load began after the waiter asked (so even with ``ttl_seconds=0``
    every caller gets a value read after its call began). A load that raises wakes the waiters,
    and the next of them loads again.
    """

    def __init__(self, load: Callable[[Hashable], Value], ttl_seconds: float, clock: Callable[[], float] = time.monotonic):
        self._load = load
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Value]] = {}
        self._loading: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Value:
        asked = self._clock()
        while True:
            now = self._clock()
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and (now - entry[0] < self._ttl or entry[0] >= asked):
                    return entry[1]
                loading = self._loading.get(key)
                if loading is None:
                    loading = self._loading[key] = threading.Event()
                    break
            loading.wait()  # another thread is loading this key: use its value (or retry if it failed)
        try:
            value = self._load(key)
            with self._lock:
                self._entries[key] = (now, value)
            return value
        finally:
            with self._lock:
                del self._loading[key]
            loading.set()


class ChainView:
    """Cached reads of the market for intake. One instance per process."""

    def __init__(self, market: MarketPort, ttl_seconds: float = 1.0):
        self.market = market
        self.parameters = market.parameters()
        self._escrow = TimedCache(lambda user: market.escrow_of(user), ttl_seconds)
        self._provers = TimedCache(lambda prover: market.prover_status(prover), ttl_seconds)
        self._block = TimedCache(lambda _: market.block_number(), min(ttl_seconds, 0.25))

    def escrow_of(self, user: str) -> int:
        return self._escrow.get(user.lower())

    def prover_status(self, prover: str) -> ProverStatus:
        return self._provers.get(prover.lower())

    def block_number(self) -> int:
        return self._block.get("head")

    def open_round(self) -> int:
        return round_at_block(self.block_number(), self.parameters.genesis_block, self.parameters.round_length_blocks)
