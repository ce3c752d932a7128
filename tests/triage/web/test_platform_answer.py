"""Recording the platform's answer to a notice on the case page (verwijderd / afgewezen / geen reactie, when, the
reference), audited, and the statistics' DSA figures (share answered, median response time) against a hand count."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from schildwacht.models import AuditEvent, Case
from schildwacht.models.workflow import CaseStep
from schildwacht.vocabulary import AMSTERDAM
from tests.triage.web.browser_support import sign_in

SHOTS = Path("/tmp/shots")


def notice(db, case_id: int, done_at: datetime, reference: str) -> None:
    """The platform notice as recorded earlier (the step form itself is tested in test_queue_and_case.py)."""
    with db() as s, s.begin():
        case = s.get(Case, case_id)
        s.add(
            CaseStep(
                case_id=case_id,
                organisation_id=case.organisation_id,
                step="gemeld_bij_platform",
                done_at=done_at,
                done_by="j.kokkelink@voorbeeld.example",
                reference=reference,
            )
        )


def typed(moment: datetime) -> str:
    """As a datetime-local field sends it: local time, no zone."""
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


def test_answers_recorded_on_the_case_page_drive_the_dsa_figures(world, client_factory, db):
    # Four notices to mastodon, all sent three days ago at a whole minute (local time).
    sent = (datetime.now(AMSTERDAM) - timedelta(days=3)).replace(second=0, microsecond=0)
    for key in ("threat", "abuse", "doxxing", "xss"):
        notice(db, world.cases[key], sent, f"MST-{key}")
    a = client_factory("triagist_a")
    page = a.get(f"/zaken/{world.cases['threat']}")
    assert 'data-testid="platform-answer"' in page.text and "Nog geen antwoord van het platform" in page.text
    # threat: removed after 6 h; abuse: refused after 30 h; doxxing: no reaction (noted now); xss: nothing recorded
    assert (
        a.form(
            f"/zaken/{world.cases['threat']}/platformantwoord",
            {"antwoord": "verwijderd", "moment": typed(sent + timedelta(hours=6)), "referentie": "MOD-77"},
        ).status_code
        == 303
    )
    assert (
        a.form(
            f"/zaken/{world.cases['abuse']}/platformantwoord",
            {"antwoord": "afgewezen", "moment": typed(sent + timedelta(hours=30))},
        ).status_code
        == 303
    )
    assert (
        a.form(
            f"/zaken/{world.cases['doxxing']}/platformantwoord",
            {"antwoord": "geen_reactie", "moment": typed(sent + timedelta(days=2))},
        ).status_code
        == 303
    )
    shown = a.get(f"/zaken/{world.cases['threat']}").text
    expected_time = (sent + timedelta(hours=6)).strftime("%d-%m-%Y %H:%M")
    assert f"Antwoord platform: <strong>Verwijderd</strong> op {expected_time}" in shown and "MOD-77" in shown
    assert "antwoord platform vastgelegd" in shown  # the case history names it in Dutch

    today = datetime.now(AMSTERDAM).date()
    query = f"periode=aangepast&van={today - timedelta(days=7)}&tot={today}"
    table = a.get(f"/statistieken/csv/platformmeldingen?{query}")
    rows = list(csv.reader(io.StringIO(table.text.lstrip("\ufeff")), delimiter=";"))
    # 4 notices, 2 answered (geen reactie is no answer), 50%, median of 6 h and 30 h = 18 h
    assert rows[1:] == [["mastodon", "4", "2", "0,5", "18"]]
    with db() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.platform_answer").order_by(AuditEvent.id)
        ).all()
        steps = {
            row.case_id: (row.platform_answer, row.platform_answered_at, row.platform_answer_reference)
            for row in s.scalars(select(CaseStep).where(CaseStep.step == "gemeld_bij_platform"))
        }
    assert [(e.object_id, e.details["answer"], e.actor) for e in events] == [
        (str(world.cases["threat"]), "verwijderd", "j.kokkelink@voorbeeld.example"),
        (str(world.cases["abuse"]), "afgewezen", "j.kokkelink@voorbeeld.example"),
        (str(world.cases["doxxing"]), "geen_reactie", "j.kokkelink@voorbeeld.example"),
    ]
    assert events[2].details["established_at"] is not None and events[2].details["answered_at"] is None
    assert steps[world.cases["threat"]] == ("verwijderd", sent + timedelta(hours=6), "MOD-77")
    assert steps[world.cases["doxxing"]] == ("geen_reactie", None, None)
    assert steps[world.cases["xss"]] == (None, None, None)


def test_bad_answers_are_refused_and_change_nothing(world, client_factory, db):
    sent = (datetime.now(AMSTERDAM) - timedelta(hours=2)).replace(second=0, microsecond=0)
    notice(db, world.cases["threat"], sent, "MST-1")
    a = client_factory("triagist_a")
    url = f"/zaken/{world.cases['threat']}/platformantwoord"
    before_notice = a.form(url, {"antwoord": "verwijderd", "moment": typed(sent - timedelta(minutes=1))})
    assert before_notice.status_code == 422 and "vóór de melding" in before_notice.text
    future = a.form(url, {"antwoord": "verwijderd", "moment": typed(datetime.now(AMSTERDAM) + timedelta(hours=2))})
    assert future.status_code == 422 and "toekomst" in future.text
    assert a.form(url, {"antwoord": "verwijderd", "moment": ""}).status_code == 422  # when, for an answer
    assert a.form(url, {"antwoord": "misschien", "moment": typed(sent)}).status_code == 422
    assert a.form(url, {"antwoord": "verwijderd", "moment": "gisteren"}).status_code == 422
    # no notice recorded yet on the abuse case: first the notice
    assert a.form(f"/zaken/{world.cases['abuse']}/platformantwoord", {"antwoord": "verwijderd"}).status_code == 409
    # another organisation's case is not found; the read-only role may not record
    b = client_factory("triagist_b")
    assert b.form(url, {"antwoord": "verwijderd", "moment": typed(sent)}).status_code == 404
    assert client_factory("lezer_b").form(url, {"antwoord": "verwijderd", "moment": typed(sent)}).status_code == 403
    with db() as s:
        row = s.scalars(select(CaseStep).where(CaseStep.case_id == world.cases["threat"])).one()
        assert (row.platform_answer, row.platform_answered_at) == (None, None)
        assert not s.scalars(select(AuditEvent).where(AuditEvent.action == "case.platform_answer")).all()
    # a closed case still takes the answer (platforms often answer after closing)
    with db() as s, s.begin():
        s.get(Case, world.cases["threat"]).status = "afgerond"
    ok = a.form(url, {"antwoord": "verwijderd", "moment": typed(sent + timedelta(minutes=30))})
    assert ok.status_code == 303
    with db() as s:
        assert s.scalars(select(CaseStep).where(CaseStep.case_id == world.cases["threat"])).one().platform_answer == (
            "verwijderd"
        )


def test_browser_records_the_answer_on_the_case_page(world, live_server, browser, db):
    sent = (datetime.now(AMSTERDAM) - timedelta(days=1)).replace(second=0, microsecond=0)
    notice(db, world.cases["threat"], sent, "MST-9")
    page = browser.person()
    sign_in(page, live_server, "triagist_a")
    page.goto(f"{live_server}/zaken/{world.cases['threat']}")
    box = page.get_by_test_id("platform-answer")
    box.locator("select[name=antwoord]").select_option("verwijderd")
    box.locator("input[name=moment]").fill(typed(sent + timedelta(hours=5)))
    box.locator("input[name=referentie]").fill("MOD-12")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#stappen").screenshot(path=str(SHOTS / "platformantwoord-formulier.png"))
    box.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/zaken/{world.cases['threat']}#stappen")
    expected = (sent + timedelta(hours=5)).strftime("%d-%m-%Y %H:%M")
    assert f"Verwijderd op {expected}" in page.get_by_test_id("platform-answer").inner_text()
    page.locator("#stappen").screenshot(path=str(SHOTS / "platformantwoord.png"))
    with db() as s:
        row = s.scalars(select(CaseStep).where(CaseStep.case_id == world.cases["threat"])).one()
    assert (row.platform_answer, row.platform_answered_at) == ("verwijderd", sent + timedelta(hours=5))
