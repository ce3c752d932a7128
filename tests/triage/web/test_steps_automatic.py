"""Steps Schildwacht records itself (triage/autosteps.py) with real components: a local web site and Debian chromium
for the capture, a real SMTP server (aiosmtpd) that accepts or bounces the alert mail, the GIR export over HTTP.
Also: the pre-filled step forms, opening a case from the alert link (after login), "afronden"."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from schildwacht.embedded import free_port
from schildwacht.models import AuditEvent, Case, Mention, Organisation
from schildwacht.models.base import utcnow
from schildwacht.models.evidence import Capture
from schildwacht.models.workflow import AlertOutbox, CaseStep
from tests.support.mailsink import mail_sink
from tests.triage.web import autostep_support
from tests.triage.web.autostep_support import COLLECTED, PAGE, capture_settings
from tests.triage.web.triageweb_support import CHROMIUM, DEMO_PASSWORD, ORG_A, USERS, Client, csrf_of, require
from triage.alerts import dispatch_pending, enqueue_case_alert
from triage.autosteps import record_alert_mailed, record_gir_export
from triage.bundle.capture import capture_mention
from triage.bundle.custody import case_events

site = autostep_support.site  # the local web site fixture


def collected_at(db, mention_id: int, url: str) -> None:
    """What the collector stores for a post: its permalink and the sha256 of the bytes it collected."""
    with db() as s, s.begin():
        mention = s.get(Mention, mention_id)
        mention.url = url
        mention.raw_meta = {"sha256": hashlib.sha256(COLLECTED).hexdigest(), "size": len(COLLECTED)}


def capture(db, settings, mention_id: int) -> Capture:
    with db() as s, s.begin():
        result = capture_mention(s, settings, s.get(Mention, mention_id))
        s.flush()
        s.expunge(result)
        return result


def step(db, case_id: int, key: str) -> CaseStep | None:
    with db() as s:
        row = s.scalars(select(CaseStep).where(CaseStep.case_id == case_id, CaseStep.step == key)).first()
        if row is not None:
            s.expunge(row)
        return row


def step_audits(db, case_id: int, key: str) -> list[AuditEvent]:
    with db() as s:
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.details["case_id"].astext == str(case_id), AuditEvent.details["step"].astext == key)
            .order_by(AuditEvent.id)
        ).all()
        s.expunge_all()
        return list(events)


def test_failed_capture_never_records_evidence_step_and_a_good_one_records_its_hashes(world, db, site):
    require(CHROMIUM is not None, "chromium")
    settings = capture_settings(world)
    cid, mid = world.cases["threat"], world.mentions["threat"]
    collected_at(db, mid, f"{site}/weg/1")
    failed = capture(db, settings, mid)
    assert failed.status == "failed" and failed.http_status == 404
    assert step(db, cid, "bewijs_vastgelegd") is None and step_audits(db, cid, "bewijs_vastgelegd") == []

    collected_at(db, mid, f"{site}/@boos/1")
    partial = capture(db, settings.model_copy(update={"capture_chromium": "/nonexistent/chromium"}), mid)
    assert partial.status == "partial"  # no screenshot or PDF: not "vastgelegd"
    assert step(db, cid, "bewijs_vastgelegd") is None

    ok = capture(db, settings, mid)
    assert ok.status == "ok", ok.error
    row = step(db, cid, "bewijs_vastgelegd")
    assert row is not None and row.automatic and row.done_by == "system:capture"
    assert hashlib.sha256(COLLECTED).hexdigest() in row.note  # capture at collection
    assert hashlib.sha256(PAGE).hexdigest() in row.note  # the raw response served on flag, hashed independently
    for sha in (ok.warc_sha256, ok.screenshot_sha256, ok.pdf_sha256):
        assert sha and sha in row.note
    (event,) = step_audits(db, cid, "bewijs_vastgelegd")
    assert event.actor == "system:capture" and event.details["automatic"] is True
    with db() as s:
        assert any(e.details.get("step") == "bewijs_vastgelegd" for e in case_events(s, cid))


def test_post_without_collection_evidence_is_not_recorded_as_captured(world, db, site):
    require(CHROMIUM is not None, "chromium")
    cid, mid = world.cases["threat"], world.mentions["threat"]
    with db() as s, s.begin():
        s.get(Mention, mid).url, s.get(Mention, mid).raw_meta = f"{site}/@boos/2", None
    assert capture(db, capture_settings(world), mid).status == "ok"
    assert step(db, cid, "bewijs_vastgelegd") is None


class Bouncer:
    """An SMTP server that refuses every recipient (550), as a mail server does for an unknown mailbox."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd hook
        return "550 5.1.1 mailbox unavailable"


