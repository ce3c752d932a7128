"""A real SMTP server (aiosmtpd) on a free loopback port that keeps what it receives, for alert and mail tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from schildwacht.embedded import free_port


class Inbox:
    """Every accepted message as (recipients, raw bytes), in arrival order."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@contextmanager
def smtp_sink() -> Iterator[tuple[int, Inbox]]:
    """(port, inbox) of a running SMTP server, stopped on exit."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
