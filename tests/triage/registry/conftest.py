"""Fixtures for the registry tests (helpers to build data are in registry_helpers.py)."""

from __future__ import annotations

import pytest

from schildwacht.config import Settings


@pytest.fixture
def settings(pg) -> Settings:
    return Settings(
        database_url=pg.url, secret_key="registry-test-secret", public_base_url="http://test.invalid", _env_file=None
    )
