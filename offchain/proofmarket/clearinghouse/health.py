"""How the round loop is doing: its failing steps, each retried with backoff, and its lag.

Rules:

- A step (reading posted bids, advancing one round) that raises is recorded and skipped until
  its retry time: 1 s after the first failure, doubling up to 60 s. Other steps go on: one
  round that cannot advance never holds up the others.
- A failure is logged with its traceback the first time, then one line per retry; the step's
  success after failures is logged once.
- The loop is *degraded* while any step is failing, before its first complete pass, and when
  its last complete pass read a head more than ``max_lag_blocks`` behind the chain's head;
  otherwise it is *ok*.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

log = logging.getLogger(__name__)

Result = TypeVar("Result")

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


@dataclass
class StepFailure:
    step: str
    error: str
    attempts: int
    retry_at: float


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


class LoopHealth:
    """Failing steps and the last complete pass of the round loop (thread-safe)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        first_retry_seconds: float = FIRST_RETRY_SECONDS,
        max_retry_seconds: float = MAX_RETRY_SECONDS,
        on_failure: Callable[[str], None] | None = None,
    ):
        self._clock = clock
        self._first = first_retry_seconds
        self._max = max_retry_seconds
        self._failures: dict[str, StepFailure] = {}
        self._lock = threading.Lock()
        self.last_pass_head: int | None = None
        #: Called with the step's name on each failure (the clearinghouse counts them in its metrics).
        self.on_failure = on_failure

    def run(self, step: str, action: Callable[[], Result]) -> tuple[bool, Result | None]:
        """Run ``action`` as ``step`` unless it is waiting out a backoff; returns ``(ran and
        succeeded, its result)``. An ``Exception`` is recorded, never raised (a
        ``BaseException`` such as a simulated crash or Ctrl-C goes through)."""
        if not self.is_due(step):
            return False, None
        try:
            result = action()
        except Exception as error:  # noqa: BLE001 - recorded, logged and retried with backoff
            self._failed(step, error)
            return False, None
        self._succeeded(step)
        return True, result

    def is_due(self, step: str) -> bool:
        with self._lock:
            failure = self._failures.get(step)
            return failure is None or self._clock() >= failure.retry_at

    def failing(self) -> list[StepFailure]:
        with self._lock:
            return list(self._failures.values())

    def pass_completed(self, head: int) -> None:
        """A pass in which every step ran and succeeded read the chain at ``head``."""
        self.last_pass_head = head

    def report(self, head: int, max_lag_blocks: int) -> dict:
        """``{"status": "ok"}`` or ``{"status": "degraded", "reason": "<one line>"}``."""
        failing = self.failing()
        if failing:
            first = failing[0]
            others = f"; {len(failing) - 1} more step(s) failing" if len(failing) > 1 else ""
            reason = f"round loop failing: {first.step}: {first.error} ({first.attempts} attempt(s)){others}"
            return {"status": "degraded", "reason": reason}
        if self.last_pass_head is None:
            return {"status": "degraded", "reason": "round loop has not completed a pass yet"}
        if head - self.last_pass_head > max_lag_blocks:
            reason = f"round loop behind the chain: its last complete pass read block {self.last_pass_head}, the head is {head}"
            return {"status": "degraded", "reason": reason}
        return {"status": "ok"}

    def _failed(self, step: str, error: Exception) -> None:
        message = _one_line(error)
        if self.on_failure is not None:
            self.on_failure(step)
        with self._lock:
            previous = self._failures.get(step)
            attempts = previous.attempts + 1 if previous else 1
            delay = min(self._max, self._first * 2 ** (attempts - 1))
            self._failures[step] = StepFailure(step, message, attempts, self._clock() + delay)
        if previous is None:
            log.error("%s failed; retrying in %.0f s", step, delay, exc_info=error)
        else:
            log.warning("%s failed again (attempt %s): %s; retrying in %.0f s", step, attempts, message, delay)

    def _succeeded(self, step: str) -> None:
        with self._lock:
            previous = self._failures.pop(step, None)
        if previous is not None:
            log.info("%s succeeded after %s failed attempt(s)", step, previous.attempts)
