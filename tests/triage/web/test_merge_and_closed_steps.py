"""A closed case takes no Steunpakket step (409, Dutch), and merging a case carries its notes and the steps the target
lacks to the target, recorded in both custody chains."""

from __future__ import annotations

from sqlalchemy import select

from schildwacht.models import CaseNote, CustodyEvent
from schildwacht.models.workflow import CaseStep
from triage.bundle.custody import case_events, verify_chain


def _steps(db, case_id: int) -> dict[str, tuple]:
    with db() as s:
        rows = s.scalars(select(CaseStep).where(CaseStep.case_id == case_id))
        return {r.step: (r.done_by, r.reference, r.note) for r in rows}


def test_a_closed_case_refuses_a_step(world, client_factory, db):
    c = client_factory("triagist_a")
    cid = world.cases["abuse"]
    c.form(f"/zaken/{cid}/claimen")
    assert c.api("POST", f"/api/cases/{cid}/status", {"status": "afgerond"}).status_code == 200
    r = c.api("POST", f"/api/cases/{cid}/steps/intern_gemeld", {"note": "te laat"})
    assert r.status_code == 409 and "gesloten" in r.json()["detail"] and "heropen" in r.json()["detail"]
    r = c.form(f"/zaken/{cid}/stappen/intern_gemeld", {"notitie": "te laat"})
    assert r.status_code == 409 and "gesloten" in r.text and r.headers["content-type"].startswith("text/html")
    assert _steps(db, cid) == {}
    assert c.api("POST", f"/api/cases/{cid}/reopen").status_code == 200  # after reopening it is allowed again
    assert c.api("POST", f"/api/cases/{cid}/steps/intern_gemeld", {"note": "nu wel"}).status_code == 200
    assert set(_steps(db, cid)) == {"intern_gemeld"}


def test_merge_carries_notes_and_missing_steps_into_both_chains(world, client_factory, db):
    c = client_factory("triagist_a")
    src, dst = world.cases["xss"], world.cases["abuse"]
    for cid in (src, dst):
        assert c.api("POST", f"/api/cases/{cid}/claim").status_code == 200
    assert c.api("POST", f"/api/cases/{src}/notes", {"text": "Bron: mail van griffier"}).status_code == 200
    assert c.api("POST", f"/api/cases/{dst}/notes", {"text": "Doel: eigen notitie"}).status_code == 200
    steps_src = {
        "bewijs_vastgelegd": {"note": "schermafdruk bron"},
        "gemeld_bij_platform": {"reference": "DSA-SRC-1"},
        "intern_gemeld": {"note": "bron: griffier gebeld"},
    }
    for step, body in steps_src.items():
        assert c.api("POST", f"/api/cases/{src}/steps/{step}", body).status_code == 200
    assert c.api("POST", f"/api/cases/{dst}/steps/intern_gemeld", {"note": "doel: burgemeester"}).status_code == 200
    before_src, before_dst = _steps(db, src), _steps(db, dst)
    with db() as s:
        src_note_ids = list(s.scalars(select(CaseNote.id).where(CaseNote.case_id == src)))

    assert c.api("POST", f"/api/cases/{src}/merge", {"case_id": dst}).status_code == 200

    after_dst = _steps(db, dst)
    # the target keeps its own intern_gemeld, gains the two it lacked exactly as the source recorded them
    assert after_dst == {
        "intern_gemeld": before_dst["intern_gemeld"],
        "bewijs_vastgelegd": before_src["bewijs_vastgelegd"],
        "gemeld_bij_platform": before_src["gemeld_bij_platform"],
    }
    assert _steps(db, src) == before_src  # the source's own record stays
    with db() as s:
        notes = {n.text: n.case_id for n in s.scalars(select(CaseNote))}
        assert notes == {"Bron: mail van griffier": dst, "Doel: eigen notitie": dst}
        for cid in (src, dst):
            merges = [
                e.details
                for e in s.scalars(select(CustodyEvent).where(CustodyEvent.case_id == cid).order_by(CustodyEvent.seq))
                if e.details.get("action") == "case.merge"
            ]
            assert len(merges) == 1
            assert merges[0]["note_ids"] == src_note_ids
            assert merges[0]["steps"] == ["bewijs_vastgelegd", "gemeld_bij_platform"]
            assert verify_chain(case_events(s, cid)) is None
    page = c.get(f"/zaken/{dst}").text
    assert "Bron: mail van griffier" in page and "DSA-SRC-1" in page
