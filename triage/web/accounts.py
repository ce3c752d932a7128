"""Staff account changes (the `users` commands use these; so must any future account page).

Invariants:
- a password is set only after triage.security.check_password_policy accepted it;
- changing a password or a role, or deactivating a user, ends all of that user's sessions in the same transaction;
- every change is audited; the caller commits.
Messages of `AccountError` are Dutch and shown to staff.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.models import Organisation, StaffUser
from schildwacht.models.staff import STAFF_ROLES
from triage import audit
from triage.security import WeakPassword, check_password_policy, hash_password, normalise_email
from triage.web import sessions


class AccountError(ValueError):
    """A refused account change (Dutch message)."""


def find_user(db: Session, email: str) -> StaffUser:
    user = db.scalars(select(StaffUser).where(func.lower(StaffUser.email) == normalise_email(email))).first()
    if user is None:
        raise AccountError(f"Er bestaat geen account voor {normalise_email(email)}.")
    return user


def _checked_hash(password: str) -> str:
    try:
        check_password_policy(password)
    except WeakPassword as exc:
        raise AccountError(str(exc)) from None
    return hash_password(password)


def _checked_role(role: str) -> str:
    if role not in STAFF_ROLES:
        raise AccountError(f"De rol moet een van {', '.join(STAFF_ROLES)} zijn.")
    return role


def create_user(
    db: Session, *, email: str, name: str, organisation_id: str, role: str, password: str, actor: str
) -> StaffUser:
    email = normalise_email(email)
    if db.get(Organisation, organisation_id) is None:
        raise AccountError(f"Organisatie {organisation_id!r} bestaat niet.")
    if db.scalar(select(func.count()).select_from(StaffUser).where(func.lower(StaffUser.email) == email)):
        raise AccountError(f"Er bestaat al een account voor {email}.")
    user = StaffUser(
        email=email,
        name=name,
        organisation_id=organisation_id,
        role=_checked_role(role),
        password_hash=_checked_hash(password),
    )
    db.add(user)
    db.flush()
    audit.record(
        db,
        actor=actor,
        organisation_id=organisation_id,
        action="staff.create",
        object_type="staff",
        object_id=user.id,
        details={"email": email, "role": role},
    )
    return user


def change_password(db: Session, user: StaffUser, password: str, *, actor: str) -> int:
    """Set a new password; returns the number of sessions ended."""
    user.password_hash = _checked_hash(password)
    audit.record(
        db,
        actor=actor,
        organisation_id=user.organisation_id,
        action="staff.password",
        object_type="staff",
        object_id=user.id,
    )
    return sessions.revoke_all(db, user, reason="password_changed", actor=actor)


def change_role(db: Session, user: StaffUser, role: str, *, actor: str) -> int:
    """Give the user another role; returns the number of sessions ended."""
    before, user.role = user.role, _checked_role(role)
    audit.record(
        db,
        actor=actor,
        organisation_id=user.organisation_id,
        action="staff.role",
        object_type="staff",
        object_id=user.id,
        details={"from": before, "to": role},
    )
    return sessions.revoke_all(db, user, reason="role_changed", actor=actor)


def deactivate(db: Session, user: StaffUser, *, actor: str) -> int:
    """Block the account (it can no longer log in); returns the number of sessions ended."""
    user.active = False
    audit.record(
        db,
        actor=actor,
        organisation_id=user.organisation_id,
        action="staff.deactivate",
        object_type="staff",
        object_id=user.id,
    )
    return sessions.revoke_all(db, user, reason="deactivated", actor=actor)
