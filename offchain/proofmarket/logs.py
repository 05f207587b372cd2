"""Logging for the long-running commands (``serve``, ``prover``): one line per record.

Records that report an event carry its figures (``round``, ``state``, ``gas_used``, …) as a
mapping in the record's ``figures`` attribute; :func:`event` logs one. Two formats:

- ``text``: ``2026-11-30T12:00:00.123Z INFO proofmarket.clearinghouse.service: round settled
  round=3 state=settled …``: the figures follow the message as ``key=value``, one line per
  record (a traceback, if any, follows on its own lines), never wrapped, no source links.
- ``json``: one JSON object per line: ``time``, ``level``, ``logger``, ``message``, the figures
  as fields, and ``exception`` (the traceback text) if there is one.

:func:`configure` is the one place the handlers are wired; everything else only logs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import TextIO

#: The log formats ``--log-format`` offers.
FORMATS = ("text", "json")

#: The log levels ``--log-level`` offers.
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

#: Libraries that log every request at INFO: an agent polling each second would fill the log.
#: Their records below WARNING are shown as DEBUG (and only at DEBUG).
CHATTY_LOGGERS = ("httpx", "httpcore", "urllib3", "web3", "uvicorn.access")

#: The attributes every ``LogRecord`` has; anything else passed in ``extra`` is a figure too.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "figures"}


def event(logger: logging.Logger, message: str, level: int = logging.INFO, **figures) -> None:
    """Log ``message`` at ``level`` with ``figures`` (JSON-serialisable values) attached to the
    record, so the text format appends them as ``key=value`` and the JSON format as fields."""
    if logger.isEnabledFor(level):
        logger.log(level, message, extra={"figures": figures})


def figures_of(record: logging.LogRecord) -> dict:
    """The figures a record carries: its ``figures`` mapping, plus any other ``extra`` attribute."""
    figures = dict(getattr(record, "figures", None) or {})
    for name, value in vars(record).items():
        if name not in _RECORD_ATTRIBUTES and not name.startswith("_"):
            figures.setdefault(name, value)
    return figures


def _timestamp(record: logging.LogRecord) -> str:
    """The record's time in UTC, ISO 8601 with milliseconds (``2026-11-30T12:00:00.123Z``)."""
    moment = datetime.fromtimestamp(record.created, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(record.msecs):03d}Z"


def _one_line(text: str) -> str:
    """``text`` with its line breaks escaped, so a record never spans lines."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _shown(value) -> str:
    """A figure as the text format shows it: strings with spaces quoted, the rest as ``str``."""
    text = _one_line(str(value))
    return json.dumps(text) if (not text or " " in text or '"' in text) else text


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value …`` on one line; a traceback on the lines after."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line (plus its traceback, if it has one)."""
        line = f"{_timestamp(record)} {record.levelname} {record.name}: {_one_line(record.getMessage())}"
        figures = figures_of(record)
        if figures:
            line += " " + " ".join(f"{name}={_shown(value)}" for name, value in figures.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            line += "\n" + record.exc_text
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time``, ``level``, ``logger``, ``message``, the figures."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (values JSON cannot hold are written as strings)."""
        document: dict = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in figures_of(record).items():
            document.setdefault(name, value)
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str)


class DemoteChatter(logging.Filter):
    """Shows the records of :data:`CHATTY_LOGGERS` below WARNING as DEBUG, and drops every
    record below ``threshold`` (the handler's level is checked before the demotion)."""

    def __init__(self, threshold: int):
        super().__init__()
        self.threshold = threshold

    def filter(self, record: logging.LogRecord) -> bool:
        """Demote a chatty library's record; keep it only if it is at ``threshold`` or above."""
        chatty = any(record.name == name or record.name.startswith(name + ".") for name in CHATTY_LOGGERS)
        if chatty and record.levelno < logging.WARNING:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record.levelno >= self.threshold


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``log_format`` (one of :data:`FORMATS`)."""
    if log_format == "json":
        return JsonFormatter()
    if log_format == "text":
        return TextFormatter()
    raise ValueError(f"unknown log format {log_format!r}: one of {', '.join(FORMATS)}")


def configure(level: str = "INFO", log_format: str = "text", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record at ``level`` or above to ``stream`` (default: stderr) in
    ``log_format``, replacing the root logger's handlers; returns the handler installed.

    The records of the libraries in :data:`CHATTY_LOGGERS` below WARNING (a line per HTTP
    request) are shown as DEBUG, so only at DEBUG.
    """
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}: one of {', '.join(LEVELS)}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(DemoteChatter(numeric))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(numeric if numeric <= logging.DEBUG else logging.WARNING)
    return handler

