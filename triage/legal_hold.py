"""Legal hold: a case the police, the OM or the GIR may still ask for is never deleted by retention or withdrawal.

Invariants:
- A hold is set automatically when a melding/aangifte or GIR step is recorded (a database trigger, so every path that
  records a step is covered: schildwacht/migrations/sql_extras.py), when an official keeps a case at withdrawal,
  or by staff (triagist or beheerder) with a reason.
- Only a beheerder lifts a hold, and only with a reason. Setting, reviewing and lifting are audited (`audit_events`)
  and noted on the case's chain of custody.
- A held case is due for review `legal_hold_review_days` after it was held or last reviewed; the retention job
  counts overdue reviews but never lifts a hold by itself.
- The retention job (triage/registry/retention.py) and withdrawal (triage/registry/service.py) skip held cases.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import Case
from schildwacht.models.base import utcnow
from schildwacht.vocabulary import ADMIN_ROLES, CASE_WRITE_ROLES
from triage import audit

LIFT_ROLES = ADMIN_ROLES
SET_ROLES = CASE_WRITE_ROLES
MAX_REASON = 1000


class HoldError(ValueError):
    """A refusal shown to a person (Dutch)."""


class HoldForbidden(HoldError):
    """The person's role may not do this."""


def _reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())[:MAX_REASON]
    if not reason:
        raise HoldError("Geef een reden op; die komt in het logboek en in de bewaarketen van de zaak.")
    return reason


def _log(session: Session, case: Case, actor: str, action: str, details: dict[str, Any]) -> None:
    """Audit the change and note it on the custody chain (kind "note"; no post content)."""
    audit.record(
        session,
        actor=actor,
        organisation_id=case.organisation_id,
        action=action,
        object_type="case",
        object_id=case.id,
        details={"case_id": case.id, **details},
    )
    try:
        from triage.bundle import custody
    except ImportError:  # bundle stage not installed
        return
    custody.append_event(session, case.id, "note", actor, {"action": action, **details})


def set_hold(session: Session, case: Case, actor: str, role: str, reason: str, now: datetime | None = None) -> bool:
    """Put a case on legal hold with a reason; False when it already was (nothing changes then)."""
    if role not in SET_ROLES:
        raise HoldForbidden("Alleen een triagist of beheerder zet een legal hold.")
    return _hold(session, case, actor, _reason(reason), now)


def hold_at_withdrawal(session: Session, case: Case, actor: str, now: datetime | None = None) -> bool:
    """The official keeps this case when withdrawing consent (e.g. for an aangifte): it goes on legal hold."""
    return _hold(session, case, actor, "Bewaard door de ambtsdrager bij intrekken van de toestemming", now)


def _hold(session: Session, case: Case, actor: str, reason: str, now: datetime | None) -> bool:
    if case.legal_hold:
        return False
    now = now or utcnow()
    case.legal_hold, case.legal_hold_since, case.legal_hold_by = True, now, actor
    case.legal_hold_reason, case.legal_hold_reviewed_at = reason, None
    session.flush()
    _log(session, case, actor, "case.legal_hold.set", {"reason": reason, "automatic": False})
    return True


def lift_hold(session: Session, case: Case, actor: str, role: str, reason: str) -> None:
    """Lift a hold (beheerder only, with a reason); the case then follows the retention schedule again."""
    if role not in LIFT_ROLES:
        raise HoldForbidden("Alleen een beheerder heft een legal hold op.")
    reason = _reason(reason)
    if not case.legal_hold:
        raise HoldError("Deze zaak heeft geen legal hold.")
    previous = {"since": case.legal_hold_since.isoformat() if case.legal_hold_since else None}
    previous["held_for"] = case.legal_hold_reason
    case.legal_hold, case.legal_hold_since, case.legal_hold_by = False, None, None
    case.legal_hold_reason, case.legal_hold_reviewed_at = None, None
    case.updated_at = utcnow()  # the retention window of a closed case starts again from the lift
    session.flush()
    _log(session, case, actor, "case.legal_hold.lifted", {"reason": reason, **previous})


def review_hold(session: Session, case: Case, actor: str, role: str, note: str, now: datetime | None = None) -> None:
    """Record that a beheerder reviewed a hold and keeps it; the next review is due a full period later."""
    if role not in LIFT_ROLES:
        raise HoldForbidden("Alleen een beheerder herziet een legal hold.")
    note = _reason(note)
    if not case.legal_hold:
        raise HoldError("Deze zaak heeft geen legal hold.")
    case.legal_hold_reviewed_at = now or utcnow()
    session.flush()
    _log(session, case, actor, "case.legal_hold.reviewed", {"note": note})


def review_due(case: Case, settings: Settings) -> datetime | None:
    """When the hold of `case` is due for review (None when not held)."""
    if not case.legal_hold:
        return None
    start = case.legal_hold_reviewed_at or case.legal_hold_since or case.updated_at
    return start + timedelta(days=settings.legal_hold_review_days)


def overdue_reviews(session: Session, settings: Settings, now: datetime) -> int:
    """How many held cases are past their review date (all organisations; the retention run logs it)."""
    cutoff = now - timedelta(days=settings.legal_hold_review_days)
    start = func.coalesce(Case.legal_hold_reviewed_at, Case.legal_hold_since, Case.updated_at)
    return session.scalar(select(func.count()).where(Case.legal_hold.is_(True), start <= cutoff)) or 0


def view(case: Case, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """What the case page and the API show about the hold (times as ISO 8601 strings)."""
    due = review_due(case, settings)

    def iso(at: datetime | None) -> str | None:
        return at.isoformat() if at else None

    return {
        "held": bool(case.legal_hold),
        "since": iso(case.legal_hold_since),
        "by": case.legal_hold_by,
        "reason": case.legal_hold_reason,
        "reviewed_at": iso(case.legal_hold_reviewed_at),
        "review_due": iso(due),
        "review_overdue": due is not None and due <= (now or utcnow()),
    }
