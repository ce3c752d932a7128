"""What spiders yield: collected posts, unreadable input to park, and cursor positions to commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from collectors.evidence import Capture
from collectors.matching import MatchResult
from schildwacht.contracts import Author

# How much of an unreadable payload travels on the dead-letter topic.
PARKED_PAYLOAD_LIMIT = 64 * 1024


@dataclass
class PostItem:
    """One public post as the platform served it, with the evidence of its capture."""

    platform: str
    post_id: str
    url: str
    author: Author
    created_at: datetime
    text: str
    capture: Capture
    collector: str
    in_reply_to_id: str | None = None
    in_reply_to_author: str | None = None
    thread_id: str | None = None
    submitted_for: str | None = None  # official id named by the staff member who submitted the URL
    submitted_by: str | None = None
    match: MatchResult | None = None

    @property
    def uid(self) -> str:
        return f"{self.platform}:{self.post_id}"


@dataclass
class ParkedItem:
    """Input that could not be read: goes to the dead-letter topic with the reason."""

    collector: str
    reason: str
    payload: bytes
    uid: str | None = None


@dataclass
class CursorItem:
    """A feed position; the pipeline stores it only after everything yielded before it was confirmed."""

    key: str
    value: str
