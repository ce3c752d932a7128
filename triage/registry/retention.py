"""The retention schedule: purge and delete what is past its window, log the counts (docs/privacy/bewaartermijnen.md).

| what                                   | window (Settings)       | action                                     |
|----------------------------------------|-------------------------|--------------------------------------------|
| content of unflagged mentions          | retain_unflagged_days   | content fields nulled (ledger row stays)   |
| content-free ledger rows (unflagged)   | retain_ledger_days      | row deleted                                |
| cases closed as geen_actie (dismissed) | retain_dismissed_days   | case, its mentions, captures, chain deleted|
| cases afgerond (closed)                | retain_closed_days      | idem                                       |
| cases on legal hold                    | never (review after legal_hold_review_days) | kept; overdue reviews counted |
| evidence blobs nobody refers to        | at once                 | deleted                                    |
| open cases of a withdrawn official     | at once (late arrivals) | deleted unless on legal hold               |
| registry record of a withdrawn official| retain_withdrawn_official_days | minimised (no held case left)       |
| dead-letter payloads                   | retain_dead_letter_payload_days | payload nulled (reason, hash, size stay) |
| dead letters                           | retain_dead_letters_days| row deleted                                |
| audit_events                           | retain_audit_days       | deleted, except events about a held case   |
| login attempts, ended staff sessions   | retain_login_records_days, never less than the login-limit look-back (24 h) | deleted (a live session never) |

Case windows count from the case's last change (updated_at); unflagged content and ledger rows from collection time;
dead letters from when they were parked; a withdrawn official from the withdrawal.
"""  # noqa: E501 - a markdown table row (mirrors docs/privacy/bewaartermijnen.md)

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, exists, func, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.dml import affected_rows
from schildwacht.models import AuditEvent, Case, Consent, DeadLetterRecord, Mention, Official, StaffSession
from schildwacht.models.base import utcnow
from schildwacht.models.registry import PersonalLink
from schildwacht.models.workflow import LoginAttempt
from schildwacht.vocabulary import CLOSED_STATUSES
from triage import legal_hold
from triage.registry import purge
from triage.web import login_limits

log = logging.getLogger(__name__)
ACTOR = "system:retention"


def case_windows(settings: Settings) -> dict[str, int]:
    """Retention window in days per closed case status (counted from the case's last change)."""
    return {"geen_actie": settings.retain_dismissed_days, "afgerond": settings.retain_closed_days}


def case_expiry(case: Case, settings: Settings) -> datetime | None:
    """When the retention job deletes `case`: None while it is open or on legal hold."""
    days = case_windows(settings).get(case.status)
    if case.legal_hold or days is None:
        return None
    return case.updated_at + timedelta(days=days)


def due_cases(session: Session, settings: Settings, now: datetime) -> dict[str, list[int]]:
    """Ids of dismissed and closed cases past their window, never those on legal hold."""
    windows = case_windows(settings)
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
    counts["ledger_rows_deleted"] = delete_ledger_rows(session, settings, now)
    counts["withdrawn_officials_minimised"] = minimise_withdrawn_officials(session, settings, now)
    counts.update(expire_dead_letters(session, settings, now))
    counts["audit_events_deleted"] = delete_audit_events(session, settings, now)
    counts.update(delete_login_records(session, settings, now))
    counts["legal_hold_reviews_overdue"] = legal_hold.overdue_reviews(session, settings, now)
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
                    "ledger": settings.retain_ledger_days,
                    "withdrawn_official": settings.retain_withdrawn_official_days,
                    "dead_letter_payload": settings.retain_dead_letter_payload_days,
                    "dead_letters": settings.retain_dead_letters_days,
                    "audit": settings.retain_audit_days,
                    "legal_hold_review": settings.legal_hold_review_days,
                },
            },
        )
    )
    session.flush()
    log.info("bewaartermijnen toegepast: %s", counts)
    return counts


def delete_ledger_rows(session: Session, settings: Settings, now: datetime) -> int:
    """Delete content-free ledger rows (unflagged, content purged, in no case) collected before the ledger window.
    A row another table still points at is kept."""
    conditions = [
        Mention.flagged.is_(False),
        Mention.case_id.is_(None),
        Mention.content_purged_at.is_not(None),
        Mention.collected_at <= now - timedelta(days=settings.retain_ledger_days),
    ]
    for _table, column in purge.dependents("mentions"):
        conditions.append(~exists().where(column == Mention.id))
    return affected_rows(session.execute(delete(Mention).where(*conditions))) or 0


