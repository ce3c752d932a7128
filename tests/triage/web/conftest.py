"""Fixtures for the triage web tests live in webfixtures.py (tests/security uses them too)."""

from tests.triage.web.webfixtures import app, client_factory, live_server, world  # noqa: F401 - pytest fixtures
