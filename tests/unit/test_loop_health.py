"""The round loop's health: a failing step is retried with backoff, the others run, and the
report says degraded (with the reason) until the step succeeds and a pass completes."""

from __future__ import annotations

from proofmarket.clearinghouse.health import LoopHealth


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def failing(message: str):
    def action():
        raise RuntimeError(message)

    return action


def test_a_failing_step_backs_off_doubling_and_never_raises():
    clock = Clock()
    health = LoopHealth(clock=clock)
    assert health.run("round 3", failing("node down")) == (False, None)
    assert not health.is_due("round 3")
    clock.now += 1.0
    assert health.is_due("round 3")
    health.run("round 3", failing("node down"))
    clock.now += 1.5
    assert not health.is_due("round 3"), "the second retry waits 2 s"
    clock.now += 0.5
    assert health.is_due("round 3")
    assert health.run("round 4", lambda: 7) == (True, 7), "other steps go on"


def test_degraded_while_failing_or_behind_ok_otherwise():
    clock = Clock()
    health = LoopHealth(clock=clock)
    assert health.report(50, max_lag_blocks=10) == {
        "status": "degraded", "reason": "round loop has not completed a pass yet"
    }
    health.pass_completed(50)
    assert health.report(60, max_lag_blocks=10) == {"status": "ok"}
    assert health.report(61, max_lag_blocks=10)["reason"] == (
        "round loop behind the chain: its last complete pass read block 50, the head is 61"
    )
    health.run("round 3", failing("settlement reverted\nsecond line"))
    report = health.report(55, max_lag_blocks=10)
    assert report == {
        "status": "degraded",
        "reason": "round loop failing: round 3: RuntimeError: settlement reverted (1 attempt(s))",
    }
    clock.now += 1.0
    assert health.run("round 3", lambda: None) == (True, None)
    assert health.report(55, max_lag_blocks=10) == {"status": "ok"}
