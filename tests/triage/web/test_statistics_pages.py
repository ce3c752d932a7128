"""/statistieken over HTTP and in Chromium: login, organisation scope, audit, read-only role, CSV and GIR downloads.

The figures themselves are checked against hand counts in tests/triage/statistics; here the page must show the
service's numbers for the user's own organisation only, never post text, and work under the strict CSP.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from schildwacht.app.seed import seed
from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.models import AuditEvent
from tests.triage.statistics.statistics_data import SECRET_TEXT, build
from tests.triage.web.browser_support import ARTIFACTS, sign_in
from tests.triage.web.triageweb_support import ORG_A, ORG_B, login
from tests.triage.web.webfixtures import served
from triage.web.app import create_app

NOVEMBER = "/statistieken?periode=maand&van=2026-11-01"
SHOTS = ARTIFACTS.parent / "statistics"


@pytest.fixture
def stats_app(db, pg, tmp_path):
    settings = Settings(
        database_url=pg.url, secret_key="stats-web-secret-" + "w" * 20, data_dir=tmp_path, _env_file=None
    )
    with session_scope(db) as s:
        seed(s)
        made = build(s, org_a=ORG_A, org_b=ORG_B, org_c="gm-leeg")
    return settings, create_app(settings, db), made


def audit_actions(db, org):
    with session_scope(db) as s:
        return [
            (e.action, e.actor)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.organisation_id == org).order_by(AuditEvent.id))
            if e.action.startswith("statistics.")
        ]


def test_page_shows_own_figures_charts_and_no_text(stats_app, db):
    _, app, _ = stats_app
    client = login(app, "triagist_a")
    page = client.get(NOVEMBER)
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="flagged-posts">6<' in html and 'data-testid="cases">4<' in html
    assert 'data-testid="aangifte-rate">\n    <span class="waarde">50%</span>' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 11
    assert (
        html.count('<table class="grid" data-table=') == 12
    )  # a table alternative for every chart, plus the repeat offenders
    svg_part = html[html.index("<svg") : html.rindex("</svg>")]
    assert " style=" not in svg_part and "<style" not in svg_part and "<script" not in svg_part
    assert SECRET_TEXT not in html and "@een@x.example" not in html
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert audit_actions(db, ORG_A) == [("statistics.view", "j.kokkelink@voorbeeld.example")]
    empty = client.get("/statistieken?periode=maand&van=2025-10-01")  # no posts, no cases: charts still drawn
    assert empty.status_code == 200 and 'data-testid="cases">0<' in empty.text
    assert empty.text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 11


def test_read_only_role_sees_statistics_of_its_own_organisation_but_no_cases(stats_app, db):
    _, app, _ = stats_app
    reader = login(app, "lezer_b")
    page = reader.get(NOVEMBER)
    assert page.status_code == 200
    assert 'data-testid="cases">1<' in page.text  # B's one case; A's four are never counted
    assert SECRET_TEXT not in page.text and "gir.csv" not in page.text
    table = reader.get("/statistieken/csv/zaken_per_week?periode=maand&van=2026-11-01")
    assert table.status_code == 200 and SECRET_TEXT not in table.text
    assert reader.form("/statistieken/gir.csv?periode=maand&van=2026-11-01").status_code == 403
    report = reader.get("/statistieken/rapport.pdf?periode=maand&van=2026-11-01")
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.content)).pages)
    assert "Maandrapport" in text and SECRET_TEXT not in text
    assert [a for a, _ in audit_actions(db, ORG_B)] == ["statistics.view", "statistics.csv", "statistics.report"]


def test_csv_gir_and_bad_input(stats_app, db):
    _, app, made = stats_app
    client = login(app, "triagist_a")
    weekly = client.get("/statistieken/csv/berichten_per_week?periode=maand&van=2026-11-01")
    rows = list(csv.reader(io.StringIO(weekly.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[2] == ["02-11-2026", "2", "0", "0", "0", "0"]  # threat, doxxing, gender, identity, abuse
    gir = client.form("/statistieken/gir.csv?periode=maand&van=2026-11-01")
    assert gir.status_code == 200 and gir.headers["content-disposition"].startswith("attachment")
    ids = [int(r[0]) for r in list(csv.reader(io.StringIO(gir.text.lstrip("\ufeff")), delimiter=";"))[1:]]
    assert ids == [made.cases[k] for k in ("c1", "c2", "c3", "c4")]
    assert client.form("/statistieken/gir.json?periode=maand&van=2026-11-01").json()["organisatie"] == ORG_A
    assert client.get("/statistieken/gir.csv?periode=maand&van=2026-11-01").status_code == 405  # never by a link
    assert client.get("/statistieken?periode=aangepast&van=2026-11-05&tot=2026-11-01").status_code == 422
    assert client.get("/statistieken?soort=spam").status_code == 422
    assert client.get("/statistieken/csv/geheim").status_code == 404
    logged = audit_actions(db, ORG_A)
    assert [a for a, _ in logged] == ["statistics.csv", "statistics.gir_export", "statistics.gir_export"]
    anonymous = login(app, None)
    assert anonymous.get(NOVEMBER, follow_redirects=False).headers["location"] == "/inloggen"


def test_browser_charts_tables_and_gir_download(stats_app, db, browser):
    settings, _, made = stats_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    with served(settings, db, log_level="warning") as base:
        page = browser.person()
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        sign_in(page, base, "triagist_a")
        page.goto(base + NOVEMBER)
        figures = page.locator("figure.grafiek")
        assert figures.count() >= 4
        for i in range(figures.count()):
            figure = figures.nth(i)
            assert figure.locator("svg").count() == 1
            assert figure.locator("svg").bounding_box()["height"] > 50
            assert figure.locator("details table").count() == 1
        page.locator("#grafiek-werkproces summary").click()
        assert page.locator("#grafiek-werkproces table tbody tr").count() == 7
        page.screenshot(path=str(SHOTS / "statistieken.png"), full_page=True)
        with page.expect_download() as info:
            page.get_by_test_id("gir-csv").click()
        saved = Path(info.value.path()).read_text(encoding="utf-8-sig")
        ids = [int(r[0]) for r in list(csv.reader(io.StringIO(saved), delimiter=";"))[1:]]
        assert ids == [made.cases[k] for k in ("c1", "c2", "c3", "c4")]
        small = browser.person(width=390, height=844)
        sign_in(small, base, "lezer_b")
        small.goto(base + NOVEMBER)
        small.screenshot(path=str(SHOTS / "statistieken-telefoon-alleen-lezen.png"), full_page=True)
        assert small.get_by_test_id("gir-csv").count() == 0
        assert violations == []