def minimise_withdrawn_officials(session: Session, settings: Settings, now: datetime) -> int:
    """Minimise the registry record of officials withdrawn longer than the window who have no case on legal hold:
    handles, name variants, alert contacts, gender and e-mail are cleared, their personal links deleted and each
    consent's scope reduced to its platforms. What stays is the accountability record: id, organisation, name,
    role, status and the consent history (notice version, times, method). Returns how many were minimised."""
    held = exists().where(Case.official_id == Official.id, Case.legal_hold.is_(True))
    due = list(
        session.scalars(
            select(Official).where(
                Official.status == "withdrawn",
                Official.minimised_at.is_(None),
                Official.withdrawn_at <= now - timedelta(days=settings.retain_withdrawn_official_days),
                ~held,
            )
        )
    )
    for official in due:
        official.handles, official.name_variants, official.alert_contacts = {}, [], []
        official.gender, official.email, official.sees_content = None, None, False
        official.minimised_at = now
        for consent in session.scalars(select(Consent).where(Consent.official_id == official.id)):
            consent.scope = {"platforms": list((consent.scope or {}).get("platforms", []))}
        session.execute(delete(PersonalLink).where(PersonalLink.official_id == official.id))
    session.flush()
    return len(due)


def expire_dead_letters(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Null dead-letter payloads past the payload window (reason, sha256, size and origin stay) and delete dead
    letters past the letter window."""
    payloads = affected_rows(
        session.execute(
            update(DeadLetterRecord)
            .where(
                DeadLetterRecord.payload.is_not(None),
                DeadLetterRecord.parked_at <= now - timedelta(days=settings.retain_dead_letter_payload_days),
            )
            .values(payload=None, payload_purged_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    letters = affected_rows(
        session.execute(
            delete(DeadLetterRecord).where(
                DeadLetterRecord.parked_at <= now - timedelta(days=settings.retain_dead_letters_days)
            )
        )
    )
    return {"dead_letter_payloads_purged": payloads or 0, "dead_letters_deleted": letters or 0}


def delete_audit_events(session: Session, settings: Settings, now: datetime) -> int:
    """Delete audit events older than the audit window, except those about a case on legal hold (by object or by
    `details.case_id`). audit_events is append-only; this transaction declares the purge to the guard
    (schildwacht/migrations/sql_extras.py), as purge.delete_cases does for a custody chain."""
    held_ids = select(cast(Case.id, String)).where(Case.legal_hold.is_(True))
    about_held = or_(
        (AuditEvent.object_type == "case") & AuditEvent.object_id.in_(held_ids),
        func.coalesce(AuditEvent.details["case_id"].astext, "").in_(held_ids),  # NULL would void the NOT below
    )
    session.execute(text("SET LOCAL schildwacht.purge = 'retention'"))
    deleted = affected_rows(
        session.execute(
            delete(AuditEvent).where(AuditEvent.at <= now - timedelta(days=settings.retain_audit_days), ~about_held)
        )
    )
    session.execute(text("RESET schildwacht.purge"))
    return deleted or 0


def delete_login_records(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Delete login attempts and ended staff sessions older than `retain_login_records_days`. Whatever the window,
    an attempt the login limits still read (younger than `login_limits.lookback`) is never deleted, as that would
    end a lockout, and a session that is still live (not revoked and within the absolute limit) is never deleted, as
    that would log the user out without a trace."""
    cutoff = now - timedelta(days=settings.retain_login_records_days)
    attempts_cutoff = min(cutoff, now - login_limits.lookback(settings))
    attempts = affected_rows(session.execute(delete(LoginAttempt).where(LoginAttempt.at <= attempts_cutoff)))
    ended = or_(
        StaffSession.revoked_at.is_not(None),
        StaffSession.created_at <= now - timedelta(seconds=settings.session_max_age_s),
    )
    sessions = affected_rows(session.execute(delete(StaffSession).where(StaffSession.created_at <= cutoff, ended)))
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
