"""What every intake format produces: pieces (one message each) and refusals (parked with the reason)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from schildwacht.contracts import Author


@dataclass
class Piece:
    """One message taken from a handed-over file.

    Invariant: `raw` is the exact bytes this message is evidence of (the whole .eml, the whole image, or the
    message's own bytes in a chat export, whose whole file `page_sha256`/`page_size` describe); `annotations`
    become WARC header fields of its resource record (who forwarded it, OCR confidence, ...)."""

    platform: str
    post_id: str
    author: Author
    created_at: datetime | None
    text: str
    raw: bytes
    content_type: str
    annotations: dict[str, str] = field(default_factory=dict)
    thread_id: str | None = None
    in_reply_to_id: str | None = None
    page_sha256: str | None = None
    page_size: int | None = None
    forwarder: str | None = None  # e-mail address of who forwarded it, when it came by mail
    sender_check: str | None = None  # the forwarder's DMARC/DKIM verdict: "pass", "fail" or "unchecked"
    ocr_confidence: float | None = None  # Tesseract's mean word confidence (0-100) when read from an image


@dataclass
class Refusal:
    """Input that cannot be taken in: parked on the dead-letter topic with `reason` (Dutch) and `payload`.

    `payload` is empty when keeping it is not allowed (an official without consent)."""

    reason: str
    payload: bytes


class IntakeError(ValueError):
    """A file is not what it claims to be, or is too large; the message (Dutch) is the parking reason."""
