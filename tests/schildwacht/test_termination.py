"""SIGTERM and SIGHUP end a command by an exception, like Ctrl-C, so that its cleanup runs (schildwacht.termination).

The signals are real (sent to this process); the end-to-end proof with embedded services is
tests/schildwacht/app/test_clean_stops.py.
"""

from __future__ import annotations

import os
import signal

import pytest

from schildwacht.termination import Terminated, terminate_on_signals, uninterrupted


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_raises_terminated_with_the_shell_exit_status(signum):
    with pytest.raises(Terminated) as raised, terminate_on_signals():
        os.kill(os.getpid(), signum)
    assert raised.value.code == 128 + signum


def test_signal_during_a_start_is_raised_when_the_start_is_done():
    started = False
    with pytest.raises(Terminated), terminate_on_signals():
        with uninterrupted():
            os.kill(os.getpid(), signal.SIGTERM)
            started = True
        pytest.fail("not raised after the uninterrupted block")
    assert started


def test_later_signals_do_not_interrupt_the_cleanup_and_handlers_come_back():
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    cleaned_up = False
    with pytest.raises(Terminated), terminate_on_signals():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        finally:
            os.kill(os.getpid(), signal.SIGHUP)
            os.kill(os.getpid(), signal.SIGINT)
            cleaned_up = True
    assert cleaned_up
    assert {signum: signal.getsignal(signum) for signum in before} == before
