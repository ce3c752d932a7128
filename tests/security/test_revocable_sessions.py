"""Finding 2: sessions were not revocable. The signed cookie itself was the session ({uid, org}), so a cookie copied
before logout still worked afterwards, and nothing could end a stolen session or the sessions of someone who left.

Now the cookie carries only a random session id (and the CSRF token); the server-side record decides. Logout,
password change, role change and deactivation end the sessions; idle and absolute timeouts apply; the CLI lists
and revokes a user's sessions (`schildwacht users sessions EMAIL [--intrekken]`, `users deactivate EMAIL`)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select, update
from typer.testing import CliRunner

from schildwacht.app.cli import app as cli_app
from schildwacht.app.seed import DEMO_PASSWORD
from schildwacht.config import get_settings
from schildwacht.models import AuditEvent, StaffUser
from schildwacht.models.staff import StaffSession
from tests.triage.web.triageweb_support import USERS, Client

COOKIE = "schildwacht_sessie"
STRONG_PASSWORD = "Zeilboot-Tulpenveld-73"


def _replay(app, cookie_value: str) -> Client:
    """A fresh client that presents nothing but a copied session cookie."""
    thief = Client(app, base_url="http://testserver")
    thief.cookies.set(COOKIE, cookie_value)
    return thief


def _cookie_payload(settings, value: str) -> dict:
    """What the signed cookie holds (Starlette: base64 JSON, signed with a timestamp)."""
    data = TimestampSigner(settings.secret_key).unsign(value.encode())
    return json.loads(base64.b64decode(data))


@pytest.fixture
def cli(pg, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg.url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli_app, list(args), input=input)

    yield run
    get_settings.cache_clear()


def test_cookie_copied_before_logout_is_dead_after_logout(world, app, client_factory, db):
    victim = client_factory("triagist_a")
    stolen = victim.cookies.get(COOKIE)
    assert _replay(app, stolen).get("/api/me").status_code == 200  # the copy works while the session lives

    r = victim.form("/uitloggen")
    assert r.status_code == 303 and r.headers["location"] == "/inloggen"

    thief = _replay(app, stolen)
    assert thief.get("/api/me").status_code == 401
    r = thief.get("/zaken", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inloggen"
    with db() as s:
        revoked = s.scalars(select(StaffSession).where(StaffSession.user_id == world.users["triagist_a"])).one()
        assert revoked.revoked_at is not None and revoked.revoke_reason == "logout"
        assert (
            s.scalar(
                select(AuditEvent).where(AuditEvent.action == "session.revoke", AuditEvent.actor == USERS["triagist_a"])
            )
            is not None
        )


def test_cookie_holds_only_a_session_id_whose_hash_is_stored(world, app, client_factory, db):
    c = client_factory("triagist_a")
    payload = _cookie_payload(world.settings, c.cookies.get(COOKIE))
    assert set(payload) == {"sid", "csrf"}
    with db() as s:
        record = s.scalars(select(StaffSession)).one()
    assert record.sid_sha256 != payload["sid"] and payload["sid"] not in record.sid_sha256
    assert len(record.sid_sha256) == 64


def test_idle_and_absolute_timeouts_end_the_session(world, app, client_factory, db):
    idle, absolute = client_factory("triagist_a"), client_factory("beheerder_a")
    assert idle.get("/api/me").status_code == 200 and absolute.get("/api/me").status_code == 200
    settings = world.settings
    with db() as s, s.begin():
        s.execute(
            update(StaffSession)
            .where(StaffSession.user_id == world.users["triagist_a"])
            .values(
                last_seen_at=StaffSession.last_seen_at - timedelta(minutes=settings.session_idle_minutes, seconds=5)
            )
        )
        s.execute(
            update(StaffSession)
            .where(StaffSession.user_id == world.users["beheerder_a"])
            .values(created_at=StaffSession.created_at - timedelta(seconds=settings.session_max_age_s + 5))
        )
    assert idle.get("/api/me").status_code == 401
    assert absolute.get("/api/me").status_code == 401
    assert client_factory("triagist_a").get("/api/me").status_code == 200  # a fresh login works again


def test_password_change_role_change_and_deactivation_end_sessions(world, app, client_factory, db, cli):
    a, b = client_factory("triagist_a"), client_factory("beheerder_a")
    r = cli("users", "passwd", USERS["triagist_a"], input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n")
    assert r.exit_code == 0, r.output
    assert a.get("/api/me").status_code == 401
    assert b.get("/api/me").status_code == 200  # someone else's sessions are untouched

    r = cli("users", "role", USERS["beheerder_a"], "--rol", "alleen-lezen")
    assert r.exit_code == 0, r.output
    assert b.get("/api/me").status_code == 401

    c = client_factory("triagist_b")
    r = cli("users", "deactivate", USERS["triagist_b"])
    assert r.exit_code == 0, r.output
    assert c.get("/api/me").status_code == 401
    with db() as s:
        assert s.scalar(select(StaffUser.active).where(StaffUser.email == USERS["triagist_b"])) is False
        reasons = set(s.scalars(select(StaffSession.revoke_reason).where(StaffSession.revoked_at.is_not(None))))
        assert reasons == {"password_changed", "role_changed", "deactivated"}
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == "staff.deactivate")) is not None


def test_cli_lists_and_revokes_a_users_sessions(world, app, client_factory, db, cli):
    first, second = client_factory("triagist_a"), client_factory("triagist_a")
    other = client_factory("beheerder_a")
    r = cli("users", "sessions", USERS["triagist_a"])
    assert r.exit_code == 0, r.output
    assert "2 actieve sessie(s)" in r.output

    r = cli("users", "sessions", USERS["triagist_a"], "--intrekken")
    assert r.exit_code == 0, r.output
    assert "2 sessie(s) ingetrokken" in r.output
    assert first.get("/api/me").status_code == 401 and second.get("/api/me").status_code == 401
    assert other.get("/api/me").status_code == 200
    assert "0 actieve sessie(s)" in cli("users", "sessions", USERS["triagist_a"]).output
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "session.revoke_all")).one()
        assert event.actor == "system:cli" and event.details["count"] == 2


def test_logging_in_again_ends_the_session_already_in_the_cookie(world, app, client_factory, db):
    """Review follow-up: a second login on the same browser (without logging out) opened a new session but left the
    one in the cookie live, so a copy of the old cookie kept working."""
    c = client_factory("triagist_a")
    old = c.cookies.get(COOKIE)
    r = c.form("/inloggen", {"email": USERS["triagist_a"], "wachtwoord": DEMO_PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/zaken"
    assert c.get("/api/me").status_code == 200  # the new session works ...
    assert _replay(app, old).get("/api/me").status_code == 401  # ... the one it replaced does not
    with db() as s:
        records = s.scalars(
            select(StaffSession).where(StaffSession.user_id == world.users["triagist_a"]).order_by(StaffSession.id)
        ).all()
        assert [(r.revoked_at is not None, r.revoke_reason) for r in records] == [(True, "new_login"), (False, None)]
