"""Grouping flagged mentions into cases (incidents).

A flagged post joins the open case of the same official and the same author whose last post is within the
incident window, or the open case of the same thread; otherwise it opens a new case.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from schildwacht.models import Case, Mention
from schildwacht.vocabulary import CLOSED_STATUSES, SEVERITY_RANK


def severity_of(labels: list[str]) -> int:
    """Queue rank (vocabulary.SEVERITY_RANK): threat 0, doxxing 1, gender 2, identity 3, abuse 4, otherwise 9."""
    return min((SEVERITY_RANK[label] for label in labels if label in SEVERITY_RANK), default=9)


def author_key(mention: Mention) -> str:
    return f"{mention.platform}:{(mention.author_handle or mention.author_id or '?').lower()}"


def attach_to_case(session: Session, mention: Mention, window_hours: int) -> tuple[Case, bool]:
    """Put a flagged mention into its case; returns (case, created). Serialised per official by an advisory lock."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"case:{mention.official_id}"})
    key = author_key(mention)
    window = timedelta(hours=window_hours)
    same_incident = [Case.author_key == key]
    if mention.thread_id:
        same_incident.append(Case.thread_id == mention.thread_id)
    case = session.scalars(
        select(Case)
        .where(
            Case.official_id == mention.official_id,
            Case.status.not_in(CLOSED_STATUSES),
            or_(*same_incident),
            Case.last_post_at >= mention.created_at - window,
        )
        .order_by(Case.opened_at.desc())
        .limit(1)
    ).first()
    created = case is None
    if case is None:
        case = Case(
            organisation_id=mention.organisation_id,
            official_id=mention.official_id,
            author_key=key,
            thread_id=mention.thread_id,
            labels=[],
            severity=9,
            last_post_at=mention.created_at,
        )
        session.add(case)
    labels = sorted(set(case.labels) | set(mention.flags), key=lambda lab: SEVERITY_RANK.get(lab, 9))
    case.labels = labels
    case.severity = severity_of(labels)
    case.last_post_at = max(case.last_post_at, mention.created_at)
    session.flush()
    mention.case_id = case.id
    return case, created
