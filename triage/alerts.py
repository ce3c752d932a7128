"""Immediate alerts for threat and doxxing cases, through a transactional outbox.

The ingest worker calls `enqueue_case_alert` inside its own transaction (so an alert exists exactly when the case
does) and `dispatch_pending` from its idle loop. Messages carry a link, the label and the official's role, never
the post text. Failed deliveries are retried with exponential backoff; a row is only marked sent when every
channel accepted it, and channels that already accepted are not sent again.

Every stored contact (the organisation's `contact_email` and `webhook_url`, the official's `alert_contacts`) is
checked again when sent, with the one rule that also checks it when saved: `schildwacht.contacts.alert_contact`
with this deployment's outbound guard. It decides whether a contact is an e-mail address or a webhook, so a value
in `contact_email` that is no e-mail address (or in `webhook_url` that is no webhook) is refused, and so is every
webhook that is not https or points at a loopback/private/... address (stored data may predate the save-time
check). Webhooks are POSTed through the outbound guard (schildwacht/netguard.py): pinned to the checked address,
no redirect followed.

A refused contact is a permanent failure: it is never contacted and never checked again. The row's `delivered`
list records what is settled per contact: "mail:<address>" / "hook:<url>" for a channel that accepted, and
"refused:<stored value>" for a contact that was refused, so a retry (while another channel keeps failing) neither
looks it up in DNS nor tries it again. Once no channel is left to retry, the row is closed (`sent_at`) with the
Dutch refusal in `last_error` and an `alert.refused` audit event.

When the mail server accepts an alert mail (SMTP 250), the case's "intern gemeld" step records itself with the
recipients and the time (`triage.autosteps.record_alert_mailed`); a bounce, a refusal or a webhook never records it.

Webhook URLs are credentials (Slack, Teams): logs, `last_error` and the audit log show them as scheme and host
only (`_without_secrets`); only `delivered`, which the dispatcher needs, keeps them whole, like the contact itself.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.contacts import Contact, ContactError, alert_contact
from schildwacht.mail import send_mail
from schildwacht.metrics import ALERTS
from schildwacht.models import Case, Official, Organisation
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import AlertOutbox
from schildwacht.netguard import OutboundGuard, OutboundRefused
from schildwacht.vocabulary import LABEL_LONG_NL, SEVERITY_RANK, amsterdam_time
from triage import audit
from triage.autosteps import record_alert_mailed

log = logging.getLogger(__name__)

ALERT_LABELS = ("threat", "doxxing")
REFUSED = "refused:"
"""Prefix of a `delivered` entry for a stored contact that was refused for good."""
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://\S*?)(['\")\]>.,:;]*)(?=\s|$)")  # (URL, punctuation after it)
_END_OF_HOST = re.compile(r"[/?#'\"\\]")


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
    session.execute(
        insert(AlertOutbox)
        .values(
            case_id=case.id,
            organisation_id=case.organisation_id,
            label=label,
            reason="escalatie" if existing else "nieuw",
            delivered=[],
            attempts=0,
            created_at=utcnow(),
            next_attempt_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["case_id", "label"])
    )


def _stored_contacts(org: Organisation, official: Official | None) -> list[tuple[str, str | None]]:
    """Every stored contact as (value, the kind its field demands or None for a free contact), without duplicates."""
    out: list[tuple[str, str | None]] = []
    if org.contact_email:
        out.append((org.contact_email, "mail"))
    if org.webhook_url:
        out.append((org.webhook_url, "hook"))
    for contact in (official.alert_contacts if official else None) or []:
        if isinstance(contact, dict):  # the form of contacts stored before they were saved as plain strings
            if contact.get("email"):
                out.append((str(contact["email"]), "mail"))
            for key in ("webhook", "webhook_url", "url"):
                if contact.get(key):
                    out.append((str(contact[key]), "hook"))
        elif contact:
            out.append((str(contact), None))
    return list(dict.fromkeys(out))


def _checked(value: str, kind: str | None, guard: OutboundGuard) -> Contact:
    """The contact `value` after the save-time rule (`alert_contact`); ContactError when refused, also when its
    field demands the other kind."""
    contact = alert_contact(value, guard)
    if kind == "mail" and contact.kind != "mail":
        raise ContactError(f"{_without_secrets(value)}: staat als e-mailadres opgeslagen maar is een URL.")
    if kind == "hook" and contact.kind != "hook":
        raise ContactError(f"{_without_secrets(value)}: staat als webhook opgeslagen maar is geen URL.")
    return contact


def _without_secrets(text: str, value: str = "") -> str:
    """`text` with every URL in it cut down to scheme and host: webhook URLs carry their credentials in path and
    query. `value`, the URL a message is about, is replaced first wherever it appears whole (so that the quotes
    and punctuation around it stay)."""
    if "://" in value:
        text = text.replace(value.strip(), _origin(value.strip()))
    return _URL.sub(lambda match: _origin(match.group(1)) + match.group(2), text)


def _origin(url: str) -> str:
    """Scheme and host (with port) of `url`, without user, path, query or anything after a quote."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{_END_OF_HOST.split(rest, maxsplit=1)[0].rpartition('@')[2]}"


def _shown(value: str) -> str:
    """A stored contact as logs, `last_error` and the audit log show it: a URL cut down to scheme and host, also when
    the stored value has spaces in it (the whole value is replaced first, so no part of its path is left)."""
    return _without_secrets(value.strip(), value)


