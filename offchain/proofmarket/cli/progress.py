"""Progress for long commands: a spinner with the current step, and a log line per step, on stderr."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console


@contextmanager
def progress_reporter(first_step: str = "starting") -> Iterator[Callable[[str], None]]:
    """Yields ``progress(message)``: shows ``message`` beside the spinner and logs it."""
    console = Console(stderr=True)
    with console.status(first_step) as spinner:

        def progress(message: str) -> None:
            spinner.update(message)
            console.log(message)

        yield progress
