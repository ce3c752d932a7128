"""/healthz, /readyz and the token on /metrics (triage/web/health.py) against the real PostgreSQL and Tansu broker.

readyz fails while the test's own PostgreSQL is stopped (`pg_outage`) or the configured broker's address has no
broker, and recovers once PostgreSQL is back; healthz does not depend on either.
"""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker
from schildwacht.embedded import free_port
from triage.web.app import create_app

pytestmark = pytest.mark.integration

TOKEN = "metrics-token-" + "k" * 40


def client(settings: Settings, url: str) -> tuple[TestClient, object]:
    engine = make_engine(url)
    return TestClient(create_app(settings, make_sessionmaker(engine))), engine


def settings_for(tmp_path, database_url: str, bootstrap: str | None, **extra) -> Settings:
    return Settings(
        kafka_bootstrap_servers=bootstrap,
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="s" * 64,
        readiness_timeout_s=5.0,
        **extra,
    )


def closed_port() -> int:
    """A local port nothing listens on (checked by connecting)."""
    port = free_port()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    return port


def test_readyz_follows_a_database_outage_and_healthz_does_not(pg_outage, broker, tmp_path):
    web, engine = client(settings_for(tmp_path, pg_outage.url, broker.bootstrap), pg_outage.url)
    try:
        ready = web.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ok", "database": "ok", "broker": "ok"}

        pg_outage.stop(keep_data=True)
        down = web.get("/readyz")
        assert down.status_code == 503
        assert down.json() == {"status": "niet gereed", "database": "niet bereikbaar", "broker": "ok"}
        assert web.get("/healthz").json() == {"status": "ok"}

        pg_outage.start()
        assert web.get("/readyz").status_code == 200
    finally:
        engine.dispose()


def test_readyz_fails_without_a_broker_at_the_configured_address(pg, tmp_path):
    web, engine = client(settings_for(tmp_path, pg.url, f"127.0.0.1:{closed_port()}"), pg.url)
    try:
        down = web.get("/readyz")
        assert down.status_code == 503
        assert down.json() == {"status": "niet gereed", "database": "ok", "broker": "niet bereikbaar"}
    finally:
        engine.dispose()


def test_metrics_needs_the_configured_token(pg, tmp_path):
    unset, engine = client(settings_for(tmp_path, pg.url, None), pg.url)
    guarded, _ = client(settings_for(tmp_path, pg.url, None, metrics_token=SecretStr(TOKEN)), pg.url)
    try:
        assert unset.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
        assert guarded.get("/metrics").status_code == 401
        wrong = guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        ok = guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")
        assert "# TYPE schildwacht_messages_in_total counter" in ok.text
    finally:
        engine.dispose()
