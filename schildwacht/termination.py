"""Ending a command on SIGTERM and SIGHUP the way Ctrl-C ends it: by an exception, so its `with`/`finally` blocks run.

`timeout`, systemd and `docker stop` send SIGTERM, a closed terminal sends SIGHUP; Python's default for both ends the
process at once, so embedded services the command started would outlive it.

Invariants while `terminate_on_signals()` is active (in the main thread; elsewhere it changes nothing):
- SIGTERM and SIGHUP raise `Terminated`, a SystemExit whose code is 128 + the signal number (what shells report for a
  process ended by that signal); SIGINT raises KeyboardInterrupt, as Python's own handler does;
- inside `uninterrupted()`, a signal is held back and raised when the block ends, so that nothing is left half-started
  (running, but not yet registered for stopping);
- only the first signal counts: later ones are ignored while the cleanup runs;
- the previous handlers are back when the block ends.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class Terminated(SystemExit):
    """The command was asked to stop by SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


class _Handler:
    def __init__(self) -> None:
        self.received: int | None = None
        self.raised = False
        self.holding = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            return
        self.received = signum
        sys.stderr.write(f"\n{signal.Signals(signum).name} ontvangen: Schildwacht stopt en sluit af wat het startte.\n")
        if not self.holding:
            self.raise_received()

    def raise_received(self) -> None:
        assert self.received is not None
        self.raised = True
        if self.received == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(self.received)


_active: _Handler | None = None


@contextlib.contextmanager
def terminate_on_signals() -> Iterator[None]:
    """SIGTERM, SIGHUP and SIGINT end the block with an exception (see the module's invariants)."""
    global _active
    if _active is not None or threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = _Handler()
    previous = {signum: signal.signal(signum, handler) for signum in HANDLED}
    _active = handler
    try:
        yield
    finally:
        _active = None
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold back a signal until the block ends (or the block's own exception propagates instead)."""
    handler = _active
    if handler is None:
        yield
        return
    handler.holding += 1
    try:
        yield
    finally:
        handler.holding -= 1
    if not handler.holding and handler.received is not None and not handler.raised:
        handler.raise_received()
