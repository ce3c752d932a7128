"""Immediate alerts for threat and doxxing cases, through a transactional outbox.

The ingest worker calls `enqueue_case_alert` inside its own transaction (so an alert exists exactly when the case
does) and `dispatch_pending` from its idle loop. Messages carry a link, the label and the official's role, never
the post text. Failed deliveries are retried with exponential backoff; a row is only marked sent when every
channel accepted it, and channels that already accepted are not sent again.

Webhooks are POSTed through the outbound guard (schildwacht/netguard.py): pinned to the checked address, no
redirect followed. A webhook the guard refuses (not http(s), or a loopback/private/... address) is a permanent
failure: it is never contacted and not retried; once no channel is left to retry, the row is closed (`sent_at`)
with the Dutch refusal in `last_error` and an `alert.refused` audit event.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.contacts import ContactError
from schildwacht.mail import send_mail
from schildwacht.netguard import OutboundGuard, OutboundRefused
from triage import audit
from triage.models import Case, Official, Organisation
from triage.models.base import utcnow
from triage.models.mentions import SEVERITY_RANK
from triage.models.workflow import AlertOutbox

log = logging.getLogger(__name__)

ALERT_LABELS = ("threat", "doxxing")
LABEL_NL = {"threat": "Bedreiging", "doxxing": "Doxing (verspreiden persoonsgegevens)",
            "gender": "Gendergerelateerde haat", "abuse": "Belediging / haatdragend"}


def _alert_label(case: Case) -> str | None:
    labels = [lab for lab in (case.labels or []) if lab in ALERT_LABELS]
    if not labels:
        return None
    return min(labels, key=lambda lab: SEVERITY_RANK[lab])


def enqueue_case_alert(session: Session, case: Case) -> None:
    """Add an outbox row for a threat/doxxing case, or when a case escalates to a more severe alert label.

    Idempotent: at most one row per (case, label), and no row when an alert of equal or higher severity exists.
    """
    label = _alert_label(case)
    if label is None:
        return
    if case.id is None:
        session.flush()
    existing = session.scalars(select(AlertOutbox.label).where(AlertOutbox.case_id == case.id)).all()
    if any(SEVERITY_RANK[e] <= SEVERITY_RANK[label] for e in existing if e in SEVERITY_RANK):
        return
    session.execute(insert(AlertOutbox).values(
        case_id=case.id, organisation_id=case.organisation_id, label=label,
        reason="escalatie" if existing else "nieuw", delivered=[], attempts=0,
        created_at=utcnow(), next_attempt_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["case_id", "label"]))


def _recipients(org: Organisation, official: Official | None) -> list[str]:
    """Channels as "mail:<address>" or "hook:<url>", without duplicates."""
    out: list[str] = []
    if org.contact_email:
        out.append(f"mail:{org.contact_email}")
    if org.webhook_url:
        out.append(f"hook:{org.webhook_url}")
    for contact in (official.alert_contacts if official else None) or []:
        if isinstance(contact, dict):
            value = contact.get("email") or contact.get("webhook") or contact.get("webhook_url") or contact.get("url")
        else:
            value = str(contact)
        if not value:
            continue
        # anything naming a scheme is a webhook, so that the guard refuses file:, ftp:, ... instead of mailing it
        out.append(f"hook:{value}" if "://" in value else f"mail:{value}")
    return list(dict.fromkeys(out))


def alert_content(row: AlertOutbox, case: Case, org: Organisation, official: Official | None,
                  settings: Settings) -> dict:
    """What an alert says: link, label, role. Deliberately no post text, author or official's name."""
    return {
        "schema": "schildwacht.alert/1",
        "case_id": case.id,
        "label": row.label,
        "label_nl": LABEL_NL.get(row.label, row.label),
        "reason": row.reason,
        "official_role": official.role if official else None,
        "organisation": org.name,
        "url": f"{settings.public_base_url.rstrip('/')}/zaken/{case.id}",
        "opened_at": case.opened_at.isoformat() if case.opened_at else None,
    }


