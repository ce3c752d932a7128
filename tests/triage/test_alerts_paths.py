"""Branches of `triage/alerts.py` the web tests do not pin: backoff, what a message says, how stored contacts are
read and checked, rows without recipients, partial delivery and refusals, one attempt per row per round.

Real PostgreSQL and a real SMTP server (aiosmtpd); webhooks to loopback are refused before any connection, so no
receiver is needed for them (HTTPS webhook delivery: tests/security/test_ssrf_webhook.py).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, select

from schildwacht.config import Settings
from schildwacht.db import make_sessionmaker, session_scope
from schildwacht.models import AuditEvent, Case, Official, Organisation
from schildwacht.models.workflow import AlertOutbox, CaseStep
from schildwacht.vocabulary import LABEL_LONG_NL
from tests.security.sites import PUBLIC_STAND_IN, Seen, Site, self_signed
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
        official.alert_contacts = contacts or []
        case = add_case(s, official, labels=["threat"])
        case.opened_at = OPENED
        enqueue(s, case)
        return case.id


def threat_alert(case_id: int) -> dict:
    """The alert message of `threat_case` as its recipients get it, written out by hand."""
    return {
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
        ("https://h.example/r?naar=https://x.example/geheim", "https://h.example"),
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
    assert content == threat_alert(case_id)
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


@pytest.mark.parametrize(
    ("queued", "then", "rows"),
    [
        (["threat"], ["threat"], [("threat", "nieuw")]),  # the same label again: nothing new
        (["threat"], ["threat", "doxxing"], [("threat", "nieuw")]),  # a less severe label joins: nothing new
        (["doxxing"], ["doxxing", "gender"], [("doxxing", "nieuw")]),  # a label that never alerts: nothing new
        (["threat"], ["doxxing"], [("threat", "nieuw")]),  # threat corrected away, doxxing is less severe: nothing
        (["doxxing"], ["doxxing", "threat"], [("doxxing", "nieuw"), ("threat", "escalatie")]),  # more severe
        # identity-based hate alerts like gendered hate: not on its own, only once a threat or doxxing joins
        (["gender", "abuse"], ["gender", "abuse"], []),
        (["identity", "abuse"], ["identity", "abuse"], []),
        (["doxxing"], ["doxxing", "identity"], [("doxxing", "nieuw")]),
        (["identity"], ["identity", "threat"], [("threat", "nieuw")]),
    ],
)
def test_a_case_alerts_again_only_when_it_escalates(db, queued, then, rows):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        case = add_case(s, add_official(s, "off-a", "gm-a"), labels=queued)
        enqueue(s, case)
        case_id = case.id
    with session_scope(db) as s:
        case = s.get(Case, case_id)
        case.labels = then
        enqueue(s, case)
    with db() as s:
        stored = s.execute(select(AlertOutbox.label, AlertOutbox.reason).order_by(AlertOutbox.id)).all()
    assert [tuple(r) for r in stored] == rows


def test_a_case_not_yet_flushed_gets_its_alert_row(db):
    """The ingest worker queues the alert of a case it has only just added to the session (no id yet)."""
    with session_scope(db) as s:
        add_org(s, "gm-a")
        official = add_official(s, "off-a", "gm-a")
        case = Case(
            organisation_id="gm-a",
            official_id=official.id,
            author_key="mastodon:@x@bad.example",
            labels=["doxxing"],
            severity=1,
            status="nieuw",
            opened_at=OPENED,
            last_post_at=OPENED,
        )
        s.add(case)
        assert case.id is None
        enqueue(s, case)
    with db() as s:
        stored = s.execute(select(AlertOutbox.case_id, AlertOutbox.label)).all()
        case_ids = s.scalars(select(Case.id)).all()
    assert [tuple(r) for r in stored] == [(case_ids[0], "doxxing")] and len(case_ids) == 1


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
    assert row.last_error == (
        "https://h.example: geweigerd, wordt niet opnieuw geprobeerd / refused, not retried: "
        "https://h.example: staat als e-mailadres opgeslagen maar is een URL.; "
        "iemand@a.example: geweigerd, wordt niet opnieuw geprobeerd / refused, not retried: "
        "iemand@a.example: staat als webhook opgeslagen maar is geen URL."
    )
    assert [rcpts for rcpts, _ in inbox.mails] == [["ok@a.example"]]
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action.like("alert.%"))).one()
    assert event.action == "alert.refused"
    assert event.details["channels"] == ["mail:ok@a.example"]
    assert event.details["refused"] == ["https://h.example", "iemand@a.example"]
    # the dispatcher, not a person, acted; the event names the case it is about
    assert event.actor == "system:alerts"
    assert event.details["case_id"] == row.case_id and event.object_id == str(row.case_id)


def test_retry_sends_only_to_what_failed_and_remembers_refusals(db, settings, smtp):
    port, inbox = smtp
    threat_case(db, org_mail="veilig@a.example", contacts=["http://127.0.0.1/hook", "tweede@a.example"])
    dead = settings.model_copy(update={"smtp_port": 9})  # discard port: nobody answers SMTP there
    assert dispatch_pending(db, dead) == 0
    first = outbox(db)
    assert first.sent_at is None and first.attempts == 1 and first.delivered == ["refused:http://127.0.0.1/hook"]
    failed = [part.split(": ")[0] for part in first.last_error.split("; ")]  # failures first, then refusals
    assert failed == ["veilig@a.example", "tweede@a.example", "http://127.0.0.1"]
    with session_scope(db) as s:
        s.scalars(select(AlertOutbox)).one().next_attempt_at = OPENED  # due now
        s.get(Organisation, "gm-a").contact_email = "veilig@a.example"
    assert dispatch_pending(db, settings) == 0  # closed with a refusal
    row = outbox(db)
    assert row.sent_at is not None and row.attempts == 1
    assert row.delivered == ["refused:http://127.0.0.1/hook", "mail:veilig@a.example", "mail:tweede@a.example"]
    assert row.last_error == "http://127.0.0.1: eerder geweigerd / refused earlier"
    assert sorted(r for rcpts, _ in inbox.mails for r in rcpts) == ["tweede@a.example", "veilig@a.example"]


def test_partly_delivered_row_does_not_send_twice(db, settings, smtp):
    _, inbox = smtp
    case_id = threat_case(db, org_mail="veilig@a.example", contacts=["tweede@a.example"])
    with session_scope(db) as s:
        s.scalars(select(AlertOutbox)).one().delivered = ["mail:veilig@a.example"]  # accepted in an earlier round
    assert dispatch_pending(db, settings) == 1
    assert [rcpts for rcpts, _ in inbox.mails] == [["tweede@a.example"]]
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action.like("alert.%"))).one()
    assert event.action == "alert.sent" and event.details["refused"] == []
    assert event.details["channels"] == ["mail:veilig@a.example", "mail:tweede@a.example"]
    assert (event.details["label"], event.details["reason"]) == ("threat", "nieuw")
    assert (event.organisation_id, event.object_type, event.object_id) == ("gm-a", "case", str(case_id))


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


def test_mail_body_is_exactly_what_the_recipient_reads(db, settings, smtp):
    _, inbox = smtp
    case_id = threat_case(db, org_mail="veilig@a.example")
    assert dispatch_pending(db, settings) == 1
    assert inbox.body(0).replace("\r\n", "\n") == (  # SMTP carries lines ending in CRLF
        "Nieuwe melding in Schildwacht voor Gemeente gm-a.\n\n"
        f"Soort: {LABEL_LONG_NL['threat']}\n"
        "Betrokkene: burgemeester\n"
        f"Zaak: {case_id} (geopend 20-11-2026 22:00 Nederlandse tijd)\n\n"
        "Bekijk en behandel de zaak (inloggen vereist; openen claimt de zaak voor u):\n"
        f"https://schildwacht.test/zaken/{case_id}?via=alarm\n\n"
        "Bij acuut gevaar: bel 112.\n"
        "Deze e-mail bevat bewust geen berichttekst.\n"
    )


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A certificate for the loopback webhook receivers, trusted by the dispatcher through SSL_CERT_FILE."""
    made = self_signed(tmp_path / "tls", PUBLIC_STAND_IN)
    monkeypatch.setenv("SSL_CERT_FILE", str(made.cert))
    return made


