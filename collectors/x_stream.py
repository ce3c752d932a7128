"""The X filtered stream for the x spider: one rule per active official, kept in step with the registry, and the
stream read for a bounded time per round, reconnecting with back-off.

Invariants: only rules tagged `schildwacht:<official id>` are ever deleted or added (other rules on the same app are
left alone); after the rule sync, exactly the active officials have a rule, each with their current mention query;
every post on the stream counts against the monthly cap and keeps its own line of the stream as raw evidence (WARC
headers give its byte offset and index in the connection); a line that is not JSON is parked with its bytes; a
connection that ends early or fails is opened again after a back-off (1 s doubling for a closed connection, 5 s
doubling for an HTTP error, 60 s doubling for a 429), but never past the round's time budget.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import scrapy
from scrapy.exceptions import StopDownload
from scrapy.http import JsonRequest, Response
from twisted.python.failure import Failure

from collectors.evidence import capture_response
from collectors.items import PARKED_PAYLOAD_LIMIT, ParkedItem
from collectors.registry import OfficialEntry
from collectors.x_ratelimit import WAIT_META

if TYPE_CHECKING:
    from collectors.spiders.x import XSpider

STREAM_PATH = "/2/tweets/search/stream"
RULES_PATH = "/2/tweets/search/stream/rules"
RULE_TAG = "schildwacht:"
GRACE_SECONDS = 30.0  # a quiet stream notices its time is up at the next keep-alive (X sends one every 20 s)
_LINE_END = re.compile(rb"\r\n|\n")


def rule_changes(current: list[dict[str, Any]], wanted: dict[str, str]) -> tuple[list[str], list[dict[str, str]]]:
    """(ids to delete, rules to add) so that our rules (tag prefix RULE_TAG) become exactly `wanted` (tag -> value)."""
    ours = [r for r in current if isinstance(r, dict) and str(r.get("tag", "")).startswith(RULE_TAG)]
    delete = [str(r["id"]) for r in ours if wanted.get(str(r["tag"])) != r.get("value")]
    kept = {(str(r["tag"]), r.get("value")) for r in ours}
    add = [{"value": value, "tag": tag} for tag, value in wanted.items() if (tag, value) not in kept]
    return delete, add


class FilteredStream:
    """The stream part of an XSpider (its config, token, allowance and posts); its methods are that spider's
    callbacks for the stream's requests."""

    def __init__(self, spider: XSpider) -> None:
        self.spider = spider
        self.stream_until = 0.0
        self.stream_backoff = 0.0
        self.wanted_rules: dict[str, str] = {}

    def start(self, officials: list[OfficialEntry], queries: dict[str, str]) -> scrapy.Request:
        """Start the round: read our rules (the sync and the stream follow from the answer)."""
        self.stream_until = time.monotonic() + self.spider.config.collector_x_stream_seconds
        self.stream_backoff = 0.0
        self.wanted_rules = {f"{RULE_TAG}{official.id}": queries[official.id] for official in officials}
        return scrapy.Request(
            self.x_url(RULES_PATH),
            headers=self.auth(),
            callback=self.parse_rules,
            errback=self.spider.failed,
            dont_filter=True,
            meta={"handle_httpstatus_list": [401, 403], "dont_redirect": True},
        )

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.spider.token}"}

    def x_url(self, path: str, params: dict[str, str] | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.spider.config.collector_x_api_url.rstrip('/')}{path}{query}"

    def parse_rules(self, response: Response) -> Iterator[Any]:
        if response.status == 401:
            self.spider.refused(response)
            return
        if response.status == 403:
            self.spider.logger.warning(
                "X: gefilterde stream niet beschikbaar in dit abonnement (HTTP 403); alleen zoeken"
            )
            return
        try:
            current = json.loads(response.body).get("data") or []
            delete, add = rule_changes(current, self.wanted_rules)
        except (ValueError, AttributeError, KeyError, TypeError) as exc:
            yield self.spider.park(response, f"stream-regels onleesbaar: {exc}")
            return
        for body in ({"delete": {"ids": delete}} if delete else None, {"add": add} if add else None):
            if body is not None:
                yield JsonRequest(
                    self.x_url(RULES_PATH),
                    data=body,
                    headers=self.auth(),
                    callback=self.rules_changed,
                    errback=self.spider.failed,
                    dont_filter=True,
                    meta={"dont_redirect": True},
                )
        self.spider.crawler.stats.set_value("schildwacht/stream_rules", len(self.wanted_rules))
        yield self.stream_request()

    def rules_changed(self, response: Response) -> None:
        summary = (json.loads(response.body).get("meta") or {}).get("summary")
        self.spider.logger.info("X: stream-regels bijgewerkt: %s", summary)

    def stream_request(self) -> scrapy.Request:
        """One connection to the stream, read until the round's time is up (see `stream_bytes`)."""
        left = max(0.0, self.stream_until - time.monotonic())
        from collectors.spiders.x import EXPANSIONS, TWEET_FIELDS

        params = {"tweet.fields": TWEET_FIELDS, "expansions": EXPANSIONS, "user.fields": "username,name"}
        return scrapy.Request(
            self.x_url(STREAM_PATH, params),
            headers=self.auth(),
            callback=self.parse_stream,
            errback=self.stream_failed,
            dont_filter=True,
            meta={
                "x_stream": True,
                WAIT_META: self.stream_backoff,
                "download_timeout": left + self.stream_backoff + GRACE_SECONDS,
                "download_maxsize": 2 * self.spider.config.collector_max_bytes,
                "handle_httpstatus_list": [401, 403, 429, 500, 502, 503, 504],
                "dont_retry": True,
                "dont_redirect": True,
            },
        )

    def bytes_received(self, data: bytes, request: scrapy.Request, spider: Any) -> None:
        """Ends a stream download (keeping what arrived) once the round's time or byte budget is spent."""
        meta = request.meta
        if "x_stream" not in meta:
            return
        meta["x_stream_bytes"] = meta.get("x_stream_bytes", 0) + len(data)
        if time.monotonic() >= self.stream_until or meta["x_stream_bytes"] >= self.spider.config.collector_max_bytes:
            raise StopDownload(fail=False)

    def parse_stream(self, response: Response) -> Iterator[Any]:
        if response.status == 401:
            self.spider.refused(response)
            return
        if response.status == 403:
            self.spider.logger.warning("X: gefilterde stream geweigerd (HTTP 403); alleen zoeken")
            return
        delivered = False
        if response.status < 400:
            body, start = response.body, 0
            for index, end in enumerate(_LINE_END.finditer(body)):
                raw, offset, start = body[start : end.end()], start, end.end()
                if raw.strip():
                    delivered = True
                    yield from self.stream_line(response, raw, offset, index)
        yield from self.reconnect(response.status, delivered)

    def stream_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self.spider.failed(failure)
        yield from self.reconnect(0, delivered=False)

    def reconnect(self, status: int, delivered: bool) -> Iterator[Any]:
        """Open the stream again after the back-off, while the round has time left and nothing halted collection."""
        if delivered:
            self.stream_backoff = 0.0
        if status == 429:
            self.stream_backoff = max(60.0, 2 * self.stream_backoff)
        elif status >= 400 or status == 0:
            self.stream_backoff = max(5.0, 2 * self.stream_backoff)
        else:
            self.stream_backoff = min(max(1.0, 2 * self.stream_backoff), 16.0)
        if self.spider.halted or time.monotonic() + self.stream_backoff >= self.stream_until:
            return
        self.spider.crawler.stats.inc_value("schildwacht/stream_reconnects")
        self.spider.logger.info("X: stream opnieuw verbinden over %.0f s", self.stream_backoff)
        yield self.stream_request()

    def stream_line(self, response: Response, raw: bytes, offset: int, index: int) -> Iterator[Any]:
        """One line of the stream: a post (with its matched rules), a system message, or unreadable (parked)."""
        assert self.spider.allowance is not None  # set in first_requests before any request
        try:
            event = json.loads(raw)
            if not isinstance(event, dict):
                raise TypeError("verwacht een JSON-object")
        except (TypeError, ValueError, RecursionError) as exc:
            reason = f"{response.url}: stream-regel op byte {offset} onleesbaar: {exc}"
            yield ParkedItem(self.spider.name, reason, raw[:PARKED_PAYLOAD_LIMIT])
            return
        if "data" not in event:
            self.spider.logger.warning("X: stream-bericht zonder post: %s", str(event.get("errors"))[:300])
            return
        self.spider.allowance.spend(1)
        users = {str(u.get("id")): u for u in (event.get("includes") or {}).get("users", []) if isinstance(u, dict)}
        capture = capture_response(
            response,
            self.spider.name,
            body=raw,
            annotations={"Schildwacht-Stream-Offset": str(offset), "Schildwacht-Stream-Index": str(index)},
        )
        item = self.spider.post_or_park(response, event["data"], users, capture)
        if isinstance(item, ParkedItem):
            item.payload = raw[:PARKED_PAYLOAD_LIMIT]
        self.spider.crawler.stats.inc_value("schildwacht/stream_posts")
        yield item
