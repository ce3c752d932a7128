"""Safe decisions (reasons, threat/doxxing only on the case page, reopen), notes, victim statement, related cases
and the author view, through the JSON API and the form routes against the real database."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func, select

from schildwacht.models import (
    AuditEvent,
    Case,
    CaseAttachment,
    CaseLink,
    CaseNote,
    CustodyEvent,
    LabelCorrection,
    Mention,
)
from tests.triage.web.triageweb_support import ORG_A, add_case


def _case(db, case_id: int) -> Case:
    with db() as s:
        return s.get(Case, case_id)


def _actions(db, case_id: int) -> list[str]:
    with db() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.details["case_id"].astext == str(case_id))
                .order_by(AuditEvent.id)
            )
        )


def test_api_refuses_geen_actie_without_reason_on_threat_and_doxxing(world, client_factory, db):
    c = client_factory("triagist_a")
    for key in ("threat", "doxxing"):
        cid = world.cases[key]
        assert c.api("POST", f"/api/cases/{cid}/claim").status_code == 200
        r = c.api("POST", f"/api/cases/{cid}/status", {"status": "geen_actie"})
        assert r.status_code == 422 and "reden" in r.json()["detail"]
        r = c.api("POST", f"/api/cases/{cid}/status", {"status": "geen_actie", "reason": "bestaat-niet"})
        assert r.status_code == 422
        r = c.api("POST", f"/api/cases/{cid}/status", {"status": "geen_actie", "reason": "anders"})
        assert r.status_code == 422 and "anders" in r.json()["detail"]  # "anders" needs a note
        assert _case(db, cid).status == "in_behandeling"
    cid = world.cases["threat"]
    r = c.api(
        "POST", f"/api/cases/{cid}/status", {"status": "geen_actie", "reason": "citaat_of_nieuws", "note": "quote"}
    )
    assert r.status_code == 200
    case = _case(db, cid)
    assert (case.status, case.dismissal_reason, case.dismissal_note) == ("geen_actie", "citaat_of_nieuws", "quote")
    page = c.get(f"/zaken/{cid}").text
    assert "Citaat, satire of nieuwsbericht" in page and "Heropenen" in page


def test_bulk_and_one_row_dismiss_never_close_threat_or_doxxing(world, client_factory, db):
    c = client_factory("triagist_a")
    ids = [world.cases[k] for k in ("threat", "doxxing", "abuse", "xss")]
    r = c.api("POST", "/api/cases/bulk-dismiss", {"case_ids": ids})
    assert r.status_code == 422  # no reason: nothing happens
    assert {_case(db, i).status for i in ids} == {"nieuw"}
    r = c.api("POST", "/api/cases/bulk-dismiss", {"case_ids": ids, "reason": "vals_positief"})
    assert r.status_code == 200
    assert r.json() == {
        "dismissed": sorted([world.cases["abuse"], world.cases["xss"]]),
        "case_page_only": sorted([world.cases["threat"], world.cases["doxxing"]]),
        "skipped": [],
    }
    assert _case(db, world.cases["threat"]).status == "nieuw" and _case(db, world.cases["doxxing"]).status == "nieuw"
    assert _case(db, world.cases["abuse"]).dismissal_reason == "vals_positief"
    # the form route (the queue's bulk bar and the `d` key) refuses the same way and says so
    b = client_factory("beheerder_a")
    r = b.form("/zaken/geen-actie", {"case_ids": [world.cases["threat"]], "reden": "vals_positief"})
    assert r.status_code == 303
    assert _case(db, world.cases["threat"]).status == "nieuw"
    assert "alleen af op de zaakpagina" in b.get("/zaken").text


def test_filters_survive_actions(world, client_factory):
    c = client_factory("triagist_a")
    c.get("/zaken", params={"label": "abuse", "sort": "oudste"})
    r = c.form("/zaken/geen-actie", {"case_ids": [world.cases["xss"]], "reden": "vals_positief"})
    assert r.headers["location"] == "/zaken?label=abuse&sort=oudste"
    page = c.get(f"/zaken/{world.cases['abuse']}").text
    assert 'href="/zaken?label=abuse&amp;sort=oudste" data-testid="back-to-queue"' in page


def test_reopen_is_audited_and_claims_the_case(world, client_factory, db):
    c = client_factory("triagist_a")
    cid = world.cases["abuse"]
    assert c.api("POST", f"/api/cases/{cid}/reopen").status_code == 409  # open cases cannot be reopened
    c.api("POST", "/api/cases/bulk-dismiss", {"case_ids": [cid], "reason": "vals_positief"})
    assert c.form(f"/zaken/{cid}/heropenen", {"toelichting": "toch haat"}).status_code == 303
    case = _case(db, cid)
    assert (case.status, case.dismissal_reason, case.claimed_by_id) == (
        "in_behandeling",
        None,
        world.users["triagist_a"],
    )
    assert "case.reopen" in _actions(db, cid)
    with db() as s:
        kinds = s.scalars(select(CustodyEvent.kind).where(CustodyEvent.case_id == cid).order_by(CustodyEvent.seq))
        assert list(kinds)[-1] == "status_changed"
    reader = client_factory("lezer_b")
    assert reader.api("POST", f"/api/cases/{world.cases['b_threat']}/reopen").status_code == 403


def test_notes_show_the_author_by_name_and_the_statement_is_kept(world, client_factory, db):
    c = client_factory("triagist_a")
    cid = world.cases["threat"]
    assert c.form(f"/zaken/{cid}/notities", {"tekst": "Betrokkene gebeld <b>vet</b>"}).status_code == 303
    assert c.form(f"/zaken/{cid}/notities", {"tekst": "   "}).status_code == 422
    statement = "Ik durf niet meer alleen naar huis na de raadsvergadering."
    assert c.api("POST", f"/api/cases/{cid}/victim-statement", {"text": statement}).status_code == 200
    page = c.get(f"/zaken/{cid}").text
    assert "Joris Kokkelink" in page and "Betrokkene gebeld &lt;b&gt;vet&lt;/b&gt;" in page
    assert "j.kokkelink@voorbeeld.example" not in page  # staff by name, never by e-mail
    assert statement in page
    with db() as s:
        assert s.scalar(select(func.count()).select_from(CaseNote).where(CaseNote.case_id == cid)) == 1
        assert s.get(Case, cid).victim_statement == statement
    assert {"case.note", "case.victim_statement"} <= set(_actions(db, cid))


def test_link_and_merge_cases(world, client_factory, db):
    c = client_factory("triagist_a")
    src, dst = world.cases["xss"], world.cases["abuse"]
    assert c.api("POST", f"/api/cases/{src}/link", {"case_id": world.cases["b_threat"]}).status_code == 404
    assert c.api("POST", f"/api/cases/{src}/link", {"case_id": dst}).status_code == 200
    assert c.api("POST", f"/api/cases/{dst}/link", {"case_id": src}).status_code == 200  # idempotent
    detail = c.get(f"/api/cases/{dst}").json()
    assert [(r["id"], r["relation"]) for r in detail["related"]] == [(src, "gekoppeld")]
    with db() as s:
        posts_before = s.scalar(select(func.count()).select_from(Mention).where(Mention.case_id.in_([src, dst])))
    r = c.api("POST", f"/api/cases/{src}/merge", {"case_id": dst})
    assert r.status_code == 200 and r.json()["moved_posts"] == 1  # the xss case was made with one post
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Mention).where(Mention.case_id == dst)) == posts_before
        source = s.get(Case, src)
        assert (source.status, source.dismissal_reason, source.merged_into_id) == ("geen_actie", "samengevoegd", dst)
    assert c.api("POST", f"/api/cases/{src}/reopen").status_code == 409  # merged: work goes on in the target


def test_label_filter_filters_on_the_kind_of_case(world, client_factory, db):
    with db() as s, s.begin():
        mixed = add_case(
            s, org=ORG_A, official="off-debruijn", labels=["threat", "abuse"], texts=["x"], author="@mix@x.example"
        ).id
    c = client_factory("triagist_a")
    abuse = [r["id"] for r in c.get("/api/cases", params={"label": "abuse"}).json()["items"]]
    assert mixed not in abuse and set(abuse) == {world.cases["abuse"], world.cases["xss"]}
    threat = [r["id"] for r in c.get("/api/cases", params={"label": "threat"}).json()["items"]]
    assert set(threat) == {world.cases["threat"], mixed}


def test_search_sort_and_pagination(world, client_factory, db):
    c = client_factory("triagist_a")

    def ids(**params):
        return [r["id"] for r in c.get("/api/cases", params=params).json()["items"]]

    assert ids(q=f"#{world.cases['doxxing']}") == [world.cases["doxxing"]]
    assert ids(q="@hater") == [world.cases["abuse"]]
    assert ids(q="Dorpsstraat") == [world.cases["doxxing"]]  # post text
    assert ids(q="100%_") == []  # LIKE wildcards are literal
    first = c.get("/api/cases", params={"per_page": 3}).json()
    assert (first["total"], first["pages"], len(first["items"])) == (4, 2, 3)
    second = c.get("/api/cases", params={"per_page": 3, "page": 2}).json()
    assert len(second["items"]) == 1 and second["items"][0]["id"] not in [r["id"] for r in first["items"]]
    # the world's cases were opened 300, 90, 20 and 10 minutes ago
    newest = [world.cases[k] for k in ("doxxing", "xss", "threat", "abuse")]
    assert ids(sort="nieuwste") == newest and ids(sort="oudste") == newest[::-1]
    assert c.get("/api/cases", params={"sort": "willekeurig"}).status_code == 422
    with db() as s:
        searched = s.scalars(select(AuditEvent.details).where(AuditEvent.action == "queue.search")).all()
    assert {d["q"] for d in searched} >= {"Dorpsstraat", "@hater"}
    page = c.get("/zaken", params={"q": "Dorpsstraat"}).text
    assert "1 zaak</small>" in page


def test_author_view_spans_platforms_and_counts_repeat_cases(world, client_factory, db):
    with db() as s, s.begin():
        second = add_case(
            s, org=ORG_A, official="off-debruijn", labels=["abuse"], texts=["nog eens"], author="@boos@x.example"
        ).id
    c = client_factory("triagist_a")
    view = c.get("/api/authors/@boos@x.example").json()
    assert {r["id"] for r in view["cases"]} == {world.cases["threat"], second}
    assert {p["platform"] for p in view["posts"]} == {"mastodon", "bluesky"}  # the earlier post was on bluesky
    assert len(view["posts"]) == 3 and all(p["text"] is None for p in view["posts"])
    rows = {r["id"]: r for r in c.get("/api/cases").json()["items"]}
    assert rows[world.cases["threat"]]["repeat_cases"] == 2 and rows[world.cases["doxxing"]]["repeat_cases"] == 1
    assert "Herhaaldelijk · 2 zaken" in c.get("/zaken").text
    with db() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "author.view")) == 1
    assert client_factory("triagist_b").get("/api/authors/@boos@x.example").status_code == 404


def test_errors_are_dutch_html_pages_and_json_only_under_api(world, client_factory):
    c = client_factory("triagist_a")
    page = c.get("/bestaat-niet")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in page.text and "Not Found" not in page.text
    api = c.get("/api/bestaat-niet")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    missing = c.get("/zaken/999999")
    assert missing.status_code == 404 and "Joris Kokkelink" in missing.text and "Uitloggen" in missing.text  # one UI
    other = client_factory("beheerder_a")
    other.form(f"/zaken/{world.cases['abuse']}/claimen")
    r = c.form(f"/zaken/{world.cases['abuse']}/stappen/bewijs_vastgelegd")
    assert r.status_code == 409 and "geclaimd door Nadia Smits" in r.text and "text/html" in r.headers["content-type"]
    bad = c.form(f"/zaken/{world.cases['abuse']}/toewijzen", {"collega": "geen-getal"})
    assert bad.status_code == 422 and "Controleer uw invoer" in bad.text


def test_dutch_labels_not_codes_on_the_case_page(world, client_factory):
    c = client_factory("triagist_a")
    c.form(f"/zaken/{world.cases['threat']}/berichten/{world.mentions['threat']}/tonen")
    page = c.get(f"/zaken/{world.cases['threat']}").text
    assert "Bedreiging — hoog" in page  # score 0.97
    visible = re.sub(r"<details.*?</details>", "", page, flags=re.S)
    assert "0.97" not in visible and "0,97" not in visible and "rules]" not in visible
    assert "Bedreiging 0,97" in page  # the numbers stay available behind the toggle, with a decimal comma
    assert "1 bericht" in page


def test_docs_list_only_the_api(world, client_factory):
    schema = client_factory("triagist_a").get("/openapi.json").json()
    assert schema["paths"] and all(path.startswith("/api/") for path in schema["paths"])
    assert "/api/cases/{case_id}/bundle" in schema["paths"]


def test_demo_casework_shows_notes_statement_reason_and_link(world, db):
    from schildwacht.app.seed import DEMO_SCREENSHOT, demo_casework

    with db() as s, s.begin():
        again = add_case(
            s, org=ORG_A, official="off-debruijn", labels=["gender"], texts=["x"], author="@boos@x.example"
        )
    with db() as s:
        done = demo_casework(s)
    assert done == {"notes": 1, "statements": 1, "attachments": 1, "corrections": 1, "dismissed": 1, "links": 1}
    with db() as s:
        threat = s.get(Case, world.cases["threat"])
        assert threat.victim_statement and threat.status == "nieuw"
        # the forwarded screenshot of the demo intake, attached to the threat case with its hash
        attachment = s.scalars(select(CaseAttachment).where(CaseAttachment.case_id == threat.id)).one()
        assert attachment.sha256 == hashlib.sha256(DEMO_SCREENSHOT.read_bytes()).hexdigest()
        # the post of the case dismissed as a quote (the xss case, flagged "abuse") loses that label
        correction = s.scalars(select(LabelCorrection)).one()
        expected = (world.mentions["xss"], "abuse", "removed")
        assert (correction.mention_id, correction.label, correction.action) == expected
        # the least urgent open case (abuse, opened last) is closed with a reason; the repeat author's cases linked
        assert s.get(Case, world.cases["xss"]).dismissal_reason == "citaat_of_nieuws"
        assert s.get(Case, again.id).status == "nieuw"
        pair = s.execute(select(CaseLink.case_id, CaseLink.other_case_id)).one()
        assert tuple(pair) == tuple(sorted((world.cases["threat"], again.id)))


def test_an_unexpected_error_is_a_dutch_500_page_without_details(world, app):
    from fastapi.testclient import TestClient

    @app.get("/kapot-voor-de-test")
    def crash():
        raise RuntimeError("geheime interne details")

    @app.get("/api/kapot-voor-de-test")
    def crash_api():
        raise RuntimeError("geheime interne details")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/kapot-voor-de-test")
        api = client.get("/api/kapot-voor-de-test")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Er ging iets mis" in page.text and "geheime" not in page.text and "Traceback" not in page.text
    assert api.status_code == 500 and "geheime" not in api.text and "Er ging iets mis" in api.json()["detail"]
