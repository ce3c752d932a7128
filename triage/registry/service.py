"""The registry of officials: adding, correcting, personal links (invite / manage), consent, pause and withdrawal.

Every function flushes and leaves the commit to the caller (a route, a CLI command, a test). Messages in
`RegistryError` are shown to people and are in Dutch.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht import contacts, meta_accounts
from schildwacht.config import Settings
from schildwacht.models import AuditEvent, Case, Consent, Mention, Official, Organisation
from schildwacht.models.base import utcnow
from schildwacht.models.registry import GENDERS, LINK_PURPOSES, PersonalLink
from schildwacht.netguard import OutboundGuard
from schildwacht.vocabulary import CLOSED_STATUSES
from triage import legal_hold
from triage.registry import purge

PLATFORMS = (
    "mastodon",
    "bluesky",
    "x",
    "instagram",
    "facebook",
    "tiktok",
    "reddit",
    "youtube",
    "linkedin",
    "threads",
    "rss",
    "web",
)
EDITABLE = ("full_name", "role", "gender", "email", "handles", "name_variants", "alert_contacts", "sees_content")
CHOICES = ("handles", "name_variants", "alert_contacts", "sees_content", "gender")
# What only the official changes once they opted in: their choices and the address their personal links go to.
OFFICIAL_OWNED = (*CHOICES, "email")
# Statuses in which the manage link may change anything; otherwise it only shows what is kept (read-only).
MANAGEABLE_STATUSES = ("active", "paused")
LINK_SALT = "schildwacht.registry.personal-link"
METHOD_LINK = "dubbele opt-in via persoonlijke link"
MAX_ITEMS = 50


class RegistryError(ValueError):
    """A refusal that can be shown to a person (Dutch)."""


class LinkError(RegistryError):
    """A personal link that cannot be used: reason is one of ongeldig, verlopen, gebruikt, ingetrokken."""

    MESSAGES = {
        "ongeldig": "Deze link is niet geldig. Controleer of u de hele link hebt gekopieerd.",
        "verlopen": "Deze link is verlopen. Vraag uw organisatie om een nieuwe link.",
        "gebruikt": "Deze link is al gebruikt. Een uitnodiging werkt maar één keer; gebruik uw persoonlijke "
        "beheerlink of vraag uw organisatie om een nieuwe.",
        "ingetrokken": "Deze link is vervangen door een nieuwere of ingetrokken. Gebruik de nieuwste link.",
    }

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(self.MESSAGES[reason])


# ---------------------------------------------------------------------------------------------------- helpers


def audit(
    session: Session,
    organisation_id: str | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: Mapping[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            organisation_id=organisation_id,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=dict(details or {}),
        )
    )


def _clean(value: str | None, limit: int = 200) -> str:
    return " ".join((value or "").split())[:limit]


def parse_handles(value: str | Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    """Handles per platform from a mapping or from text: one `platform: handle` per line (or `;`-separated)."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        pairs = [(p, h) for p, hs in value.items() for h in ([hs] if isinstance(hs, str) else hs or [])]
    else:
        for part in re.split(r"[\n;]", value or ""):
            if not part.strip():
                continue
            platform, sep, handle = part.partition(":")
            if not sep or not handle.strip():
                raise RegistryError(
                    f"Schrijf een account als 'platform: naam', bijvoorbeeld 'x: @naam' "
                    f"(niet begrepen: {_clean(part, 60)!r})."
                )
            pairs.append((platform, handle))
    result: dict[str, list[str]] = {}
    for platform, handle in pairs:
        platform, handle = _clean(platform, 40).lower(), _clean(handle, 300)
        if platform not in PLATFORMS:
            raise RegistryError(f"Onbekend platform {platform!r}. Kies uit: {', '.join(PLATFORMS)}.")
        if handle and handle not in result.setdefault(platform, []):
            result[platform].append(handle)
    result = {p: hs for p, hs in sorted(result.items()) if hs}
    if sum(len(hs) for hs in result.values()) > MAX_ITEMS:
        raise RegistryError(f"Te veel accounts (maximaal {MAX_ITEMS}).")
    return result


