"""Legal hold (issue 24 point 4): set by a recorded aangifte or GIR step, shown on the case, lifted only by a
beheerder with a reason (audited), respected by retention, with a review date."""

# ruff: noqa: F811 - the web fixtures are imported by name and used as test arguments

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from schildwacht.models import AuditEvent, Case
from schildwacht.models.base import utcnow
from schildwacht.models.evidence import CustodyEvent
from schildwacht.vocabulary import amsterdam_time
from tests.triage.web.webfixtures import app, client_factory, world  # noqa: F401 - pytest fixtures
from triage.registry.retention import run_retention

REFERENCE = "PL0900-2026-771"


def _case(db, case_id: int) -> Case:
    with db() as s:
        case = s.get(Case, case_id)
        s.expunge(case)
        return case


def _events(db, case_id: int, action: str) -> list[AuditEvent]:
    with db() as s:
        return list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == action, AuditEvent.object_id == str(case_id))
                .order_by(AuditEvent.id)
            )
        )


def test_aangifte_step_sets_hold_shown_on_case_and_retention_keeps_it(world, client_factory, db):
    case_id = world.cases["threat"]
    assert not _case(db, case_id).legal_hold
    c = client_factory("triagist_a")
    assert c.form(f"/zaken/{case_id}/claimen").status_code == 303
    before = utcnow()
    r = c.form(f"/zaken/{case_id}/stappen/melding_aangifte", {"referentie": REFERENCE, "vpt_code": "VPT"})
    assert r.status_code == 303
    case = _case(db, case_id)
    assert case.legal_hold and case.legal_hold_by == "j.kokkelink@voorbeeld.example"
    assert REFERENCE in case.legal_hold_reason and case.legal_hold_since >= before - timedelta(seconds=5)
    [event] = _events(db, case_id, "case.legal_hold.set")
    assert event.details["automatic"] is True and event.details["step"] == "melding_aangifte"
    page = c.get(f"/zaken/{case_id}").text
    assert 'data-testid="legal-hold"' in page and "staat op legal hold" in page and REFERENCE in page
    due = case.legal_hold_since + timedelta(days=world.settings.legal_hold_review_days)
    assert amsterdam_time(due) in page  # the review date, as the case page writes times
    # closed and far past every window: retention still keeps it
    c.form(f"/zaken/{case_id}/status", {"status": "afgerond"})
    far = utcnow() + timedelta(days=world.settings.retain_closed_days + 400)
    with db() as s, s.begin():
        counts = run_retention(s, world.settings, now=far)
    assert counts["closed_cases_deleted"] == 0 and counts["legal_hold_reviews_overdue"] == 1
    assert _case(db, case_id).legal_hold


def test_gir_step_also_holds_and_other_steps_do_not(world, client_factory, db):
    c = client_factory("triagist_a")
    held, free = world.cases["doxxing"], world.cases["abuse"]
    for case_id in (held, free):
        c.form(f"/zaken/{case_id}/claimen")
    c.form(f"/zaken/{held}/stappen/gir_geregistreerd", {"referentie": "GIR-42"})
    c.form(f"/zaken/{free}/stappen/gemeld_bij_platform", {"referentie": "platform-1"})
    c.form(f"/zaken/{free}/stappen/nazorg")
    assert _case(db, held).legal_hold and "GIR-42" in _case(db, held).legal_hold_reason
    assert not _case(db, free).legal_hold and _events(db, free, "case.legal_hold.set") == []


def test_only_a_beheerder_lifts_with_a_reason_and_it_is_audited(world, client_factory, db):
    case_id = world.cases["threat"]
    triagist = client_factory("triagist_a")
    triagist.form(f"/zaken/{case_id}/claimen")
    triagist.form(f"/zaken/{case_id}/stappen/melding_aangifte", {"referentie": REFERENCE})
    assert triagist.form(f"/zaken/{case_id}/legal-hold/opheffen", {"reden": "klaar"}).status_code == 403
    other_org = client_factory("triagist_b")
    assert other_org.form(f"/zaken/{case_id}/legal-hold/instellen", {"reden": "x"}).status_code == 404
    beheerder = client_factory("beheerder_a")
    assert beheerder.form(f"/zaken/{case_id}/legal-hold/opheffen", {"reden": "  "}).status_code == 422
    assert _case(db, case_id).legal_hold
    chain_before = len(_custody(db, case_id))
    reason = "OM heeft de zaak geseponeerd (brief 12-05)"
    assert beheerder.form(f"/zaken/{case_id}/legal-hold/opheffen", {"reden": reason}).status_code == 303
    case = _case(db, case_id)
    assert not case.legal_hold and case.legal_hold_reason is None
    [lifted] = _events(db, case_id, "case.legal_hold.lifted")
    assert lifted.actor == "n.smits@voorbeeld.example" and lifted.details["reason"] == reason
    assert REFERENCE in lifted.details["held_for"]
    chain = _custody(db, case_id)
    assert len(chain) == chain_before + 1 and chain[-1].details["action"] == "case.legal_hold.lifted"
    # lifted and closed: the case now follows the closed-case window (counted from the lift)
    beheerder.form(f"/zaken/{case_id}/claimen")
    with db() as s, s.begin():
        s.get(Case, case_id).status = "afgerond"
    far = utcnow() + timedelta(days=world.settings.retain_closed_days + 1)
    with db() as s, s.begin():
        assert run_retention(s, world.settings, now=far)["closed_cases_deleted"] == 1
    with db() as s:
        assert s.get(Case, case_id) is None


def test_manual_hold_and_review_move_the_review_date(world, client_factory, db):
    case_id = world.cases["abuse"]
    triagist = client_factory("triagist_a")
    assert triagist.form(f"/zaken/{case_id}/legal-hold/instellen", {"reden": ""}).status_code == 422
    assert triagist.form(f"/zaken/{case_id}/legal-hold/instellen", {"reden": "civiele zaak"}).status_code == 303
    held = _case(db, case_id)
    assert held.legal_hold and held.legal_hold_reason == "civiele zaak" and held.legal_hold_reviewed_at is None
    assert triagist.form(f"/zaken/{case_id}/legal-hold/herzien", {"reden": "loopt nog"}).status_code == 403
    beheerder = client_factory("beheerder_a")
    assert beheerder.form(f"/zaken/{case_id}/legal-hold/herzien", {"reden": "loopt nog"}).status_code == 303
    reviewed = _case(db, case_id)
    assert reviewed.legal_hold_reviewed_at > held.legal_hold_since
    [event] = _events(db, case_id, "case.legal_hold.reviewed")
    assert event.details["note"] == "loopt nog"
    # overdue only a full review period after the review, not after the hold
    days = world.settings.legal_hold_review_days
    with db() as s, s.begin():
        just_before = run_retention(s, world.settings, now=reviewed.legal_hold_reviewed_at + timedelta(days=days - 1))
        after = run_retention(s, world.settings, now=reviewed.legal_hold_reviewed_at + timedelta(days=days + 1))
    assert (just_before["legal_hold_reviews_overdue"], after["legal_hold_reviews_overdue"]) == (0, 1)


def _custody(db, case_id: int) -> list[CustodyEvent]:
    with db() as s:
        rows = list(s.scalars(select(CustodyEvent).where(CustodyEvent.case_id == case_id).order_by(CustodyEvent.seq)))
        for row in rows:
            s.expunge(row)
        return rows
