"""Fixtures for the statistics tests; the hand-counted data set is in statistics_data.py."""

from __future__ import annotations

import pytest

from schildwacht.config import Settings


@pytest.fixture
def settings(pg) -> Settings:
    return Settings(
        database_url=pg.url,
        secret_key="statistics-test-secret-" + "s" * 16,
        public_base_url="http://test.invalid",
        _env_file=None,
    )
