"""Server-side staff sessions: the signed cookie carries only a random session id; the `StaffSession` record decides.

Invariants:
- only sha256(session id) is stored, so reading the table yields no usable cookie;
- a session is live while it is not revoked, was used within `session_idle_minutes` and is younger than
  `session_max_age_s`; nothing makes an ended session live again;
- every revocation is audited (`session.revoke` for one session, `session.revoke_all` for all of a user's).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.dml import affected_rows
from schildwacht.models import StaffSession, StaffUser
from schildwacht.models.base import utcnow
from triage import audit

SESSION_ID_BYTES = 32
TOUCH_INTERVAL = timedelta(seconds=30)  # last_seen_at is written at most this often (one UPDATE, not per request)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _live_conditions(settings: Settings, now: datetime) -> tuple:
    return (
        StaffSession.revoked_at.is_(None),
        StaffSession.last_seen_at > now - timedelta(minutes=settings.session_idle_minutes),
        StaffSession.created_at > now - timedelta(seconds=settings.session_max_age_s),
    )


def open_session(db: Session, user: StaffUser, *, ip: str | None, user_agent: str | None) -> str:
    """Record a new session for the user and return its id (for the cookie); the caller commits."""
    session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
    db.add(
        StaffSession(
            sid_sha256=_digest(session_id),
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=(ip or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    db.flush()
    return session_id


def live_session(db: Session, settings: Settings, session_id: str, now: datetime | None = None) -> StaffSession | None:
    """The live record for a cookie's session id, with its use noted (the caller commits), or None."""
    now = now or utcnow()
    record = db.scalars(
        select(StaffSession).where(StaffSession.sid_sha256 == _digest(session_id), *_live_conditions(settings, now))
    ).first()
    if record is not None and now - record.last_seen_at >= TOUCH_INTERVAL:
        record.last_seen_at = now
    return record


def active_sessions(db: Session, settings: Settings, user_id: int, now: datetime | None = None) -> list[StaffSession]:
    """The user's live sessions, oldest first."""
    return list(
        db.scalars(
            select(StaffSession)
            .where(StaffSession.user_id == user_id, *_live_conditions(settings, now or utcnow()))
            .order_by(StaffSession.created_at)
        )
    )


def revoke_session(db: Session, session_id: str, *, reason: str, actor: str) -> bool:
    """End one session (by the cookie's id); False when it was unknown or already revoked. The caller commits."""
    record = db.scalars(
        select(StaffSession).where(StaffSession.sid_sha256 == _digest(session_id), StaffSession.revoked_at.is_(None))
    ).first()
    if record is None:
        return False
    record.revoked_at, record.revoke_reason = utcnow(), reason
    audit.record(
        db,
        actor=actor,
        organisation_id=record.organisation_id,
        action="session.revoke",
        object_type="staff",
        object_id=record.user_id,
        details={"reason": reason, "session": record.sid_sha256[:12]},
    )
    return True


def revoke_all(db: Session, user: StaffUser, *, reason: str, actor: str) -> int:
    """End every unrevoked session of the user (expired ones too, so none can count as live again); the number
    ended is audited. The caller commits."""
    ended = affected_rows(
        db.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoke_reason=reason)
            .execution_options(synchronize_session=False)
        )
    )
    audit.record(
        db,
        actor=actor,
        organisation_id=user.organisation_id,
        action="session.revoke_all",
        object_type="staff",
        object_id=user.id,
        details={"reason": reason, "count": ended},
    )
    return ended
