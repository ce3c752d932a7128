"""The forwarding mailbox over IMAP (imap-tools): its UIDVALIDITY, the UIDs after a cursor, one message's bytes.

Invariants: messages are read with BODY.PEEK[] (nothing is marked read or moved, so a second reader or a rerun sees
the same mailbox) and come back byte for byte as the server stores them; UIDs are returned in ascending order and
only those strictly after the cursor (IMAP's `n:*` also names the last message when n is beyond it); the password
never travels unencrypted except to this machine (security "none" is refused for any other host).
"""

from __future__ import annotations

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox

from schildwacht.config import Settings

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class MailboxError(RuntimeError):
    """The mailbox could not be read; the message says why (Dutch)."""


def cursor_key(settings: Settings) -> str:
    """The collector_cursors key of the configured mailbox and folder."""
    s = settings
    return f"imap:{s.intake_imap_user}@{s.intake_imap_host}:{s.intake_imap_port}/{s.intake_imap_folder}"


class ForwardingMailbox:
    """A logged-in connection to the configured mailbox folder; use as a context manager."""

    def __init__(self, settings: Settings) -> None:
        if settings.intake_imap_security == "none" and settings.intake_imap_host not in LOOPBACK:
            raise MailboxError(f"onversleuteld IMAP alleen naar deze machine, niet naar {settings.intake_imap_host}")
        kind = {"ssl": MailBox, "starttls": MailBoxStartTls, "none": MailBoxUnencrypted}[settings.intake_imap_security]
        password = settings.intake_imap_password.get_secret_value() if settings.intake_imap_password else ""
        try:
            self._box: BaseMailBox = kind(settings.intake_imap_host, settings.intake_imap_port).login(
                settings.intake_imap_user or "", password, initial_folder=settings.intake_imap_folder
            )
        except Exception as exc:  # noqa: BLE001 - imap-tools raises imaplib, socket and its own errors alike
            raise MailboxError(f"inloggen op {settings.intake_imap_host} mislukt: {exc}") from exc
        self._folder = settings.intake_imap_folder

    def __enter__(self) -> ForwardingMailbox:
        return self

    def __exit__(self, *_exc) -> None:
        try:
            self._box.logout()
        except Exception:  # noqa: BLE001, S110 - the connection may already be gone; nothing is left to save
            pass

    def validity(self) -> int:
        """The folder's UIDVALIDITY (UIDs of an older validity mean nothing now)."""
        return int(self._box.folder.status(self._folder, ["UIDVALIDITY"])["UIDVALIDITY"])

    def uids_after(self, last: int, limit: int) -> list[int]:
        """At most `limit` UIDs greater than `last`, ascending."""
        uids = sorted(int(u) for u in self._box.uids(f"UID {last + 1}:*") if int(u) > last)
        return uids[:limit]

    def message(self, uid: int) -> bytes:
        """The exact bytes of message `uid`."""
        status, data = self._box.client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        parts = [item[1] for item in data or [] if isinstance(item, tuple) and len(item) == 2]
        if status != "OK" or not parts:
            raise MailboxError(f"bericht {uid} niet op te halen: {status}")
        return bytes(parts[0])
