"""The monthly report by e-mail through a real SMTP server (aiosmtpd): due on the first working day, sent once per
organisation and month (also across a restart and a partial failure), a valid PDF without post text (pdftotext),
and `schildwacht stats rapport --verstuur`."""

from __future__ import annotations

import secrets
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from typer.testing import CliRunner

from schildwacht.app.cli import app
from schildwacht.config import get_settings
from schildwacht.db import session_scope
from schildwacht.embedded import free_port
from schildwacht.models import AuditEvent, MonthlyReportMailing, Organisation
from schildwacht.vocabulary import AMSTERDAM
from tests.support.components import require
from tests.support.mailsink import MailSink, mail_sink
from tests.triage.statistics.statistics_data import SECRET_TEXT, build
from triage.statistics.monthly_mail import due_month, first_working_day, send_due

BURGEMEESTER, GRIFFIER = "burgemeester@st-a.example", "griffie@st-a.example"
# Tuesday 1 December 2026, 07:00 local: the first working day of December, so November is due.
FIRST_WORKING_DAY = datetime(2026, 12, 1, 7, 0, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 11, date(2026, 11, 2)),  # 1 November 2026 is a Sunday
        (2026, 12, date(2026, 12, 1)),  # a Tuesday
        (2027, 1, date(2027, 1, 4)),  # Friday 1 January is Nieuwjaarsdag, then the weekend
        (2024, 4, date(2024, 4, 2)),  # Monday 1 April 2024 was Tweede Paasdag
        (2027, 5, date(2027, 5, 3)),  # Saturday 1 May
    ],
)
def test_first_working_day(year, month, expected):
    assert first_working_day(year, month) == expected


def test_due_month_starts_on_the_first_working_day():
    assert due_month(datetime(2027, 1, 1, 12, tzinfo=AMSTERDAM)) is None  # holiday
    assert due_month(datetime(2027, 1, 3, 23, 59, tzinfo=AMSTERDAM)) is None  # Sunday
    assert due_month(datetime(2027, 1, 4, 0, 0, tzinfo=AMSTERDAM)) == "2026-12"
    assert due_month(datetime(2027, 1, 31, 12, tzinfo=AMSTERDAM)) == "2026-12"  # a late worker catches up
    # local time decides: 30 November 23:30 UTC is already Tuesday 1 December 00:30 in Amsterdam
    assert due_month(datetime.fromisoformat("2026-11-30T22:30:00+00:00")) == "2026-10"
    assert due_month(datetime.fromisoformat("2026-11-30T23:30:00+00:00")) == "2026-11"


@pytest.fixture
def made(db):
    with session_scope(db) as s:
        made = build(s)
        a = s.get(Organisation, made.org_a)
        a.report_mail_enabled = True
        a.report_recipients = {"burgemeester": BURGEMEESTER, "griffier": GRIFFIER}
        b = s.get(Organisation, made.org_b)  # addresses, but not switched on: never mailed
        b.report_recipients = {"burgemeester": "burgemeester@st-b.example"}
    return made


