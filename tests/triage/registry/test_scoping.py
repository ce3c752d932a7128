"""Organisation scoping: every staff registry route refuses officials of another organisation (404/403)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from schildwacht.db import session_scope
from schildwacht.models import Case, Official
from tests.triage.registry.registry_helpers import add_case, add_official, add_org, add_staff
from tests.triage.registry.registry_web import web_client
from triage.web import registry_staff


@pytest.fixture
def world(db):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_org(s, "gm-b")
        add_official(s, "off-a", "gm-a")
        b = add_official(s, "off-b", "gm-b")
        add_case(s, b, "nieuw")
        add_staff(s, "beheer@gm-a.example", "gm-a")
        add_staff(s, "beheer@gm-b.example", "gm-b")
        add_staff(s, "lezer@gm-b.example", "gm-b", role="alleen-lezen")


def _walk(client: TestClient, official_id: str) -> dict:
    """Call every route of the staff router that names an official; returns {(method, path): status}."""
    seen = {}
    for route in registry_staff.router.routes:
        if "{official_id}" not in route.path:
            continue
        path = route.path.replace("{official_id}", official_id)
        for method in sorted(route.methods):
            data = {"full_name": "Overgenomen", "role": "raadslid", "handles": "x: @kaper"}
            r = client.request(method, path, data=data if method == "POST" else None)
            seen[(method, path)] = r.status_code
    return seen


def test_every_route_refuses_another_organisations_official(db, settings, world):
    statuses = _walk(web_client(db, settings, "beheer@gm-a.example"), "off-b")
    assert len(statuses) >= 9  # detail, edit, invite, pause, resume, withdraw form + post, 2 exports
    assert set(statuses.values()) <= {403, 404}, statuses
    with session_scope(db) as s:  # and nothing changed
        official = s.get(Official, "off-b")
        assert (official.full_name, official.status, official.handles) == (
            "Naam off-b",
            "active",
            {"mastodon": ["@off-b@social.example"]},
        )
        assert s.scalars(select(Case).where(Case.official_id == "off-b")).one() is not None


def test_walk_reaches_own_officials(db, settings, world):
    """Control: the same walk for the organisation's own official is not refused."""
    statuses = _walk(web_client(db, settings, "beheer@gm-b.example"), "off-b")
    assert not {403, 404} & set(statuses.values()), statuses


def test_list_and_create_stay_in_own_organisation(db, settings, world):
    client = web_client(db, settings, "beheer@gm-a.example")
    page = client.get("/ambtsdragers")
    assert page.status_code == 200 and "Naam off-a" in page.text and "Naam off-b" not in page.text
    r = client.post(
        "/ambtsdragers/nieuw",
        data={"full_name": "Nieuw Raadslid", "role": "raadslid", "organisation_id": "gm-b"},
    )
    assert r.status_code == 303
    with session_scope(db) as s:
        new = s.scalars(select(Official).where(Official.full_name == "Nieuw Raadslid")).one()
        assert new.organisation_id == "gm-a" and new.status == "invited"


def test_writes_need_csrf_and_beheerder_role(db, settings, world):
    client = web_client(db, settings, "beheer@gm-b.example")
    r = client.post("/ambtsdragers/off-b/pauzeren", headers={"x-csrf-token": "wrong"})
    assert r.status_code == 403
    reader = web_client(db, settings, "lezer@gm-b.example")
    assert reader.post("/ambtsdragers/off-b/pauzeren").status_code == 403
    assert reader.get("/ambtsdragers/off-b").status_code == 200
    with session_scope(db) as s:
        assert s.get(Official, "off-b").status == "active"


def test_no_login_no_access(db, settings, world):
    client = web_client(db, settings)  # no staff login: pages send to the login, nothing is changed
    for route in registry_staff.router.routes:
        for method in route.methods:
            path = route.path.replace("{official_id}", "off-a")
            r = client.request(method, path)
            assert r.status_code == 303 and r.headers["location"] == "/inloggen", path
    with session_scope(db) as s:
        assert s.get(Official, "off-a").status == "active"


def test_staff_cannot_change_what_an_official_chose(db, settings, world):
    client = web_client(db, settings, "beheer@gm-b.example")
    r = client.post(
        "/ambtsdragers/off-b",
        data={"full_name": "Naam off-b", "role": "wethouder", "handles": "x: @iemand-anders"},
    )
    assert r.status_code == 422 and "beheerlink" in r.text
    r = client.post("/ambtsdragers/off-b", data={"full_name": "Naam B. Gecorrigeerd", "role": "wethouder"})
    assert r.status_code == 200
    with session_scope(db) as s:
        official = s.get(Official, "off-b")
        assert official.full_name == "Naam B. Gecorrigeerd"
        assert official.handles == {"mastodon": ["@off-b@social.example"]} and official.sees_content is False
