"""Right of access (AVG art. 15): everything Schildwacht keeps about one official, as JSON and as a readable page.

Only rows of this official: their registry entry, consent history, personal links (metadata, never the token),
the mentions and cases recorded for them, the audit events about them, and for their cases who had access and to
whom something went (art. 15(1)(c)): every audit event about the case or its posts (`access`: who viewed, revealed,
decided, exported), the chain of custody, re-captures, alerts sent and to whom (webhooks as scheme and host only:
their URLs are credentials), and the evidence blobs (metadata; the JSON also carries the bytes, base64). `recipients`
sums up who received something. Nothing of another official.

Reading post text is a reveal: whoever exports for someone else (staff, an operator) calls `audit_text_reveals`,
which records the case screen's `mention.reveal` event once for every post whose text the export holds.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from schildwacht.models import AuditEvent, Case, EvidenceBlob, Mention, Official
from schildwacht.models.evidence import Capture, CustodyEvent
from schildwacht.models.registry import PersonalLink
from schildwacht.models.workflow import AlertOutbox
from triage import audit
from triage.registry.purge import CAPTURE_HASH_COLUMNS
from triage.registry.service import RegistryError

FORMAT = "schildwacht-inzage/2"  # 2: access, custody, captures, alerts, evidence blobs, recipients
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


# Audit actions and custody kinds as the official reads them; an unknown one is shown as its code.
ACTION_NL = {
    "case.view": "zaak bekeken",
    "mention.reveal": "berichttekst getoond",
    "case.claim": "zaak opgepakt",
    "case.release": "zaak vrijgegeven",
    "case.assign": "zaak toegewezen",
    "case.status": "status gewijzigd",
    "case.step": "stap van het Steunpakket vastgelegd",
    "case.export": "bewijsbundel gemaakt",
    "case.export_bundle": "bewijsbundel gedownload",
    "case.legal_hold.set": "legal hold ingesteld",
    "case.legal_hold.reviewed": "legal hold herzien",
    "case.legal_hold.lifted": "legal hold opgeheven",
    "alert.sent": "melding verstuurd",
    "alert.refused": "melding geweigerd",
}
CUSTODY_NL = {
    "created": "zaak geopend",
    "post_added": "bericht toegevoegd",
    "captured": "opnieuw vastgelegd",
    "viewed": "bekeken",
    "status_changed": "status gewijzigd",
    "assigned": "toegewezen",
    "exported": "bewijsbundel gemaakt",
    "note": "aantekening",
    "received_via_intake": "ontvangen via intake",
}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def export_official(session: Session, official_id: str, generated_at: datetime | None = None) -> dict[str, Any]:
    official = session.get(Official, official_id)
    if official is None:
        raise RegistryError(f"Onbekende ambtsdrager {official_id!r}.")
    org = official.organisation
    mentions = list(
        session.scalars(select(Mention).where(Mention.official_id == official.id).order_by(Mention.created_at))
    )
    cases = list(session.scalars(select(Case).where(Case.official_id == official.id).order_by(Case.opened_at)))
    links = session.scalars(
        select(PersonalLink).where(PersonalLink.official_id == official.id).order_by(PersonalLink.created_at)
    )
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "official", AuditEvent.object_id == official.id)
        .order_by(AuditEvent.at)
    )
    from schildwacht.models.base import utcnow

    case_work = _case_access(session, [c.id for c in cases], [m.id for m in mentions])
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
        **case_work,
    }


def _recipient(channel: str) -> str:
    """A settled alert channel as shown: the e-mail address, or a webhook's scheme and host."""
    kind, _, value = channel.partition(":")
    if kind == "hook":
        url = urlsplit(value)
        return f"webhook {url.scheme}://{url.hostname or '?'}"
    if kind == "refused":
        return ""
    return value


def _case_access(session: Session, case_ids: list[int], mention_ids: list[int]) -> dict[str, Any]:
    """Who had access to the official's cases and to whom something went (module docstring)."""
    if not case_ids:
        empty: dict[str, Any] = {"access": [], "custody_events": [], "captures": [], "alerts": []}
        return {**empty, "evidence_blobs": [], "recipients": {"staff": [], "alerts": [], "bundles_exported": 0}}
    keys = [str(i) for i in case_ids]
    access = list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    (AuditEvent.object_type == "case") & AuditEvent.object_id.in_(keys),
                    func.coalesce(AuditEvent.details["case_id"].astext, "").in_(keys),
                )
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
    custody = list(
        session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.case_id.in_(case_ids))
            .order_by(CustodyEvent.case_id, CustodyEvent.seq)
        )
    )
    captures = list(session.scalars(select(Capture).where(Capture.mention_id.in_(mention_ids)).order_by(Capture.id)))
    alerts = list(
        session.scalars(select(AlertOutbox).where(AlertOutbox.case_id.in_(case_ids)).order_by(AlertOutbox.id))
    )
    hashes = {
        sha
        for m in session.scalars(select(Mention).where(Mention.id.in_(mention_ids)))
        for sha in ((m.raw_meta or {}).get("sha256"), (m.raw_meta or {}).get("warc_sha256"))
        if sha and m.content_purged_at is None
    }
    hashes |= {getattr(c, col) for c in captures for col in CAPTURE_HASH_COLUMNS if getattr(c, col)}
    blobs = list(
        session.scalars(select(EvidenceBlob).where(EvidenceBlob.sha256.in_(hashes)).order_by(EvidenceBlob.sha256))
    )
    alert_rows = [
        {
            "case_id": a.case_id,
            "label": a.label,
            "reason": a.reason,
            "created_at": _plain(a.created_at),
            "sent_at": _plain(a.sent_at),
            "recipients": [r for r in map(_recipient, a.delivered or []) if r],
        }
        for a in alerts
    ]
    return {
        "access": [
            {
                "at": _plain(e.at),
                "actor": e.actor,
                "action": e.action,
                "action_nl": ACTION_NL.get(e.action, e.action),
                "case_id": int(e.object_id) if e.object_type == "case" else e.details.get("case_id"),
            }
            for e in access
        ],
        "custody_events": [
            {**_row(e, ("case_id", "seq", "at", "actor", "kind")), "kind_nl": CUSTODY_NL.get(e.kind, e.kind)}
            for e in custody
        ],
        "captures": [
            _row(c, ("id", "mention_id", "url", "status", "error", "started_at", "finished_at", "tool"))
            | {"hashes": {col: getattr(c, col) for col in CAPTURE_HASH_COLUMNS if getattr(c, col)}}
            for c in captures
        ],
        "alerts": alert_rows,
        "evidence_blobs": [
            {
                **_row(b, ("sha256", "content_type", "size", "created_at")),
                "data_base64": base64.b64encode(b.data).decode(),
            }
            for b in blobs
        ],
        "recipients": {
            "staff": sorted({e.actor for e in access if not e.actor.startswith(("system:", "official:"))}),
            "alerts": sorted({r for row in alert_rows for r in row["recipients"]}),
            "bundles_exported": sum(1 for e in custody if e.kind == "exported"),
        },
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
