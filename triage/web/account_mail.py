"""E-mails with a staff account link (invitation or password reset); the link goes only to the account's address.

Invariant: the token is in the e-mail and nowhere else (not in a page, the audit log or a redirect). The caller
issues the token in its transaction and commits only after the mail was accepted, so no open link exists that
nobody received.
"""

from __future__ import annotations

import smtplib

from schildwacht.config import Settings
from schildwacht.contacts import ContactError
from schildwacht.mail import send_mail
from schildwacht.models import StaffUser
from triage.web.accounts import INVITE_TTL, RESET_TTL, AccountError

SUBJECT = {
    "invite": "Uw account voor Schildwacht",
    "reset": "Nieuw wachtwoord voor Schildwacht",
}


class AccountMailError(AccountError):
    """The mail server did not accept the message (Dutch message for staff)."""


def link_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/wachtwoord/nieuw/{token}"


def _body(user: StaffUser, purpose: str, url: str, organisation: str) -> str:
    if purpose == "invite":
        days = INVITE_TTL.days
        what = (
            f"{organisation} heeft een account voor u aangemaakt in Schildwacht, het hulpmiddel om "
            "politieke ambtsdragers te beschermen tegen online haat.\n\n"
            f"Kies uw wachtwoord via deze link (werkt één keer, {days} dagen geldig):\n{url}\n\n"
            f"Daarna logt u in met dit e-mailadres ({user.email}).\n"
        )
    else:
        minutes = int(RESET_TTL.total_seconds() // 60)
        what = (
            "Er is gevraagd om een nieuw wachtwoord voor uw Schildwacht-account.\n\n"
            f"Kies een nieuw wachtwoord via deze link (werkt één keer, {minutes} minuten geldig):\n{url}\n\n"
            "Hebt u dit niet zelf gevraagd? Dan kunt u deze e-mail negeren; uw wachtwoord blijft dan hetzelfde. "
            "Meld het wel aan de beheerder van uw organisatie.\n"
        )
    return f"Beste {user.name},\n\n{what}\nDeel deze link met niemand.\n"


def send_account_link(settings: Settings, user: StaffUser, purpose: str, token: str, organisation: str) -> str:
    """Mail the link to the account's own address; returns that address. Raises AccountMailError."""
    try:
        return send_mail(
            settings, user.email, SUBJECT[purpose], _body(user, purpose, link_url(settings, token), organisation)
        )
    except ContactError as exc:
        raise AccountError(f"E-mailadres van het account: {exc}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise AccountMailError(
            f"De e-mail kon niet worden verstuurd (mailserver: {type(exc).__name__}). Er is geen link gemaakt; "
            "probeer het later opnieuw."
        ) from None