def reachable(settings: Settings) -> Settings:
    """`settings` with the loopback stand-in for a public receiver declared reachable (outbound_allowed_networks)."""
    return settings.model_copy(update={"outbound_allowed_networks": [ipaddress.ip_network(f"{PUBLIC_STAND_IN}/32")]})


def test_organisation_webhook_receives_the_alert_as_json(db, settings, tls):
    with Site(PUBLIC_STAND_IN, tls=tls.server_context()) as hook:
        case_id = threat_case(db, org_mail=None, hook=hook.url("/alarm/geheim"))
        assert dispatch_pending(db, reachable(settings)) == 1
    assert [(r.method, r.path) for r in hook.seen] == [("POST", "/alarm/geheim")]
    assert json.loads(hook.seen[0].body) == threat_alert(case_id)
    assert outbox(db).delivered == [f"hook:{hook.url('/alarm/geheim')}"]


def test_webhook_that_is_down_is_retried_not_refused(db, settings, caplog):
    """An allowed receiver that does not answer is a passing failure: retried later, never refused for good; the log
    names the alert, the case and the receiver without its secret path."""
    case_id = threat_case(db, org_mail=None, hook=f"https://{PUBLIC_STAND_IN}:9/alarm/geheim")  # nobody listens
    with caplog.at_level(logging.WARNING, logger="triage.alerts"):
        assert dispatch_pending(db, reachable(settings)) == 0
    row = outbox(db)
    assert row.sent_at is None and row.attempts == 1 and row.delivered == []
    assert row.last_error.startswith(f"https://{PUBLIC_STAND_IN}:9: ConnectError") and "geheim" not in row.last_error
    reason = row.last_error.removeprefix(f"https://{PUBLIC_STAND_IN}:9: ")
    assert [r.getMessage() for r in caplog.records if r.name == "triage.alerts"] == [
        f"alert {row.id} for case {case_id} to https://{PUBLIC_STAND_IN}:9 failed: {reason}"
    ]


