"""A real local SMTP server (aiosmtpd) that keeps every delivered message, for tests of mailed links and alerts."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from schildwacht.embedded import free_port


class MailSink:
    """aiosmtpd handler: `mails` holds (recipients, parsed message) in arrival order."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []
        self.port = 0
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.mails.append((list(envelope.rcpt_tos), message))
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[tuple[list[str], EmailMessage]]:
        """Block until `count` messages arrived (event-based; the bound only stops a hung test)."""
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.mails) >= count, timeout), f"{len(self.mails)} mails"
            return list(self.mails)

    def body(self, index: int = -1) -> str:
        return self.mails[index][1].get_body(("plain",)).get_content()

    def link(self, pattern: str, index: int = -1) -> str:
        """The first match of `pattern` (a regex with one group) in a message's plain-text body."""
        match = re.search(pattern, self.body(index))
        assert match, f"no {pattern!r} in the mail"
        return match.group(1)


@contextmanager
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()
