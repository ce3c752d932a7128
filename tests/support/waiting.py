"""Event-based waits: poll a condition until it holds, failing with a message after a generous bound.

The bound only turns a hang into a failure; it is never what a test checks, so it is set far above any normal run
(a slow, shared CI machine included). Tests assert on the state reached, never on how long it took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")
BOUND_S = 300.0


def wait_for(condition: Callable[[], T], what: str, bound_s: float = BOUND_S, poll_s: float = 0.05) -> T:
    """The first truthy value of `condition()`; fails the test with `what` if none came within `bound_s`."""
    deadline = time.monotonic() + bound_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting after {bound_s:.0f} s for: {what}")
        time.sleep(poll_s)
