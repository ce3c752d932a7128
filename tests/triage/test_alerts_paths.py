"""Branches of `triage/alerts.py` the web tests do not pin: backoff, what a message says, how stored contacts are
read and checked, rows without recipients, partial delivery and refusals, one attempt per row per round.

Real PostgreSQL and a real SMTP server (aiosmtpd); webhooks to loopback are refused before any connection, so no
receiver is needed for them (HTTPS webhook delivery: tests/security/test_ssrf_webhook.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Case, Official, Organisation
from schildwacht.models.workflow import AlertOutbox
from schildwacht.vocabulary import LABEL_LONG_NL
from tests.support.mailsink import mail_sink
from tests.triage.registry.registry_helpers import add_case, add_official, add_org
from triage.alerts import _origin, _stored_contacts, _without_secrets, alert_content, backoff_seconds, dispatch_pending
from triage.alerts import enqueue_case_alert as enqueue

pytestmark = pytest.mark.integration

OPENED = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)


@pytest.fixture
def smtp():
    with mail_sink() as sink:
        yield sink.port, sink


@pytest.fixture
def settings(pg, smtp, tmp_path) -> Settings:
    port, _ = smtp
    return Settings(
        database_url=pg.url,
        data_dir=tmp_path,
        public_base_url="https://schildwacht.test/",
        smtp_port=port,
        alert_backoff_base_s=30,
        alert_backoff_max_s=600,
        alert_timeout_s=5,
    )


def threat_case(db, *, org_mail: str | None, hook: str | None = None, contacts: list | None = None) -> int:
    with session_scope(db) as s:
        org = add_org(s, "gm-a")
        org.contact_email, org.webhook_url = org_mail, hook
        official = add_official(s, "off-a", "gm-a", role="burgemeester")
        official.alert_contacts = contacts
        case = add_case(s, official, labels=["threat"])
        case.opened_at = OPENED
        enqueue(s, case)
        return case.id


def outbox(db) -> AlertOutbox:
    with db() as s:
        return s.scalars(select(AlertOutbox)).one()


def test_backoff_doubles_from_the_base_up_to_the_cap():
    settings = Settings(alert_backoff_base_s=30, alert_backoff_max_s=200)
    assert [backoff_seconds(n, settings) for n in (0, 1, 2, 3, 4, 5)] == [30, 30, 60, 120, 200, 200]


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://hooks.slack.example/services/T0/B0/geheim", "https://hooks.slack.example"),
        ("https://user:pw@teams.example:8443/x?token=1", "https://teams.example:8443"),
        ("https://h.example?sig=abc", "https://h.example"),
        ("https://h.example#frag", "https://h.example"),
        ("https://h.example'onerror", "https://h.example"),
        ('https://h.example"x', "https://h.example"),
        ("https://h.example\\evil", "https://h.example"),
    ],
)
def test_origin_keeps_scheme_and_host_only(url, origin):
    assert _origin(url) == origin


def test_messages_lose_url_secrets_but_keep_their_punctuation():
    text = "POST naar https://h.example/a/geheim?x=1, toen (https://u:p@k.example/b). En 'https://q.example/c'."
    assert _without_secrets(text) == ("POST naar https://h.example, toen (https://k.example). En 'https://q.example'.")
    value = "  https://h.example/pad met spatie  "
    assert (
        _without_secrets("fout bij https://h.example/pad met spatie: 404", value) == "fout bij https://h.example: 404"
    )
    assert _without_secrets("geen url hier", "a@b.example") == "geen url hier"


def test_stored_contacts_in_every_stored_form_once_each():
    org = Organisation(contact_email="m@a.example", webhook_url="https://h.example/x")
    official = Official(
        alert_contacts=[
            "m@a.example",
            {"email": "oud@a.example"},
            {"webhook": "https://w1.example"},
            {"webhook_url": "https://w2.example"},
            {"url": "https://w3.example"},
            {"email": "", "naam": "leeg"},
            "",
            "https://h.example/x",
            "m@a.example",
        ]
    )
    assert _stored_contacts(org, official) == [
        ("m@a.example", "mail"),
        ("https://h.example/x", "hook"),
        ("m@a.example", None),
        ("oud@a.example", "mail"),
        ("https://w1.example", "hook"),
        ("https://w2.example", "hook"),
        ("https://w3.example", "hook"),
        ("https://h.example/x", None),
    ]
    assert _stored_contacts(Organisation(), None) == []


def test_alert_content_is_link_label_and_role_only(db, settings):
    case_id = threat_case(db, org_mail=None)
    with db() as s:
        row, case = s.scalars(select(AlertOutbox)).one(), s.get(Case, case_id)
        content = alert_content(row, case, s.get(Organisation, "gm-a"), s.get(Official, "off-a"), settings)
        without_official = alert_content(row, case, s.get(Organisation, "gm-a"), None, settings)
    assert content == {
        "schema": "schildwacht.alert/1",
        "case_id": case_id,
        "label": "threat",
        "label_nl": LABEL_LONG_NL["threat"],
        "reason": "nieuw",
        "official_role": "burgemeester",
        "organisation": "Gemeente gm-a",
        "url": f"https://schildwacht.test/zaken/{case_id}",
        "opened_at": OPENED.isoformat(),
    }
    assert without_official["official_role"] is None


def test_mail_subject_and_body_say_new_or_escalation(db, settings, smtp):
    _, inbox = smtp
    case_id = threat_case(db, org_mail="veilig@a.example")
    with session_scope(db) as s:
        case = s.get(Case, case_id)
        case.labels = ["doxxing"]
        s.execute(select(AlertOutbox)).scalars().one().label = "doxxing"
    with session_scope(db) as s:
        case = s.get(Case, case_id)
        case.labels = ["doxxing", "threat"]
        enqueue(s, case)  # threat ranks above doxxing: a second row, an escalation
    assert dispatch_pending(db, settings) == 2
    subjects = sorted(message["Subject"] for _, message in inbox.mails)
    assert subjects == [
        f"[Schildwacht] Escalatie: {LABEL_LONG_NL['threat']} tegen burgemeester (zaak {case_id})",
        f"[Schildwacht] Nieuwe melding: {LABEL_LONG_NL['doxxing']} tegen burgemeester (zaak {case_id})",
    ]
    body = inbox.body(0)
    assert "Gemeente gm-a" in body and f"https://schildwacht.test/zaken/{case_id}" in body and "112" in body
    assert "geopend 20-11-2026 22:00 Nederlandse tijd" in body  # 21:00 UTC is 22:00 in Amsterdam in November


def test_row_without_recipients_is_retried_and_says_why(db, settings):
    threat_case(db, org_mail=None)
    assert dispatch_pending(db, settings) == 0
    row = outbox(db)
    assert row.sent_at is None and row.attempts == 1
    assert row.last_error == "geen ontvangers ingesteld (contact_email, webhook_url, alert_contacts)"


def test_a_failing_row_is_tried_once_per_round_even_when_due_again_at_once(db, settings):
    threat_case(db, org_mail=None)
    assert dispatch_pending(db, settings.model_copy(update={"alert_backoff_base_s": 0})) == 0
    assert outbox(db).attempts == 1


def test_field_demanding_another_kind_is_refused_for_good(db, settings, smtp):
    _, inbox = smtp
    threat_case(db, org_mail="https://h.example/geheim", hook="iemand@a.example", contacts=["ok@a.example"])
    assert dispatch_pending(db, settings) == 0  # closed, but not delivered everywhere: not counted as sent
    row = outbox(db)
    assert row.sent_at is not None and row.delivered == [
        "refused:https://h.example/geheim",
        "refused:iemand@a.example",
        "mail:ok@a.example",
    ]
    assert "https://h.example: staat als e-mailadres opgeslagen maar is een URL." in row.last_error
    assert "iemand@a.example: staat als webhook opgeslagen maar is geen URL." in row.last_error
    assert "geheim" not in row.last_error
    assert [rcpts for rcpts, _ in inbox.mails] == [["ok@a.example"]]
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action.like("alert.%"))).one()
    assert event.action == "alert.refused"
    assert event.details["channels"] == ["mail:ok@a.example"]
    assert event.details["refused"] == ["https://h.example", "iemand@a.example"]


def test_retry_sends_only_to_what_failed_and_remembers_refusals(db, settings, smtp):
    port, inbox = smtp
    threat_case(db, org_mail="veilig@a.example", contacts=["http://127.0.0.1/hook", "tweede@a.example"])
    dead = settings.model_copy(update={"smtp_port": 9})  # discard port: nobody answers SMTP there
    assert dispatch_pending(db, dead) == 0
    first = outbox(db)
    assert first.sent_at is None and first.attempts == 1 and first.delivered == ["refused:http://127.0.0.1/hook"]
    with session_scope(db) as s:
        s.scalars(select(AlertOutbox)).one().next_attempt_at = OPENED  # due now
        s.get(Organisation, "gm-a").contact_email = "veilig@a.example"
    assert dispatch_pending(db, settings) == 0  # closed with a refusal
    row = outbox(db)
    assert row.sent_at is not None and row.attempts == 1
    assert row.delivered == ["refused:http://127.0.0.1/hook", "mail:veilig@a.example", "mail:tweede@a.example"]
    assert "http://127.0.0.1: eerder geweigerd / refused earlier" in row.last_error
    assert sorted(r for rcpts, _ in inbox.mails for r in rcpts) == ["tweede@a.example", "veilig@a.example"]


def test_partly_delivered_row_does_not_send_twice(db, settings, smtp):
    _, inbox = smtp
    threat_case(db, org_mail="veilig@a.example", contacts=["tweede@a.example"])
    with session_scope(db) as s:
        s.scalars(select(AlertOutbox)).one().delivered = ["mail:veilig@a.example"]  # accepted in an earlier round
    assert dispatch_pending(db, settings) == 1
    assert [rcpts for rcpts, _ in inbox.mails] == [["tweede@a.example"]]
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action.like("alert.%"))).one()
    assert event.action == "alert.sent" and event.details["refused"] == []
    assert event.details["channels"] == ["mail:veilig@a.example", "mail:tweede@a.example"]
    assert (event.details["label"], event.details["reason"]) == ("threat", "nieuw")


def test_dispatch_stops_at_its_limit(db, settings, smtp):
    _, inbox = smtp
    case_id = threat_case(db, org_mail="veilig@a.example")
    with session_scope(db) as s:
        case = s.get(Case, case_id)
        case.labels = ["threat"]
        s.add(AlertOutbox(case_id=case_id, organisation_id="gm-a", label="doxxing", reason="nieuw", delivered=[]))
    assert dispatch_pending(db, settings, limit=1) == 1
    assert dispatch_pending(db, settings, limit=1) == 1
    assert dispatch_pending(db, settings, limit=1) == 0
    assert len(inbox.mails) == 2