def parse_list(value: str | Iterable[str] | None) -> list[str]:
    """A list from text (one item per line, or `|`-separated) or an iterable; trimmed, without duplicates."""
    items = re.split(r"[\n|]", value) if isinstance(value, str) else list(value or [])
    out: list[str] = []
    for item in items:
        item = _clean(str(item), 320)
        if item and item not in out:
            out.append(item)
    if len(out) > MAX_ITEMS:
        raise RegistryError(f"Te veel regels (maximaal {MAX_ITEMS}).")
    return out


def _gender(value: str | None) -> str | None:
    value = (value or "").strip().lower() or None
    if value is not None and value not in GENDERS:
        raise RegistryError("Gender is leeg (niet opgegeven), 'v', 'm' of 'x'.")
    return value


def _role(value: str) -> str:
    value = _clean(value, 40).lower()
    if not value:
        raise RegistryError("Vul een functie in, bijvoorbeeld wethouder of raadslid.")
    return value


def _name(value: str) -> str:
    value = _clean(value)
    if not value:
        raise RegistryError("Vul een naam in.")
    return value


def _email(value: str | None) -> str | None:
    """Empty, or exactly one e-mail address (schildwacht.contacts)."""
    if value is None or not value.strip():
        return None
    try:
        return contacts.email_address(value)
    except contacts.ContactError as exc:
        raise RegistryError(str(exc)) from None


def parse_alert_contacts(value: str | Iterable[str] | None, settings: Settings | None = None) -> list[str]:
    """Alert contacts, one per line: each exactly one e-mail address or one https webhook URL, checked by the rule
    the alert dispatcher applies when sending (`contacts.alert_contact`, with the deployment's outbound guard when
    `settings` is given, else the closed guard)."""
    guard = OutboundGuard.from_settings(settings) if settings is not None else None
    out: list[str] = []
    for item in parse_list(value):
        try:
            contact = contacts.alert_contact(item, guard).value
        except contacts.ContactError as exc:
            raise RegistryError(f"Meldingen: {exc}") from None
        if contact not in out:
            out.append(contact)
    return out


