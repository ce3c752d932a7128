"""Real Outlook .msg files for the intake tests, written as MS-CFB compound files by `cfbwrite`.

extract-msg only reads .msg files, so the tests write them the way Outlook lays them out ([MS-OXMSG]): the message
properties as `__substg1.0_<tag><type>` streams (PT_UNICODE, UTF-16LE), the fixed-size properties (the submit and
delivery times as PT_SYSTIME) in `__properties_version1.0`, the named-property storage `__nameid_version1.0`, and
each attachment in an `__attach_version1.0_#<n>` storage. `cfbwrite` (a CFB v3 writer that re-reads and verifies
what it wrote) produces the container, so the bytes are a genuine compound file that extract-msg and olefile open.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from cfbwrite import Entry, write_ole

_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
PT_SYSTIME = 0x0040
PT_LONG = 0x0003


def _stream(name: str, data: bytes) -> Entry:
    read: Callable[[], bytes] = lambda: data  # noqa: E731 - cfbwrite asks each stream for its bytes by a callable
    return Entry(name=name, is_storage=False, size=len(data), read=read)


def _storage(name: str, children: list[Entry]) -> Entry:
    return Entry(name=name, is_storage=True, size=0, read=None, children=children)


def _unicode(tag: int, text: str) -> Entry:
    return _stream(f"__substg1.0_{tag:04X}001F", text.encode("utf-16-le"))


def _binary(tag: int, data: bytes) -> Entry:
    return _stream(f"__substg1.0_{tag:04X}0102", data)


def _filetime(moment: datetime) -> int:
    return int((moment - _FILETIME_EPOCH).total_seconds() * 10_000_000)


def _fixed(tag: int, kind: int, value: int) -> bytes:
    """One 16-byte entry of a property stream: tag, flags (readable|writable), the 8-byte value."""
    return struct.pack("<IIQ", (tag << 16) | kind, 6, value)


def outlook_msg(
    sender_name: str,
    sender_address: str,
    subject: str,
    body: str,
    sent: datetime,
    message_id: str | None = None,
    attachments: dict[str, bytes] | None = None,
) -> bytes:
    """An Outlook e-mail (IPM.Note) from `sender_name <sender_address>` sent at `sent`, as .msg bytes.

    With `message_id`, the transport headers Outlook keeps for a received mail are included (From, Date, Subject,
    Message-ID); without, only the MAPI properties say who sent it and when."""
    attachments = attachments or {}
    header = b"\0" * 8 + struct.pack("<IIII", 0, 0, len(attachments), len(attachments)) + b"\0" * 8
    properties = header + _fixed(0x0039, PT_SYSTIME, _filetime(sent)) + _fixed(0x0E06, PT_SYSTIME, _filetime(sent))
    children = [
        _unicode(0x001A, "IPM.Note"),
        _unicode(0x0037, subject),
        _unicode(0x1000, body),
        _unicode(0x0C1A, sender_name),
        _unicode(0x0C1F, sender_address),
        _unicode(0x5D01, sender_address),
        _unicode(0x0042, sender_name),
        _unicode(0x0065, sender_address),
        _stream("__properties_version1.0", properties),
        _storage("__nameid_version1.0", [_binary(0x0002, b""), _binary(0x0003, b""), _binary(0x0004, b"")]),
    ]
    if message_id:
        headers = (
            f"From: {sender_name} <{sender_address}>\r\nDate: {format_datetime(sent)}\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{message_id}>\r\n\r\n"
        )
        children.append(_unicode(0x007D, headers))
    for index, (name, data) in enumerate(attachments.items()):
        attachment_properties = b"\0" * 8 + _fixed(0x3705, PT_LONG, 1)  # PR_ATTACH_METHOD = ATTACH_BY_VALUE
        children.append(
            _storage(
                f"__attach_version1.0_#{index:08X}",
                [
                    _binary(0x3701, data),
                    _unicode(0x3707, name),
                    _unicode(0x3704, name),
                    _unicode(0x370E, "image/png"),
                    _stream("__properties_version1.0", attachment_properties),
                ],
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "bericht.msg"
        write_ole(target, children)
        return target.read_bytes()