def test_webhook_redirect_is_a_failure_and_not_followed(db, settings, tls):
    def moved(request: Seen) -> tuple[int, dict[str, str], bytes]:
        return (307, {"Location": "/elders"}, b"") if request.path == "/alarm" else (200, {}, b"")

    with Site(PUBLIC_STAND_IN, moved, tls=tls.server_context()) as hook:
        threat_case(db, org_mail=None, hook=hook.url("/alarm"))
        assert dispatch_pending(db, reachable(settings)) == 0
    assert [r.path for r in hook.seen] == ["/alarm"]
    row = outbox(db)
    assert row.sent_at is None and row.attempts == 1 and "307" in row.last_error


def test_webhook_that_never_answers_times_out_and_is_retried(db, settings, tls):
    """A hanging receiver must not stall the dispatcher: the call ends after `alert_timeout_s` as a failure."""
    release = threading.Event()

    def hang(request: Seen) -> tuple[int, dict[str, str], bytes]:
        release.wait(120)
        return 200, {}, b""

    with Site(PUBLIC_STAND_IN, hang, tls=tls.server_context()) as hook:
        threat_case(db, org_mail=None, hook=hook.url("/alarm"))
        results: list[int] = []
        dispatcher = threading.Thread(
            target=lambda: results.append(
                dispatch_pending(db, reachable(settings).model_copy(update={"alert_timeout_s": 1}))
            )
        )
        dispatcher.start()
        dispatcher.join(60)  # generous bound; the dispatcher ends on its own timeout
        release.set()
        dispatcher.join(60)
    assert results == [0]
    row = outbox(db)
    assert row.sent_at is None and row.attempts == 1 and "Timeout" in row.last_error


def test_a_row_another_dispatcher_holds_is_skipped_not_waited_for(db, settings, pg):
    """Several dispatchers may run: a row locked by one is skipped by the others (FOR UPDATE SKIP LOCKED). The second
    dispatcher's connection gives up on any lock wait, so waiting would fail the test instead of hanging it."""
    threat_case(db, org_mail="veilig@a.example")
    impatient = make_sessionmaker(create_engine(pg.url, connect_args={"options": "-c lock_timeout=10000"}))
    with db() as holder, holder.begin():
        holder.scalars(select(AlertOutbox).with_for_update()).one()
        assert dispatch_pending(impatient, settings) == 0
    assert outbox(db).attempts == 0
    assert dispatch_pending(impatient, settings) == 1


def test_a_stored_webhook_with_a_space_shows_nothing_of_its_path(db, settings, caplog):
    case_id = threat_case(db, org_mail=None, contacts=["https://h.example/geheim token123"])
    with caplog.at_level(logging.WARNING, logger="triage.alerts"):
        assert dispatch_pending(db, settings) == 0
    row = outbox(db)
    assert [r.getMessage() for r in caplog.records if r.name == "triage.alerts"] == [
        f"alert {row.id} for case {case_id}: https://h.example refused: 'https://h.example' is geen geldige "
        "webhook-URL: één URL, zonder spaties of regeleinden."
    ]
    assert row.sent_at is not None and row.delivered == ["refused:https://h.example/geheim token123"]
    assert "h.example" in row.last_error and "geheim" not in row.last_error and "token123" not in row.last_error
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "alert.refused")).one()
    assert event.details["refused"] == ["https://h.example"]


