"""Staff correct the labels of a post (issue 19 "label corrigeren", issue 17 "learning from staff decisions"): through
the form and the JSON API, with a reason, audited and in the custody chain, scoped to the organisation, refused for
read-only roles and without CSRF; the model's flags and scores never change; the corrections become the training
labels in `feedback export` and a staff correction in the bundle's post record."""

# ruff: noqa: F811 - the web fixtures are imported by name and used as test arguments

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from schildwacht.models import AuditEvent, CustodyEvent, LabelCorrection, Mention
from tests.triage.web.triageweb_support import ORG_A
from triage.feedback import write_feedback


def _model_output(db, mention_id: int) -> tuple[list, dict]:
    with db() as s:
        m = s.get(Mention, mention_id)
        return list(m.flags or []), dict(m.scores or {})


def test_form_correction_needs_a_reason_is_audited_chained_and_shown(world, client_factory, db):
    cid, mid = world.cases["threat"], world.mentions["threat"]
    flags_before, scores_before = _model_output(db, mid)
    c = client_factory("triagist_a")
    url = f"/zaken/{cid}/berichten/{mid}/labels"
    r = c.form(url, {"label": "abuse", "actie": "toevoegen", "reden": "   "})
    assert r.status_code == 422 and "reden" in r.text
    r = c.form(url, {"label": "bestaat-niet", "actie": "toevoegen", "reden": "x"})
    assert r.status_code == 422
    r = c.form(url, {"label": "threat", "actie": "toevoegen", "reden": "al gesignaleerd"})
    assert r.status_code == 409  # the model already flagged it: nothing to add
    with db() as s:
        assert s.scalars(select(LabelCorrection)).all() == []

    r = c.form(url, {"label": "abuse", "actie": "toevoegen", "reden": "Scheldwoord gemist"})
    assert r.status_code == 303 and r.headers["location"] == f"/zaken/{cid}#bericht-{mid}"
    r = c.form(url, {"label": "threat", "actie": "verwijderen", "reden": "Songtekst geciteerd"})
    assert r.status_code == 303
    assert _model_output(db, mid) == (flags_before, scores_before)  # evidence untouched
    with db() as s:
        rows = s.scalars(select(LabelCorrection).order_by(LabelCorrection.id)).all()
        assert [(x.label, x.action, x.reason) for x in rows] == [
            ("abuse", "added", "Scheldwoord gemist"),
            ("threat", "removed", "Songtekst geciteerd"),
        ]
        audited = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "mention.label_correction").order_by(AuditEvent.id)
        ).all()
        assert [(e.object_id, e.details["label"], e.details["correction"]) for e in audited] == [
            (str(mid), "abuse", "added"),
            (str(mid), "threat", "removed"),
        ]
        chained = [
            e.details
            for e in s.scalars(select(CustodyEvent).where(CustodyEvent.case_id == cid).order_by(CustodyEvent.seq))
            if e.details.get("action") == "mention.label_correction"
        ]
        assert [d["label"] for d in chained] == ["abuse", "threat"]
    page = c.get(f"/zaken/{cid}").text
    # beside the model's own label (still "Bedreiging — ...") staff's correction, by name, never by e-mail
    assert 'data-testid="corrected-labels">Gecorrigeerd door Joris Kokkelink: Belediging / haat<' in page
    assert "Songtekst geciteerd" in page and "Bedreiging" in page.split('data-testid="corrected-labels"')[0]


