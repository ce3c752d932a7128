"""`schildwacht stats gir|rapport|landelijk` on the real database, the monthly report's content (no post text, the
service's numbers), and the anonymous aggregate's sharing rule and small-cell suppression (primary and secondary;
the suppression rules themselves in test_suppression.py)."""

from __future__ import annotations

import csv
import io
import json
import secrets
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update
from typer.testing import CliRunner

from schildwacht.app.cli import app
from schildwacht.config import get_settings
from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Organisation
from tests.support.components import require
from tests.triage.statistics.statistics_data import SECRET_TEXT, _case, _official, build, local
from triage.statistics.aggregate import SECONDARY, SUPPRESSED, AggregateError, aggregate
from triage.statistics.period import custom_period, month_period

ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parents[3] / "test-artifacts" / "statistics"


@pytest.fixture
def cli(pg, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg.url)
    monkeypatch.setenv("SCHILDWACHT_SECRET_KEY", secrets.token_urlsafe(48))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


@pytest.fixture
def made(db):
    with session_scope(db) as s:
        return build(s)


def test_gir_command_writes_csv_and_json_and_audits(cli, db, made, tmp_path):
    out = tmp_path / "gir.csv"
    result = cli(
        "stats", "gir", "--organisatie", made.org_a, "--van", "2026-11-01", "--tot", "2026-11-30", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [int(r[0]) for r in rows[1:]] == [made.cases[k] for k in ("c1", "c2", "c3", "c4")]
    out_json = tmp_path / "gir.json"
    assert (
        cli(
            "stats",
            "gir",
            "--organisatie",
            made.org_b,
            "--van",
            "2026-11-01",
            "--tot",
            "2026-11-30",
            "-o",
            str(out_json),
        ).exit_code
        == 0
    )
    assert [z["zaak"] for z in json.loads(out_json.read_text())["zaken"]] == [made.cases["b1"]]
    with session_scope(db) as s:
        logged = s.scalars(select(AuditEvent).where(AuditEvent.action == "statistics.gir_export")).all()
        assert sorted(e.organisation_id for e in logged) == sorted([made.org_a, made.org_b])
    bad = cli("stats", "gir", "--organisatie", made.org_a, "--van", "2026-11-31", "--tot", "2026-11-30", "-o", str(out))
    assert bad.exit_code == 1 and "geen geldige datum" in bad.output
    assert (
        cli(
            "stats",
            "gir",
            "--organisatie",
            made.org_a,
            "--van",
            "2026-11-01",
            "--tot",
            "2026-11-30",
            "-o",
            str(tmp_path / "gir.xlsx"),
        ).exit_code
        == 1
    )


def test_old_stats_command_still_requires_an_organisation(cli, made):
    assert cli("stats").exit_code == 2
    result = cli("stats", "--organisatie", made.org_a, "--json")
    assert result.exit_code == 0 and json.loads(result.output)["organisation_id"] == made.org_a


def test_monthly_report_pdf_and_html(cli, made, tmp_path):
    pdf = tmp_path / "rapport.pdf"
    result = cli("stats", "rapport", "--organisatie", made.org_a, "--maand", "2026-11", "-o", str(pdf))
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Maandrapport online haat" in text and "november 2026" in text
    assert "50% (1 van 2)" in text  # the aangifte rate of A's threat cases, hand-counted in test_service.py
    assert SECRET_TEXT not in text and "@een" not in text
    html = tmp_path / "rapport.html"
    assert cli("stats", "rapport", "--organisatie", made.org_a, "--maand", "2026-11", "-o", str(html)).exit_code == 0
    page = html.read_text()
    assert page.count("<svg") == 9 and "<script" not in page and SECRET_TEXT not in page
    assert "<th>Gesignaleerde berichten</th><td>6</td>" in page
    empty = tmp_path / "leeg.pdf"  # an organisation without cases still gets its (empty) report
    assert cli("stats", "rapport", "--organisatie", made.org_c, "--maand", "2026-11", "-o", str(empty)).exit_code == 0
    assert "Zaken 0" in " ".join(" ".join(p.extract_text() for p in PdfReader(str(empty)).pages).split())
    assert cli("stats", "rapport", "--organisatie", "bestaat-niet", "--maand", "2026-11", "-o", str(pdf)).exit_code == 1
    assert cli("stats", "rapport", "--organisatie", made.org_a, "--maand", "nov", "-o", str(pdf)).exit_code == 1
    if shutil.which("pdftoppm"):  # pages to look at (test-artifacts/statistics/rapport-N.png)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / "rapport")], check=True)


def test_aggregate_only_sharing_organisations_with_suppression(db, made, cli, tmp_path):
    period = month_period("2026-11")
    with session_scope(db) as s:
        with pytest.raises(AggregateError):
            aggregate(s, period)  # nobody shares yet
        s.execute(
            update(Organisation)
            .where(Organisation.id.in_([made.org_a, made.org_b, made.org_c]))
            .values(shares_statistics=True)
        )
        # Two more threat cases in C (sharing) and six in D (not sharing, never counted).
        s.add(Organisation(id="st-d", name="Gemeente D", kind="gemeente"))
        _official(s, "st-d1", "st-d", "wethouder", "v")
        for day in (11, 12):
            _case(s, made.org_c, "st-c1", ["threat"], f"mastodon:@c{day}@x.example", local(day, 10), [local(day, 9)])
        for day in range(11, 17):
            _case(s, "st-d", "st-d1", ["threat"], f"mastodon:@d{day}@x.example", local(day, 10), [local(day, 9)])
    with session_scope(db) as s:
        result = aggregate(s, period)
    counts = {(r["indeling"], r["categorie"]): r["zaken"] for r in result["aantallen"]}
    # Sharing November cases: A c1 (threat, mastodon, wethouder v), c2 (threat+abuse, mastodon, wethouder v),
    # c3 (abuse, bluesky, raadslid m), c4 (doxxing, mastodon, burgemeester, gender not given); B b1 (threat,
    # mastodon, wethouder v); C two (threat, mastodon, raadslid v). Total 7, threat 5, the rest under 5.
    assert counts[("totaal", "zaken")] == 7
    assert counts[("soort", "Bedreiging")] == 5  # labels cover the total: abuse + doxxing >= 2 fixes neither
    assert counts[("soort", "Belediging / haat")] == SUPPRESSED  # 2
    assert counts[("soort", "Doxing")] == SUPPRESSED  # 1
    # the example: mastodon 6 would give bluesky = 7 - 6 = 1; as x (5 or more) bluesky is 1 or 2
    assert counts[("platform", "mastodon")] == SECONDARY
    assert counts[("platform", "bluesky")] == SUPPRESSED
    # wethouder 3, raadslid 3, burgemeester 1: all small, together 7, none fixed
    assert [counts[("functie", f)] for f in ("burgemeester", "raadslid", "wethouder")] == [SUPPRESSED] * 3
    # vrouw 5, man 1, not given 1: with vrouw as x (5 or more) the other two are still 1 each, so no gender row
    assert not any(d == "gender" for d, _ in counts) and result["niet_uitgesplitst"] == ["gender"]
    assert (result["bedreigingszaken"], result["bedreigingszaken_met_aangifte"]) == (5, SUPPRESSED)  # 2 aangiftes
    assert result["aangiftepercentage"] is None  # never derived from a suppressed count
    assert result["organisaties"] == 3
    assert not any(str(v).isdigit() and 0 < int(v) < 5 for v in counts.values())
    assert set(result["toelichting"]) == {SUPPRESSED, SECONDARY, "niet uitgesplitst"}
    text = json.dumps(result)
    assert made.org_a not in text and "st-d" not in text and "@een" not in text
    out = tmp_path / "landelijk.csv"
    assert cli("stats", "landelijk", "--van", "2026-11-01", "--tot", "2026-11-30", "-o", str(out)).exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Indeling", "Categorie", "Zaken", "Toelichting"]
    assert ["totaal", "zaken", "7", ""] in rows
    assert ["platform", "mastodon", "x", result["toelichting"]["x"]] in rows
    assert ["platform", "bluesky", "<5", result["toelichting"]["<5"]] in rows
    assert ["gender", "niet uitgesplitst", "", result["toelichting"]["niet uitgesplitst"]] in rows
    # November minus its last day would show the cases of 30 November (c4): only calendar periods
    with session_scope(db) as s, pytest.raises(AggregateError, match="kalendermaand"):
        aggregate(s, custom_period("2026-11-01", "2026-11-29"))
    assert cli("stats", "landelijk", "--van", "2026-11-01", "--tot", "2026-11-29", "-o", str(out)).exit_code == 1
    with session_scope(db) as s:  # a quarter and a year are calendar periods too
        assert aggregate(s, custom_period("2026-10-01", "2026-12-31"))["aantallen"][0]["zaken"] == 9  # 7 + c5 + Oct
        assert aggregate(s, custom_period("2026-01-01", "2026-12-31"))["aantallen"][0]["zaken"] == 9


def test_aggregate_of_a_total_under_5_shows_no_breakdown(db, made):
    # December 2026 holds c5 only (A: threat, mastodon, wethouder v, aangifte): every breakdown would name it
    with session_scope(db) as s:
        s.execute(
            update(Organisation)
            .where(Organisation.id.in_([made.org_a, made.org_b, made.org_c]))
            .values(shares_statistics=True)
        )
    with session_scope(db) as s:
        result = aggregate(s, month_period("2026-12"))
    assert result["aantallen"] == [{"indeling": "totaal", "categorie": "zaken", "zaken": SUPPRESSED}]
    assert result["niet_uitgesplitst"] == ["soort", "functie", "gender", "platform", "stap"]
    assert (result["bedreigingszaken"], result["bedreigingszaken_met_aangifte"]) == (None, None)
    assert result["aangiftepercentage"] is None


def test_pdftoppm_present_for_the_report_check():
    require(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
