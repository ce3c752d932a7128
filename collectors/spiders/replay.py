"""Replay spider: reads a JSONL file of posts (an export, a demo set) as if it were collected live.

Each line is one post: platform, post_id, url, author (handle string or {id, handle, display_name,
profile_url}), created_at, text, optionally in_reply_to_id, in_reply_to_author, thread_id. Unknown fields
are ignored; a line that cannot be read is parked on the dead-letter topic with the reason.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import scrapy
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from collectors.evidence import capture_resource
from collectors.items import PARKED_PAYLOAD_LIMIT, ParkedItem, PostItem
from schildwacht.contracts import Author


class _RecordAuthor(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    id: str | None = None
    handle: str = Field(min_length=1, max_length=400)
    display_name: str | None = None
    profile_url: str | None = None


class ReplayRecord(BaseModel):
    """One line of a replay file, validated."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    platform: str = Field(min_length=1, max_length=40)
    post_id: str = Field(min_length=1, max_length=400)
    url: str = Field(min_length=1, max_length=4000)
    author: _RecordAuthor | str
    created_at: datetime
    text: str = Field(max_length=2_000_000)
    in_reply_to_id: str | None = None
    in_reply_to_author: str | None = None
    thread_id: str | None = None

    def author_model(self) -> Author:
        if isinstance(self.author, str):
            return Author(handle=self.author)
        return Author(**self.author.model_dump())


class ReplaySpider(scrapy.Spider):
    """Yields one PostItem (or ParkedItem) per non-empty line of `path`."""

    name = "replay"

    def __init__(self, path: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.path = Path(path)

    async def start(self) -> AsyncIterator[PostItem | ParkedItem]:
        limit = self.settings["SCHILDWACHT_SETTINGS"].collector_max_bytes
        stats = self.crawler.stats
        with open(self.path, "rb") as fh:
            line_no = 0
            while line := fh.readline(limit + 1):
                line_no += 1
                if len(line) > limit and not line.endswith(b"\n"):
                    size = len(line) + _skip_to_line_end(fh)
                    stats.inc_value("schildwacht/posts")
                    yield ParkedItem(
                        self.name,
                        f"regel {line_no}: {size} bytes, groter dan de limiet van {limit}",
                        line[:PARKED_PAYLOAD_LIMIT],
                    )
                    continue
                data = line.rstrip(b"\r\n")
                if not data.strip():
                    continue
                stats.inc_value("schildwacht/posts")
                yield self.parse_line(data, line_no)

    def parse_line(self, data: bytes, line_no: int) -> PostItem | ParkedItem:
        """Validate one line; the exact line bytes become the post's raw evidence."""
        try:
            doc = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return ParkedItem(self.name, f"regel {line_no}: ongeldige UTF-8 op byte {exc.start}", data)
        except (ValueError, RecursionError) as exc:
            return ParkedItem(self.name, f"regel {line_no}: ongeldige JSON: {exc}", data)
        if not isinstance(doc, dict):
            return ParkedItem(self.name, f"regel {line_no}: geen JSON-object", data)
        try:
            record = ReplayRecord.model_validate(doc)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "<root>"
            return ParkedItem(self.name, f"regel {line_no}: veld {where}: {first.get('msg')}", data)
        capture = capture_resource(f"{self.path.resolve().as_uri()}#regel={line_no}", data, self.name)
        return PostItem(
            platform=record.platform,
            post_id=record.post_id,
            url=record.url,
            author=record.author_model(),
            created_at=record.created_at,
            text=record.text,
            capture=capture,
            collector=self.name,
            in_reply_to_id=record.in_reply_to_id,
            in_reply_to_author=record.in_reply_to_author,
            thread_id=record.thread_id,
        )


def _skip_to_line_end(fh, chunk: int = 1024 * 1024) -> int:
    """Consume the rest of an oversized line without holding it in memory; returns the bytes skipped."""
    skipped = 0
    while part := fh.readline(chunk):
        skipped += len(part)
        if part.endswith(b"\n"):
            break
    return skipped
