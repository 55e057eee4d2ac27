"""Structured logging: one event per line, for journald.

A line is `key=value` pairs (or one JSON object): time, level, logger, the message,
then every field given as `extra=`. Lines about a case pass `extra={"case": number}`,
so `journalctl | grep case=100042` finds its whole history.
Message bodies and secrets are never logged at INFO; the tests hold us to it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, Literal

# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}

# Chatty third-party loggers that would print every IMAP/SMTP command (or, Alembic,
# two lines per command) at INFO: warnings only, unless debugging (-v).
_QUIET = (
    "alembic",
    "imapclient",
    "mail.log",
    "apscheduler.executors",
    "apscheduler.scheduler",
    "msal",
)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "msg": record.getMessage(),
    }
    for key, value in record.__dict__.items():
        if key not in _STANDARD and not key.startswith("_"):
            fields[key] = value
    return fields


# What a bare value must not hold: space, quote, "=", backslash, newline, tab.
_NOT_BARE = re.compile(r'[ "=\\\n\t]')


def kv_value(value: Any) -> str:
    """One value of a key=value line: bare if it can be, else a JSON string."""
    text = str(value)
    if text and _NOT_BARE.search(text) is None:  # one C scan, not one `in` per character
        return text
    return json.dumps(text, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        return " ".join(f"{k}={kv_value(v)}" for k, v in fields.items())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        return json.dumps(fields, ensure_ascii=False, default=str)


def lean_records() -> None:
    """Have `logging` leave out of every record what no line of ours shows: the
    caller's file, line and function (a walk up the stack per record), the thread's
    and process's names and ids. The logging HOWTO's "Optimization" table names these
    switches. The IMAP pass logs a line per mail: ~28 -> ~22 us a line (issue 18)."""
    logging._srcfile = None  # the HOWTO's documented switch
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def configure(level: str = "INFO", fmt: Literal["kv", "json"] = "kv", stream: Any = None) -> None:
    """(Re)configure the root logger: one handler, one event per line.

    Called once before the settings are read (so their errors are logged too) and
    again with the configured format; the handler is replaced, never added twice.
    """
    lean_records()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_oo_support", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    handler._oo_support = True  # type: ignore[attr-defined]  # our marker, read above
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET:
        quiet = root.level > logging.DEBUG
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level) if quiet else root.level)
