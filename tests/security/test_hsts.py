"""Finding 10 (HSTS): with `cookie_secure` on (the site is served over HTTPS), every response tells the browser to
use HTTPS only, so a downgraded first request cannot carry the session cookie; plain-HTTP development sends none."""

from __future__ import annotations

import pytest

from schildwacht.app.seed import DEMO_PASSWORD
from tests.triage.web.triageweb_support import USERS, Client, csrf_of
from triage.web.app import create_app

HSTS = "max-age=31536000; includeSubDomains"
PATHS = ["/inloggen", "/api/me", "/zaken", "/static/does-not-exist.css", "/bestaat-niet"]


@pytest.fixture
def secure_app(world, db):
    return create_app(world.settings.model_copy(update={"cookie_secure": True}), db)


@pytest.mark.parametrize("path", PATHS)
def test_hsts_on_every_response_when_cookie_secure(secure_app, path):
    r = Client(secure_app, base_url="https://testserver").get(path, follow_redirects=False)
    assert r.headers.get("Strict-Transport-Security") == HSTS, (r.status_code, dict(r.headers))


def test_hsts_on_logged_in_pages_and_errors(secure_app):
    c = Client(secure_app, base_url="https://testserver")
    token = csrf_of(c.get("/inloggen").text)
    refused = c.post(
        "/inloggen",
        data={"csrf_token": "fout", "email": USERS["triagist_a"], "wachtwoord": DEMO_PASSWORD},
        follow_redirects=False,
    )
    logged_in = c.post(
        "/inloggen",
        data={"csrf_token": token, "email": USERS["triagist_a"], "wachtwoord": DEMO_PASSWORD},
        follow_redirects=False,
    )
    queue = c.get("/zaken")
    assert (refused.status_code, logged_in.status_code, queue.status_code) == (403, 303, 200)
    for r in (refused, logged_in, queue):
        assert r.headers.get("Strict-Transport-Security") == HSTS, (r.status_code, dict(r.headers))


def test_no_hsts_over_plain_http_development(app):
    r = Client(app, base_url="http://testserver").get("/inloggen")
    assert r.status_code == 200 and "Strict-Transport-Security" not in r.headers
