"""Staff account changes, used by the `users` commands and the account pages (staff_admin.py, password_pages.py).

Invariants:
- a password is set only after triage.security.check_password_policy accepted it;
- changing a password or a role, or deactivating a user, ends all of that user's sessions in the same transaction;
- every change is audited; the caller commits;
- an e-mailed account link (`invite`: first password, `reset`: forgotten password) is random, stored only as its
  sha256, works once and expires (INVITE_TTL, RESET_TTL); using it sets a checked password, ends the account's
  sessions and spends every other open link of the account.
Messages of `AccountError` are Dutch and shown to staff.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from schildwacht.models import Organisation, StaffToken, StaffUser
from schildwacht.models.base import utcnow
from schildwacht.vocabulary import NETWORK_KIND, NETWORK_ROLE, ORGANISATION_ROLES
from triage import audit
from triage.security import WeakPassword, check_password_policy, hash_password, normalise_email, verify_password
from triage.web import sessions

INVITE_TTL = timedelta(days=7)
RESET_TTL = timedelta(hours=1)
# A forgotten-password link is mailed at most once per interval per account: no mail flood, and nobody can keep
# spending the link the account holder is about to use.
RESET_INTERVAL = timedelta(minutes=2)
TOKEN_PURPOSES = {"invite": INVITE_TTL, "reset": RESET_TTL}


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


def _checked_role(db: Session, role: str, organisation_id: str) -> str:
    """The network role exists only in a network organisation, and a network organisation has only that role, so
    no beheerder of a gemeente can make an account that sees other organisations' figures."""
    organisation = db.get(Organisation, organisation_id)
    network = organisation is not None and organisation.kind == NETWORK_KIND
    allowed = (NETWORK_ROLE,) if network else ORGANISATION_ROLES
    if role not in allowed:
        raise AccountError(f"De rol moet een van {', '.join(allowed)} zijn.")
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
        role=_checked_role(db, role, organisation_id),
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
    before, user.role = user.role, _checked_role(db, role, user.organisation_id)
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


def verify_and_change_password(db: Session, user: StaffUser, current: str, new: str, repeat: str) -> int:
    """The user's own change: the current password must match and the new one be typed twice; returns the number of
    sessions ended (all of them, the caller starts a fresh one)."""
    if not verify_password(user.password_hash, current or ""):
        raise AccountError("Het huidige wachtwoord klopt niet.")
    if new != repeat:
        raise AccountError("De twee nieuwe wachtwoorden zijn niet gelijk.")
    if new == current:
        raise AccountError("Kies een ander wachtwoord dan het huidige.")
    return change_password(db, user, new, actor=user.email)


def invite_user(db: Session, *, email: str, name: str, organisation_id: str, role: str, actor: str) -> StaffUser:
    """A new account without a usable password (a random one nobody knows); the invitation link sets it."""
    return create_user(
        db,
        email=email,
        name=name.strip() or normalise_email(email),
        organisation_id=organisation_id,
        role=role,
        password=secrets.token_urlsafe(32),
        actor=actor,
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, user: StaffUser, purpose: str, *, actor: str) -> str:
    """A fresh single-use link token for the account; earlier open links of the account are spent."""
    if purpose not in TOKEN_PURPOSES:
        raise ValueError(f"unknown staff token purpose {purpose!r}")
    _spend_open_tokens(db, user)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        StaffToken(
            token_sha256=_digest(token),
            user_id=user.id,
            purpose=purpose,
            created_by=actor,
            created_at=now,
            expires_at=now + TOKEN_PURPOSES[purpose],
        )
    )
    audit.record(
        db,
        actor=actor,
        organisation_id=user.organisation_id,
        action=f"staff.link.{purpose}",
        object_type="staff",
        object_id=user.id,
    )
    return token


def reset_recently_issued(db: Session, user: StaffUser) -> bool:
    """True when a reset link for the account was issued less than RESET_INTERVAL ago."""
    since = utcnow() - RESET_INTERVAL
    query = select(StaffToken.id).where(
        StaffToken.user_id == user.id, StaffToken.purpose == "reset", StaffToken.created_at > since
    )
    return db.scalars(query.limit(1)).first() is not None


def _spend_open_tokens(db: Session, user: StaffUser) -> None:
    db.execute(
        update(StaffToken)
        .where(StaffToken.user_id == user.id, StaffToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def token_user(db: Session, token: str, *, lock: bool = False) -> tuple[StaffToken, StaffUser]:
    """The open link and its active account, or AccountError (unknown, used or expired: one Dutch message)."""
    query = select(StaffToken).where(StaffToken.token_sha256 == _digest(token or ""))
    row = db.scalars(query.with_for_update() if lock else query).first()
    user = db.get(StaffUser, row.user_id) if row is not None else None
    if row is None or row.used_at is not None or row.expires_at <= utcnow() or user is None or not user.active:
        raise AccountError(
            "Deze link is ongeldig, al gebruikt of verlopen. Vraag een nieuwe aan via 'Wachtwoord vergeten?' "
            "of bij de beheerder van uw organisatie."
        )
    return row, user


def redeem_token(db: Session, token: str, password: str, repeat: str) -> StaffUser:
    """Set the account's password through an e-mailed link; the link (and every other open one) is spent."""
    row, user = token_user(db, token, lock=True)
    if password != repeat:
        raise AccountError("De twee wachtwoorden zijn niet gelijk.")
    change_password(db, user, password, actor=user.email)
    _spend_open_tokens(db, user)
    audit.record(
        db,
        actor=user.email,
        organisation_id=user.organisation_id,
        action=f"staff.link.{row.purpose}.used",
        object_type="staff",
        object_id=user.id,
    )
    return user
