"""Fixtures for the triage web tests live in webfixtures.py (tests/security uses them too) and, for Chromium,
browser_support.py."""

from tests.triage.web.browser_support import browser, browser_page  # noqa: F401 - pytest fixtures (Chromium)
from tests.triage.web.webfixtures import app, client_factory, live_server, world  # noqa: F401 - pytest fixtures