def test_api_correction_scope_roles_and_csrf(world, client_factory, db):
    cid, mid = world.cases["doxxing"], world.mentions["doxxing"]
    url = f"/api/cases/{cid}/mentions/{mid}/labels"
    body = {"label": "threat", "action": "added", "reason": "'ga maar langs' is een dreigement"}
    b = client_factory("triagist_b")
    assert b.api("POST", url, body).status_code == 404  # another organisation's case: as if it did not exist
    other = f"/api/cases/{world.cases['b_threat']}/mentions/{mid}/labels"
    assert b.api("POST", other, body).status_code == 404  # own case, foreign post
    lezer = client_factory("lezer_b")
    b_url = f"/api/cases/{world.cases['b_threat']}/mentions/{world.mentions['b_threat']}/labels"
    assert lezer.api("POST", b_url, {**body, "action": "removed"}).status_code == 403
    a = client_factory("triagist_a")
    assert a.request("POST", url, json=body).status_code == 403  # no CSRF header
    r = a.post(
        f"/zaken/{cid}/berichten/{mid}/labels",
        data={"label": "threat", "actie": "toevoegen", "reden": "x"},
        follow_redirects=False,
    )
    assert r.status_code == 403  # form without CSRF token
    assert a.api("POST", url, {**body, "reason": ""}).status_code == 422
    assert a.api("POST", f"/api/cases/{world.cases['abuse']}/mentions/{mid}/labels", body).status_code == 404
    with db() as s:
        assert s.scalars(select(LabelCorrection)).all() == []
    r = a.api("POST", url, body)
    assert r.status_code == 200 and r.json()["mention_id"] == mid
    post = next(p for p in a.get(f"/api/cases/{cid}").json()["posts"] if p["id"] == mid)
    assert post["flags"] == ["doxxing"] and post["corrected_labels"] == ["threat", "doxxing"]
    assert post["corrections"][0]["by"] == "Joris Kokkelink" and "@" not in post["corrections"][0]["by"]


def test_corrections_are_the_training_labels_in_feedback_export(world, client_factory, db):
    a = client_factory("triagist_a")
    threat, abuse = world.cases["threat"], world.cases["abuse"]
    t_url = f"/api/cases/{threat}/mentions/{world.mentions['threat']}/labels"
    assert a.api("POST", t_url, {"label": "threat", "action": "removed", "reason": "citaat"}).status_code == 200
    assert a.api("POST", t_url, {"label": "abuse", "action": "added", "reason": "wel beledigend"}).status_code == 200
    a_url = f"/api/cases/{abuse}/mentions/{world.mentions['abuse']}/labels"
    assert a.api("POST", a_url, {"label": "gender", "action": "added", "reason": "'trut'"}).status_code == 200
    a.form(f"/zaken/{threat}/claimen")
    a.form(f"/zaken/{threat}/status", {"status": "afgerond"})
    a.form("/zaken/geen-actie", {"case_ids": [abuse, world.cases["xss"]], "reden": "vals_positief"})
    out = io.StringIO()
    with db() as s:
        write_feedback(s, out, world.settings, ORG_A, actor="t@a.example")
        texts = {cid: s.scalar(select(Mention.text).where(Mention.case_id == cid)) for cid in (threat, abuse)}
    rows = {r["case_id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    none = {"threat": 0, "doxxing": 0, "gender": 0, "identity": 0, "abuse": 0}
    assert rows[threat]["labels"] == {**none, "abuse": 1} and rows[threat]["label_source"] == "correction"
    assert rows[threat]["predicted"] == ["threat"] and rows[threat]["text"] == texts[threat]
    # dismissed, but staff say it is gendered abuse: a training example with its text, the model's "abuse" plus
    # the added "gender" (a correction starts from the model's flags)
    assert rows[abuse]["labels"] == {**none, "abuse": 1, "gender": 1} and rows[abuse]["text"] == texts[abuse]
    xss = rows[world.cases["xss"]]  # dismissed without correction: unchanged rule, no text
    assert xss["label_source"] == "decision" and xss["labels"] == none and xss["text"] is None
    assert "citaat" not in out.getvalue() and "Kokkelink" not in out.getvalue()


def test_bundle_post_record_carries_the_staff_correction(world, client_factory, db):
    a = client_factory("triagist_a")
    cid, mid = world.cases["threat"], world.mentions["threat"]
    url = f"/api/cases/{cid}/mentions/{mid}/labels"
    assert a.api("POST", url, {"label": "abuse", "action": "added", "reason": "ook belediging"}).status_code == 200
    a.form(f"/zaken/{cid}/claimen")
    r = a.form(f"/zaken/{cid}/bewijsbundel")
    assert r.status_code == 200, r.text[:300]
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    with db() as s:
        uid = s.get(Mention, mid).uid
    records = [json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json") and "/" in n]
    post = next(p for p in records if p.get("uid") == uid)
    assert post["classification"]["flags"] == ["threat"]
    assert [(c["label"], c["action"], c["reason"], c["by"]) for c in post["staff_corrections"]] == [
        ("abuse", "added", "ook belediging", "Joris Kokkelink")
    ]
    report = archive.read("rapport.html").decode("utf-8")
    assert "Correctie medewerker" in report and "ook belediging" in report
