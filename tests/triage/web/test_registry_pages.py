"""The registry pages in the web app's one stack (layout with name and logout, session CSRF, one static mount), the
official's pages (112 and the support line, no staff identity), consent-dependent actions and the withdrawal
form that keeps open threat and doxxing cases by default."""

from __future__ import annotations

from sqlalchemy import select

from schildwacht.models import Case, Official
from tests.triage.web.triageweb_support import ORG_A, Client, add_case, csrf_of, login
from triage.registry import service
from triage.web.app import create_app

SUPPORT = "0800 123 45 67"


def _manage_link(world, db, official_id: str) -> str:
    with db() as s, s.begin():
        return service.issue_link(s, world.settings, s.get(Official, official_id), "manage", "test")


def test_staff_registry_pages_use_the_one_layout(world, client_factory):
    admin = client_factory("beheerder_a")
    for url in ("/ambtsdragers", "/ambtsdragers/off-zoetelief", "/ambtsdragers/nieuw"):
        page = admin.get(url)
        assert page.status_code == 200, url
        assert "Nadia Smits" in page.text and "Uitloggen" in page.text and "/static/app.css" in page.text
        assert "stijl.css" not in page.text
    refused = admin.post("/ambtsdragers/off-zoetelief/pauzeren", data={"csrf_token": "vals"})
    assert refused.status_code == 403 and "<html" in refused.text  # one CSRF scheme, a Dutch HTML page
    missing = admin.get("/ambtsdragers/off-vermeulen")  # another organisation's official
    assert missing.status_code == 404 and "<html" in missing.text


def test_withdrawal_form_keeps_open_threat_cases_by_default(world, db):
    with db() as s, s.begin():
        abuse = add_case(s, org=ORG_A, official="off-zoetelief", labels=["abuse"], texts=["Wat een sukkel"]).id
    token = _manage_link(world, db, "off-zoetelief")
    official = login(create_app(world.settings, db), None)
    form = official.get(f"/mijn/{token}/intrekken")
    assert form.status_code == 200
    threat = world.cases["threat"]
    assert f'value="{threat}" checked' in form.text  # a threat case is kept unless unticked
    assert f'value="{abuse}" >' in form.text and f'value="{abuse}" checked' not in form.text
    r = official.post(
        f"/mijn/{token}/intrekken", data={"csrf_token": csrf_of(form.text), "keep_case_ids": [str(threat)]}
    )
    assert r.status_code == 200 and "ingetrokken" in r.text
    with db() as s:
        assert s.get(Case, threat).legal_hold and s.get(Case, abuse) is None


def test_official_pages_show_112_and_support_line_and_no_staff_identity(world, db):
    settings = world.settings.model_copy(update={"support_phone": SUPPORT})
    app = create_app(settings, db)
    token = _manage_link(world, db, "off-zoetelief")
    browser = login(app, "beheerder_a")  # a browser that also carries a staff login
    for url in (f"/mijn/{token}", f"/mijn/{token}/intrekken", "/mijn/ongeldige-link-1234567890123456789012345"):
        page = browser.get(url)
        assert page.status_code in (200, 403), url
        assert "Bij acuut gevaar: bel 112." in page.text and SUPPORT in page.text
        assert "Nadia Smits" not in page.text and "Uitloggen" not in page.text  # the link is the credential


def test_withdrawal_is_not_offered_before_consent(world, client_factory, db):
    admin = client_factory("beheerder_a")
    new = admin.form("/ambtsdragers/nieuw", {"full_name": "Nog Niet Ingestemd", "role": "raadslid"})
    assert new.status_code == 303
    official_id = new.headers["location"].rsplit("/", 1)[1]
    page = admin.get(f"/ambtsdragers/{official_id}").text
    assert "Toestemming intrekken" not in page and "Uitnodiging e-mailen" in page
    assert admin.get(f"/ambtsdragers/{official_id}/intrekken").status_code == 409
    assert admin.form(f"/ambtsdragers/{official_id}/intrekken").status_code == 409
    assert "Toestemming intrekken" in admin.get("/ambtsdragers/off-zoetelief").text  # control: consented
    with db() as s:
        assert s.scalars(select(Official.status).where(Official.id == official_id)).one() == "invited"


def test_official_cannot_be_reached_with_a_staff_csrf_free_post(world, db):
    token = _manage_link(world, db, "off-zoetelief")
    stranger = Client(create_app(world.settings, db), base_url="http://testserver")
    r = stranger.post(f"/mijn/{token}/pauzeren")  # no session token: refused before the link is used
    assert r.status_code == 403
    with db() as s:
        assert s.get(Official, "off-zoetelief").status == "active"
