"""Fixtures for the security regression tests (issue 16): the triage web world, the registry helpers and the
bundle case builder, imported from their own test packages."""

from __future__ import annotations

import pytest

from tests.security.sites import INTERNAL, PUBLIC_STAND_IN, Certificate, self_signed
from tests.triage.web.webfixtures import app, client_factory, live_server, world  # noqa: F401 - pytest fixtures


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> Certificate:
    """One certificate for the loopback receivers (tests/security/sites.py), trusted by the dispatcher's pinned
    client through SSL_CERT_FILE."""
    made = self_signed(tmp_path / "tls", PUBLIC_STAND_IN, INTERNAL, "localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(made.cert))
    return made
