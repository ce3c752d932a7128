"""Right of access: everything Schildwacht keeps about one official, as JSON and as a readable HTML page.

Only rows of this official: their registry entry, consent history, personal links (metadata, never the token),
the mentions and cases recorded for them, and the audit events about them. Nothing of another official.

Reading post text is a reveal: whoever exports for someone else (staff, an operator) calls `audit_text_reveals`,
which records the case screen's `mention.reveal` event once for every post whose text the export holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.models import AuditEvent, Case, Mention, Official
from schildwacht.models.registry import PersonalLink
from triage import audit
from triage.registry.service import RegistryError

FORMAT = "schildwacht-inzage/1"
MENTION_FIELDS = (
    "id",
    "uid",
    "platform",
    "post_id",
    "url",
    "author_id",
    "author_handle",
    "author_display_name",
    "author_profile_url",
    "text",
    "created_at",
    "collected_at",
    "collector",
    "flagged",
    "flags",
    "scores",
    "model_name",
    "model_version",
    "content_purged_at",
    "case_id",
)
CASE_FIELDS = (
    "id",
    "status",
    "labels",
    "author_key",
    "thread_id",
    "opened_at",
    "last_post_at",
    "updated_at",
    "legal_hold",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def export_official(session: Session, official_id: str, generated_at: datetime | None = None) -> dict[str, Any]:
    official = session.get(Official, official_id)
    if official is None:
        raise RegistryError(f"Onbekende ambtsdrager {official_id!r}.")
    org = official.organisation
    mentions = session.scalars(select(Mention).where(Mention.official_id == official.id).order_by(Mention.created_at))
    cases = session.scalars(select(Case).where(Case.official_id == official.id).order_by(Case.opened_at))
    links = session.scalars(
        select(PersonalLink).where(PersonalLink.official_id == official.id).order_by(PersonalLink.created_at)
    )
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "official", AuditEvent.object_id == official.id)
        .order_by(AuditEvent.at)
    )
    from schildwacht.models.base import utcnow

    return {
        "format": FORMAT,
        "generated_at": _plain(generated_at or utcnow()),
        "organisation": {"id": org.id, "name": org.name, "contact_email": org.contact_email},
        "official": {
            **_row(
                official,
                (
                    "id",
                    "full_name",
                    "role",
                    "gender",
                    "email",
                    "handles",
                    "name_variants",
                    "alert_contacts",
                    "sees_content",
                    "status",
                    "created_at",
                    "updated_at",
                    "withdrawn_at",
                ),
            )
        },
        "consents": [
            _row(
                c,
                (
                    "notice_version",
                    "given_at",
                    "method",
                    "recorded_by",
                    "scope",
                    "withdrawn_at",
                    "withdrawn_by",
                    "withdrawal_method",
                ),
            )
            for c in official.consents
        ],
        "personal_links": [
            _row(link, ("purpose", "created_at", "created_by", "expires_at", "used_at", "revoked_at")) for link in links
        ],
        "mentions": [_row(m, MENTION_FIELDS) for m in mentions],
        "cases": [_row(c, CASE_FIELDS) for c in cases],
        "audit_events": [_row(e, ("at", "actor", "action", "details")) for e in events],
    }


def audit_text_reveals(session: Session, data: dict[str, Any], actor: str, organisation_id: str, channel: str) -> int:
    """One `mention.reveal` audit event per post text in `data` (an `export_official` result), with the mention id;
    posts of a case also go on the case's custody chain, as a reveal on the case screen does. Returns the count."""
    count = 0
    for mention in data["mentions"]:
        if mention["text"] is None:
            continue
        details = {
            "case_id": mention["case_id"],
            "mention_id": mention["id"],
            "mention_uid": mention["uid"],
            "channel": channel,
        }
        if mention["case_id"] is None:
            audit.record(
                session,
                actor=actor,
                organisation_id=organisation_id,
                action="mention.reveal",
                object_type="mention",
                object_id=mention["id"],
                details=details,
            )
        else:
            audit.record_case(
                session,
                actor=actor,
                organisation_id=organisation_id,
                action="mention.reveal",
                case_id=mention["case_id"],
                object_type="mention",
                object_id=mention["id"],
                details=details,
            )
        count += 1
    return count
