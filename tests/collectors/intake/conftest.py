"""Fixtures of the intake tests: a real Dovecot IMAP server."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.collectors.intake.dovecot import DOVECOT, Dovecot
from tests.support.components import require


@pytest.fixture
def dovecot(tmp_path):
    """A running Dovecot on a free loopback port with an empty maildir (stopped and removed after the test).

    As root the mail processes run as user `dovecot`, which cannot enter pytest's private tmp_path: the server
    then lives in a directory of its own that others may traverse."""
    require(DOVECOT is not None, "dovecot (dovecot-imapd)")
    root = tmp_path / "dovecot"
    if os.getuid() == 0:
        root = Path(tempfile.mkdtemp(prefix="schildwacht-dovecot-"))
        root.chmod(0o755)
    server = Dovecot(root).start()
    yield server
    server.stop()
    if os.getuid() == 0:
        shutil.rmtree(root, ignore_errors=True)