def alert_content(
    row: AlertOutbox, case: Case, org: Organisation, official: Official | None, settings: Settings
) -> dict:
    """What an alert says: link, label, role. Deliberately no post text, author or official's name."""
    return {
        "schema": "schildwacht.alert/1",
        "case_id": case.id,
        "label": row.label,
        "label_nl": LABEL_LONG_NL.get(row.label, row.label),
        "reason": row.reason,
        "official_role": official.role if official else None,
        "organisation": org.name,
        "url": f"{settings.public_base_url.rstrip('/')}/zaken/{case.id}",
        "opened_at": case.opened_at.isoformat() if case.opened_at else None,
    }


def _send_mail(to: str, content: dict, settings: Settings) -> None:
    what = "Escalatie" if content["reason"] == "escalatie" else "Nieuwe melding"
    opened = f"{amsterdam_time(content['opened_at'])} Nederlandse tijd" if content["opened_at"] else "onbekend"
    subject = (
        f"[Schildwacht] {what}: {content['label_nl']} tegen {content['official_role']} (zaak {content['case_id']})"
    )
    send_mail(
        settings,
        to,
        subject,
        f"{what} in Schildwacht voor {content['organisation']}.\n\n"
        f"Soort: {content['label_nl']}\n"
        f"Betrokkene: {content['official_role']}\n"
        f"Zaak: {content['case_id']} (geopend {opened})\n\n"
        f"Bekijk en behandel de zaak (inloggen vereist; openen claimt de zaak voor u):\n{content['url']}?via=alarm\n\n"
        "Bij acuut gevaar: bel 112.\n"
        "Deze e-mail bevat bewust geen berichttekst.\n",
    )


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
            query = (
                select(AlertOutbox)
                .where(AlertOutbox.sent_at.is_(None), AlertOutbox.next_attempt_at <= utcnow())
                .order_by(AlertOutbox.next_attempt_at, AlertOutbox.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if seen:
                query = query.where(AlertOutbox.id.not_in(seen))
            row = session.scalars(query).first()
            if row is None:
                break
            seen.add(row.id)
            if _deliver(session, row, settings, guard):
                sent += 1
                ALERTS.labels("sent").inc()
            else:
                ALERTS.labels("failed").inc()
    return sent


def _deliver(session: Session, row: AlertOutbox, settings: Settings, guard: OutboundGuard) -> bool:
    """One attempt at every contact of `row` not yet settled; True when the row is now completely delivered."""
    case = session.get(Case, row.case_id)
    org = session.get(Organisation, row.organisation_id)
    assert case is not None and org is not None, "alert_outbox.case_id and organisation_id are foreign keys"
    official = session.get(Official, case.official_id)
    content = alert_content(row, case, org, official, settings)
    settled = list(row.delivered or [])
    refused_earlier = [
        f"{_shown(entry.removeprefix(REFUSED))}: eerder geweigerd / refused earlier"
        for entry in settled
        if entry.startswith(REFUSED)
    ]
    errors, refusals = [], []
    stored = _stored_contacts(org, official)
    for value, kind in stored:
        if REFUSED + value in settled:
            continue  # refused in an earlier round: neither checked nor looked up again
        shown = _shown(value)
        try:
            contact = _checked(value, kind, guard)
            channel = f"{contact.kind}:{contact.value}"
            if channel in settled:
                continue
            if contact.kind == "mail":
                _send_mail(contact.value, content, settings)
            else:
                _send_hook(contact.value, content, settings, guard)
            settled.append(channel)
        except (OutboundRefused, ContactError) as exc:  # permanent: never contact such a target
            reason = _without_secrets(str(exc), value)
            log.error("alert %s for case %s: %s refused: %s", row.id, row.case_id, shown, reason)
            refusals.append(f"{shown}: geweigerd, wordt niet opnieuw geprobeerd / refused, not retried: {reason}")
            settled.append(REFUSED + value)
        except Exception as exc:  # noqa: BLE001 - any other failure means: retry later
            reason = _without_secrets(f"{type(exc).__name__}: {exc}", value)
            log.warning("alert %s for case %s to %s failed: %s", row.id, row.case_id, shown, reason)
            errors.append(f"{shown}: {reason}")
    mailed = [entry.removeprefix("mail:") for entry in settled if entry.startswith("mail:")]
    if len(mailed) > len([entry for entry in row.delivered or [] if entry.startswith("mail:")]):
        record_alert_mailed(session, row.case_id, mailed)  # only what the mail server accepted (250)
    row.delivered = settled
    if not stored:
        errors.append("geen ontvangers ingesteld (contact_email, webhook_url, alert_contacts)")
    if errors:
        row.attempts += 1
        row.last_error = "; ".join(errors + refusals + refused_earlier)[:4000]
        row.next_attempt_at = utcnow() + timedelta(seconds=backoff_seconds(row.attempts, settings))
        return False
    refused = [_shown(entry.removeprefix(REFUSED)) for entry in settled if entry.startswith(REFUSED)]
    row.sent_at = utcnow()  # closed: every channel either accepted or is refused for good
    row.last_error = "; ".join(refusals + refused_earlier)[:4000] or None
    audit.record(
        session,
        actor="system:alerts",
        organisation_id=row.organisation_id,
        action="alert.refused" if refused else "alert.sent",
        object_type="case",
        object_id=row.case_id,
        details={
            "case_id": row.case_id,
            "label": row.label,
            "reason": row.reason,
            "channels": [_without_secrets(entry) for entry in settled if not entry.startswith(REFUSED)],
            "refused": refused,
        },
    )
    return not refused
