"""Waiting out a database outage: which errors mean "the database is unreachable", and retrying with back-off.

Invariants:
- only `schildwacht.failures.DATABASE_UNREACHABLE` counts as unreachable (connection refused or lost, server
  shutting down, pool timeout, a deadlock or cancelled statement: errors that a later attempt can cure); any other
  error (a constraint, a bug) propagates at once and is never retried;
- the delay doubles from `first_delay` up to `max_delay`; with `until` (a `time.monotonic()` value) the last error
  propagates once the next attempt would start after it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from schildwacht.failures import DATABASE_UNREACHABLE

log = logging.getLogger(__name__)

T = TypeVar("T")


def first_line(exc: Exception) -> str:
    """The first line of the driver's message (psycopg's run over several lines), for a one-line log entry."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def retry_while_unreachable(
    call: Callable[[], T], *, until: float | None = None, first_delay: float = 0.5, max_delay: float = 10.0
) -> T:
    """`call()`'s result, calling it again after a growing pause as long as the database is unreachable."""
    delay = first_delay
    while True:
        try:
            return call()
        except DATABASE_UNREACHABLE as exc:
            if until is not None and time.monotonic() + delay > until:
                raise
            log.warning("database niet bereikbaar (%s); opnieuw over %.1f s", first_line(exc), delay)
            time.sleep(delay)
            delay = min(delay * 2, max_delay)
