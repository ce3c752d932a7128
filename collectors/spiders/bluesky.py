"""Bluesky spider: officials' author feeds and the threads under their posts (public AppView), and
searchPosts (needs a session from com.atproto.server.createSession with an app password).

Bluesky feeds run newest first with an opaque cursor towards older posts. The spider therefore walks a
feed down to the stored high-water mark (or the collection window), and only then yields the new posts
oldest first, each followed by its CursorItem: a restart re-walks the feed and continues right after the
last confirmed post, so nothing is published twice and nothing is skipped. Each post keeps its own JSON as
evidence, with the sha256 of the page it came from (collectors/evidence.py), never the page itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import JsonRequest, Response

from collectors.evidence import Capture, PageEvidence
from collectors.items import CursorItem, ParkedItem, PostItem
from collectors.payloads import MalformedPayload, json_body
from collectors.spiders.base import SourceSpider
from schildwacht.contracts import Author

PAGE_LIMIT = 50
MAX_PAGES_PER_FEED = 20
THREAD_DEPTH = 10
WEB = "https://bsky.app"


def _when(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def mark(post: dict) -> str:
    """Sortable position of a post in a feed: indexedAt (normalised UTC) and its at:// URI."""
    return f"{_when(post['indexedAt']).astimezone(UTC).isoformat()}|{post['uri']}"


def rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


