"""While PostgreSQL is down the web app answers 503 with Retry-After (a Dutch page, JSON under /api), not 500; once
the database is back, the same client is served again without a restart of the app."""

from __future__ import annotations

import pytest

from schildwacht.app.seed import seed
from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker, session_scope
from tests.triage.web.triageweb_support import login
from triage.web.app import create_app
from triage.web.outage import RETRY_AFTER_S

pytestmark = pytest.mark.integration


def test_pages_and_api_answer_503_while_the_database_is_down(pg_outage, tmp_path):
    settings = Settings(
        database_url=pg_outage.url,
        secret_key="test-secret-" + "x" * 20,
        data_dir=tmp_path,
        public_base_url="https://schildwacht.test",
    )
    engine = make_engine(pg_outage.url)
    with session_scope(make_sessionmaker(engine)) as session:
        seed(session)
    client = login(create_app(settings, make_sessionmaker(engine)), "triagist_a")
    try:
        assert client.get("/zaken").status_code == 200
        assert client.get("/api/cases").status_code == 200

        pg_outage.stop(keep_data=True)
        page = client.get("/zaken")
        assert page.status_code == 503, page.text[:500]
        assert page.headers["Retry-After"] == str(RETRY_AFTER_S)
        assert page.headers["content-type"].startswith("text/html")
        assert "Tijdelijk niet beschikbaar" in page.text and "tijdelijk niet beschikbaar" in page.text
        assert "psycopg" not in page.text and "OperationalError" not in page.text
        api = client.get("/api/cases")
        assert api.status_code == 503
        assert api.headers["Retry-After"] == str(RETRY_AFTER_S)
        assert "tijdelijk niet beschikbaar" in api.json()["detail"]

        pg_outage.start()
        assert client.get("/zaken").status_code == 200
        assert client.get("/api/cases").status_code == 200
    finally:
        client.close()
        engine.dispose()
