"""Watching `schildwacht.kafka.consume_batches` from a test without timing: its log says when it retried a batch."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class RetryWatch(logging.Handler):
    """Counts the loop's transient retries ("batch of N not handled ...") and sets `stop` on the first one beyond
    `allowed`: a loop that can only fail then ends at once, and the test's own asserts say what went wrong, instead
    of the loop retrying until the test's generous bound."""

    def __init__(self, stop: threading.Event, allowed: int) -> None:
        super().__init__(logging.WARNING)
        self.stop, self.allowed, self.retries = stop, allowed, 0
        self.messages: list[str] = []  # the retry warnings as logged

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "schildwacht.kafka" and str(record.msg).startswith("batch of %d not handled"):
            self.retries += 1
            self.messages.append(record.getMessage())
            if self.retries > self.allowed:
                self.stop.set()


@contextmanager
def watch_retries(stop: threading.Event, allowed: int = 0) -> Iterator[RetryWatch]:
    """A `RetryWatch` on the `schildwacht.kafka` logger for the duration of the block."""
    watch = RetryWatch(stop, allowed)
    logger = logging.getLogger("schildwacht.kafka")
    logger.addHandler(watch)
    try:
        yield watch
    finally:
        logger.removeHandler(watch)
