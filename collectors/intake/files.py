"""Which reader a handed-over file goes to, by its content first and its name second.

Invariant: every file yields at least one Piece or Refusal; nothing raises for bad input (a reader's IntakeError
becomes a Refusal that keeps the file's bytes, up to the dead letter's limit, with sha256 and size).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath

from collectors.intake.archives import chat_member
from collectors.intake.images import IMAGE_MAGIC, image_piece
from collectors.intake.mail import mail_pieces
from collectors.intake.outlook import CFB_MAGIC, msg_pieces
from collectors.intake.pieces import IntakeError, Piece, Refusal
from collectors.intake.telegram import telegram_pieces
from collectors.intake.whatsapp import whatsapp_pieces

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def pieces_of(data: bytes, name: str, limit: int, received_at: datetime) -> list[Piece | Refusal]:
    """The messages in file `name` with bytes `data`; files over `limit` bytes are refused unread."""
    if len(data) > limit:
        return [Refusal(f"{name}: {len(data)} bytes, groter dan de limiet van {limit}", data)]
    suffix = PurePath(name).suffix.lower()
    try:
        if suffix == ".eml":
            return mail_pieces(data, name, received_at)
        if suffix == ".msg" or data.startswith(CFB_MAGIC):
            return msg_pieces(data, name, received_at)
        if suffix in IMAGE_SUFFIXES or data.startswith(IMAGE_MAGIC):
            return [image_piece(data, name, received_at)]
        if suffix == ".zip":
            member, text = chat_member(data, limit)
            return [*whatsapp_pieces(text, member)]
        if suffix == ".json":
            return [*telegram_pieces(data, name)]
        if suffix == ".txt":
            return [*whatsapp_pieces(data, name)]
    except IntakeError as exc:
        return [Refusal(f"{name}: {exc}", data)]
    return [Refusal(f"{name}: onbekend bestandstype (verwacht .eml, .msg, .png, .jpg, .zip, .txt of .json)", data)]
