"""Outlook messages (.msg, an OLE/CFB compound file) read with `extract-msg`: the whole file kept byte for byte.

Invariants: the piece's evidence is the .msg exactly as handed over (its sha256 at receipt in the WARC header
`Schildwacht-Msg-SHA256`); sender, date and subject come from the message (its transport headers where Outlook
kept them, else its MAPI properties); each PNG/JPEG attachment is a screenshot piece of its own (see `images`).
A file that extract-msg cannot open as an e-mail (not a compound file, a broken one, or another Outlook item such
as a contact) is an IntakeError with a Dutch reason, never an exception of the library.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr

import extract_msg
from extract_msg.msg_classes import MessageBase

from collectors.intake.images import IMAGE_MAGIC, image_piece
from collectors.intake.pieces import IntakeError, Piece, Refusal
from schildwacht.contracts import Author, sha256_hex

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONTENT_TYPE = "application/vnd.ms-outlook"


def open_message(data: bytes) -> MessageBase:
    """The e-mail in `data`; IntakeError when it is not a readable Outlook e-mail."""
    if not data.startswith(CFB_MAGIC):
        raise IntakeError("geen Outlook-bericht (.msg): het bestand is geen OLE-samengesteld bestand")
    try:
        message = extract_msg.openMsg(data, delayAttachments=False)
    except Exception as exc:  # noqa: BLE001 - hostile bytes: any failure of the library is a parking reason
        raise IntakeError(f"onleesbaar Outlook-bericht (.msg): {exc}") from exc
    if not isinstance(message, MessageBase):
        message.close()
        raise IntakeError(f"Outlook-bestand is geen e-mail maar {type(message).__name__}")
    return message


def _author(sender: str | None) -> Author:
    name, address = parseaddr(sender or "")
    if not address and not name:
        return Author(handle="onbekend (Outlook-bericht)")
    return Author(id=address.lower() or None, handle=(address or name)[:400], display_name=name[:400] or None)


def _moment(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def msg_pieces(data: bytes, name: str, received_at: datetime) -> list[Piece | Refusal]:
    """The message (and each screenshot attached to it) as pieces of the .msg `data`."""
    message = open_message(data)
    try:
        try:
            sender, when, subject, body = message.sender, message.date, message.subject, message.body
            message_id = message.messageId
            attachments = [(a.longFilename or a.shortFilename or "bijlage", a.data) for a in message.attachments]
        except Exception as exc:  # noqa: BLE001 - properties are parsed lazily: a broken stream fails here
            raise IntakeError(f"onleesbaar Outlook-bericht (.msg): {exc}") from exc
    finally:
        message.close()
    digest = sha256_hex(data)
    annotations = {
        "Schildwacht-Intake-File": name,
        "Schildwacht-Msg-SHA256": digest,
        "Schildwacht-Received-At": received_at.isoformat(),
    }
    text = "\n\n".join(p for p in (subject or "", (body or "").strip()) if p.strip())
    pieces: list[Piece | Refusal] = []
    if text:
        pieces.append(
            Piece(
                platform="email",
                post_id=(str(message_id).strip("<> ") if message_id else digest)[:400],
                author=_author(sender),
                created_at=_moment(when) or received_at,
                text=text,
                raw=data,
                content_type=CONTENT_TYPE,
                annotations=dict(annotations),
            )
        )
    for label, payload in attachments:
        if not isinstance(payload, bytes) or not payload.startswith(IMAGE_MAGIC):
            continue
        try:
            piece = image_piece(payload, f"{name}/{label}", received_at)
        except IntakeError as exc:
            pieces.append(Refusal(f"{name}: bijlage {label}: {exc}", payload))
            continue
        piece.annotations |= {k: v for k, v in annotations.items() if k != "Schildwacht-Intake-File"}
        pieces.append(piece)
    if not pieces:
        raise IntakeError("Outlook-bericht zonder tekst en zonder schermafbeelding")
    return pieces
