"""Process-wide logging: one JSON object per line when the stream is not a terminal (containers, systemd, files),
readable lines on a terminal.

Invariants of a JSON line, so that logs can be shipped to an operator's log store:
- it holds `time` (ISO 8601, UTC), `level`, `logger`, `message` and, where the caller passed them in `extra`, only
  the context fields in `CONTEXT` (the message `uid`, `stage`, Kafka `topic`/`partition`/`offset`, consumer
  `group`); any other `extra` field is dropped, so post text passed by mistake never reaches the log;
- an exception is written as `error` (its class and the driver's message, without SQLAlchemy's statement and
  parameters, which hold post content: `schildwacht.failures.describe`; only its first line, since psycopg adds the
  parameters as CONTEXT; every double-quoted value masked, since PostgreSQL quotes the offending value) and
  `traceback` (the frames only).
Callers log identifiers, never post text, in their messages (docs/operations.md); no request URL (it may hold a
token) is ever logged by the HTTP client, not even when verbose (`URL_LOGGERS`).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

from schildwacht.failures import describe

CONTEXT = ("uid", "stage", "topic", "partition", "offset", "group")
# HTTP client loggers that write a request's full URL at INFO: an OAuth exchange carries the client secret, the code
# and a user token in its query (triage/web/meta_connect.py), so they log warnings only, even when verbose.
URL_LOGGERS = ("httpx", "httpcore")
_QUOTED = re.compile(r'"[^"]*"')
_HUMAN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SafeJsonFormatter(JsonFormatter):
    """JSON lines with the fixed fields, the whitelisted context and exceptions without their statement."""

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.getMessage()
        for name in CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                log_data[name] = value
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            log_data["error"] = _QUOTED.sub('"…"', (describe(exc).splitlines() or [""])[0])
            log_data["traceback"] = "".join(traceback.format_tb(exc.__traceback__))


def configure(verbose: bool = False, stream: TextIO | None = None) -> logging.Handler:
    """Replace the root logger's handlers with one on `stream` (default stderr): JSON lines unless it is a terminal.
    Level INFO when `verbose`, else WARNING. Returns the handler."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(_HUMAN_FORMAT) if _is_terminal(stream) else SafeJsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    for name in URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
