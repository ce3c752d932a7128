"""The registry pages inside the real triage web app: its login, its session CSRF, its layout, one static mount."""

from __future__ import annotations

import re

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from schildwacht.db import session_scope
from schildwacht.embedded import free_port
from schildwacht.models import Official
from tests.triage.registry.registry_helpers import add_official, add_org, add_staff
from triage.registry import service
from triage.security import hash_password

PASSWORD = "registry-test-wachtwoord"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class Inbox:
    def __init__(self) -> None:
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def web(db, settings, inbox):
    from triage.web.app import create_app

    settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port})
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_org(s, "gm-b")
        add_official(s, "off-a", "gm-a", status="invited").email = "off-a@gm-a.example"
        add_official(s, "off-b", "gm-b")
        add_staff(s, "beheer@gm-a.example", "gm-a").password_hash = hash_password(PASSWORD)
    app = create_app(settings, db)
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    token = _csrf(client.get("/inloggen").text)
    r = client.post("/inloggen", data={"csrf_token": token, "email": "beheer@gm-a.example", "wachtwoord": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def test_staff_pages_with_web_login_and_csrf(web, db, inbox):
    page = web.get("/ambtsdragers")
    assert page.status_code == 200 and "Naam off-a" in page.text and "Naam off-b" not in page.text
    assert web.get("/ambtsdragers/off-b").status_code == 404
    detail = web.get("/ambtsdragers/off-a")
    r = web.post("/ambtsdragers/off-a/uitnodigen", data={"csrf_token": _csrf(detail.text)})
    assert r.status_code == 200 and "verstuurd naar off-a@gm-a.example" in r.text
    assert inbox.recipients == [["off-a@gm-a.example"]]  # the link goes to the official, not into the page
    assert web.post("/ambtsdragers/off-a/uitnodigen", data={"csrf_token": "vals"}).status_code == 403
    # one stack: the web app's layout with the user's name and logout, its stylesheet, no second CSS route
    assert "Uitloggen" in detail.text and "beheer" in detail.text and "/static/app.css" in detail.text
    assert web.get("/mijn/stijl.css").status_code in (403, 410)  # just an (invalid) personal link now


def test_official_opt_in_through_web_app(web, db, settings):
    with session_scope(db) as s:
        token = service.issue_link(s, settings, s.get(Official, "off-a"), "invite", "test")
    official = TestClient(web.app, base_url="http://testserver", follow_redirects=False)  # no staff login
    page = official.get(f"/mijn/{token}")
    assert page.status_code == 200
    data = {"csrf_token": _csrf(page.text), "notice_read": "ja", "handles": "x: @a", "name_variants": "A"}
    confirm = official.post(f"/mijn/{token}/kiezen", data=data)
    assert confirm.status_code == 200, confirm.text
    done = official.post(f"/mijn/{token}/bevestigen", data={"csrf_token": _csrf(confirm.text)})
    assert done.status_code == 303
    with session_scope(db) as s:
        assert s.scalars(select(Official.status).where(Official.id == "off-a")).one() == "active"
