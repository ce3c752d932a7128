"""RSS/Atom spider: news and comment feeds, fetched conditionally (ETag / If-Modified-Since).

Per feed the cursor holds the validators of the last processed version and the entry ids it contained, so
an unchanged feed costs one 304 and a changed feed yields only its new entries. robots.txt is obeyed.
An item's evidence is that item (as JSON, `entry_record`) and the sha256 of the feed it stood in, never the feed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import scrapy
from scrapy.http import Response

from collectors.evidence import Capture, PageEvidence
from collectors.htmltext import html_to_text
from collectors.items import PARKED_PAYLOAD_LIMIT, CursorItem, ParkedItem, PostItem
from collectors.spiders.base import SourceSpider
from schildwacht.contracts import Author

MAX_REMEMBERED_ENTRIES = 1000


def _moment(entry: Any, fallback: datetime) -> datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6]).replace(tzinfo=UTC) if parsed else fallback


class FeedSpider(SourceSpider):
    """Collects the entries of the configured feeds that mention a consenting official."""

    name = "rss"
    custom_settings = {"ROBOTSTXT_OBEY": True}

    async def first_requests(self) -> AsyncIterator[scrapy.Request]:
        assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
        for url in self.config.collector_feeds:
            state = json.loads(self.cursors.get(f"rss:{url}") or "{}")
            headers = {}
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
            yield scrapy.Request(
                url,
                headers=headers,
                callback=self.parse_feed,
                errback=self.failed,
                dont_filter=True,
                meta={"handle_httpstatus_list": [304]},
                cb_kwargs={"feed_url": url, "state": state},
            )

    def parse_feed(self, response: Response, feed_url: str, state: dict) -> Iterator[Any]:
        if response.status == 304:
            self.crawler.stats.inc_value("schildwacht/not_modified")
            return
        parsed = feedparser.parse(
            response.body,
            response_headers={
                # Scrapy types Headers.get as `bytes | None` even with a default
                "content-type": response.headers.get("Content-Type", b"application/xml").decode("latin-1")  # type: ignore[union-attr]
            },
        )
        if not parsed.entries and (parsed.bozo or not parsed.version):
            why = parsed.get("bozo_exception") or "onbekend formaat"
            yield ParkedItem(
                self.name, f"{response.url}: geen geldige RSS/Atom-feed: {why}", response.body[:PARKED_PAYLOAD_LIMIT]
            )
            return
        page = PageEvidence(response, self.name)
        seen = set(state.get("seen", ()))
        current: list[str] = []
        for index, entry in enumerate(parsed.entries):
            entry_id = entry.get("id") or entry.get("link")
            if not entry_id:
                yield ParkedItem(
                    self.name,
                    f"{response.url}: item zonder id of link",
                    json.dumps(entry, default=str).encode()[:PARKED_PAYLOAD_LIMIT],
                )
                continue
            current.append(entry_id)
            if entry_id not in seen:
                capture = page.post(entry_record(parsed.feed, entry), f"entries/{index}")
                yield self.post(parsed.feed, entry, entry_id, capture, feed_url)
        validators = {"etag": _header(response, b"ETag"), "last_modified": _header(response, b"Last-Modified")}
        yield CursorItem(f"rss:{feed_url}", json.dumps({**validators, "seen": current[-MAX_REMEMBERED_ENTRIES:]}))

    def post(self, feed: Any, entry: Any, entry_id: str, capture: Capture, feed_url: str) -> PostItem:
        site = feed.get("link") or feed_url
        domain = (urlsplit(site).hostname or "onbekend").removeprefix("www.")
        body = entry.get("content", [{}])[0].get("value") if entry.get("content") else entry.get("summary", "")
        text = "\n\n".join(part for part in (entry.get("title", "").strip(), html_to_text(body or "")) if part)
        return PostItem(
            platform="rss",
            post_id=entry_id,
            url=entry.get("link") or entry_id,
            author=Author(id=domain, handle=domain, display_name=feed.get("title") or None, profile_url=site),
            created_at=_moment(entry, capture.captured_at),
            text=text,
            capture=capture,
            collector=self.name,
        )


def _plain(value: Any) -> Any:
    """feedparser's values as JSON: parsed dates (time.struct_time) are left out, their text form stays."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not str(k).endswith("_parsed")}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def entry_record(feed: Any, entry: Any) -> dict[str, Any]:
    """The evidence of one feed item: the item as feedparser read it, with the feed's title and link (who
    published it); the other items of the feed are not part of it."""
    return {"feed": {"title": feed.get("title"), "link": feed.get("link")}, "entry": _plain(entry)}


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
