"""Fixtures for the security regression tests (issue 16): the triage web world, the registry helpers and the
bundle case builder, imported from their own test folders (tests/ is no package)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
for _sub in ("triage_web", "registry", "bundle"):
    _path = str(TESTS / _sub)
    if _path not in sys.path:
        sys.path.insert(0, _path)

from sites import INTERNAL, PUBLIC_STAND_IN, Certificate, self_signed  # noqa: E402
from webfixtures import app, client_factory, live_server, world  # noqa: E402, F401 - pytest fixtures


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> Certificate:
    """One certificate for the loopback receivers (tests/security/sites.py), trusted by the dispatcher's pinned
    client through SSL_CERT_FILE."""
    made = self_signed(tmp_path / "tls", PUBLIC_STAND_IN, INTERNAL, "localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(made.cert))
    return made
