"""Which real components this machine has, and the one rule for a missing one: skip locally, fail under CI=true."""

from __future__ import annotations

import os
import shutil

import pytest

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require(available: bool, what: str) -> None:
    """Skip when a component is missing locally; fail under CI=true, where everything must be present."""
    if available:
        return
    if CI:
        pytest.fail(f"{what} is required under CI=true but missing")
    pytest.skip(f"{what} not available")
