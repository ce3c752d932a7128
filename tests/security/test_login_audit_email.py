"""Finding 10 (audit e-mail): a failed login wrote the e-mail field into the audit log as typed (only stripped,
lowercased and cut at 320), so control characters (forged line breaks, escape sequences) and compatibility forms
went into the append-only log, and a long value broke the audit row (HTTP 500).

Now the e-mail is normalised (NFKC, control and format characters removed, stripped, lowercased) and capped at
254 characters (the longest valid address) before it is used as actor, object id or rate-limit key."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from schildwacht.models import AuditEvent
from schildwacht.models.workflow import LoginAttempt
from tests.triage.web.triageweb_support import Client, csrf_of

FORGED = "\u202eEvil\r\n2026-01-01 login.success n.smits@voorbeeld.example\x1b[2J\x00\u200b@ＸＸ.example"


def _failed_login(app, email: str):
    c = Client(app, base_url="http://testserver")
    token = csrf_of(c.get("/inloggen").text)
    return c.post("/inloggen", data={"csrf_token": token, "email": email, "wachtwoord": "fout"}, follow_redirects=False)


def _failed_actors(db) -> list[str]:
    with db() as s:
        return list(
            s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "login.failed").order_by(AuditEvent.id))
        )


def test_control_characters_are_removed_from_the_audited_email(world, app, db):
    assert _failed_login(app, FORGED).status_code == 401
    [actor] = _failed_actors(db)
    assert not any(unicodedata.category(ch).startswith("C") for ch in actor)
    assert actor == "evil2026-01-01 login.success n.smits@voorbeeld.example[2j@xx.example"
    with db() as s:
        assert s.scalar(select(LoginAttempt.email)) == actor


def test_a_very_long_email_is_capped_and_does_not_break_the_audit(world, app, db):
    long_email = "a" * 5000 + "@voorbeeld.example"
    r = _failed_login(app, long_email)
    assert r.status_code == 401
    [actor] = _failed_actors(db)
    assert actor == "a" * 254
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).one()
        assert len(event.object_id) <= 254
