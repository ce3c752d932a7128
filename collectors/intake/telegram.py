"""Telegram Desktop exports (`result.json`, one chat or a full export with `chats.list`): one piece per message.

Each message's own JSON (as `entity_bytes` writes it) is its evidence, with the export's sha256 and size and its
position; `reply_to_message_id` becomes `in_reply_to_id`, the chat the thread. Service messages (joins, pins) are
skipped. `date` is local time without offset: read as Europe/Amsterdam (`date_unixtime`, when present, wins).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from collectors.evidence import entity_bytes
from collectors.intake.pieces import IntakeError, Piece
from schildwacht.contracts import Author, sha256_hex
from schildwacht.vocabulary import AMSTERDAM


def _text(value: Any) -> str:
    """Telegram's `text`: a string, or a list of strings and {type, text} entities."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in value if isinstance(p, str | dict))
    return ""


def _moment(message: dict[str, Any]) -> datetime:
    if str(message.get("date_unixtime", "")).isdigit():
        return datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
    moment = datetime.fromisoformat(str(message["date"]))
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def _chats(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict) and isinstance(doc.get("messages"), list):
        return [doc]
    chats = doc.get("chats", {}).get("list") if isinstance(doc, dict) and isinstance(doc.get("chats"), dict) else None
    if isinstance(chats, list) and all(isinstance(c, dict) and isinstance(c.get("messages"), list) for c in chats):
        return chats
    raise IntakeError("onbekend exportformaat: geen Telegram-export (verwacht `messages` of `chats.list`)")


def telegram_pieces(data: bytes, name: str) -> list[Piece]:
    """The messages of a Telegram Desktop `result.json`; IntakeError when it is not one."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise IntakeError(f"{name}: geen geldige JSON: {exc}") from exc
    digest = sha256_hex(data)
    pieces = []
    for c, chat in enumerate(_chats(doc)):
        chat_id = str(chat.get("id", c))
        for m, message in enumerate(chat["messages"]):
            if not isinstance(message, dict) or message.get("type") != "message":
                continue
            try:
                when, post_id = _moment(message), f"{chat_id}:{message['id']}"
            except (KeyError, ValueError, TypeError, OverflowError) as exc:
                raise IntakeError(f"{name}: bericht {m} van chat {chat_id}: ontbrekende id of datum: {exc}") from exc
            sender = str(message.get("from") or message.get("from_id") or "onbekend")[:400]
            reply = message.get("reply_to_message_id")
            pieces.append(
                Piece(
                    platform="telegram",
                    post_id=post_id[:400],
                    author=Author(
                        id=str(message.get("from_id") or "")[:400] or None, handle=sender, display_name=sender
                    ),
                    created_at=when,
                    text=_text(message.get("text")),
                    raw=entity_bytes(message),
                    content_type="application/json",
                    annotations={
                        "Schildwacht-Intake-File": name,
                        "Schildwacht-Page-Position": f"/chats/{c}/messages/{m}",
                    },
                    thread_id=f"telegram:{chat_id}"[:400],
                    in_reply_to_id=f"{chat_id}:{reply}"[:400] if reply is not None else None,
                    page_sha256=digest,
                    page_size=len(data),
                )
            )
    return pieces
