"""Who handed something over: a registered official (with or without consent) or active staff, by e-mail address.

Invariant: a lookup reads the database once per call; only officials with status "active" (consent given, not
withdrawn) count as consenting, like the collectors' registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.models import Official, StaffUser


@dataclass(frozen=True)
class Person:
    """An official or a staff member known to Schildwacht."""

    kind: str  # "official" or "staff"
    id: str
    organisation_id: str
    consenting: bool  # officials: status active; staff: account active


def official(session: Session, official_id: str) -> Person | None:
    """The official with this id, if registered."""
    row = session.get(Official, official_id)
    return Person("official", row.id, row.organisation_id, row.status == "active") if row else None


def by_address(session: Session, address: str) -> Person | None:
    """The official or staff member with this e-mail address (case-insensitive); an official wins."""
    address = address.strip().lower()
    if not address:
        return None
    row = session.scalars(select(Official).where(func.lower(Official.email) == address).order_by(Official.id)).first()
    if row is not None:
        return Person("official", row.id, row.organisation_id, row.status == "active")
    staff = session.scalars(select(StaffUser).where(func.lower(StaffUser.email) == address)).first()
    if staff is not None:
        return Person("staff", staff.email, staff.organisation_id, staff.active)
    return None
