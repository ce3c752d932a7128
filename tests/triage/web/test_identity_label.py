"""The fifth label `identity` (identity-based hate aimed at the official, issue 17) on the staff screens: its place in
the queue (after gendered hate, before abuse), its SLA (8 hours like gendered hate), the queue filter, the case
page's Dutch name, scores and offence suggestions (137c, 137d, 266/267 Sr), a bulk "geen actie" like gendered hate,
and staff corrections that add or remove it (audited, exported by `feedback export`).

Expected values are written here by hand from the issue and docs/operations.md, never read back from the code."""

# ruff: noqa: F811 - the web fixtures are imported by name and used as test arguments

from __future__ import annotations

import html
import io
import json

from sqlalchemy import select

from schildwacht.models import AuditEvent, Case, LabelCorrection, Mention
from tests.triage.web.triageweb_support import ORG_A, add_case
from triage.feedback import write_feedback

IDENTITY_NL = "Identiteitsgerichte haat"
IDENTITY_TEXT = "Azzouzi, mensen zoals jij met jouw afkomst horen niet in de raad"


def _identity_and_gender_cases(db) -> tuple[int, int]:
    """An identity case unclaimed for 9 hours (past its 8-hour SLA) and a gender case 30 minutes old."""
    with db() as s, s.begin():
        identity = add_case(
            s,
            org=ORG_A,
            official="off-azzouzi",
            labels=["identity", "abuse"],
            age_minutes=9 * 60,
            texts=[IDENTITY_TEXT],
            author="@haat@x.example",
            spans=[{"start": 9, "end": 43, "label": "identity", "text": IDENTITY_TEXT[9:43], "source": "model"}],
        )
        gender = add_case(
            s,
            org=ORG_A,
            official="off-debruijn",
            labels=["gender"],
            age_minutes=30,
            texts=["De Bruijn, ga terug naar de keuken"],
            author="@seksist@x.example",
        )
        return identity.id, gender.id


def test_queue_ranks_identity_after_gender_with_its_own_sla_chip_and_filter(world, client_factory, db):
    identity, gender = _identity_and_gender_cases(db)
    c = client_factory("triagist_a")
    rows = c.get("/api/cases").json()["items"]
    ids = [r["id"] for r in rows]
    # threat, doxxing, gender, identity, then the two abuse cases oldest first (the identity case is the oldest of
    # all: severity ranks before age)
    assert ids == [
        world.cases["threat"],
        world.cases["doxxing"],
        gender,
        identity,
        world.cases["abuse"],
        world.cases["xss"],
    ]
    sla = {r["id"]: r["sla"] for r in rows}
    assert sla[identity]["minutes"] == 8 * 60 and sla[identity]["overdue"] is True  # 9 h unclaimed
    assert sla[gender]["minutes"] == 8 * 60 and sla[gender]["overdue"] is False
    assert sla[world.cases["abuse"]]["minutes"] == 24 * 60  # abuse keeps its own deadline after the new rank
    assert [r["id"] for r in c.get("/api/cases", params={"label": "identity"}).json()["items"]] == [identity]
    assert [r["id"] for r in c.get("/api/cases", params={"label": "gender"}).json()["items"]] == [gender]

    page = html.unescape(c.get("/zaken").text)
    row = page.split(f'data-case-id="{identity}"')[0].rsplit("<tr", 1)[1]
    assert 'class="case sev-identity overdue"' in row
    assert '<option value="identity"' in page and f">{IDENTITY_NL}</option>" in page  # the queue's filter
    assert f"{IDENTITY_NL} — " in page  # the assessment chip: name and level
    filtered = c.get("/zaken", params={"label": "identity"}).text
    assert f'data-case-id="{identity}"' in filtered and f'data-case-id="{gender}"' not in filtered


def test_case_page_names_identity_in_dutch_with_scores_and_its_offences(world, client_factory, db):
    identity, _ = _identity_and_gender_cases(db)
    page = html.unescape(client_factory("triagist_a").get(f"/zaken/{identity}").text)
    header = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert f"{IDENTITY_NL} — " in header and "Belediging / haat" in header  # most severe label first
    scores = page.split('<span class="scores">Scores: ', 1)[1].split("</span>", 1)[0]
    assert "Identiteitsgerichte haat 0,97" in scores  # the support helper scores each flagged label 0.97
    assert "(norm 8u 00m)" in page and "te laat" in page  # 8 hours like gendered hate, 9 hours unclaimed
    advice = page.split('class="card advice"', 1)[1].split("</section>", 1)[0]
    articles = [item.split("</strong>", 1)[0] for item in advice.split("<li><strong>")[1:]]
    # identity: group insult, incitement to hatred, then the insult of the person, each article once; then the two
    # offences staff always judge themselves
    assert articles == ["137c Sr", "137d Sr", "266/267 Sr", "261/262 Sr", "131 Sr"]
    assert "Groepsbelediging" in advice and "Aanzetten tot haat, discriminatie of geweld" in advice
    assert "seksuele gerichtheid" in advice and "genderidentiteit" in advice
    assert IDENTITY_TEXT not in page  # still masked until revealed


