"""Login with argon2 hashes and login limits, server-side sessions behind a signed cookie, and CSRF tokens.

The signed cookie holds only {"sid": session id, "csrf": token} (plus page state such as flash messages); who is
logged in is decided by the server-side session record (triage.web.sessions) on every request.
"""

from __future__ import annotations

import hmac
import re
import secrets

from fastapi import Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import StaffUser
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import LoginAttempt
from schildwacht.vocabulary import NETWORK_ROLE
from triage import audit
from triage.security import hash_password, normalise_email, verify_password
from triage.web import sessions
from triage.web.errors import Forbidden
from triage.web.login_limits import hold_login_locks, lockout

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Called by Meta's servers, proven by the X-Hub-Signature-256 of the body instead (triage/web/meta_webhook.py).
CSRF_EXEMPT_PATHS = frozenset({"/meta/webhook"})
_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")


class AuthRequired(Exception):
    """No valid session: HTML gets a redirect to the login page, the API a 401."""


class CsrfFailed(Exception):
    """A state-changing request without a valid CSRF token."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: every non-GET request needs the session's token (form field or X-CSRF-Token header)."""
    if request.method in SAFE_METHODS or request.url.path in CSRF_EXEMPT_PATHS:
        return
    expected = request.session.get("csrf")
    supplied = request.headers.get(CSRF_HEADER)
    if not supplied:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
    if not expected or not supplied or not hmac.compare_digest(str(expected), str(supplied)):
        raise CsrfFailed()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request):
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


NETWORK_HOME = "/landelijk"
# The only paths a network account (vocabulary.NETWORK_ROLE) may use: the anonymous aggregate, its own account and
# logging out. Exact paths, none with a parameter; every other route answers 403 before it runs.
NETWORK_PATHS = frozenset(
    {"/", NETWORK_HOME, f"{NETWORK_HOME}.csv", f"{NETWORK_HOME}.json", "/account", "/account/wachtwoord", "/uitloggen"}
)


def current_user(request: Request, db: Session = Depends(get_db)) -> StaffUser:
    """The logged-in, active staff user of a live server-side session (revoked, idle or too old: AuthRequired);
    the session record also pins the organisation. A network account gets Forbidden on every path outside
    `NETWORK_PATHS`, so no case, queue, text or official's name is ever served to it, whatever route is added."""
    session_id = request.session.get("sid")
    if not isinstance(session_id, str):
        raise AuthRequired()
    record = sessions.live_session(db, get_settings(request), session_id)
    user = db.get(StaffUser, record.user_id) if record is not None else None
    if record is None or user is None or not user.active or user.organisation_id != record.organisation_id:
        db.rollback()
        request.session.clear()
        raise AuthRequired()
    db.commit()  # the session's last use
    db.expunge(user)
    request.state.user = user  # error pages show who is logged in (triage.web.errors)
    if user.role == NETWORK_ROLE and request.url.path not in NETWORK_PATHS:
        raise Forbidden("Uw account (netwerk) ziet alleen het anonieme landelijke totaal.")
    return user


def client_ip(request: Request) -> str:
    """The client address as the server trusts it (forwarded headers only from configured proxies)."""
    return (request.client.host if request.client else "-")[:64]


def login(db: Session, settings: Settings, email: str, password: str, ip: str) -> tuple[StaffUser | None, str | None]:
    """Check credentials; returns (user, None) or (None, Dutch error). Refuses while a login limit is in force
    (triage.web.login_limits); the e-mail is used (and audited) only in its normal form.

    The limit is read and the attempt recorded in one transaction under the account's and the address's login
    locks, so parallel guesses are checked one at a time."""
    email = normalise_email(email)
    hold_login_locks(db, email, ip)
    now = utcnow()
    lock = lockout(db, settings, email, ip, now)
    if lock is not None:
        audit.record(
            db,
            actor=email or "-",
            organisation_id=None,
            action="login.blocked",
            object_type="staff",
            object_id="-",
            details={"ip": ip, "limit": lock.scope, "until": lock.until.isoformat()},
        )
        db.commit()
        minutes = lock.minutes_left(now)
        return None, (
            f"Te veel mislukte pogingen. Probeer het over {minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw."
        )
    user = db.scalars(select(StaffUser).where(func.lower(StaffUser.email) == email)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password or "") and bool(user and user.active)
    db.add(LoginAttempt(email=email, ip=ip, success=ok))
    audit.record(
        db,
        actor=email or "-",
        organisation_id=user.organisation_id if user else None,
        action="login.success" if ok else "login.failed",
        object_type="staff",
        object_id=str(user.id) if user else "-",
        details={"ip": ip},
    )
    db.commit()
    if not ok:
        return None, "Onjuist e-mailadres of wachtwoord."
    return user, None


AFTER_LOGIN = "after_login"
_CASE_PATH = re.compile(r"/zaken/\d{1,12}(\?via=alarm)?")


def remember_destination(request: Request) -> None:
    """Before the redirect to the login page: remember a case page that was asked for (only a local case path,
    never an arbitrary URL, so the login can never redirect elsewhere)."""
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method == "GET" and _CASE_PATH.fullmatch(wanted):
        request.session[AFTER_LOGIN] = wanted


def destination_after_login(request: Request) -> str:
    """Where a fresh login goes: the remembered case page, else the queue (read before `start_session`)."""
    wanted = request.session.get(AFTER_LOGIN)
    return wanted if isinstance(wanted, str) and _CASE_PATH.fullmatch(wanted) else "/zaken"


def start_session(request: Request, db: Session, user: StaffUser) -> None:
    """A fresh server-side session and cookie (no fixation: new id and CSRF token). A session already in the cookie
    (a login without logout) is revoked first, so no copy of the old cookie stays live."""
    previous = request.session.get("sid")
    if isinstance(previous, str):
        sessions.revoke_session(db, previous, reason="new_login", actor=user.email)
    request.session.clear()
    session_id = sessions.open_session(db, user, ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    db.commit()
    request.session.update({"sid": session_id, "csrf": secrets.token_urlsafe(32)})


def end_session(request: Request, db: Session, user: StaffUser) -> None:
    """Logout: revoke the server-side session, so a copy of the cookie is dead too, and clear the cookie."""
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        sessions.revoke_session(db, session_id, reason="logout", actor=user.email)
        db.commit()
    request.session.clear()
