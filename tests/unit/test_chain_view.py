"""The intake's chain cache: entries expire after their TTL, and concurrent misses load once."""

from __future__ import annotations

import threading

import pytest

from proofmarket.clearinghouse.chain_view import TimedCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class GatedLoad:
    """A load that counts its calls and, when gated, blocks until released."""

    def __init__(self, gated: bool = False) -> None:
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()
        if not gated:
            self.release.set()

    def __call__(self, key):
        self.calls += 1
        self.started.set()
        assert self.release.wait(5)
        return f"{key}:{self.calls}"


def test_an_entry_is_reused_within_its_ttl_and_reloaded_after():
    clock, load = Clock(), GatedLoad()
    cache = TimedCache(load, ttl_seconds=1.0, clock=clock)
    assert cache.get("alice") == "alice:1"
    clock.now = 0.99
    assert cache.get("alice") == "alice:1"
    clock.now = 1.0
    assert cache.get("alice") == "alice:2"


def test_concurrent_misses_of_one_key_load_it_once():
    load = GatedLoad(gated=True)
    cache = TimedCache(load, ttl_seconds=10.0)
    answers = []
    first = threading.Thread(target=lambda: answers.append(cache.get("alice")))
    first.start()
    assert load.started.wait(5)
    waiters = [threading.Thread(target=lambda: answers.append(cache.get("alice"))) for _ in range(4)]
    for waiter in waiters:
        waiter.start()
    load.release.set()
    for thread in [first, *waiters]:
        thread.join(5)
    assert load.calls == 1
    assert answers == ["alice:1"] * 5


def test_with_no_ttl_a_waiter_does_not_take_a_load_that_began_before_it_asked():
    clock, load = Clock(), GatedLoad(gated=True)
    cache = TimedCache(load, ttl_seconds=0.0, clock=clock)
    answers = []
    first = threading.Thread(target=lambda: answers.append(cache.get("alice")))
    first.start()
    assert load.started.wait(5)
    clock.now = 1.0  # the second caller asks after the first load began
    second = threading.Thread(target=lambda: answers.append(cache.get("alice")))
    second.start()
    load.release.set()
    first.join(5)
    second.join(5)
    assert load.calls == 2
    assert sorted(answers) == ["alice:1", "alice:2"]


def test_a_failed_load_reaches_its_caller_and_the_next_caller_loads_again():
    outcomes = iter([RuntimeError("node down"), "alice:ok"])

    def load(key):
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    cache = TimedCache(load, ttl_seconds=10.0)
    with pytest.raises(RuntimeError, match="node down"):
        cache.get("alice")
    assert cache.get("alice") == "alice:ok"