@contextmanager
def bouncing_server() -> Iterator[int]:
    controller = Controller(Bouncer(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def test_bounced_alert_never_records_internal_report_an_accepted_one_does(world, db):
    cid = world.cases["threat"]
    with db() as s, s.begin():
        s.execute(update(Organisation).where(Organisation.id == ORG_A).values(contact_email="griffie@a.example"))
        enqueue_case_alert(s, s.get(Case, cid))
    with bouncing_server() as port:
        settings = world.settings.model_copy(update={"smtp_port": port, "alert_backoff_base_s": 1})
        assert dispatch_pending(db, settings) == 0
    assert step(db, cid, "intern_gemeld") is None and step_audits(db, cid, "intern_gemeld") == []

    with mail_sink() as sink:
        with db() as s, s.begin():  # the retry is due now
            s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
        settings = world.settings.model_copy(update={"smtp_port": sink.port})
        assert dispatch_pending(db, settings) == 1
        (recipients, _message) = sink.wait_for(1)[0]
    assert recipients == ["griffie@a.example"]
    row = step(db, cid, "intern_gemeld")
    assert row is not None and row.automatic and row.done_by == "system:alerts"
    assert "griffie@a.example" in row.note and "aangenomen door de mailserver" in row.note
    (event,) = step_audits(db, cid, "intern_gemeld")
    assert event.actor == "system:alerts" and event.details["automatic"] is True


def test_automatic_step_is_shown_as_such_and_staff_can_correct_or_withdraw_it(world, db, client_factory):
    cid = world.cases["threat"]
    with db() as s, s.begin():
        assert record_alert_mailed(s, cid, ["griffie@a.example"])
    c = client_factory("triagist_a")
    c.form(f"/zaken/{cid}/claimen")
    page = c.get(f"/zaken/{cid}").text
    assert "automatisch" in page and "Schildwacht (alarmmail)" in page
    # correction: a person records what really happened; it is no longer automatic, and the audit says so
    r = c.form(f"/zaken/{cid}/stappen/intern_gemeld", {"referentie": "burgemeester", "notitie": "telefonisch"})
    assert r.status_code == 303
    row = step(db, cid, "intern_gemeld")
    assert not row.automatic and row.done_by == USERS["triagist_a"] and row.reference == "burgemeester"
    assert step_audits(db, cid, "intern_gemeld")[-1].details["corrected"] == "system:alerts"
    # a person's step is never overwritten by a later automatic recording
    with db() as s, s.begin():
        assert not record_alert_mailed(s, cid, ["ander@a.example"])
    assert step(db, cid, "intern_gemeld").reference == "burgemeester"
    # withdrawal: only of an automatic step, with a reason, audited with what was removed
    assert c.form(f"/zaken/{cid}/stappen/intern_gemeld/intrekken", {"reden": "x"}).status_code == 404
    with db() as s, s.begin():
        assert record_gir_export(s, [cid], USERS["triagist_a"]) == 1
    assert c.form(f"/zaken/{cid}/stappen/gir_geregistreerd/intrekken", {"reden": ""}).status_code == 422
    r = c.form(f"/zaken/{cid}/stappen/gir_geregistreerd/intrekken", {"reden": "export was een proef"})
    assert r.status_code == 303 and step(db, cid, "gir_geregistreerd") is None
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.step.withdraw")).one()
    assert event.details["reason"] == "export was een proef" and event.details["removed"]["done_by"].startswith("gir")


def test_gir_export_records_gir_step_for_exactly_the_exported_cases(world, db, client_factory):
    c = client_factory("triagist_a")
    r = c.form("/statistieken/gir.json")
    assert r.status_code == 200, r.text
    exported = {int(record["zaak"]) for record in r.json()["zaken"]}
    assert exported  # the world's cases of this month
    with db() as s:
        recorded = set(
            s.scalars(select(CaseStep.case_id).where(CaseStep.step == "gir_geregistreerd", CaseStep.automatic))
        )
        org_b_cases = set(s.scalars(select(Case.id).where(Case.organisation_id != ORG_A)))
    assert recorded == exported and not recorded & org_b_cases


def test_judgement_steps_are_prefilled_never_recorded(world, db, client_factory):
    cid = world.cases["threat"]
    with db() as s, s.begin():
        s.get(Mention, world.mentions["threat"]).url = "https://x.example/@boos/1"
    c = client_factory("triagist_a")
    c.form(f"/zaken/{cid}/claimen")
    c.form(f"/zaken/{cid}/stappen/gemeld_bij_platform", {"referentie": "DSA-2026-00017"})
    page = c.get(f"/zaken/{cid}").text
    assert 'href="https://x.example/about"' in page  # the Mastodon server's own moderation page
    assert 'href="https://x.example/@boos/1"' in page  # the permalink
    assert "AAA-9999-99999" in page  # the remembered reference format for mastodon
    assert 'name="vpt_code" value="VPT"' in page  # the official is a wethouder: public task
    assert "mailto:m.zoetelief@voorbeeld.example" in page  # the official's contact route for aftercare
    with db() as s:
        steps = set(s.scalars(select(CaseStep.step).where(CaseStep.case_id == cid)))
    assert steps == {"gemeld_bij_platform"}  # nothing else was recorded by showing the forms
    r = c.form(f"/zaken/{cid}/stappen/melding_aangifte", {"referentie": "PL0900-2026-1", "vpt_code": "VPT"})
    assert r.status_code == 303 and step(db, cid, "melding_aangifte").vpt_code == "VPT"


def test_alert_link_after_login_opens_and_claims_the_case(world, db, app):
    cid = world.cases["threat"]
    client = Client(app, base_url="http://testserver")
    r = client.get(f"/zaken/{cid}?via=alarm", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inloggen"
    token = csrf_of(client.get("/inloggen").text)
    r = client.post(
        "/inloggen",
        data={"csrf_token": token, "email": USERS["triagist_a"], "wachtwoord": DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/zaken/{cid}?via=alarm"
    r = client.get(r.headers["location"], follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/zaken/{cid}"
    with db() as s:
        assert s.get(Case, cid).claimed_by_id == world.users["triagist_a"]
    # never a redirect elsewhere: only a case path is remembered
    other = Client(app, base_url="http://testserver")
    other.get("/zaken?q=//evil.example", follow_redirects=False)
    token = csrf_of(other.get("/inloggen").text)
    r = other.post(
        "/inloggen",
        data={"csrf_token": token, "email": USERS["beheerder_a"], "wachtwoord": DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/zaken"
