"""Alert contacts: one e-mail address or one https webhook URL per field, checked when saved and again when sent.

Invariants of what `email_address`, `webhook_url` and `alert_contact` return:
- an e-mail address is exactly one bare address (no display name, no comma list, no line break, so no header can
  be smuggled into an alert's `To:`), in the normalised form of `email-validator` (domain lower-cased, IDNA);
- a webhook URL is exactly one absolute `https://` URL without credentials, whitespace or control characters, whose
  host is a name or an IP address that the outbound guard may contact.

Addresses are judged by the outbound guard itself (`schildwacht.netguard`): `literal_address` reads the host (also
the inet_aton forms `2130706433`, `0x7f.1`, `127.1`) and `OutboundGuard.refusal` decides, with the deployment's
`outbound_allowed_networks` when the caller passes `OutboundGuard.from_settings(settings)`. So what is accepted when
saved is exactly what the guard accepts when sending. `localhost` (and `*.localhost`) is loopback by definition
(RFC 6761) and judged as 127.0.0.1. A name is not resolved here: the guard checks its resolved addresses when it
connects. Messages are in Dutch: they are shown to staff and officials.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal, NamedTuple
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from schildwacht.netguard import IPAddress, OutboundGuard, literal_address

MAX_URL_LENGTH = 2048
_FORBIDDEN_IN_URL = re.compile(r"[\s\x00-\x1f\x7f\\]")
_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
_CLOSED_GUARD = OutboundGuard()


class ContactError(ValueError):
    """An alert contact that is refused; the message can be shown to a person (Dutch)."""


class Contact(NamedTuple):
    """One checked alert contact: `kind` "mail" (an e-mail address) or "hook" (a webhook URL), normalised value."""

    kind: Literal["mail", "hook"]
    value: str


def email_address(value: str) -> str:
    """Exactly one e-mail address, normalised; raises ContactError otherwise."""
    candidate = (value or "").strip()
    try:
        checked = validate_email(
            candidate,
            check_deliverability=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError:
        raise ContactError(
            f"{candidate[:80]!r} is geen geldig e-mailadres. Geef per regel precies één adres op, "
            "zonder naam, komma of puntkomma."
        ) from None
    return checked.normalized


def webhook_url(value: str, guard: OutboundGuard | None = None) -> str:
    """Exactly one https URL without credentials, to a host name or an address `guard` allows (default: the closed
    guard, public addresses only); raises ContactError otherwise."""
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
    address = _host_address(host)
    reason = (guard or _CLOSED_GUARD).refusal(address) if address is not None else None
    if reason:
        raise ContactError(f"{shown}: een webhook mag niet naar een intern adres gaan ({reason}).")
    return candidate


def alert_contact(value: str, guard: OutboundGuard | None = None) -> Contact:
    """One alert contact, checked: a webhook when it names a scheme (`…://`, `http:`, `file:`, ...), an e-mail
    address otherwise. Used when a contact is saved and again when an alert is sent (stored data may predate these
    rules); pass `OutboundGuard.from_settings(settings)` where the deployment's settings are at hand."""
    candidate = (value or "").strip()
    if "://" in candidate or candidate.lower().startswith(("http:", "https:", "file:")):
        return Contact("hook", webhook_url(candidate, guard))
    return Contact("mail", email_address(candidate))


def _host_address(host: str) -> IPAddress | None:
    """The address a URL host stands for without DNS (a literal, or loopback for `localhost`), else None."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return _LOOPBACK
    return literal_address(name)