def test_a_row_waiting_for_its_back_off_is_not_sent_and_the_longest_waiting_goes_first(db, settings, smtp):
    _, inbox = smtp
    case_id = threat_case(db, org_mail="veilig@a.example")
    with session_scope(db) as s:
        first = s.scalars(select(AlertOutbox)).one()
        first.next_attempt_at = datetime(2999, 1, 1, tzinfo=UTC)  # backing off
        s.add(AlertOutbox(case_id=case_id, organisation_id="gm-a", label="x", reason="nieuw", delivered=[]))  # due now
        s.flush()
        s.add(
            AlertOutbox(
                case_id=case_id,
                organisation_id="gm-a",
                label="doxxing",
                reason="nieuw",
                delivered=[],
                next_attempt_at=OPENED,  # due since long before the row added just before it
            )
        )
    assert dispatch_pending(db, settings, limit=1) == 1
    assert [m["Subject"].split(": ")[1].split(" tegen")[0] for _, m in inbox.mails] == [LABEL_LONG_NL["doxxing"]]
    assert dispatch_pending(db, settings) == 1  # the second row; the first waits for its back-off
    with db() as s:
        unsent = s.scalars(select(AlertOutbox).where(AlertOutbox.sent_at.is_(None))).all()
    assert [row.label for row in unsent] == ["threat"]


def test_deliveries_are_counted_as_sent_or_failed(db, settings, smtp):
    def count(result: str) -> float:
        return REGISTRY.get_sample_value("schildwacht_alerts_total", {"result": result}) or 0.0

    before = count("sent"), count("failed")
    threat_case(db, org_mail="veilig@a.example")
    assert dispatch_pending(db, settings) == 1
    assert dispatch_pending(db, settings.model_copy(update={"smtp_port": 9})) == 0  # nothing due: nothing counted
    with session_scope(db) as s:
        row = s.scalars(select(AlertOutbox)).one()
        s.add(AlertOutbox(case_id=row.case_id, organisation_id="gm-a", label="doxxing", reason="nieuw", delivered=[]))
    assert dispatch_pending(db, settings.model_copy(update={"smtp_port": 9})) == 0  # discard port: fails
    assert (count("sent"), count("failed")) == (before[0] + 1, before[1] + 1)


def test_failed_rounds_are_counted_and_back_off_further_each_time(db, settings):
    threat_case(db, org_mail="veilig@a.example")
    dead = settings.model_copy(update={"smtp_port": 9})  # discard port: nobody answers SMTP there
    for attempts, back_off in ((1, 30), (2, 60)):  # alert_backoff_base_s 30, doubling
        with session_scope(db) as s:
            s.scalars(select(AlertOutbox)).one().next_attempt_at = OPENED  # due now
        before = datetime.now(UTC)
        assert dispatch_pending(db, dead) == 0
        after = datetime.now(UTC)
        row = outbox(db)
        assert row.attempts == attempts
        assert before + timedelta(seconds=back_off) <= row.next_attempt_at <= after + timedelta(seconds=back_off)


def internal_report_steps(db) -> list[tuple[int, str | None]]:
    with db() as s:
        return [
            (step.case_id, step.reference)
            for step in s.scalars(select(CaseStep).where(CaseStep.step == "intern_gemeld"))
        ]


def test_an_accepted_mail_records_the_internal_report_step_with_its_recipients(db, settings, smtp):
    case_id = threat_case(db, org_mail="veilig@a.example", contacts=["tweede@a.example"])
    assert dispatch_pending(db, settings) == 1
    assert internal_report_steps(db) == [(case_id, "tweede@a.example, veilig@a.example")]


def test_a_round_in_which_no_mail_was_accepted_records_no_internal_report_step(db, settings):
    threat_case(db, org_mail="veilig@a.example", hook=f"https://{PUBLIC_STAND_IN}:9/alarm")  # the webhook is down
    with session_scope(db) as s:
        s.scalars(select(AlertOutbox)).one().delivered = ["mail:veilig@a.example"]  # accepted in an earlier round
    assert dispatch_pending(db, reachable(settings)) == 0
    assert internal_report_steps(db) == []
