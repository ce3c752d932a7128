"""Login with argon2 hashes, rate limiting per account + IP, signed session cookies and CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from fastapi import Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from triage import audit
from triage.models import StaffUser
from triage.models.base import utcnow
from triage.models.workflow import LoginAttempt
from triage.security import hash_password, verify_password

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
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
    if request.method in SAFE_METHODS:
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


def current_user(request: Request, db: Session = Depends(get_db)) -> StaffUser:
    """The logged-in, active staff user; the session also pins the organisation."""
    uid, org = request.session.get("uid"), request.session.get("org")
    if not uid:
        raise AuthRequired()
    user = db.get(StaffUser, uid)
    if user is None or not user.active or user.organisation_id != org:
        request.session.clear()
        raise AuthRequired()
    db.expunge(user)
    return user


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "-"


def login(db: Session, settings: Settings, email: str, password: str, ip: str) -> tuple[StaffUser | None, str | None]:
    """Check credentials; returns (user, None) or (None, Dutch error). Refuses after too many recent failures."""
    email = (email or "").strip().lower()[:320]
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    failures = db.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.success.is_(False),
        LoginAttempt.at > since))
    if failures >= settings.login_max_failures:
        audit.record(db, actor=email or "-", organisation_id=None, action="login.blocked", object_type="staff",
                     object_id=email or "-", details={"ip": ip})
        db.commit()
        return None, (f"Te veel mislukte pogingen. Probeer het over {settings.login_window_minutes} minuten "
                      "opnieuw.")
    user = db.scalars(select(StaffUser).where(func.lower(StaffUser.email) == email)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password or "") and bool(user and user.active)
    db.add(LoginAttempt(email=email, ip=ip, success=ok))
    audit.record(db, actor=email or "-", organisation_id=user.organisation_id if user else None,
                 action="login.success" if ok else "login.failed", object_type="staff",
                 object_id=str(user.id) if user else email or "-", details={"ip": ip})
    db.commit()
    if not ok:
        return None, "Onjuist e-mailadres of wachtwoord."
    return user, None


def start_session(request: Request, user: StaffUser) -> None:
    request.session.clear()  # no fixation: fresh token and identity
    request.session.update({"uid": user.id, "org": user.organisation_id, "csrf": secrets.token_urlsafe(32)})
