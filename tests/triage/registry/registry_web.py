"""The registry pages as they are served: inside the triage web app (its login, session CSRF, layout)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from schildwacht.models import StaffUser
from triage.security import hash_password
from triage.web.app import create_app

PASSWORD = "registry-test-wachtwoord"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


def web_client(db, settings, email: str | None = None) -> TestClient:
    """A browser-like client of the real web app: logged in as `email` (its password is set here) or, without one,
    an official's browser. It sends the session's CSRF token as a header on every request, as a form would."""
    client = TestClient(create_app(settings, db), base_url="http://testserver", follow_redirects=False)
    client.headers["x-csrf-token"] = csrf_of(client.get("/inloggen").text)
    if email is None:
        return client
    with db() as s, s.begin():
        s.scalars(select(StaffUser).where(StaffUser.email == email)).one().password_hash = hash_password(PASSWORD)
    r = client.post("/inloggen", data={"email": email, "wachtwoord": PASSWORD})
    assert r.status_code == 303, r.text
    client.headers["x-csrf-token"] = csrf_of(client.get("/account").text)  # a fresh session, a fresh token
    return client
