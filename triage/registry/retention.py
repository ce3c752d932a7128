"""The retention schedule: purge and delete what is past its window, log the counts (docs/privacy/bewaartermijnen.md).

| what                                   | window (Settings)       | action                                     |
|----------------------------------------|-------------------------|--------------------------------------------|
| content of unflagged mentions          | retain_unflagged_days   | content fields nulled (ledger row stays)   |
| cases closed as geen_actie (dismissed) | retain_dismissed_days   | case, its mentions, captures, chain deleted|
| cases afgerond (closed)                | retain_closed_days      | idem                                       |
| cases on legal hold                    | never                   | kept                                       |
| evidence blobs nobody refers to        | at once                 | deleted                                    |
| open cases of a withdrawn official     | at once (late arrivals) | deleted unless on legal hold               |
| login attempts, ended staff sessions   | retain_login_records_days, never less than the login-limit look-back (24 h) | deleted (a live session never) |

Case windows count from the case's last change (updated_at); unflagged content from its collection time.
"""  # noqa: E501 - a markdown table row (mirrors docs/privacy/bewaartermijnen.md)

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Case, Mention, Official, StaffSession
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import LoginAttempt
from triage.registry import purge
from triage.registry.service import CLOSED_STATUSES
from triage.web import login_limits

log = logging.getLogger(__name__)
ACTOR = "system:retention"


def due_cases(session: Session, settings: Settings, now: datetime) -> dict[str, list[int]]:
    """Ids of dismissed and closed cases past their window, never those on legal hold."""
    windows = {"geen_actie": settings.retain_dismissed_days, "afgerond": settings.retain_closed_days}
    due: dict[str, list[int]] = {}
    for status, days in windows.items():
        due[status] = list(
            session.scalars(
                select(Case.id)
                .where(Case.status == status, Case.legal_hold.is_(False), Case.updated_at <= now - timedelta(days=days))
                .order_by(Case.id)
            )
        )
    return due


def run_retention(session: Session, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Apply the schedule once; returns the counts, which are also written to the audit log."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    counts["unflagged_purged"] = purge.purge_mention_content(
        session,
        Mention.flagged.is_(False),
        Mention.collected_at <= now - timedelta(days=settings.retain_unflagged_days),
        now=now,
    )
    # Late arrivals: a post ingested while the withdrawal was committing may have opened a case; withdrawal keeps
    # only cases on legal hold and closed ones, so any other open case of a withdrawn official goes now.
    late = list(
        session.scalars(
            select(Case.id)
            .join(Official, Case.official_id == Official.id)
            .where(Official.status == "withdrawn", Case.legal_hold.is_(False), Case.status.not_in(CLOSED_STATUSES))
        )
    )
    withdrawn = purge.delete_cases(session, late)
    due = due_cases(session, settings, now)
    dismissed = purge.delete_cases(session, due["geen_actie"])
    closed = purge.delete_cases(session, due["afgerond"])
    counts["dismissed_cases_deleted"] = dismissed["cases"]
    counts["closed_cases_deleted"] = closed["cases"]
    counts["withdrawn_open_cases_deleted"] = withdrawn["cases"]
    for key in ("mentions", "captures", "custody_events"):
        counts[f"{key}_deleted"] = dismissed[key] + closed[key] + withdrawn[key]
    counts["evidence_blobs_deleted"] = purge.delete_orphan_blobs(session)
    counts.update(delete_login_records(session, settings, now))
    session.add(
        AuditEvent(
            organisation_id=None,
            actor=ACTOR,
            action="retention.run",
            object_type="retention",
            object_id=now.isoformat(),
            details={
                **counts,
                "windows_days": {
                    "unflagged": settings.retain_unflagged_days,
                    "dismissed": settings.retain_dismissed_days,
                    "closed": settings.retain_closed_days,
                    "login_records": settings.retain_login_records_days,
                },
            },
        )
    )
    session.flush()
    log.info("bewaartermijnen toegepast: %s", counts)
    return counts


def delete_login_records(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Delete login attempts and ended staff sessions older than `retain_login_records_days`. Whatever the window,
    an attempt the login limits still read (younger than `login_limits.lookback`) is never deleted, as that would
    end a lockout, and a session that is still live (not revoked and within the absolute limit) is never deleted, as
    that would log the user out without a trace."""
    cutoff = now - timedelta(days=settings.retain_login_records_days)
    attempts_cutoff = min(cutoff, now - login_limits.lookback(settings))
    attempts = session.execute(delete(LoginAttempt).where(LoginAttempt.at <= attempts_cutoff)).rowcount
    ended = or_(
        StaffSession.revoked_at.is_not(None),
        StaffSession.created_at <= now - timedelta(seconds=settings.session_max_age_s),
    )
    sessions = session.execute(delete(StaffSession).where(StaffSession.created_at <= cutoff, ended)).rowcount
    return {"login_attempts_deleted": attempts, "staff_sessions_deleted": sessions}


def run_forever(
    sessions: sessionmaker[Session], settings: Settings, every_seconds: float, stop: threading.Event
) -> int:
    """Run the job every `every_seconds` until `stop` is set; a failed run is logged and retried. Returns runs."""
    runs = 0
    while not stop.is_set():
        try:
            with session_scope(sessions) as session:
                run_retention(session, settings)
            runs += 1
        except Exception:
            log.exception("bewaartermijn-run mislukt; volgende poging over %s s", every_seconds)
        stop.wait(every_seconds)
    return runs
