"""Validation of alert contacts when they are saved: one e-mail address or one https webhook URL per field.

Invariants of what `email_address`, `webhook_url` and `alert_contact` return:
- an e-mail address is exactly one bare address (no display name, no comma list, no line break, so no header can
  be smuggled into an alert's `To:`), in the normalised form of `email-validator` (domain lower-cased, IDNA);
- a webhook URL is exactly one absolute `https://` URL without credentials, whitespace or control characters, whose
  host is a name (not `localhost`) or a public IP literal.

This is the early, friendly refusal at save time. The network guard used when an alert is actually sent checks the
resolved address again; a name that resolves to an internal address is that guard's job, not this module's.
Messages are in Dutch: they are shown to staff and officials.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

MAX_URL_LENGTH = 2048
_FORBIDDEN_IN_URL = re.compile(r"[\s\x00-\x1f\x7f\\]")


class ContactError(ValueError):
    """An alert contact that is refused; the message can be shown to a person (Dutch)."""


def email_address(value: str) -> str:
    """Exactly one e-mail address, normalised; raises ContactError otherwise."""
    candidate = (value or "").strip()
    try:
        checked = validate_email(candidate, check_deliverability=False, allow_display_name=False,
                                 allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError:
        raise ContactError(f"{candidate[:80]!r} is geen geldig e-mailadres. Geef per regel precies één adres op, "
                           "zonder naam, komma of puntkomma.") from None
    return checked.normalized


def webhook_url(value: str) -> str:
    """Exactly one https URL without credentials, to a host name or a public IP address; raises ContactError."""
    candidate = (value or "").strip()
    shown = repr(candidate[:80])
    if not candidate or len(candidate) > MAX_URL_LENGTH or _FORBIDDEN_IN_URL.search(candidate):
        raise ContactError(f"{shown} is geen geldige webhook-URL: één URL, zonder spaties of regeleinden.")
    try:
        parts = urlsplit(candidate)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError:
        raise ContactError(f"{shown} is geen geldige webhook-URL.") from None
    if parts.scheme.lower() != "https":
        raise ContactError(f"{shown}: een webhook moet met https:// beginnen.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ContactError(f"{shown}: zet geen gebruikersnaam of wachtwoord in de webhook-URL.")
    if not host:
        raise ContactError(f"{shown} is geen geldige webhook-URL: de servernaam ontbreekt.")
    if _internal_host(host):
        raise ContactError(f"{shown}: een webhook mag niet naar een intern adres (localhost, privé-netwerk) gaan.")
    return candidate


def alert_contact(value: str) -> str:
    """One alert contact: a webhook URL when it names a scheme (`…://`), an e-mail address otherwise."""
    candidate = (value or "").strip()
    if "://" in candidate or candidate.lower().startswith(("http:", "https:", "file:")):
        return webhook_url(candidate)
    return email_address(candidate)


def _internal_host(host: str) -> bool:
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        try:  # legacy IPv4 spellings that resolvers accept: 2130706433, 0x7f.1, 127.1
            address = ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return False  # a name: resolved and checked by the send-time guard
    return not address.is_global