class BlueskySpider(SourceSpider):
    """Collects the consenting officials' Bluesky feeds, threads and (with a session) search hits."""

    name = "bluesky"

    async def first_requests(self) -> AsyncIterator[scrapy.Request]:
        self.window_start = datetime.now(UTC) - timedelta(days=self.config.collector_since_days)
        self.officials = self.active_officials()
        for official in self.officials:
            for handle in official.handles.get("bluesky", ()):
                actor = handle.strip().lstrip("@")
                yield self.feed_request(
                    "app.bsky.feed.getAuthorFeed",
                    {"actor": actor},
                    f"bluesky:author:{actor}",
                    kind="author",
                    actor=actor,
                )
        if self.config.collector_bluesky_identifier and self.config.collector_bluesky_app_password:
            yield JsonRequest(
                f"{self.config.collector_bluesky_pds_url.rstrip('/')}/xrpc/com.atproto.server.createSession",
                data={
                    "identifier": self.config.collector_bluesky_identifier,
                    "password": self.config.collector_bluesky_app_password.get_secret_value(),
                },
                callback=self.parse_session,
                errback=self.failed,
                dont_filter=True,
            )

    def xrpc(self, method: str, params: dict[str, str], authorised: bool = False) -> str:
        base = self.config.collector_bluesky_pds_url if authorised else self.config.collector_bluesky_appview_url
        return f"{base.rstrip('/')}/xrpc/{method}?{urlencode(params)}"

    def feed_request(
        self,
        method: str,
        params: dict[str, str],
        key: str,
        kind: str,
        actor: str | None = None,
        token: str | None = None,
        cursor: str | None = None,
        pages: int = 1,
        found: list | None = None,
    ) -> scrapy.Request:
        query = {**params, "limit": str(PAGE_LIMIT), **({"cursor": cursor} if cursor else {})}
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return scrapy.Request(
            self.xrpc(method, query, authorised=bool(token)),
            headers=headers,
            callback=self.parse_feed,
            errback=self.failed,
            dont_filter=True,
            cb_kwargs={
                "method": method,
                "params": params,
                "key": key,
                "kind": kind,
                "actor": actor,
                "token": token,
                "pages": pages,
                "found": found if found is not None else [],
            },
        )

    def parse_session(self, response: Response) -> Iterator[Any]:
        try:
            token = str(json_body(response, dict)["accessJwt"])
        except (MalformedPayload, KeyError) as exc:
            self.logger.error("Bluesky-sessie niet gestart: %s", exc)
            return
        for official in self.officials:
            for query in (official.full_name, *official.handles.get("bluesky", ())):
                q = query.strip().lstrip("@")
                yield self.feed_request(
                    "app.bsky.feed.searchPosts",
                    {"q": q, "sort": "latest"},
                    f"bluesky:search:{q.lower()}",
                    kind="search",
                    token=token,
                )

    def parse_feed(
        self,
        response: Response,
        method: str,
        params: dict[str, str],
        key: str,
        kind: str,
        actor: str | None,
        token: str | None,
        pages: int,
        found: list,
    ) -> Iterator[Any]:
        """Collect one page; at the bottom of the walk, yield the new posts oldest first."""
        try:
            doc = json_body(response, dict)
            entries = (
                doc["posts"]
                if kind == "search"
                else [e.get("post") if isinstance(e, dict) else None for e in doc["feed"]]
            )
            views = doc.get("feed") or [{}] * len(entries)
        except (MalformedPayload, KeyError, TypeError, AttributeError) as exc:
            # Stop without moving the high-water mark: the posts below this page are still unseen.
            yield self.park(response, f"feed onleesbaar: {exc}")
            return
        page = PageEvidence(response, self.name)
        assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
        high_water = self.cursors.get(key) or ""
        bottom = False
        for index, (post, view) in enumerate(zip(entries, views, strict=True)):
            try:
                position, created = mark(post), _when(post["record"]["createdAt"])
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                yield self.park(response, f"post onbruikbaar ({type(exc).__name__}: {exc})", post)
                continue
            if created < self.window_start:
                bottom = True
                continue
            if kind == "author" and view.get("reason"):
                continue  # a repost: someone else's post, seen in their own feed or thread
            if kind == "author" and post.get("author", {}).get("handle") == actor:
                yield scrapy.Request(
                    self.xrpc("app.bsky.feed.getPostThread", {"uri": post["uri"], "depth": str(THREAD_DEPTH)}),
                    callback=self.parse_thread,
                    errback=self.failed,
                    dont_filter=True,
                    cb_kwargs={"root_uri": post["uri"]},
                )
            if position <= high_water:
                bottom = bottom or kind != "author"  # author feeds go on to the window for the threads
                continue
            parent = ((view.get("reply") or {}).get("parent") or {}).get("author", {}).get("handle")
            capture = page.post(post, f"/posts/{index}" if kind == "search" else f"/feed/{index}/post")
            found.append((position, self.post_or_park(response, post, capture, parent)))
        next_cursor = doc.get("cursor")
        if next_cursor and entries and not bottom and pages < MAX_PAGES_PER_FEED:
            yield self.feed_request(method, params, key, kind, actor, token, next_cursor, pages + 1, found)
        else:
            yield from self.flush(key, found)

    def parse_thread(self, response: Response, root_uri: str) -> Iterator[Any]:
        try:
            thread = json_body(response, dict)["thread"]
            if thread.get("$type") != "app.bsky.feed.defs#threadViewPost":
                return  # deleted or blocked root: nothing to collect
        except (MalformedPayload, KeyError, AttributeError) as exc:
            yield self.park(response, f"thread onleesbaar: {exc}")
            return
        key = f"bluesky:thread:{root_uri}"
        assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
        high_water = self.cursors.get(key) or ""
        page = PageEvidence(response, self.name)
        found = []
        for post, parent_handle, position_in_page in _replies(thread, "/thread"):
            try:
                position = mark(post)
            except (KeyError, TypeError, ValueError) as exc:
                yield self.park(response, f"reactie onbruikbaar ({type(exc).__name__}: {exc})", post)
                continue
            if position > high_water:
                capture = page.post(post, position_in_page)
                found.append((position, self.post_or_park(response, post, capture, parent_handle)))
        yield from self.flush(key, found)

    def flush(self, key: str, found: list) -> Iterator[Any]:
        """New posts oldest first, each followed by the cursor that marks it done."""
        for position, item in sorted(found, key=lambda pair: pair[0]):
            yield item
            yield CursorItem(key, position)

    def post_or_park(
        self, response: Response, post: dict, capture: Capture, parent_handle: str | None
    ) -> PostItem | ParkedItem:
        try:
            record, author = post["record"], post["author"]
            reply = record.get("reply") or {}
            handle = str(author["handle"])
            return PostItem(
                platform="bluesky",
                post_id=rkey(post["uri"]),
                url=f"{WEB}/profile/{handle}/post/{rkey(post['uri'])}",
                author=Author(
                    id=str(author["did"]),
                    handle=handle,
                    display_name=author.get("displayName") or None,
                    profile_url=f"{WEB}/profile/{handle}",
                ),
                created_at=_when(record["createdAt"]),
                text=str(record["text"]),
                capture=capture,
                collector=self.name,
                in_reply_to_id=rkey(reply["parent"]["uri"]) if reply.get("parent") else None,
                in_reply_to_author=parent_handle,
                thread_id=rkey(reply["root"]["uri"]) if reply.get("root") else rkey(post["uri"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return self.park(response, f"post onbruikbaar ({type(exc).__name__}: {exc})", post)

    def entity_uid(self, entity: Any) -> str | None:
        return f"bluesky:{rkey(entity['uri'])}" if isinstance(entity, dict) and entity.get("uri") else None


def _replies(node: dict, pointer: str) -> Iterator[tuple[Any, str | None, str]]:
    """Every reply below a thread node at JSON pointer `pointer`: the post, the handle of the post it answers, and
    the JSON pointer of the post in the page."""
    own = ((node.get("post") or {}).get("author") or {}).get("handle")
    for index, child in enumerate(node.get("replies") or ()):
        if isinstance(child, dict) and child.get("$type") == "app.bsky.feed.defs#threadViewPost":
            yield child.get("post"), own, f"{pointer}/replies/{index}/post"
            yield from _replies(child, f"{pointer}/replies/{index}")
