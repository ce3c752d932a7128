"""Personal links go to the official only: staff ask for one, Schildwacht e-mails it to the official's address.

Invariant: the token is in the e-mail and nowhere else that staff can read (not in a page, the audit log or the
export). The address is `official.email`, which staff cannot change once the official has a consent record
(`service.update_official`), so a re-invitation after withdrawal goes to the last address the official confirmed.
The caller runs `send_personal_link` inside a savepoint: when the mail cannot be sent the link is rolled back with it,
so no link exists that nobody received.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.contacts import ContactError
from schildwacht.mail import send_mail
from schildwacht.models import Official
from triage.registry import pages, service
from triage.registry.service import RegistryError

SUBJECT = {
    "invite": "Uitnodiging: bescherming tegen online haat (Schildwacht)",
    "manage": "Uw persoonlijke beheerlink voor Schildwacht",
}


class LinkMailError(RegistryError):
    """The e-mail with the link could not be sent (Dutch message for staff)."""


@dataclass(frozen=True)
class SentLink:
    purpose: str
    to: str
    expires_at: datetime


def _body(official: Official, purpose: str, url: str, expires_at: datetime) -> str:
    org = official.organisation
    contact = f"{org.name}" + (f" ({org.contact_email})" if org.contact_email else "")
    until = pages.date_nl(expires_at)
    if purpose == "invite":
        what = (
            f"{org.name} gebruikt Schildwacht om politieke ambtsdragers te beschermen tegen online haat. Er "
            "wordt pas naar berichten over u gezocht als u daar zelf toestemming voor geeft.\n\n"
            f"Lees de privacyverklaring en kies wat u wilt laten bewaken via uw persoonlijke uitnodiging "
            f"(werkt één keer, geldig tot {until}):\n{url}\n"
        )
    else:
        what = (
            f"Hier is uw persoonlijke beheerlink voor Schildwacht (geldig tot {until}). Daarmee ziet u wat "
            "wij over u bewaren, wijzigt u uw keuzes, pauzeert u of trekt u uw toestemming in:\n"
            f"{url}\n\nEen eerdere beheerlink blijft ook werken.\n"
        )
    return (
        f"Beste {official.full_name},\n\n{what}\n"
        "Deel deze link met niemand, ook niet met medewerkers van uw organisatie: wie de link heeft, kan "
        "namens u kiezen en wijzigen.\n"
        f"Hebt u deze e-mail niet verwacht? Neem dan contact op met {contact}.\n"
    )


def send_personal_link(session: Session, settings: Settings, official: Official, actor: str) -> SentLink:
    """Issue the link the official needs now (an invitation, or a manage link once they take part) and e-mail it
    to the official's own address; audited as `link.<purpose>.issued` and `link.mailed` (address, never the link)."""
    purpose = "manage" if official.status in service.MANAGEABLE_STATUSES else "invite"
    if not official.email and purpose == "invite":
        raise RegistryError(
            "Vul eerst het e-mailadres van de ambtsdrager in: de persoonlijke link gaat alleen per "
            "e-mail naar de ambtsdrager zelf."
        )
    if not official.email:
        raise RegistryError(
            "Er is geen e-mailadres van de ambtsdrager bekend. Dat vult de ambtsdrager zelf in via "
            "de beheerlink; is die kwijt, dan maakt de serverbeheerder een link met "
            "'schildwacht officials invite'."
        )
    token = service.issue_link(session, settings, official, purpose, actor)
    _, link = service.resolve_link(session, settings, token)
    try:
        to = send_mail(
            settings,
            official.email,
            SUBJECT[purpose],
            _body(official, purpose, service.link_url(settings, token), link.expires_at),
        )
    except ContactError as exc:
        raise RegistryError(f"E-mailadres van de ambtsdrager: {exc}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise LinkMailError(
            "De e-mail met de link kon niet worden verstuurd (mailserver: "
            f"{type(exc).__name__}). Er is geen link gemaakt; probeer het later opnieuw."
        ) from None
    service.audit(
        session, official.organisation_id, actor, "link.mailed", "official", official.id, {"purpose": purpose, "to": to}
    )
    return SentLink(purpose=purpose, to=to, expires_at=link.expires_at)
