"""Staff accounts, their server-side login sessions and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schildwacht.models.base import Base, utcnow
from schildwacht.models.registry import Organisation


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class StaffSession(Base):
    """One login of a staff user. The signed cookie carries a random session id; only its sha256 is stored, so a
    read of this table yields no usable cookie. A session is valid while `revoked_at` is null and it is within the
    idle and absolute limits (triage.web.sessions); revocation is final."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sid_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(40))  # logout, password_changed, role_changed, ...
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class StaffToken(Base):
    """A single-use, expiring e-mailed link for a staff account: `invite` (set the first password) or `reset`
    (forgot password). Only the sha256 of the random token is stored; `used_at` set means spent."""

    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # invite, reset
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Append-only: the migration installs a trigger that refuses UPDATE and DELETE."""

    __tablename__ = "audit_events"
    # Time to close (triage/statistics/service.py): the status changes of one organisation's cases.
    __table_args__ = (
        Index(
            "ix_audit_events_case_status",
            "organisation_id",
            "object_id",
            postgresql_where=text("action = 'case.status'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    organisation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(320))  # staff e-mail, "system:<worker>", "official:<id>"
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