def new_official_id(full_name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "ambtsdrager"
    return f"off-{slug}-{secrets.token_hex(3)}"


def normalise(changes: Mapping[str, Any], settings: Settings | None = None) -> dict[str, Any]:
    """Validate and normalise editable fields; unknown keys are refused. `settings` (when at hand) gives the
    outbound guard that alert webhooks are checked with."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise RegistryError(f"Onbekende velden: {', '.join(sorted(unknown))}.")
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "full_name":
            out[key] = _name(value)
        elif key == "role":
            out[key] = _role(value)
        elif key == "gender":
            out[key] = _gender(value)
        elif key == "email":
            out[key] = _email(value)
        elif key == "handles":
            out[key] = parse_handles(value)
        elif key == "name_variants":
            out[key] = parse_list(value)
        elif key == "alert_contacts":
            out[key] = parse_alert_contacts(value, settings)
        elif key == "sees_content":
            out[key] = bool(value) if not isinstance(value, str) else value.lower() in ("1", "true", "ja", "on")
    return out


# ---------------------------------------------------------------------------------------------------- officials


def get_official(session: Session, official_id: str, organisation_id: str | None = None) -> Official | None:
    """The official, or None when unknown or (with organisation_id) of another organisation."""
    official = session.get(Official, official_id)
    if official is None or (organisation_id is not None and official.organisation_id != organisation_id):
        return None
    return official


def list_officials(session: Session, organisation_id: str | None = None, status: str | None = None) -> list[Official]:
    query = select(Official).order_by(Official.organisation_id, Official.full_name)
    if organisation_id is not None:
        query = query.where(Official.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Official.status == status)
    return list(session.scalars(query))


def add_official(
    session: Session,
    organisation_id: str,
    full_name: str,
    role: str,
    actor: str,
    *,
    official_id: str | None = None,
    settings: Settings | None = None,
    **fields: Any,
) -> Official:
    """Register an official as `invited`: nothing is collected until they opt in themselves."""
    if session.get(Organisation, organisation_id) is None:
        raise RegistryError(f"Organisatie {organisation_id!r} bestaat niet.")
    values = normalise({"full_name": full_name, "role": role, **fields}, settings)
    official_id = _clean(official_id, 64) or new_official_id(values["full_name"])
    if session.get(Official, official_id) is not None:
        raise RegistryError(f"Er is al een ambtsdrager met id {official_id!r}.")
    official = Official(
        id=official_id,
        organisation_id=organisation_id,
        status="invited",
        **{"handles": {}, "name_variants": [], "alert_contacts": [], **values},
    )
    session.add(official)
    session.flush()
    audit(session, organisation_id, actor, "official.added", "official", official.id, {"fields": sorted(values)})
    return official


def email_is_officials(official: Official) -> bool:
    """Whether the address the personal links go to is the official's own: from their first consent on, whatever
    the status (also withdrawn and re-invited). Until then staff fill it in for the first invitation."""
    return bool(official.consents)


def update_official(
    session: Session,
    official: Official,
    actor: str,
    changes: Mapping[str, Any],
    by_official: bool = False,
    settings: Settings | None = None,
) -> list[str]:
    """Correct an official's data; returns the names of the fields that changed (audited, values not logged).

    What is monitored, who is alerted and where the personal links go (OFFICIAL_OWNED) is the official's own
    choice once they opted in: staff may prepare the choices for an invitation, but otherwise only the official
    changes them (through their personal link). The address (`email`) stays the official's from their first
    consent on, whatever the status, so every later invitation goes to the last address the official confirmed
    (or chose themselves); while staff may still set it, changing it revokes unused invitations (they went to the
    old address), so a consent is only ever given through a link mailed to the address on record. A staff change
    is audited as `official.updated_by_staff` with the staff user as actor, the official's own as
    `official.updated` with actor `official:<id>`.
    """
    if official.status == "withdrawn":
        raise RegistryError("Deze ambtsdrager heeft de toestemming ingetrokken; gegevens worden niet meer gewijzigd.")
    values = normalise(changes, settings)
    changed = [k for k, v in values.items() if getattr(official, k) != v]
    if not by_official and official.status != "invited" and set(changed) & set(OFFICIAL_OWNED):
        raise RegistryError(
            "Accounts, namen, meldingen, zelf zien, gender en het e-mailadres voor de persoonlijke "
            "links kiest de ambtsdrager zelf. Stuur een beheerlink, dan kan de ambtsdrager dit "
            "aanpassen."
        )
    if not by_official and "email" in changed and email_is_officials(official):
        raise RegistryError(
            "Het e-mailadres voor de persoonlijke links is van de ambtsdrager zelf: een nieuwe "
            "uitnodiging gaat alleen naar het adres dat de ambtsdrager het laatst bevestigde. "
            "Heeft de ambtsdrager een nieuw adres, dan wijzigt die het zelf via de beheerlink; "
            "is dat niet mogelijk, neem dan contact op met de serverbeheerder."
        )
    for key in changed:
        setattr(official, key, values[key])
    if "email" in changed and not by_official:
        revoke_links(session, official, "invite", utcnow())
    if changed:
        official.updated_at = utcnow()
        session.flush()
        audit(
            session,
            official.organisation_id,
            actor,
            "official.updated" if by_official else "official.updated_by_staff",
            "official",
            official.id,
            {"fields": changed},
        )
    return changed


def current_consent(official: Official) -> Consent | None:
    open_consents = [c for c in official.consents if c.withdrawn_at is None]
    return open_consents[-1] if open_consents else None


def consent_scope(official: Official) -> dict[str, Any]:
    return {
        "platforms": sorted(official.handles or {}),
        "handles": official.handles or {},
        "name_variants": list(official.name_variants or []),
        "alert_contacts": list(official.alert_contacts or []),
        "sees_content": bool(official.sees_content),
        "gender_declared": official.gender is not None,
    }


def record_consent(
    session: Session, settings: Settings, official: Official, actor: str, method: str, now: datetime | None = None
) -> Consent:
    """Record consent for the official's current choices and make them active (collection starts)."""
    if official.status == "withdrawn":
        raise RegistryError("Na intrekken is een nieuwe uitnodiging nodig.")
    now = now or utcnow()
    consent = Consent(
        official_id=official.id,
        notice_version=settings.privacy_notice_version,
        given_at=now,
        method=method,
        recorded_by=actor,
        scope=consent_scope(official),
    )
    session.add(consent)
    official.status = "active"
    official.updated_at = now
    session.flush()
    session.refresh(official, ["consents"])
    audit(
        session,
        official.organisation_id,
        actor,
        "consent.recorded",
        "official",
        official.id,
        {"notice_version": consent.notice_version, "method": method, "platforms": consent.scope["platforms"]},
    )
    return consent


def set_paused(session: Session, official: Official, paused: bool, actor: str) -> None:
    """Pause (collection stops at the next registry reload) or resume an active consent."""
    if paused and official.status == "active":
        official.status = "paused"
    elif not paused and official.status == "paused":
        if current_consent(official) is None:
            raise RegistryError("Er is geen geldige toestemming; stuur een nieuwe uitnodiging.")
        official.status = "active"
    else:
        raise RegistryError(f"Kan niet {'pauzeren' if paused else 'hervatten'} vanuit status {official.status!r}.")
    official.updated_at = utcnow()
    session.flush()
    audit(
        session,
        official.organisation_id,
        actor,
        "official.paused" if paused else "official.resumed",
        "official",
        official.id,
    )


# ---------------------------------------------------------------------------------------------------- links


def _serializer(settings: Settings, now: datetime | None = None) -> URLSafeTimedSerializer:
    signer: type[TimestampSigner] = TimestampSigner
    if now is not None:
        stamp = int(now.timestamp())

        class FixedClockSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return stamp

        signer = FixedClockSigner
    return URLSafeTimedSerializer(settings.secret_key, salt=LINK_SALT, signer=signer)


def _lifetime(settings: Settings, purpose: str) -> timedelta:
    days = settings.invite_valid_days if purpose == "invite" else settings.manage_link_valid_days
    return timedelta(days=days)


def issue_link(
    session: Session, settings: Settings, official: Official, purpose: str, actor: str, now: datetime | None = None
) -> str:
    """A new signed link token. A new invitation revokes earlier unused invitations; a new manage link leaves the
    official's earlier manage links working (a staff action never takes the official's link away; a new consent
    does, see `confirm_invite`)."""
    if purpose not in LINK_PURPOSES:
        raise ValueError(purpose)
    if purpose == "invite" and official.status == "active":
        raise RegistryError("Deze ambtsdrager doet al mee; stuur een beheerlink in plaats van een uitnodiging.")
    now = now or utcnow()
    if purpose == "invite":
        revoke_links(session, official, "invite", now)
    if purpose == "invite" and official.status == "withdrawn":
        official.status = "invited"  # a fresh invitation after withdrawal; nothing is collected until consent
        official.withdrawn_at = None
    nonce = secrets.token_urlsafe(24)
    session.add(
        PersonalLink(
            nonce=nonce,
            official_id=official.id,
            purpose=purpose,
            created_at=now,
            created_by=actor,
            expires_at=now + _lifetime(settings, purpose),
        )
    )
    session.flush()
    audit(
        session,
        official.organisation_id,
        actor,
        f"link.{purpose}.issued",
        "official",
        official.id,
        {"expires_at": (now + _lifetime(settings, purpose)).isoformat()},
    )
    return _serializer(settings, now).dumps({"o": official.id, "n": nonce, "p": purpose})


def revoke_links(
    session: Session, official: Official, purpose: str, now: datetime, keep: PersonalLink | None = None
) -> int:
    """Revoke the official's unused, unrevoked links of one purpose (except `keep`); returns how many."""
    query = select(PersonalLink).where(
        PersonalLink.official_id == official.id,
        PersonalLink.purpose == purpose,
        PersonalLink.used_at.is_(None),
        PersonalLink.revoked_at.is_(None),
    )
    if keep is not None:
        query = query.where(PersonalLink.nonce != keep.nonce)
    links = list(session.scalars(query))
    for link in links:
        link.revoked_at = now
    return len(links)


def revoke_other_manage_links(session: Session, official: Official, current: PersonalLink) -> int:
    """The official ends every manage link but the one in use (a link they fear someone else has); audited."""
    count = revoke_links(session, official, "manage", utcnow(), keep=current)
    session.flush()
    audit(
        session,
        official.organisation_id,
        f"official:{official.id}",
        "link.manage.others_revoked",
        "official",
        official.id,
        {"count": count},
    )
    return count


def link_allows_changes(official: Official) -> bool:
    """Whether the manage link may change anything: only while the official takes part (active or paused).
    After withdrawal, and while a new invitation waits for a new consent, it only shows what is kept."""
    return official.status in MANAGEABLE_STATUSES


def link_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/mijn/{token}"


def resolve_link(
    session: Session,
    settings: Settings,
    token: str,
    purpose: str | None = None,
    now: datetime | None = None,
    lock: bool = False,
) -> tuple[Official, PersonalLink]:
    """Check signature, age, and the server-side record; raise LinkError otherwise."""
    now = now or utcnow()
    max_age = int(timedelta(days=max(settings.invite_valid_days, settings.manage_link_valid_days)).total_seconds())
    try:
        data = _serializer(settings, now).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkError("verlopen") from None
    except BadSignature:
        raise LinkError("ongeldig") from None
    if not isinstance(data, dict) or not {"o", "n", "p"} <= set(data):
        raise LinkError("ongeldig")
    query = select(PersonalLink).where(PersonalLink.nonce == str(data["n"]))
    link = session.scalars(query.with_for_update() if lock else query).first()
    if link is None or link.official_id != data["o"] or link.purpose != data["p"]:
        raise LinkError("ongeldig")
    if purpose is not None and link.purpose != purpose:
        raise LinkError("ongeldig")
    if link.revoked_at is not None:
        raise LinkError("ingetrokken")
    if link.purpose == "invite" and link.used_at is not None:
        raise LinkError("gebruikt")
    if link.expires_at <= now:
        raise LinkError("verlopen")
    official = session.get(Official, link.official_id)
    if official is None:
        raise LinkError("ongeldig")
    return official, link


def save_choices(session: Session, settings: Settings, token: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """Step 2 of the opt-in: keep the official's choices on the invite until they confirm them."""
    _, link = resolve_link(session, settings, token, "invite")
    if not form.get("notice_read"):
        raise RegistryError("Lees eerst de privacyverklaring en vink aan dat u die gelezen hebt.")
    choices = normalise(
        {k: form.get(k) for k in CHOICES if k != "sees_content"} | {"sees_content": form.get("sees_content") or False},
        settings,
    )
    if not choices["handles"] and not choices["name_variants"]:
        raise RegistryError("Kies ten minste één account of naamvariant: anders valt er niets te beschermen.")
    choices["notice_version"] = settings.privacy_notice_version
    link.pending = choices
    session.flush()
    return choices


def confirm_invite(
    session: Session, settings: Settings, token: str, now: datetime | None = None
) -> tuple[Official, str]:
    """Step 3: the official confirms; consent is recorded, the invite is used up, a manage link is returned."""
    official, link = resolve_link(session, settings, token, "invite", now=now, lock=True)
    if not link.pending:
        raise RegistryError("Kies eerst wat u wilt laten bewaken.")
    if link.pending.get("notice_version") != settings.privacy_notice_version:
        raise RegistryError("De privacyverklaring is intussen gewijzigd. Lees de nieuwe versie en kies opnieuw.")
    now = now or utcnow()
    link.used_at = now
    for key in CHOICES:
        setattr(official, key, link.pending[key])
    revoke_links(session, official, "manage", now)  # manage links of an earlier consent end with the new one
    record_consent(session, settings, official, f"official:{official.id}", METHOD_LINK, now=now)
    manage = issue_link(session, settings, official, "manage", f"official:{official.id}", now=now)
    return official, manage


# ---------------------------------------------------------------------------------------------------- withdrawal


def withdraw(
    session: Session,
    official_id: str,
    actor: str,
    keep_case_ids: Iterable[int] = (),
    method: str = "intrekking",
    now: datetime | None = None,
) -> dict[str, int]:
    """Withdraw consent now: status withdrawn (collection stops), unflagged content purged, open cases deleted
    unless the official keeps them (kept cases go on legal hold), consent records closed.

    Cases already on legal hold stay; closed cases (afgerond, geen_actie) follow the retention schedule.
    """
    now = now or utcnow()
    official = session.get(Official, official_id, with_for_update=True)
    if official is None:
        raise RegistryError(f"Onbekende ambtsdrager {official_id!r}.")
    keep = {int(c) for c in keep_case_ids}
    cases = list(session.scalars(select(Case).where(Case.official_id == official.id)))
    foreign = keep - {c.id for c in cases}
    if foreign:
        raise RegistryError(f"Zaak {sorted(foreign)} hoort niet bij deze ambtsdrager.")
    official.status = "withdrawn"
    official.withdrawn_at = now
    official.updated_at = now
    for consent in official.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at, consent.withdrawn_by, consent.withdrawal_method = now, actor, method
    for link in session.scalars(
        select(PersonalLink).where(
            PersonalLink.official_id == official.id,
            PersonalLink.purpose == "invite",
            PersonalLink.revoked_at.is_(None),
            PersonalLink.used_at.is_(None),
        )
    ):
        link.revoked_at = now
    session.flush()  # the status change is the first statement of the transaction's effect
    meta_accounts.drop_tokens(session, official.id, actor)  # connected Facebook/Instagram: tokens gone at once
    purge.drop_uploads(session, official.id, now)  # uploaded files not yet read, and every upload's note

    held = [c for c in cases if c.id in keep]
    for case in held:
        legal_hold.hold_at_withdrawal(session, case, actor, now)
    doomed = [c.id for c in cases if c.id not in keep and not c.legal_hold and c.status not in CLOSED_STATUSES]
    session.flush()
    deleted = purge.delete_cases(session, doomed)
    purged = purge.purge_mention_content(
        session, Mention.official_id == official.id, Mention.flagged.is_(False), now=now
    )
    blobs = purge.delete_orphan_blobs(session)
    counts = {
        "unflagged_purged": purged,
        "cases_deleted": deleted["cases"],
        "mentions_deleted": deleted["mentions"],
        "cases_on_legal_hold": len(held),
        "evidence_blobs_deleted": blobs,
    }
    audit(
        session,
        official.organisation_id,
        actor,
        "consent.withdrawn",
        "official",
        official.id,
        {**counts, "method": method, "kept_case_ids": sorted(keep)},
    )
    session.flush()
    return counts


def open_cases(session: Session, official_id: str) -> list[Case]:
    """Cases that withdrawal would delete unless kept (open, not on legal hold), newest first."""
    return list(
        session.scalars(
            select(Case)
            .where(Case.official_id == official_id, Case.status.not_in(CLOSED_STATUSES), Case.legal_hold.is_(False))
            .order_by(Case.opened_at.desc())
        )
    )


def aangifte_case_ids(session: Session, case_ids: Iterable[int]) -> set[int]:
    """Cases with a recorded melding/aangifte step: the withdrawal form suggests keeping them (legal hold)."""
    from schildwacht.models.workflow import CaseStep

    ids = list(case_ids)
    if not ids:
        return set()
    return set(
        session.scalars(select(CaseStep.case_id).where(CaseStep.case_id.in_(ids), CaseStep.step == "melding_aangifte"))
    )


__all__ = [
    "RegistryError",
    "LinkError",
    "add_official",
    "update_official",
    "list_officials",
    "get_official",
    "issue_link",
    "resolve_link",
    "link_url",
    "save_choices",
    "confirm_invite",
    "record_consent",
    "set_paused",
    "withdraw",
    "open_cases",
    "aangifte_case_ids",
    "parse_handles",
    "parse_list",
    "audit",
    "parse_alert_contacts",
    "revoke_links",
    "revoke_other_manage_links",
    "link_allows_changes",
    "OFFICIAL_OWNED",
    "email_is_officials",
]
