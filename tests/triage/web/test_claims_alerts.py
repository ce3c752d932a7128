"""Concurrent claims, the alert outbox with a real SMTP server (aiosmtpd), CLI commands.

The feedback export is covered in tests/triage/registry/test_privacy_feedback.py.

Webhook delivery and its retries are covered with HTTPS receivers in tests/security/test_ssrf_webhook.py."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from schildwacht.embedded import free_port
from schildwacht.models import AuditEvent, Case, Organisation
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import AlertOutbox
from tests.support.mailsink import mail_sink
from tests.triage.web.triageweb_support import ORG_A, add_case
from triage.alerts import dispatch_pending, enqueue_case_alert


def test_two_staff_claim_concurrently_exactly_one_wins(world, client_factory, db):
    a1, a2 = client_factory("triagist_a"), client_factory("beheerder_a")
    for round_ in range(5):
        with db() as s, s.begin():
            cid = add_case(s, org=ORG_A, official="off-zoetelief", labels=["abuse"], texts=[f"ronde {round_}"]).id
        barrier = threading.Barrier(2)
        results = {}

        def go(name, client, barrier=barrier, results=results, cid=cid):
            barrier.wait(timeout=10)
            results[name] = client.api("POST", f"/api/cases/{cid}/claim").status_code

        threads = [threading.Thread(target=go, args=(n, c)) for n, c in (("a1", a1), ("a2", a2))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(results.values()) == [200, 409], results
        winner = world.users["triagist_a"] if results["a1"] == 200 else world.users["beheerder_a"]
        with db() as s:
            assert s.get(Case, cid).claimed_by_id == winner
            claims = s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "case.claim", AuditEvent.object_id == str(cid))
            )
        assert claims == 1


@pytest.fixture
def smtp():
    with mail_sink() as sink:
        yield sink.port, sink


def test_threat_case_alert_reaches_smtp_without_post_text(world, db, smtp):
    port, inbox = smtp
    settings = world.settings.model_copy(update={"smtp_port": port, "alert_backoff_base_s": 1})
    with db() as s, s.begin():
        s.execute(update(Organisation).where(Organisation.id == ORG_A).values(contact_email="veiligheid@a.example"))
        case = add_case(
            s,
            org=ORG_A,
            official="off-zoetelief",
            labels=["threat", "abuse"],
            texts=["Ik weet waar Zoetelief woont en ik kom eraan met een mes"],
        )
        enqueue_case_alert(s, case)
        enqueue_case_alert(s, case)  # idempotent
        abuse = add_case(s, org=ORG_A, official="off-debruijn", labels=["abuse"], texts=["domme trut"])
        enqueue_case_alert(s, abuse)  # no alert for abuse only
        cid, opened = case.id, case.opened_at
    with db() as s:
        assert s.scalar(select(func.count()).select_from(AlertOutbox)) == 1
    assert dispatch_pending(db, settings) == 1
    assert len(inbox.mails) == 1
    rcpts, msg = inbox.mails[0]
    assert rcpts == ["veiligheid@a.example"]
    body = inbox.body(0)
    assert f"https://schildwacht.test/zaken/{cid}" in body
    # the opening time in Dutch local time (never UTC/ISO): computed here with zoneinfo as the oracle
    assert f"geopend {opened.astimezone(ZoneInfo('Europe/Amsterdam')):%d-%m-%Y %H:%M} Nederlandse tijd" in body
    assert opened.isoformat() not in body
    assert "Bedreiging" in msg["Subject"] and "wethouder" in msg["Subject"]
    for secret in ("mes", "woont", "Zoetelief", "@boos@"):
        assert secret not in body and secret not in msg["Subject"]
    with db() as s:
        row = s.scalars(select(AlertOutbox)).one()
        assert row.sent_at is not None and row.delivered == ["mail:veiligheid@a.example"]
    assert dispatch_pending(db, settings) == 0  # nothing sent twice
    assert len(inbox.mails) == 1


def test_escalation_to_threat_raises_new_alert(world, db):
    with db() as s, s.begin():
        case = add_case(s, org=ORG_A, official="off-zoetelief", labels=["abuse"], texts=["x"])
        enqueue_case_alert(s, case)
        assert s.scalar(select(func.count()).select_from(AlertOutbox)) == 0
        case.labels, case.severity = ["abuse", "doxxing"], 1
        enqueue_case_alert(s, case)
        case.labels, case.severity = ["abuse", "doxxing", "threat"], 0
        enqueue_case_alert(s, case)
        enqueue_case_alert(s, case)
        rows = s.scalars(select(AlertOutbox).order_by(AlertOutbox.id)).all()
        assert [(r.label, r.reason) for r in rows] == [("doxxing", "nieuw"), ("threat", "escalatie")]


def test_failed_delivery_is_retried_with_backoff_and_never_lost(world, db, smtp):
    port, inbox = smtp
    dead_port = free_port()  # nothing listens here
    settings = world.settings.model_copy(
        update={"smtp_port": dead_port, "alert_backoff_base_s": 60, "alert_timeout_s": 2}
    )
    with db() as s, s.begin():
        case = add_case(s, org=ORG_A, official="off-azzouzi", labels=["doxxing"], texts=["adres"])
        enqueue_case_alert(s, case)
    assert dispatch_pending(db, settings) == 0
    with db() as s:
        row = s.scalars(select(AlertOutbox)).one()
        assert row.sent_at is None and row.attempts == 1 and row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=30)
    assert dispatch_pending(db, settings) == 0  # not due yet
    with db() as s, s.begin():
        s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
    assert dispatch_pending(db, settings.model_copy(update={"smtp_port": port})) == 1
    assert len(inbox.mails) == 1
    with db() as s:
        assert s.scalars(select(AlertOutbox)).one().attempts == 1


def test_cli_commands_registered(world, db, tmp_path, monkeypatch, pg):
    import typer
    from typer.testing import CliRunner

    from triage.web.cli import register

    app = typer.Typer()
    register(app)
    from schildwacht.config import get_settings

    monkeypatch.setenv("SCHILDWACHT_DATABASE_URL", pg.url)
    get_settings.cache_clear()
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "organisations",
            "add",
            "ws-polder",
            "--naam",
            "Waterschap Polder",
            "--soort",
            "waterschap",
            "--email",
            "veiligheid@polder.example",
        ],
    )
    assert r.exit_code == 0, r.output
    again = runner.invoke(app, ["organisations", "add", "ws-polder", "--naam", "Dubbel"])
    assert again.exit_code != 0 and "bestaat al" in again.output
    r = runner.invoke(
        app,
        [
            "users",
            "add",
            "--email",
            "polder@polder.example",
            "--naam",
            "Polder Beheer",
            "--organisatie",
            "ws-polder",
            "--rol",
            "beheerder",
        ],
        input="geheim-wachtwoord-2\ngeheim-wachtwoord-2\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        [
            "users",
            "add",
            "--email",
            "nieuw@voorbeeld.example",
            "--naam",
            "Nieuwe Collega",
            "--organisatie",
            ORG_A,
            "--rol",
            "triagist",
        ],
        input="geheim-wachtwoord-1\ngeheim-wachtwoord-1\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["feedback", "export", "--organisatie", ORG_A, "--uitvoer", str(tmp_path / "fb.jsonl")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "fb.jsonl").exists()
    with db() as s:
        from schildwacht.models import StaffUser

        assert s.scalar(select(StaffUser.role).where(StaffUser.email == "nieuw@voorbeeld.example")) == "triagist"
        assert (
            s.scalar(select(StaffUser.organisation_id).where(StaffUser.email == "polder@polder.example")) == "ws-polder"
        )
    get_settings.cache_clear()
    assert "web" in [c.name for c in app.registered_commands]