class RefusingSink(MailSink):
    """The SMTP sink, refusing RCPT for the addresses in `refused` (a mailbox that is temporarily unavailable)."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        if address in self.refused:
            return "450 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def pdf_text(tmp_path, data: bytes) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    path = tmp_path / f"bijlage-{secrets.token_hex(4)}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


def attachment_of(message) -> tuple[str, bytes]:
    parts = list(message.iter_attachments())
    assert len(parts) == 1
    assert parts[0].get_content_type() == "application/pdf"
    return parts[0].get_filename(), parts[0].get_content()


def mailings(db):
    with session_scope(db) as s:
        rows = s.scalars(select(MonthlyReportMailing)).all()
        return [(r.organisation_id, r.month, r.sent_at is not None, list(r.delivered)) for r in rows]


def test_scheduled_mail_arrives_once_with_a_pdf_without_post_text(db, settings, made, tmp_path):
    with mail_sink() as sink:
        smtp = settings.model_copy(update={"smtp_port": sink.port})
        assert send_due(db, smtp, now=datetime(2026, 11, 30, 12, tzinfo=AMSTERDAM))[0].month == "2026-10"
        sink.wait_for(2)
        sink.mails.clear()  # October's report went out on 30 November (catch-up); now December 1st:
        results = send_due(db, smtp, now=FIRST_WORKING_DAY)
        assert [(r.organisation_id, r.month, r.status) for r in results] == [(made.org_a, "2026-11", "verstuurd")]
        mails = sink.wait_for(2)
        assert sorted(to for rcpt, _ in mails for to in rcpt) == sorted([BURGEMEESTER, GRIFFIER])
        for _, message in mails:
            assert message["Subject"] == f"Maandrapport online haat Gemeente {made.org_a} – november 2026"
            body = message.get_body(("plain",)).get_content()
            assert "november 2026" in body and SECRET_TEXT not in body and "@een" not in body
            name, data = attachment_of(message)
            assert name == f"maandrapport-{made.org_a}-2026-11.pdf" and data.startswith(b"%PDF-")
            text = pdf_text(tmp_path, data)
            assert "Maandrapport online haat" in text and "november 2026" in text
            assert "50% (1 van 2)" in text  # A's aangifte rate in November, hand-counted in test_service.py
            assert "GEHEIME-BERICHTTEKST" not in text and "woont" not in text and "@een" not in text
        # a restart: a fresh round on the same day, and one later in the month, send nothing
        assert send_due(db, smtp, now=FIRST_WORKING_DAY) == []
        assert send_due(db, smtp, now=datetime(2026, 12, 15, 9, tzinfo=AMSTERDAM)) == []
        assert len(sink.mails) == 2
    assert (made.org_a, "2026-11", True, [BURGEMEESTER, GRIFFIER]) in mailings(db)
    assert not any(org == made.org_b for org, *_ in mailings(db))
    with session_scope(db) as s:
        logged = s.scalars(select(AuditEvent).where(AuditEvent.action == "statistics.report_mail")).all()
        assert [(e.organisation_id, e.details["maand"], e.details["ontvangers"]) for e in logged] == [
            (made.org_a, "2026-10", [BURGEMEESTER, GRIFFIER]),
            (made.org_a, "2026-11", [BURGEMEESTER, GRIFFIER]),
        ]


def test_nothing_before_the_first_working_day(db, settings, made):
    with mail_sink() as sink:
        smtp = settings.model_copy(update={"smtp_port": sink.port})
        assert send_due(db, smtp, now=datetime(2027, 1, 1, 9, tzinfo=AMSTERDAM)) == []  # Nieuwjaarsdag
        assert sink.mails == [] and mailings(db) == []


def test_a_partial_failure_resumes_with_only_the_missing_address(db, settings, made):
    sink = RefusingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = settings.model_copy(update={"smtp_port": controller.port})
        sink.refused = {GRIFFIER}
        first = send_due(db, smtp, now=FIRST_WORKING_DAY)
        assert [(r.status, r.delivered, list(r.failed)) for r in first] == [
            ("deels verstuurd", [BURGEMEESTER], [GRIFFIER])
        ]
        assert [rcpt for rcpt, _ in sink.wait_for(1)] == [[BURGEMEESTER]]
        assert mailings(db) == [(made.org_a, "2026-11", False, [BURGEMEESTER])]
        sink.refused = set()  # the mailbox is back; the worker restarts
        second = send_due(db, smtp, now=FIRST_WORKING_DAY)
        assert [(r.status, r.delivered) for r in second] == [("verstuurd", [BURGEMEESTER, GRIFFIER])]
        assert [rcpt for rcpt, _ in sink.wait_for(2)] == [[BURGEMEESTER], [GRIFFIER]]
        assert send_due(db, smtp, now=FIRST_WORKING_DAY) == []
        assert len(sink.mails) == 2
    finally:
        controller.stop()
    assert mailings(db) == [(made.org_a, "2026-11", True, [BURGEMEESTER, GRIFFIER])]


def test_cli_sends_now_and_never_twice(pg, db, made, monkeypatch, tmp_path):
    with mail_sink() as sink:
        monkeypatch.setenv("DATABASE_URL", pg.url)
        monkeypatch.setenv("SCHILDWACHT_SECRET_KEY", secrets.token_urlsafe(48))
        monkeypatch.setenv("SCHILDWACHT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SCHILDWACHT_SMTP_PORT", str(sink.port))
        get_settings.cache_clear()
        runner = CliRunner()
        try:
            args = [
                "stats",
                "rapport",
                "--organisatie",
                made.org_a,
                "--maand",
                "2026-11",
                "--verstuur",
                "--door",
                "jan",
            ]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, result.output
            assert f"Verstuurd naar {BURGEMEESTER}" in result.output and f"Verstuurd naar {GRIFFIER}" in result.output
            mails = sink.wait_for(2)
            _, data = attachment_of(mails[0][1])
            assert "november 2026" in pdf_text(tmp_path, data)
            again = runner.invoke(app, args)
            assert again.exit_code == 1 and "al verstuurd" in again.output
            assert len(sink.mails) == 2
            # an organisation without addresses: a clear refusal, nothing recorded
            none = runner.invoke(
                app, ["stats", "rapport", "--organisatie", made.org_c, "--maand", "2026-11", "--verstuur"]
            )
            assert none.exit_code == 1 and "geen ontvangers" in none.output
            assert (
                runner.invoke(app, ["stats", "rapport", "--organisatie", made.org_a, "--maand", "2026-11"]).exit_code
                == 1
            )
            # the running month is never sent (that would block its complete report)
            running = runner.invoke(app, [*args[:5], f"{datetime.now(AMSTERDAM):%Y-%m}", "--verstuur"])
            assert running.exit_code == 1 and "nog niet voorbij" in running.output
        finally:
            get_settings.cache_clear()
    assert mailings(db) == [(made.org_a, "2026-11", True, [BURGEMEESTER, GRIFFIER])]
    with session_scope(db) as s:
        actors = s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "statistics.report_mail")).all()
    assert actors == ["cli:jan"]


def test_compose_runs_the_scheduler_command():
    """docker-compose.yml's monthly-report service runs a command that exists, repeating (`--elke`)."""
    import yaml

    compose = yaml.safe_load((Path(__file__).resolve().parents[3] / "docker-compose.yml").read_text(encoding="utf-8"))
    command = compose["services"]["monthly-report"]["command"]
    assert command[:3] == ["stats", "maandmail", "--elke"] and float(command[3]) > 0
    result = CliRunner().invoke(app, [*command[:2], "--help"])
    assert result.exit_code == 0 and "--elke" in result.output
