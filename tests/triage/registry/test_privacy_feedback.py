"""`feedback export` (issue 24 point 5): one organisation, only what staff decided, only what retention still
keeps, dismissed posts without text, audited."""

# ruff: noqa: F811 - the web fixtures are imported by name and used as test arguments

from __future__ import annotations

import io
import json
from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from schildwacht.models import AuditEvent, Case, Mention
from schildwacht.models.base import utcnow
from tests.triage.web.triageweb_support import ORG_A
from tests.triage.web.webfixtures import app, client_factory, world  # noqa: F401 - pytest fixtures
from triage.feedback import write_feedback


def _decide(world, client_factory, db) -> None:
    a = client_factory("triagist_a")
    a.form("/zaken/geen-actie", {"case_ids": [world.cases["abuse"]], "reden": "vals_positief"})
    for key in ("threat", "xss"):
        a.form(f"/zaken/{world.cases[key]}/claimen")
        a.form(f"/zaken/{world.cases[key]}/status", {"status": "afgerond"})
    b = client_factory("triagist_b")
    b.form(f"/zaken/{world.cases['b_threat']}/claimen")
    b.form(f"/zaken/{world.cases['b_threat']}/status", {"status": "afgerond"})
    with db() as s, s.begin():  # the xss case was closed long ago: past the closed-case window
        s.get(Case, world.cases["xss"]).updated_at = utcnow() - timedelta(days=world.settings.retain_closed_days + 1)


def test_export_is_scoped_to_decided_kept_posts_of_one_organisation(world, client_factory, db):
    _decide(world, client_factory, db)
    out = io.StringIO()
    with db() as s:
        n = write_feedback(s, out, world.settings, ORG_A, actor="t@a.example")
    rows = {r["case_id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    # decided in A and still kept: the confirmed threat and the dismissed abuse case; not the open doxxing case,
    # not the expired xss case, nothing of organisation B
    assert n == 2 and set(rows) == {world.cases["threat"], world.cases["abuse"]}
    assert {r["organisation_id"] for r in rows.values()} == {ORG_A}
    confirmed, dismissed = rows[world.cases["threat"]], rows[world.cases["abuse"]]
    with db() as s:
        threat_text = s.scalar(select(Mention.text).where(Mention.case_id == world.cases["threat"]))
        threat_case = s.get(Case, world.cases["threat"])
        expected_delete_by = threat_case.updated_at + timedelta(days=world.settings.retain_closed_days)
    assert confirmed["text"] == threat_text and confirmed["labels"]["threat"] == 1
    assert confirmed["delete_by"] == expected_delete_by.isoformat()
    assert dismissed["decision"] == "false_positive" and dismissed["text"] is None
    assert dismissed["labels"] == {"threat": 0, "doxxing": 0, "gender": 0, "identity": 0, "abuse": 0}
    assert "Jij bent" not in out.getvalue() and "author" not in out.getvalue()
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.export")).one()
    assert event.organisation_id == ORG_A and event.details["examples"] == 2 and event.details["with_text"] == 1


def test_cli_refuses_an_export_without_organisation(world, monkeypatch):
    import typer

    from triage.web.cli import register

    monkeypatch.setenv("DATABASE_URL", world.settings.database_url)
    cli = typer.Typer()
    register(cli)
    result = CliRunner().invoke(cli, ["feedback", "export"])
    assert result.exit_code == 2 and "--organisatie" in result.output
