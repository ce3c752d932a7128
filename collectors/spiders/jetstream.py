"""Jetstream spider: Bluesky posts in real time from Jetstream (the JSON firehose over WebSocket).

One round listens for `collector_jetstream_seconds` (or until the server closes) to
`<collector_jetstream_url>?wantedCollections=app.bsky.feed.post&cursor=<time_us>`; every created post goes through
the ordinary matching (names, handles, roles) and publishing. Evidence of a post: the event's exact bytes as a WARC
resource record with its `time_us`. The cursor (`bluesky:jetstream`, the last event's time_us) is stored at most
once a second and at the end, only after everything before it left the pipelines and Kafka confirmed it; the next
round asks Jetstream to replay from there and skips events at or before it: no gap and no duplicate across a
restart. When Jetstream cannot be reached the round logs it and ends; the `bluesky` spider's search keeps polling.
Events carry the author's DID, not a handle: DID is both author id and handle here.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import websockets

from collectors.evidence import COLLECTOR_VERSION, Capture
from collectors.items import CursorItem, ParkedItem, PostItem
from collectors.settling import items_settled
from collectors.spiders.base import SourceSpider
from schildwacht.contracts import Author
from schildwacht.warc import EvidenceWarc

CURSOR_KEY = "bluesky:jetstream"
POST = "app.bsky.feed.post"
WEB = "https://bsky.app"
MAX_EVENT_BYTES = 1024 * 1024


def _rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


class JetstreamSpider(SourceSpider):
    """Yields created posts from Jetstream, with a time_us cursor after the posts it passes."""

    name = "jetstream"

    async def first_requests(self) -> AsyncIterator[Any]:
        url = self.config.collector_jetstream_url
        if not url:
            self.logger.info("geen Jetstream ingesteld (SCHILDWACHT_COLLECTOR_JETSTREAM_URL)")
            return
        assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
        stored = int(self.cursors.get(CURSOR_KEY) or 0)
        query = {"wantedCollections": POST, **({"cursor": str(stored)} if stored else {})}
        address = f"{url}?{urlencode(query)}"
        deadline = time.monotonic() + self.config.collector_jetstream_seconds
        last, committed, next_commit = stored, stored, time.monotonic() + 1.0
        try:
            async with websockets.connect(address, max_size=MAX_EVENT_BYTES, open_timeout=30) as socket:
                while (left := deadline - time.monotonic()) > 0:
                    try:
                        frame = await asyncio.wait_for(socket.recv(decode=False), timeout=left)
                    except (TimeoutError, websockets.ConnectionClosedOK):
                        break
                    item, time_us = self.event(bytes(frame), url)
                    if time_us is not None and time_us <= stored:
                        continue  # replayed from the cursor: already done
                    if item is not None:
                        yield item
                    last = max(last, time_us or 0)
                    if last > committed and time.monotonic() >= next_commit:
                        await items_settled(self.crawler)
                        yield CursorItem(CURSOR_KEY, str(last))
                        committed, next_commit = last, time.monotonic() + 1.0
        except (OSError, websockets.WebSocketException) as exc:
            self.logger.error("Jetstream niet bereikbaar of afgebroken (%s): %s", url, exc)
            self.crawler.stats.inc_value("schildwacht/http_errors")
        if last > committed:
            await items_settled(self.crawler)
            yield CursorItem(CURSOR_KEY, str(last))

    def event(self, frame: bytes, url: str) -> tuple[PostItem | ParkedItem | None, int | None]:
        """(the item of one Jetstream event or None when it is no created post, its time_us)."""
        try:
            event = json.loads(frame)
            time_us = int(event["time_us"])
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            return ParkedItem(self.name, f"{url}: Jetstream-bericht onleesbaar: {exc}"[:500], frame), None
        commit = event.get("commit") if isinstance(event, dict) else None
        if event.get("kind") != "commit" or not isinstance(commit, dict):
            return None, time_us
        if commit.get("operation") != "create" or commit.get("collection") != POST:
            return None, time_us
        try:
            did, rkey, record = str(event["did"]), str(commit["rkey"]), commit["record"]
            reply = record.get("reply") or {}
            created = datetime.fromisoformat(str(record["createdAt"]).replace("Z", "+00:00"))
            item = PostItem(
                platform="bluesky",
                post_id=rkey,
                url=f"{WEB}/profile/{did}/post/{rkey}",
                author=Author(id=did, handle=did, profile_url=f"{WEB}/profile/{did}"),
                created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
                text=str(record["text"]),
                capture=self.capture(frame, url, time_us),
                collector=self.name,
                in_reply_to_id=_rkey(reply["parent"]["uri"]) if reply.get("parent") else None,
                thread_id=_rkey(reply["root"]["uri"]) if reply.get("root") else rkey,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return ParkedItem(self.name, f"{url}: post onbruikbaar ({type(exc).__name__}: {exc})"[:500], frame), time_us
        return item, time_us

    def capture(self, frame: bytes, url: str, time_us: int) -> Capture:
        """The event's exact bytes as a WARC resource record."""
        captured_at = datetime.now(UTC)
        warc = EvidenceWarc(f"schildwacht-{self.name}/{COLLECTOR_VERSION}", captured_at)
        warc.resource(url, frame, "application/json", annotations={"Schildwacht-Jetstream-Time-Us": str(time_us)})
        return Capture(
            raw=frame, content_type="application/json", captured_at=captured_at, source_url=url, warc=warc.getvalue()
        )
