"""Fixtures for the security regression tests (issue 16): the triage web world, the registry helpers and the
bundle case builder, imported from their own test folders (tests/ is no package)."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
for _sub in ("triage_web", "registry", "bundle"):
    _path = str(TESTS / _sub)
    if _path not in sys.path:
        sys.path.insert(0, _path)

from webfixtures import app, client_factory, live_server, world  # noqa: E402, F401 - pytest fixtures
