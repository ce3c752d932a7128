"""Append-only audit trail of what staff (and workers) do: one AuditEvent row per action.

Case-content views, reveals, status changes, claims and exports are also appended to the case's hash-chained
custody log when `triage.bundle.custody` is available.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from schildwacht.models import AuditEvent

log = logging.getLogger(__name__)

# Audit action -> custody event kind (only actions that touch a case's evidence or its handling).
CUSTODY_KIND = {
    "case.view": "viewed",
    "mention.reveal": "viewed",
    "case.attachment.view": "viewed",
    "case.status": "status_changed",
    "case.reopen": "status_changed",
    "case.merge": "status_changed",
    "case.note": "note",
    "mention.label_correction": "note",
    "case.victim_statement": "note",
    "case.link": "note",
    "case.claim": "assigned",
    "case.release": "assigned",
    "case.assign": "assigned",
    "case.step": "note",
    "case.step.withdraw": "note",
    "case.platform_answer": "note",
    "case.export": "exported",
}


def record(
    session: Session,
    *,
    actor: str,
    organisation_id: str | None,
    action: str,
    object_type: str,
    object_id: Any,
    details: dict | None = None,
) -> AuditEvent:
    """Add one audit event to the session (flushed; the caller's transaction commits it)."""
    event = AuditEvent(
        actor=actor,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


def record_case(
    session: Session,
    *,
    actor: str,
    organisation_id: str,
    action: str,
    case_id: int,
    details: dict | None = None,
    object_type: str = "case",
    object_id: Any = None,
) -> None:
    """Audit an action on a case and append it to the case's custody chain where that module exists."""
    record(
        session,
        actor=actor,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=case_id if object_id is None else object_id,
        details=details,
    )
    kind = CUSTODY_KIND.get(action)
    if kind is None:
        return
    try:
        from triage.bundle import custody
    except ImportError:  # bundle stage not installed
        return
    custody.append_event(session, case_id, kind, actor, {"action": action, **(details or {})})