def _send_mail(to: str, content: dict, settings: Settings) -> None:
    what = "Escalatie" if content["reason"] == "escalatie" else "Nieuwe melding"
    subject = (f"[Schildwacht] {what}: {content['label_nl']} tegen {content['official_role']} "
               f"(zaak {content['case_id']})")
    send_mail(settings, to, subject,
              f"{what} in Schildwacht voor {content['organisation']}.\n\n"
              f"Soort: {content['label_nl']}\n"
              f"Betrokkene: {content['official_role']}\n"
              f"Zaak: {content['case_id']} (geopend {content['opened_at']})\n\n"
              f"Bekijk en behandel de zaak (inloggen vereist):\n{content['url']}\n\n"
              "Bij acuut gevaar: bel 112.\n"
              "Deze e-mail bevat bewust geen berichttekst.\n")


def _send_hook(url: str, content: dict, settings: Settings, guard: OutboundGuard) -> None:
    """POST to the webhook, pinned to its checked address; a redirect is a failure, never followed."""
    with guard.client(timeout=settings.alert_timeout_s, follow_redirects=False) as client:
        response = client.post(url, json=content)
    response.raise_for_status()


def backoff_seconds(attempts: int, settings: Settings) -> int:
    """Exponential backoff after `attempts` failed tries, capped."""
    return min(settings.alert_backoff_base_s * (2 ** max(attempts - 1, 0)), settings.alert_backoff_max_s)


def dispatch_pending(session_factory: sessionmaker[Session], settings: Settings, limit: int = 100) -> int:
    """Deliver due alerts; returns how many were completely delivered in this call.

    Each row is handled in its own transaction under FOR UPDATE SKIP LOCKED, so several dispatchers can run.
    """
    sent = 0
    seen: set[int] = set()
    guard = OutboundGuard.from_settings(settings)
    for _ in range(limit):
        with session_factory() as session, session.begin():
            query = (select(AlertOutbox).where(AlertOutbox.sent_at.is_(None),
                                               AlertOutbox.next_attempt_at <= utcnow())
                     .order_by(AlertOutbox.next_attempt_at, AlertOutbox.id).limit(1)
                     .with_for_update(skip_locked=True))
            if seen:
                query = query.where(AlertOutbox.id.not_in(seen))
            row = session.scalars(query).first()
            if row is None:
                break
            seen.add(row.id)
            case = session.get(Case, row.case_id)
            org = session.get(Organisation, row.organisation_id)
            official = session.get(Official, case.official_id) if case else None
            content = alert_content(row, case, org, official, settings)
            delivered = list(row.delivered or [])
            errors, refused = [], []
            recipients = _recipients(org, official)
            for channel in recipients:
                if channel in delivered:
                    continue
                kind, _, target = channel.partition(":")
                try:
                    if kind == "mail":
                        _send_mail(target, content, settings)
                    else:
                        _send_hook(target, content, settings, guard)
                    delivered.append(channel)
                except (OutboundRefused, ContactError) as exc:  # permanent: never contact such a target
                    log.error("alert %s for case %s: %s refused: %s", row.id, row.case_id, channel, exc)
                    reason = f"{channel}: geweigerd, wordt niet opnieuw geprobeerd / refused, not retried: {exc}"
                    refused.append((channel, reason))
                except Exception as exc:  # noqa: BLE001 - any other failure means: retry later
                    log.warning("alert %s for case %s to %s failed: %s", row.id, row.case_id, channel, exc)
                    errors.append(f"{channel}: {type(exc).__name__}: {exc}")
            row.delivered = delivered
            if not recipients:
                errors.append("geen ontvangers ingesteld (contact_email, webhook_url, alert_contacts)")
            if errors:
                row.attempts += 1
                row.last_error = "; ".join(errors + [reason for _, reason in refused])[:4000]
                row.next_attempt_at = utcnow() + timedelta(seconds=backoff_seconds(row.attempts, settings))
                continue
            row.sent_at = utcnow()  # closed: every channel either accepted or is refused for good
            row.last_error = "; ".join(reason for _, reason in refused)[:4000] or None
            if not refused:
                sent += 1
            audit.record(session, actor="system:alerts", organisation_id=row.organisation_id,
                         action="alert.refused" if refused else "alert.sent", object_type="case",
                         object_id=row.case_id,
                         details={"case_id": row.case_id, "label": row.label, "reason": row.reason,
                                  "channels": delivered, "refused": [channel for channel, _ in refused]})
    return sent
