"""Mastodon spider: consenting officials' public statuses, the replies to them, hashtag timelines, local
public timelines, full-text search for the officials and (bounded) the local streaming timeline.

Feeds are paged forward in time with `min_id` (each page's newest id is the next page's min_id, as in the
Link header's rel="prev"), so a stored cursor (last confirmed status id) resumes exactly: nothing twice,
nothing skipped. An official's statuses in the collection window are listed on every run to look for new
replies via /api/v1/statuses/:id/context; each thread keeps its own cursor (newest confirmed reply id).

Search (/api/v2/search, per server and query) does not page like a timeline (an index answers newest
first), so it is walked down with max_id (below the oldest hit so far, above the cursor) until a page brings
nothing older, and only then published oldest first followed by its cursor; a server without (public)
search answers 4xx or nothing, which is logged and skipped. The streaming endpoint is read for at most
`collector_mastodon_stream_seconds`; every server-sent event's bytes are its raw evidence. Deleted
statuses are only logged: evidence is never removed here.

Evidence is per post (collectors/evidence.py): a status taken from a timeline, search or context page keeps its
own JSON and the page's sha256, never the page with other people's statuses; a streamed event is its own bytes.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.http import Response

from collectors.evidence import Capture, PageEvidence, capture_response
from collectors.htmltext import html_to_text
from collectors.items import PARKED_PAYLOAD_LIMIT, CursorItem, ParkedItem, PostItem
from collectors.payloads import MalformedPayload, json_body
from collectors.spiders.base import SourceSpider
from schildwacht.contracts import Author

PAGE_LIMIT = 40
MAX_PAGES_PER_FEED = 50
STREAM_PATH = "/api/v1/streaming/public/local"
# A quiet stream only notices its time is up when bytes arrive (Mastodon sends a heartbeat every ~15 s);
# past this grace the download times out (logged and counted as an HTTP error).
STREAM_GRACE_SECONDS = 60.0
# 4xx answers to a search are "not supported here" (logged, skipped); 429 stays with RetryAfterMiddleware.
SEARCH_SKIP_STATUSES = [code for code in range(400, 500) if code not in (408, 429)]
_SSE_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_SSE_LINE_END = re.compile(r"\r\n|\r|\n")


def snowflake_at(moment: datetime) -> int:
    """The smallest Mastodon status id for statuses created at `moment` (ids are ms timestamps << 16)."""
    return int(moment.timestamp() * 1000) << 16


def _handle(account: dict, instance: str) -> str:
    acct = str(account["acct"])
    return f"@{acct}" if "@" in acct else f"@{acct}@{instance}"


class MastodonSpider(SourceSpider):
    """Collects from the Mastodon instances of the officials' registered handles."""

    name = "mastodon"

    async def first_requests(self) -> AsyncIterator[scrapy.Request]:
        self.window_start = snowflake_at(datetime.now(UTC) - timedelta(days=self.config.collector_since_days))
        officials = self.active_officials()
        for official in officials:
            for handle in official.handles.get("mastodon", ()):
                username, _, instance = handle.strip().lstrip("@").partition("@")
                if not username or not instance:
                    self.logger.warning("Mastodon-handle zonder server overgeslagen: %s", handle)
                    continue
                url = f"{self.base(instance)}/api/v1/accounts/lookup?{urlencode({'acct': username})}"
                yield scrapy.Request(
                    url, callback=self.parse_account, errback=self.failed, cb_kwargs={"instance": instance}
                )
        for entry in self.config.collector_mastodon_hashtags:
            tag, _, instance = entry.lstrip("#").partition("@")
            key = f"mastodon:{instance}:tag:{tag.lower()}"
            yield self.page_request(
                instance,
                f"/api/v1/timelines/tag/{quote(tag)}",
                key,
                self.cursor(key, self.window_start),
                pages=1,
                list_from=None,
            )
        for instance in _servers(self.config.collector_mastodon_public_timelines):
            key = f"mastodon:{instance}:public:local"
            yield self.page_request(
                instance,
                "/api/v1/timelines/public",
                key,
                self.cursor(key, self.window_start),
                pages=1,
                list_from=None,
                params={"local": "true"},
            )
        queries = search_queries(officials)
        for instance in _servers(self.config.collector_mastodon_search_instances):
            for query in queries:
                key = f"mastodon:{instance}:search:{query.lower()}"
                yield self.search_request(instance, query, key, self.cursor(key, self.window_start))
        if self.config.collector_mastodon_stream_seconds > 0:
            self.crawler.signals.connect(self._stream_headers, signal=signals.headers_received)
            self.crawler.signals.connect(self._stream_bytes, signal=signals.bytes_received)
            for instance in _servers(self.config.collector_mastodon_public_timelines):
                yield self.stream_request(instance)

    def base(self, instance: str) -> str:
        return self.config.collector_mastodon_instances.get(instance, f"https://{instance}").rstrip("/")

    def cursor(self, key: str, default: int) -> int:
        assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
        stored = self.cursors.get(key)
        return int(stored) if stored else default

    def page_request(
        self,
        instance: str,
        path: str,
        key: str,
        min_id: int,
        pages: int,
        list_from: int | None,
        params: dict[str, str] | None = None,
    ) -> scrapy.Request:
        """One page of a feed, oldest part first; `list_from` set means: list from there, publish after cursor."""
        query = urlencode({**(params or {}), "min_id": str(min_id), "limit": str(PAGE_LIMIT)})
        return scrapy.Request(
            f"{self.base(instance)}{path}?{query}",
            callback=self.parse_page,
            errback=self.failed,
            dont_filter=True,
            cb_kwargs={
                "instance": instance,
                "path": path,
                "key": key,
                "pages": pages,
                "list_from": list_from,
                "params": params,
            },
        )

    def search_request(
        self,
        instance: str,
        query: str,
        key: str,
        after: int,
        below: int | None = None,
        pages: int = 1,
        held: list | None = None,
    ) -> scrapy.Request:
        """One page of /api/v2/search for statuses newer than `after` (and older than `below`)."""
        params = {"q": query, "type": "statuses", "resolve": "false", "min_id": str(after), "limit": str(PAGE_LIMIT)}
        if below is not None:
            params["max_id"] = str(below)
        return scrapy.Request(
            f"{self.base(instance)}/api/v2/search?{urlencode(params)}",
            callback=self.parse_search,
            errback=self.failed,
            dont_filter=True,
            meta={"handle_httpstatus_list": SEARCH_SKIP_STATUSES},
            cb_kwargs={
                "instance": instance,
                "query": query,
                "key": key,
                "after": after,
                "below": below,
                "pages": pages,
                "held": held or [],
            },
        )

    def stream_request(self, instance: str) -> scrapy.Request:
        """The local public stream, read for a bounded time (see _stream_bytes) and parsed as SSE."""
        seconds = self.config.collector_mastodon_stream_seconds
        return scrapy.Request(
            f"{self.base(instance)}{STREAM_PATH}",
            callback=self.parse_stream,
            errback=self.failed,
            dont_filter=True,
            headers={"Accept": "text/event-stream"},
            meta={
                "schildwacht_stream": seconds,
                "download_timeout": seconds + STREAM_GRACE_SECONDS,
                "download_maxsize": 2 * self.config.collector_max_bytes,
            },
            cb_kwargs={"instance": instance},
        )

    def _stream_headers(self, headers, body_length, request: scrapy.Request, spider) -> None:
        if "schildwacht_stream" in request.meta:
            request.meta["schildwacht_stream_started"] = time.monotonic()

    def _stream_bytes(self, data: bytes, request: scrapy.Request, spider) -> None:
        """Ends a stream download (keeping what arrived) once its time or byte budget is spent."""
        meta = request.meta
        if "schildwacht_stream" not in meta:
            return
        started = meta.setdefault("schildwacht_stream_started", time.monotonic())
        meta["schildwacht_stream_bytes"] = meta.get("schildwacht_stream_bytes", 0) + len(data)
        if (
            time.monotonic() - started >= meta["schildwacht_stream"]
            or meta["schildwacht_stream_bytes"] >= self.config.collector_max_bytes
        ):
            raise StopDownload(fail=False)

    def parse_account(self, response: Response, instance: str) -> Iterator[Any]:
        try:
            account = json_body(response, dict)
            account_id = str(account["id"])
        except (MalformedPayload, KeyError) as exc:
            yield self.park(response, f"accountgegevens onleesbaar: {exc}")
            return
        key = f"mastodon:{instance}:account:{account_id}"
        # List the whole window (to revisit threads for new replies); publish only after the cursor.
        yield self.page_request(
            instance,
            f"/api/v1/accounts/{account_id}/statuses",
            key,
            self.window_start,
            pages=1,
            list_from=self.cursor(key, self.window_start),
        )

    def parse_page(
        self,
        response: Response,
        instance: str,
        path: str,
        key: str,
        pages: int,
        list_from: int | None,
        params: dict[str, str] | None = None,
    ) -> Iterator[Any]:
        try:
            statuses = json_body(response, list)
        except MalformedPayload as exc:
            yield self.park(response, str(exc))
            return
        page = PageEvidence(response, self.name)
        publish_after = list_from if list_from is not None else 0
        newest = 0
        for index, status in sorted(enumerate(statuses), key=lambda pair: _status_id(pair[1])):
            status_id = _status_id(status)
            newest = max(newest, status_id)
            if status_id <= 0:
                yield self.park(response, "status zonder geldig id", status)
                continue
            if status.get("reblog"):
                continue
            if status_id > publish_after:
                yield self.post_or_park(response, status, page.post(status, f"/{index}"), instance, {})
            if list_from is not None:
                url = f"{self.base(instance)}/api/v1/statuses/{status_id}/context"
                yield scrapy.Request(
                    url,
                    callback=self.parse_context,
                    errback=self.failed,
                    cb_kwargs={"instance": instance, "root": status},
                )
        if newest > publish_after:
            yield CursorItem(key, str(newest))
        if statuses and newest > 0 and pages < MAX_PAGES_PER_FEED:
            yield self.page_request(instance, path, key, newest, pages + 1, list_from, params)

    def parse_search(
        self,
        response: Response,
        instance: str,
        query: str,
        key: str,
        after: int,
        below: int | None,
        pages: int,
        held: list,
    ) -> Iterator[Any]:
        """Collect hits newer than the cursor, walking down with max_id until a page brings nothing older;
        then publish them oldest first, followed by the cursor. Works whichever end of the range a server
        answers first (timelines: right after min_id; search indexes: newest first)."""
        if response.status >= 400:
            self.crawler.stats.inc_value("schildwacht/search_skipped")
            self.logger.warning(
                "zoeken niet beschikbaar op %s (HTTP %d) voor %r: overgeslagen", instance, response.status, query
            )
            return
        try:
            doc = json_body(response, dict)
            statuses = doc.get("statuses", [])
            if not isinstance(statuses, list):
                raise MalformedPayload("'statuses' is geen lijst")
        except MalformedPayload as exc:
            yield self.park(response, str(exc))
            return
        if not statuses and pages == 1:
            self.crawler.stats.inc_value("schildwacht/search_empty")
            self.logger.info("zoeken op %s naar %r: geen (nieuwe) resultaten", instance, query)
            return
        page = PageEvidence(response, self.name)
        held = list(held)
        oldest = None
        for index, found in enumerate(statuses):
            status_id = _status_id(found)
            if status_id <= 0:
                held.append((0, self.park(response, "status zonder geldig id", found)))
                continue
            oldest = status_id if oldest is None else min(oldest, status_id)
            if status_id <= after or found.get("reblog"):
                continue
            capture = page.post(found, f"/statuses/{index}")
            held.append((status_id, self.post_or_park(response, found, capture, instance, {})))
        if oldest is not None and oldest > after + 1 and (below is None or oldest < below):
            if pages < MAX_PAGES_PER_FEED:
                yield self.search_request(instance, query, key, after, oldest, pages + 1, held)
                return
            self.logger.warning(
                "zoeken op %s naar %r: na %d pagina's gestopt; oudere treffers kunnen ontbreken", instance, query, pages
            )
        newest = after
        seen: set[int] = set()
        for status_id, item in sorted(held, key=lambda pair: pair[0]):
            if status_id and status_id in seen:
                continue
            seen.add(status_id)
            newest = max(newest, status_id)
            yield item
        if newest > after:
            yield CursorItem(key, str(newest))

    def parse_stream(self, response: Response, instance: str) -> Iterator[Any]:
        """Server-sent events: `update` → the status as usual, `delete` → logged; each event is its own evidence."""
        body = response.body
        start = 0
        for index, end in enumerate(_SSE_EVENT_END.finditer(body)):
            raw = body[start : end.end()]
            offset, start = start, end.end()
            yield from self.stream_event(response, instance, raw, offset, index)
        if body[start:].strip():
            self.logger.info(
                "stream %s: laatste (onvolledige) gebeurtenis na afkappen genegeerd (%d bytes)",
                response.url,
                len(body) - start,
            )

    def stream_event(self, response: Response, instance: str, raw: bytes, offset: int, index: int) -> Iterator[Any]:
        try:
            event, data = parse_sse(raw)
        except UnicodeDecodeError as exc:
            yield self.park_raw(response, f"stream-gebeurtenis op byte {offset}: ongeldige UTF-8 ({exc.start})", raw)
            return
        if event is None:  # a comment or heartbeat
            return
        if event == "delete":
            self.crawler.stats.inc_value("schildwacht/stream_deleted")
            self.logger.info(
                "stream %s: status %s is op de server verwijderd (bewijs blijft bewaard)", instance, data.strip()
            )
            return
        if event != "update":
            self.logger.debug("stream %s: gebeurtenis %r genegeerd", instance, event)
            return
        try:
            found = json.loads(data)
            if not isinstance(found, dict):
                raise TypeError("verwacht een JSON-object")
        except (TypeError, ValueError, RecursionError) as exc:
            yield self.park_raw(
                response, f"stream-gebeurtenis 'update' op byte {offset}: geen geldige JSON: {exc}", raw
            )
            return
        if _status_id(found) <= 0:
            yield self.park_raw(response, f"stream-gebeurtenis op byte {offset}: status zonder geldig id", raw)
            return
        if found.get("reblog"):
            return
        capture = capture_response(
            response,
            self.name,
            body=raw,
            annotations={
                "Schildwacht-SSE-Offset": str(offset),
                "Schildwacht-SSE-Index": str(index),
                "Schildwacht-SSE-Event": event,
            },
        )
        item = self.post_or_park(response, found, capture, instance, {})
        if isinstance(item, ParkedItem):
            item.payload = raw[:PARKED_PAYLOAD_LIMIT]
        yield item

    def parse_context(self, response: Response, instance: str, root: dict) -> Iterator[Any]:
        try:
            context = json_body(response, dict)
            ancestors, descendants = list(context["ancestors"]), list(context["descendants"])
        except (MalformedPayload, KeyError, TypeError) as exc:
            yield self.park(response, f"context onleesbaar: {exc}")
            return
        root_id = _status_id(root)
        key = f"mastodon:{instance}:thread:{root_id}"
        after = self.cursor(key, 0)
        thread = [root, *ancestors, *descendants]
        authors = {
            str(s.get("account", {}).get("id")): _handle(s["account"], instance)
            for s in thread
            if isinstance(s, dict) and isinstance(s.get("account"), dict) and "acct" in s["account"]
        }
        thread_id = str(ancestors[0].get("id")) if ancestors and isinstance(ancestors[0], dict) else str(root_id)
        page = PageEvidence(response, self.name)
        newest = after
        replies = [(index, s) for index, s in enumerate(descendants) if isinstance(s, dict)]
        for index, status in sorted(replies, key=lambda pair: _status_id(pair[1])):
            status_id = _status_id(status)
            if status_id <= after:
                continue
            newest = max(newest, status_id)
            capture = page.post(status, f"/descendants/{index}")
            yield self.post_or_park(response, status, capture, instance, authors, thread_id)
        if newest > after:
            yield CursorItem(key, str(newest))

    def post_or_park(
        self,
        response: Response,
        status: dict,
        capture: Capture,
        instance: str,
        authors: dict[str, str],
        thread_id: str | None = None,
    ) -> PostItem | ParkedItem:
        """A PostItem for one status entity, or a ParkedItem saying which field was unusable."""
        try:
            account = status["account"]
            reply_account = status.get("in_reply_to_account_id")
            return PostItem(
                platform="mastodon",
                post_id=str(status["id"]),
                url=str(status.get("url") or status["uri"]),
                author=Author(
                    id=str(account["id"]),
                    handle=_handle(account, instance),
                    display_name=account.get("display_name") or None,
                    profile_url=account.get("url"),
                ),
                created_at=datetime.fromisoformat(str(status["created_at"]).replace("Z", "+00:00")),
                text=html_to_text(str(status["content"])),
                capture=capture,
                collector=self.name,
                in_reply_to_id=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
                in_reply_to_author=authors.get(str(reply_account)) if reply_account else None,
                thread_id=thread_id,
            )
        except (KeyError, TypeError, ValueError) as exc:
            return self.park(response, f"status onbruikbaar ({type(exc).__name__}: {exc})", status)

    def entity_uid(self, entity: Any) -> str | None:
        return f"mastodon:{entity['id']}" if isinstance(entity, dict) and entity.get("id") else None

    def park_raw(self, response: Response, reason: str, raw: bytes) -> ParkedItem:
        return ParkedItem(self.name, f"{response.url}: {reason}", raw[:PARKED_PAYLOAD_LIMIT])


def _servers(entries: list[str]) -> list[str]:
    return list(dict.fromkeys(e.strip().lstrip("@").lower() for e in entries if e.strip()))


def search_queries(officials) -> list[str]:
    """Per active official: the Mastodon handles and the full name (as an exact phrase), without repeats."""
    queries: dict[str, None] = {}
    for official in officials:
        for handle in official.handles.get("mastodon", ()):
            handle = handle.strip()
            if handle.lstrip("@"):
                queries["@" + handle.lstrip("@")] = None
        name = " ".join(official.full_name.split())
        if name:
            queries[f'"{name}"' if " " in name else name] = None
    return list(queries)


def parse_sse(raw: bytes) -> tuple[str | None, str]:
    """(event type, data) of one server-sent event; (None, "") for comments only (heartbeats)."""
    event, data, fields = "message", [], False
    for line in _SSE_LINE_END.split(raw.decode("utf-8")):  # not str.splitlines: U+2028 may occur in JSON
        if not line or line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        fields = True
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    return (event if fields else None), "\n".join(data)


def _status_id(status: Any) -> int:
    try:
        return int(status["id"])
    except (KeyError, TypeError, ValueError):
        return 0
