"""Meta spider: comments and replies under the posts of the Facebook pages and the media of the Instagram
professional accounts that consenting officials connected (schildwacht/models/meta.py), read with each page's own
access token from the Graph API (`meta_graph_url`; tests and the demo use a local fake).

Facebook: `/{page-id}/posts` in the collection window, then per post `/{post-id}/comments?filter=stream&
order=chronological` (replies flattened, with `parent`). Each post's comments are paged forward with
`paging.cursors.after`, and the cursor of a page is stored after its comments were confirmed, so a restart resumes
at the first unconfirmed page: nothing twice, nothing skipped. `paging.next` only says whether there is more: its
URL carries the access token, so requests are always built here from the cursor (the token travels only in the
Authorization header, which evidence keeps by name only).

Instagram: `/{ig-user-id}/media`, then per media `/{media-id}/comments` with the replies nested (`replies{...}`).
Instagram lists newest first and has no chronological order, so every page is walked and the comments newer than
the stored (timestamp, id) are published oldest first, followed by the new cursor (as Mastodon search does).

Token refused (OAuthException code 190): the account is marked for reconnecting (the official and staff see a
Dutch notice; the token is dropped) and nothing more is asked with it. Rate limits (error codes 4, 17, 32, 613, or
usage headers at USAGE_LIMIT_PERCENT): the page is paused (CollectorPause `meta:<page-id>`) until Meta's estimate
or BACKOFF, its cursors stay. Hidden comments are collected and recorded as hidden; comments seen earlier that are
gone on re-reading (error 100/33) are recorded as removed: nothing already collected is dropped.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import scrapy
from scrapy.http import Response

from collectors.evidence import PageEvidence
from collectors.items import CursorItem, PostItem
from collectors.payloads import MalformedPayload, json_body
from collectors.spiders.base import SourceSpider
from schildwacht import collector_allowance, meta_accounts
from schildwacht.db import make_engine, make_sessionmaker
from schildwacht.meta_accounts import CollectableAccount
from schildwacht.meta_graph import (
    FACEBOOK_COMMENT_FIELDS,
    INSTAGRAM_COMMENT_FIELDS,
    USAGE_LIMIT_PERCENT,
    GraphError,
    MalformedGraphObject,
    MetaCommentPost,
    facebook_comment,
    graph_error,
    graph_time,
    instagram_comment,
    usage_percent,
)

MAX_PAGES = 50
# The Graph API answers errors with 400 (most), 401/403 (permissions) and 404; their JSON says what happened.
GRAPH_ERROR_STATUSES = [400, 401, 403, 404]
BACKOFF = timedelta(minutes=15)  # when Meta gives no estimate of when access returns
RATE_LIMIT_REASON = "Meta-limiet bereikt voor pagina {name}: wij wachten tot {until} (UTC)."
Handler = Callable[..., Iterator[Any]]


def pause_source(page_id: str) -> str:
    """The CollectorPause key of one connected page."""
    return f"meta:{page_id}"[:40]


class MetaSpider(SourceSpider):
    """Collects comments from the connected Facebook pages and Instagram accounts (see module docstring)."""

    name = "meta"

    async def first_requests(self) -> AsyncIterator[scrapy.Request]:
        self.window_start = datetime.now(UTC) - timedelta(days=self.config.collector_since_days)
        self.stopped: set[int] = set()  # accounts asked nothing more this round (token refused, rate limited)
        if not self.config.database_url:
            raise ValueError("Geen database ingesteld (DATABASE_URL)")
        self.engine = make_engine(self.config.database_url)
        self.sessions = make_sessionmaker(self.engine)
        now = datetime.now(UTC)
        with self.sessions.begin() as session:
            accounts = meta_accounts.collectable(session, self.config)
            paused = {
                a.account_id
                for a in accounts
                if collector_allowance.active_pause(session, pause_source(a.page_id), None, now) is not None
            }
            recheck = {
                a.account_id: [
                    (c.uid, c.object_id)
                    for c in meta_accounts.live_comments(session, a.account_id, self.config.meta_recheck_comments)
                ]
                for a in accounts
            }
        for account in accounts:
            if account.account_id in paused:
                self.crawler.stats.inc_value("schildwacht/meta_paused")
                self.logger.warning("Meta-pagina %s gepauzeerd (limiet): deze ronde overgeslagen", account.page_id)
                continue
            since = int(self.window_start.timestamp())
            yield self.graph(
                account,
                f"/{account.page_id}/posts",
                {"fields": "id,created_time,permalink_url", "since": str(since)},
                self.parse_objects,
                platform="facebook",
                pages=1,
            )
            if account.instagram_id:
                yield self.graph(
                    account,
                    f"/{account.instagram_id}/media",
                    {"fields": "id,timestamp,permalink"},
                    self.parse_objects,
                    platform="instagram",
                    pages=1,
                )
            for uid, object_id in recheck[account.account_id]:
                platform, _, comment_id = uid.partition(":")
                hidden_field = "is_hidden" if platform == "facebook" else "hidden"
                yield self.graph(
                    account,
                    f"/{comment_id}",
                    {"fields": f"id,{hidden_field}"},
                    self.parse_recheck,
                    uid=uid,
                    object_id=object_id,
                )

    def closed(self, reason: str) -> None:
        super().closed(reason)
        engine = getattr(self, "engine", None)
        if engine is not None:
            engine.dispose()

    def graph(
        self,
        account: CollectableAccount,
        path: str,
        params: dict[str, str],
        handler: Handler,
        after: str | None = None,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A Graph API request with the account's token in the Authorization header (never in the URL)."""
        query = {**params, "limit": str(self.config.meta_page_limit)}
        if after:
            query["after"] = after
        return scrapy.Request(
            f"{self.config.meta_graph_url.rstrip('/')}{path}?{urlencode(query)}",
            callback=self.answer,
            errback=self.failed,
            dont_filter=True,
            headers={"Authorization": f"Bearer {account.token}"},
            meta={"handle_httpstatus_list": GRAPH_ERROR_STATUSES},
            cb_kwargs={"account": account, "handler": handler, "kwargs": kwargs},
        )

    def answer(
        self, response: Response, account: CollectableAccount, handler: Handler, kwargs: dict[str, Any]
    ) -> Iterator[Any]:
        """Every Graph answer: errors and usage first, then the handler for the data."""
        if account.account_id in self.stopped:
            return
        try:
            doc = json_body(response, dict)
        except MalformedPayload as exc:
            yield self.park(response, str(exc))
            return
        error = graph_error(doc)
        if error is not None:
            if error.object_missing and handler == self.parse_recheck:
                yield from self.parse_recheck(response, doc, account, gone=True, **kwargs)
                return
            yield from self.graph_failed(response, account, error)
            return
        if response.status >= 400:
            yield self.park(response, f"HTTP {response.status} zonder Graph-foutmelding")
            return
        usage = usage_percent({str(k): str(v) for k, v in response.headers.to_unicode_dict().items()})
        if usage >= USAGE_LIMIT_PERCENT:  # keep what this answer brought, ask nothing more
            self.rate_limited(account, f"gebruik {usage:.0f}%", self.regain_after(response))
        for out in handler(response, doc, account, **kwargs):
            if not (isinstance(out, scrapy.Request) and account.account_id in self.stopped):
                yield out

    def graph_failed(self, response: Response, account: CollectableAccount, error: GraphError) -> Iterator[Any]:
        if error.token_invalid:
            self.stopped.add(account.account_id)
            self.crawler.stats.inc_value("schildwacht/meta_token_refused")
            self.logger.error(
                "Meta weigert het token van pagina %s (code 190): ambtsdrager moet opnieuw koppelen", account.page_id
            )
            with self.sessions.begin() as session:
                meta_accounts.needs_reconnect(session, account.account_id, error.message)
            return
        if error.rate_limited:
            self.rate_limited(account, f"foutcode {error.code}", self.regain_after(response))
            return
        self.crawler.stats.inc_value("schildwacht/http_errors")
        self.logger.error("Graph-fout %d (%s) voor %s: %s", error.code, error.subcode, response.url, error.message)
        yield from ()

    def regain_after(self, response: Response) -> timedelta:
        """Meta's estimate of when access returns (X-Business-Use-Case-Usage, minutes), else BACKOFF."""
        raw = response.headers.get(b"X-Business-Use-Case-Usage")
        try:
            doc = json.loads(raw or b"{}")
            minutes = max(
                int(part.get("estimated_time_to_regain_access") or 0)
                for parts in doc.values()
                for part in parts
                if isinstance(part, dict)
            )
        except (ValueError, TypeError, AttributeError):
            return BACKOFF
        return timedelta(minutes=minutes) if minutes > 0 else BACKOFF

    def rate_limited(self, account: CollectableAccount, what: str, wait: timedelta) -> None:
        """Ask nothing more for this page now; pause it until Meta lets us again (its cursors stay)."""
        if account.account_id in self.stopped:
            return
        self.stopped.add(account.account_id)
        until = datetime.now(UTC) + wait
        self.crawler.stats.inc_value("schildwacht/meta_rate_limited")
        self.logger.warning("Meta-limiet (%s) voor pagina %s: pauze tot %s", what, account.page_id, until.isoformat())
        reason = RATE_LIMIT_REASON.format(name=account.page_name, until=until.strftime("%Y-%m-%d %H:%M"))
        with self.sessions.begin() as session:
            collector_allowance.pause(session, pause_source(account.page_id), reason, until)

    def parse_objects(
        self, response: Response, doc: dict, account: CollectableAccount, platform: str, pages: int
    ) -> Iterator[Any]:
        """A page of posts (Facebook) or media (Instagram): ask for each one's comments, then the next page."""
        objects = doc.get("data")
        if not isinstance(objects, list):
            yield self.park(response, "'data' ontbreekt of is geen lijst")
            return
        in_window = True
        for entity in objects:
            object_id = entity.get("id") if isinstance(entity, dict) else None
            if not object_id:
                yield self.park(response, "bericht zonder id", entity)
                continue
            if platform == "instagram":
                try:
                    in_window = graph_time(entity.get("timestamp")) >= self.window_start
                except ValueError:
                    yield self.park(response, "media zonder geldige timestamp", entity)
                    continue
                if not in_window:
                    break
                yield self.instagram_comments(account, str(object_id), str(entity.get("permalink") or ""), 1, None, [])
            else:
                key = f"meta:facebook:{object_id}:comments"
                yield self.facebook_comments(account, str(object_id), key, self.stored(key), 1)
        after = _after(doc)
        if in_window and after and _has_next(doc) and pages < MAX_PAGES:
            path = f"/{account.page_id}/posts" if platform == "facebook" else f"/{account.instagram_id}/media"
            params = dict(_params_of(response))
            yield self.graph(account, path, params, self.parse_objects, after=after, platform=platform, pages=pages + 1)

    def stored(self, key: str) -> str | None:
        assert self.cursors is not None  # opened by SourceSpider.start
        return self.cursors.get(key)

    def facebook_comments(
        self, account: CollectableAccount, post_id: str, key: str, after: str | None, pages: int
    ) -> scrapy.Request:
        params = {"filter": "stream", "order": "chronological", "fields": FACEBOOK_COMMENT_FIELDS}
        return self.graph(
            account,
            f"/{post_id}/comments",
            params,
            self.parse_facebook_comments,
            after=after,
            post_id=post_id,
            key=key,
            pages=pages,
        )

    def parse_facebook_comments(
        self, response: Response, doc: dict, account: CollectableAccount, post_id: str, key: str, pages: int
    ) -> Iterator[Any]:
        """One page of a post's comments (chronological): publish them, then this page's cursor, then the next."""
        comments = doc.get("data")
        if not isinstance(comments, list):
            yield self.park(response, "'data' ontbreekt of is geen lijst")
            return
        page = PageEvidence(response, self.name)
        for index, entity in enumerate(comments):
            try:
                comment = facebook_comment(entity, post_id, account.page_id)
            except (MalformedGraphObject, ValueError) as exc:
                yield self.park(response, f"reactie onbruikbaar: {exc}", entity)
                continue
            yield from self.comment_item(account, comment, page, f"/data/{index}", entity)
        after = _after(doc)
        if comments and after:
            yield CursorItem(key, after)
        if comments and after and _has_next(doc) and pages < MAX_PAGES:
            yield self.facebook_comments(account, post_id, key, after, pages + 1)

    def instagram_comments(
        self,
        account: CollectableAccount,
        media_id: str,
        permalink: str,
        pages: int,
        after: str | None,
        held: list[tuple[tuple[str, str], Any]],
    ) -> scrapy.Request:
        fields = f"{INSTAGRAM_COMMENT_FIELDS},replies{{{INSTAGRAM_COMMENT_FIELDS}}}"
        return self.graph(
            account,
            f"/{media_id}/comments",
            {"fields": fields},
            self.parse_instagram_comments,
            after=after,
            media_id=media_id,
            permalink=permalink,
            pages=pages,
            held=held,
        )

    def parse_instagram_comments(
        self,
        response: Response,
        doc: dict,
        account: CollectableAccount,
        media_id: str,
        permalink: str,
        pages: int,
        held: list[tuple[tuple[str, str], Any]],
    ) -> Iterator[Any]:
        """Walk every page (newest first), holding what is newer than the cursor; at the end publish it oldest
        first, then the cursor (nothing is published before the walk is complete)."""
        comments = doc.get("data")
        if not isinstance(comments, list):
            yield self.park(response, "'data' ontbreekt of is geen lijst")
            return
        assert account.instagram_id is not None  # only asked for accounts with one
        key = f"meta:instagram:{media_id}:comments"
        stored = self.stored(key)
        cursor = tuple(stored.split("|", 1)) if stored else ("", "")
        page = PageEvidence(response, self.name)
        held = list(held)
        for index, entity in enumerate(comments):
            replies = entity.get("replies", {}).get("data", []) if isinstance(entity, dict) else []
            nested = [(f"/data/{index}/replies/data/{i}", r, entity.get("id")) for i, r in enumerate(replies)]
            for position, item, parent in [(f"/data/{index}", entity, None), *nested]:
                try:
                    comment = instagram_comment(item, media_id, account.instagram_id, parent, permalink or None)
                except (MalformedGraphObject, ValueError) as exc:
                    held.append((("", ""), self.park(response, f"reactie onbruikbaar: {exc}", item)))
                    continue
                order = (comment.created_at.isoformat(), comment.comment_id)
                if order > cursor:
                    held.append((order, list(self.comment_item(account, comment, page, position, item))))
        after = _after(doc)
        if after and _has_next(doc) and pages < MAX_PAGES:
            yield self.instagram_comments(account, media_id, permalink, pages + 1, after, held)
            return
        newest = cursor
        for order, items in sorted(held, key=lambda pair: pair[0]):
            newest = max(newest, order)
            yield from items if isinstance(items, list) else [items]
        if newest > cursor:
            yield CursorItem(key, "|".join(newest))

    def comment_item(
        self, account: CollectableAccount, comment: MetaCommentPost, page: PageEvidence, position: str, entity: Any
    ) -> Iterator[Any]:
        """The PostItem of one comment (none for the page's own), recorded as seen (and hidden, if so)."""
        if comment.author.id and comment.author.id in (account.page_id, account.instagram_id):
            return  # the official's own reply
        with self.sessions.begin() as session:
            meta_accounts.seen(session, comment.uid, account.official_id, account.account_id, comment.object_id)
            if comment.hidden and meta_accounts.mark(
                session, comment.uid, account.official_id, account.account_id, comment.object_id, hidden=True
            ):
                self.crawler.stats.inc_value("schildwacht/meta_hidden")
        yield PostItem(
            platform=comment.platform,
            post_id=comment.comment_id,
            url=comment.url,
            author=comment.author,
            created_at=comment.created_at,
            text=comment.text,
            capture=page.post(entity, position),
            collector=self.name,
            in_reply_to_id=comment.parent_id or comment.object_id,
            in_reply_to_author=comment.parent_author_id,
            thread_id=comment.object_id,
        )

    def parse_recheck(
        self,
        response: Response,
        doc: dict,
        account: CollectableAccount,
        uid: str,
        object_id: str,
        gone: bool = False,
    ) -> Iterator[Any]:
        """A comment seen before, read again: gone (error 100/33) is recorded as removed, hidden as hidden."""
        hidden = bool(doc.get("is_hidden") or doc.get("hidden")) and not gone
        if not gone and not hidden:
            return
        with self.sessions.begin() as session:
            news = meta_accounts.mark(
                session,
                uid,
                account.official_id,
                account.account_id,
                object_id,
                hidden=hidden,
                removed_via=None if hidden else "poll",
                details={"removed_seen": response.url.split("?")[0]} if gone else None,
            )
        if news:
            what = "verborgen" if hidden else "verwijderd"
            self.crawler.stats.inc_value(f"schildwacht/meta_{'hidden' if hidden else 'removed'}")
            self.logger.warning("reactie %s is %s op het platform (vastgelegd; bewijs blijft bewaard)", uid, what)
        yield from ()


def _after(doc: dict) -> str | None:
    paging = doc.get("paging")
    cursors = paging.get("cursors") if isinstance(paging, dict) else None
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return str(after) if after else None


def _has_next(doc: dict) -> bool:
    paging = doc.get("paging")
    return isinstance(paging, dict) and bool(paging.get("next"))


def _params_of(response: Response) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(urlsplit(response.url).query) if k not in ("after", "limit")}
