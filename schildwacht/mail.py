"""Plain-text e-mail (optionally with attachments) through the configured SMTP server (`SCHILDWACHT_SMTP_*`).

The recipient is checked with `schildwacht.contacts.email_address` first, so one call reaches exactly one address:
a stored value with a comma list or a header line is refused (ContactError), never passed to the server.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from schildwacht.config import Settings
from schildwacht.contacts import email_address


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str  # "application/pdf"


def send_mail(settings: Settings, to: str, subject: str, body: str, attachments: Sequence[Attachment] = ()) -> str:
    """Send one message to one address; returns the normalised address. SMTP and network errors propagate."""
    address = email_address(to)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = address
    message.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.alert_timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message, to_addrs=[address])
    return address
