"""Mastodon spider: consenting officials' public statuses, the replies to them, and hashtag timelines.

Feeds are paged forward in time with `min_id` (each page's newest id is the next page's min_id, as in the
Link header's rel="prev"), so a stored cursor (last confirmed status id) resumes exactly: nothing twice,
nothing skipped. An official's statuses in the collection window are listed on every run to look for new
replies via /api/v1/statuses/:id/context; each thread keeps its own cursor (newest confirmed reply id).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from collectors.evidence import Capture, capture_response
from collectors.failures import download_failed
from collectors.htmltext import html_to_text
from collectors.items import PARKED_PAYLOAD_LIMIT, CursorItem, ParkedItem, PostItem
from collectors.payloads import MalformedPayload, json_body
from collectors.registry import Registry
from collectors.state import CursorStore
from schildwacht.config import Settings
from schildwacht.contracts import Author

PAGE_LIMIT = 40
MAX_PAGES_PER_FEED = 50
def snowflake_at(moment: datetime) -> int:
    """The smallest Mastodon status id for statuses created at `moment` (ids are ms timestamps << 16)."""
    return int(moment.timestamp() * 1000) << 16


def _handle(account: dict, instance: str) -> str:
    acct = str(account["acct"])
    return f"@{acct}" if "@" in acct else f"@{acct}@{instance}"


class MastodonSpider(scrapy.Spider):
    """Collects from the Mastodon instances of the officials' registered handles."""

    name = "mastodon"
    cursors: CursorStore | None = None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.config: Settings = self.settings["SCHILDWACHT_SETTINGS"]
        self.cursors = CursorStore.for_settings(self.config)
        self.window_start = snowflake_at(datetime.now(timezone.utc) - timedelta(days=self.config.collector_since_days))
        registry = Registry(self.config)
        try:
            officials = registry.officials()
        finally:
            registry.close()
        for official in officials:
            for handle in official.handles.get("mastodon", ()):
                username, _, instance = handle.strip().lstrip("@").partition("@")
                if not username or not instance:
                    self.logger.warning("Mastodon-handle zonder server overgeslagen: %s", handle)
                    continue
                url = f"{self.base(instance)}/api/v1/accounts/lookup?{urlencode({'acct': username})}"
                yield scrapy.Request(url, callback=self.parse_account, errback=self.failed,
                                     cb_kwargs={"instance": instance})
        for entry in self.config.collector_mastodon_hashtags:
            tag, _, instance = entry.lstrip("#").partition("@")
            key = f"mastodon:{instance}:tag:{tag.lower()}"
            yield self.page_request(instance, f"/api/v1/timelines/tag/{quote(tag)}", key,
                                    self.cursor(key, self.window_start), pages=1, list_from=None)

    def base(self, instance: str) -> str:
        return self.config.collector_mastodon_instances.get(instance, f"https://{instance}").rstrip("/")

    def cursor(self, key: str, default: int) -> int:
        stored = self.cursors.get(key)
        return int(stored) if stored else default

    def page_request(self, instance: str, path: str, key: str, min_id: int, pages: int,
                     list_from: int | None) -> scrapy.Request:
        """One page of a feed, oldest part first; `list_from` set means: list from there, publish after cursor."""
        query = urlencode({"min_id": str(min_id), "limit": str(PAGE_LIMIT)})
        return scrapy.Request(f"{self.base(instance)}{path}?{query}", callback=self.parse_page, errback=self.failed,
                              dont_filter=True, cb_kwargs={"instance": instance, "path": path, "key": key,
                                                           "pages": pages, "list_from": list_from})

    def parse_account(self, response: Response, instance: str) -> Iterator[Any]:
        try:
            account = json_body(response, dict)
            account_id = str(account["id"])
        except (MalformedPayload, KeyError) as exc:
            yield self.park(response, f"accountgegevens onleesbaar: {exc}")
            return
        key = f"mastodon:{instance}:account:{account_id}"
        # List the whole window (to revisit threads for new replies); publish only after the cursor.
        yield self.page_request(instance, f"/api/v1/accounts/{account_id}/statuses", key,
                                self.window_start, pages=1, list_from=self.cursor(key, self.window_start))

    def parse_page(self, response: Response, instance: str, path: str, key: str, pages: int,
                   list_from: int | None) -> Iterator[Any]:
        try:
            statuses = json_body(response, list)
        except MalformedPayload as exc:
            yield self.park(response, str(exc))
            return
        capture = capture_response(response, self.name)
        publish_after = list_from if list_from is not None else 0
        newest = 0
        for status in sorted(statuses, key=_status_id):
            status_id = _status_id(status)
            newest = max(newest, status_id)
            if status_id <= 0:
                yield self.park(response, "status zonder geldig id", status)
                continue
            if status.get("reblog"):
                continue
            if status_id > publish_after:
                yield self.post_or_park(response, status, capture, instance, {})
            if list_from is not None:
                url = f"{self.base(instance)}/api/v1/statuses/{status_id}/context"
                yield scrapy.Request(url, callback=self.parse_context, errback=self.failed,
                                     cb_kwargs={"instance": instance, "root": status})
        if newest > publish_after:
            yield CursorItem(key, str(newest))
        if statuses and newest > 0 and pages < MAX_PAGES_PER_FEED:
            yield self.page_request(instance, path, key, newest, pages + 1, list_from)

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
        authors = {str(s.get("account", {}).get("id")): _handle(s["account"], instance)
                   for s in thread if isinstance(s, dict) and isinstance(s.get("account"), dict)
                   and "acct" in s["account"]}
        thread_id = str(ancestors[0].get("id")) if ancestors and isinstance(ancestors[0], dict) else str(root_id)
        capture = capture_response(response, self.name)
        newest = after
        for status in sorted((s for s in descendants if isinstance(s, dict)), key=_status_id):
            status_id = _status_id(status)
            if status_id <= after:
                continue
            newest = max(newest, status_id)
            yield self.post_or_park(response, status, capture, instance, authors, thread_id)
        if newest > after:
            yield CursorItem(key, str(newest))

    def post_or_park(self, response: Response, status: dict, capture: Capture, instance: str,
                     authors: dict[str, str], thread_id: str | None = None) -> PostItem | ParkedItem:
        """A PostItem for one status entity, or a ParkedItem saying which field was unusable."""
        try:
            account = status["account"]
            reply_account = status.get("in_reply_to_account_id")
            return PostItem(
                platform="mastodon", post_id=str(status["id"]), url=str(status.get("url") or status["uri"]),
                author=Author(id=str(account["id"]), handle=_handle(account, instance),
                              display_name=account.get("display_name") or None, profile_url=account.get("url")),
                created_at=datetime.fromisoformat(str(status["created_at"]).replace("Z", "+00:00")),
                text=html_to_text(str(status["content"])), capture=capture, collector=self.name,
                in_reply_to_id=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
                in_reply_to_author=authors.get(str(reply_account)) if reply_account else None,
                thread_id=thread_id)
        except (KeyError, TypeError, ValueError) as exc:
            return self.park(response, f"status onbruikbaar ({type(exc).__name__}: {exc})", status)

    def park(self, response: Response, reason: str, entity: Any = None) -> ParkedItem:
        payload = json.dumps(entity).encode() if entity is not None else response.body[:PARKED_PAYLOAD_LIMIT]
        uid = f"mastodon:{entity['id']}" if isinstance(entity, dict) and entity.get("id") else None
        return ParkedItem(self.name, f"{response.url}: {reason}", payload, uid)

    def closed(self, reason: str) -> None:
        if self.cursors is not None:
            self.cursors.close()

    def failed(self, failure: Failure) -> Iterator[ParkedItem]:
        """Errors after retries are logged and counted (the cursor stays put); oversized or truncated
        answers are also parked, since retrying will not make them readable."""
        yield from download_failed(self, failure)


def _status_id(status: Any) -> int:
    try:
        return int(status["id"])
    except (KeyError, TypeError, ValueError):
        return 0