def test_identity_case_may_be_closed_in_bulk_like_gender_but_threat_may_not(world, client_factory, db):
    identity, gender = _identity_and_gender_cases(db)
    c = client_factory("triagist_a")
    queue = c.get("/zaken").text
    for case_id in (identity, gender):
        row = queue.split(f'data-case-id="{case_id}"', 1)[0].rsplit("<tr", 1)[1]
        assert "data-case-page-only" not in row
    r = c.form("/zaken/geen-actie", {"case_ids": [identity, gender, world.cases["threat"]], "reden": "vals_positief"})
    assert r.status_code == 303
    with db() as s:
        status = dict(s.execute(select(Case.id, Case.status).where(Case.id.in_([identity, gender]))).all())
        threat = s.get(Case, world.cases["threat"]).status
    assert status == {identity: "geen_actie", gender: "geen_actie"} and threat == "nieuw"


def test_staff_add_and_remove_identity_audited_and_exported_as_training_labels(world, client_factory, db):
    identity, _ = _identity_and_gender_cases(db)
    with db() as s:
        identity_post = s.scalar(select(Mention.id).where(Mention.case_id == identity))
    abuse, abuse_post = world.cases["abuse"], world.mentions["abuse"]
    c = client_factory("triagist_a")
    url = f"/zaken/{abuse}/berichten/{abuse_post}/labels"
    assert c.form(url, {"label": "identity", "actie": "toevoegen", "reden": ""}).status_code == 422  # needs a reason
    r = c.form(url, {"label": "identity", "actie": "toevoegen", "reden": "Gericht op haar afkomst"})
    assert r.status_code == 303
    assert c.form(url, {"label": "identity", "actie": "toevoegen", "reden": "nogmaals"}).status_code == 409
    api = f"/api/cases/{identity}/mentions/{identity_post}/labels"
    body = {"label": "identity", "action": "removed", "reason": "Kritiek op beleid, niet op afkomst"}
    assert c.api("POST", api, body).status_code == 200
    page = html.unescape(c.get(f"/zaken/{abuse}").text)
    # the corrected labels, most urgent first: identity (3) before abuse (4)
    assert f'data-testid="corrected-labels">Gecorrigeerd door Joris Kokkelink: {IDENTITY_NL}, Belediging / haat<' in (
        page
    )
    with db() as s:
        audited = s.execute(
            select(AuditEvent.object_id, AuditEvent.details)
            .where(AuditEvent.action == "mention.label_correction")
            .order_by(AuditEvent.id)
        ).all()
        rows = s.execute(select(LabelCorrection.label, LabelCorrection.action).order_by(LabelCorrection.id)).all()
        flags = s.scalar(select(Mention.flags).where(Mention.id == identity_post))
    assert [(o, d["label"], d["correction"], d["reason"]) for o, d in audited] == [
        (str(abuse_post), "identity", "added", "Gericht op haar afkomst"),
        (str(identity_post), "identity", "removed", "Kritiek op beleid, niet op afkomst"),
    ]
    assert [tuple(r) for r in rows] == [("identity", "added"), ("identity", "removed")]
    assert flags == ["identity", "abuse"]  # the model's flags stay as evidence

    c.form("/zaken/geen-actie", {"case_ids": [abuse, identity], "reden": "vals_positief"})
    out = io.StringIO()
    with db() as s:
        write_feedback(s, out, world.settings, ORG_A, actor="t@a.example")
    exported = {r["case_id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    none = {"threat": 0, "doxxing": 0, "gender": 0, "identity": 0, "abuse": 0}
    assert exported[abuse]["labels"] == {**none, "abuse": 1, "identity": 1}
    assert exported[abuse]["label_source"] == "correction"
    assert exported[identity]["labels"] == {**none, "abuse": 1}  # identity taken out by staff, abuse kept
    assert exported[identity]["predicted"] == ["abuse", "identity"]
