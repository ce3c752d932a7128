"""X (API v2) spider: recent search for each consenting official's handles and names, the replies in the
conversations of the official's own posts, and (with `collector_x_stream_seconds`) the filtered stream with one rule
per official (collectors/x_stream.py), with the organisation's bearer token.

Every search (one query) is a walk from the newest post down to the stored `since_id`, page by page with
`next_token`. After each page its posts are published, followed by the walk's state as a CursorItem (JSON:
`since`: the walk's lower bound, `top`: the newest id of this walk, `below`: the oldest id published so far). A
restart mid-walk resumes with `since_id`=since and `until_id`=below, so nothing is skipped and nothing is published
twice; at the bottom the state becomes `since`=top. Conversations (`conversation_id:ID`) are found through the
official's own posts (`from:handle`) and followed for `collector_x_conversation_days`, only while that official is
active in the registry; their state carries the official and the end of the follow.

Budget: every post X returns counts against the monthly cap (collectors/allowance.py) when it arrives; a request
asks for no more than the cap has left (less what requests in flight may use), and none is sent once fewer than
X's minimum page (10) are left. Rate limits: collectors/x_ratelimit.py. A 401 (token expired or revoked) or 403
(the plan does not allow the endpoint) pauses the source with a Dutch reason for staff until another token is
configured; nothing crashes. Every published post is recorded as seen (schildwacht/removals.py); a seen post that a
later answer reports in `errors` as not found (deleted) is recorded as removed once (`removed_via` poll, with when it
was noticed). One that is only not visible (protected, suspended) is counted and logged. Evidence already kept is
never removed. Evidence is per post (collectors/evidence.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy import signals
from scrapy.http import Response
from twisted.python.failure import Failure

from collectors.allowance import SourceAllowance
from collectors.evidence import Capture, PageEvidence
from collectors.items import CursorItem, ParkedItem, PostItem
from collectors.payloads import MalformedPayload, json_body
from collectors.registry import OfficialEntry
from collectors.spiders.base import MeteredSpider
from collectors.x_ratelimit import RateLimited
from collectors.x_stream import FilteredStream
from schildwacht.collector_allowance import local_time
from schildwacht.contracts import Author
from schildwacht.removals import RemovalLog
from schildwacht.textnorm import comparable

SEARCH_PATH = "/2/tweets/search/recent"
WEB = "https://x.com"
MIN_RESULTS, MAX_RESULTS = 10, 100  # X's bounds for max_results on recent search
MAX_QUERY_CHARS = 512  # recent search query length on the self-serve plans
MAX_PAGES_PER_RUN = 20  # per walk and run; the walk's state continues it next time
TWEET_FIELDS = "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,lang"
EXPANSIONS = "author_id,in_reply_to_user_id,referenced_tweets.id"
REFUSED_STATUSES = [401, 403]
TOKEN_REFUSED = (
    "X weigert het bearer token (HTTP {status}: {detail}). Het token is verlopen of ingetrokken, of het abonnement "
    "staat deze zoekfunctie niet toe. Stel een geldig token in (SCHILDWACHT_COLLECTOR_X_BEARER_TOKEN); daarna gaat "
    "het verzamelen vanzelf verder."
)


def mention_queries(official: OfficialEntry) -> list[str]:
    """Recent-search queries for posts that mention `official`: @handles and names (quoted), retweets left out,
    split so that each stays within X's query length. A variant that is only the first name is left out."""
    first = official.full_name.split()[0] if official.full_name.split() else ""
    terms: dict[str, None] = {}
    for handle in official.handles.get("x", ()):
        if handle.strip().lstrip("@"):
            terms["@" + handle.strip().lstrip("@")] = None
    for name in (official.full_name, *official.name_variants):
        name = " ".join(name.replace('"', " ").split())
        if name and comparable(name) != comparable(first):
            terms[f'"{name}"'] = None
    queries: list[str] = []
    current: list[str] = []
    for term in terms:
        candidate = [*current, term]
        if current and len(_query(candidate)) > MAX_QUERY_CHARS:
            queries.append(_query(current))
            candidate = [term]
        current = candidate
    if current:
        queries.append(_query(current))
    return queries


def _query(terms: list[str]) -> str:
    return f"({' OR '.join(terms)}) -is:retweet"


def _bounds(state: dict[str, Any]) -> dict[str, str]:
    """since_id/until_id of a walk that starts (or resumes) from `state`."""
    bounds = {"since_id": state.get("since"), "until_id": state.get("below")}
    return {name: str(value) for name, value in bounds.items() if value}


def _state(raw: str | None) -> dict[str, Any]:
    try:
        state = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


class XSpider(MeteredSpider):
    """Collects mentions of the consenting officials on X and the replies under their own posts."""

    name = "x"
    uid_prefix = "x"

    async def first_requests(self) -> AsyncIterator[scrapy.Request]:
        token = self.config.collector_x_bearer_token
        if token is None:
            self.logger.info("X: geen bearer token ingesteld (SCHILDWACHT_COLLECTOR_X_BEARER_TOKEN); overgeslagen")
            return
        self.token = token.get_secret_value()
        self.allowance = SourceAllowance(self.config, "x", self.config.collector_x_monthly_post_cap)
        self.halted = False
        self.walking: set[str] = set()
        held = self.allowance.held()
        if held is not None:
            self.crawler.stats.inc_value("schildwacht/source_paused")
            self.logger.warning("X gepauzeerd: %s", held)
            return
        if self.config.database_url:
            self.removals = RemovalLog(self.config.database_url)
        officials = self.active_officials()
        active = {official.id for official in officials}
        if self.config.collector_x_stream_seconds > 0 and officials:
            stream = FilteredStream(self)
            self.crawler.signals.connect(stream.bytes_received, signal=signals.bytes_received)
            yield stream.start(officials, {o.id: mention_queries(o)[0] for o in officials})
        for official in officials:
            for query in mention_queries(official):
                request = self.walk(f"x:search:{query.lower()}", query)
                if request is not None:
                    yield request
            for handle in official.handles.get("x", ()):
                bare = handle.strip().lstrip("@")
                if bare:
                    query = f"from:{bare} -is:retweet"
                    request = self.walk(f"x:own:{bare.lower()}", query, own={"official": official.id, "handle": bare})
                    if request is not None:
                        yield request
        assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
        now = datetime.now(UTC)
        for key, raw in sorted(self.cursors.with_prefix("x:conversation:").items()):
            state = _state(raw)
            if state.get("official") not in active or not state.get("until"):
                continue  # consent withdrawn (or never active): never asked for again
            if datetime.fromisoformat(state["until"]) <= now:
                continue
            request = self.walk(key, f"conversation_id:{key.rsplit(':', 1)[-1]}")
            if request is not None:
                yield request

    # -- walks -------------------------------------------------------------------------------------------------

    def walk(self, key: str, query: str, own: dict[str, str] | None = None) -> scrapy.Request | None:
        """The first request of the walk `key` (resuming an interrupted one), or None when it cannot run now."""
        if key in self.walking:
            return None
        self.walking.add(key)
        assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
        state = _state(self.cursors.get(key))
        return self.search_request(key, query, state, own, token=None, pages=1, bounds=_bounds(state))

    def search_request(
        self,
        key: str,
        query: str,
        state: dict[str, Any],
        own: dict[str, str] | None,
        token: str | None,
        pages: int,
        bounds: dict[str, str],
    ) -> scrapy.Request | None:
        """One page of the walk `key`; `bounds` (since_id/until_id) stay those of the walk's first page in this run,
        as `next_token` requires."""
        assert self.allowance is not None  # set in first_requests before any request
        if self.halted:
            return None
        left = self.allowance.left()
        if left < MIN_RESULTS:
            self.crawler.stats.inc_value("schildwacht/cap_reached")
            self.logger.warning("X: maandlimiet bereikt; %r wacht op de volgende maand", query)
            return None
        size = min(MAX_RESULTS, left)
        self.allowance.reserve(size)
        params = {
            "query": query,
            "max_results": str(size),
            "tweet.fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user.fields": "username,name",
            **bounds,
        }
        if token:
            params["next_token"] = token
        return scrapy.Request(
            f"{self.config.collector_x_api_url.rstrip('/')}{SEARCH_PATH}?{urlencode(params)}",
            headers={"Authorization": f"Bearer {self.token}"},
            callback=self.parse_search,
            errback=self.search_failed,
            dont_filter=True,
            meta={"handle_httpstatus_list": REFUSED_STATUSES, "dont_redirect": True, "reserved": size},
            cb_kwargs={"key": key, "query": query, "state": state, "own": own, "pages": pages, "bounds": bounds},
        )

    def parse_search(
        self,
        response: Response,
        key: str,
        query: str,
        state: dict[str, Any],
        own: dict[str, str] | None,
        pages: int,
        bounds: dict[str, str],
    ) -> Iterator[Any]:
        assert self.allowance is not None  # set in first_requests before any request
        self.allowance.release(response.meta["reserved"])
        if response.status in REFUSED_STATUSES:
            self.refused(response)
            return
        try:
            doc = json_body(response, dict)
            tweets = doc.get("data", [])
            meta = doc.get("meta", {})
            users = {str(u["id"]): u for u in (doc.get("includes") or {}).get("users", [])}
            if not isinstance(tweets, list) or not isinstance(meta, dict):
                raise MalformedPayload("'data' is geen lijst of 'meta' geen object")
        except (MalformedPayload, KeyError, TypeError, AttributeError) as exc:
            yield self.park(response, f"zoekresultaat onleesbaar: {exc}")  # the walk's state stays where it was
            return
        self.allowance.spend(len(tweets))
        self.note_deleted(doc, response.url.split("?")[0])
        page = PageEvidence(response, self.name)
        top = state.get("top") or meta.get("newest_id")
        for index, tweet in sorted(enumerate(tweets), key=lambda pair: _id(pair[1])):
            if _id(tweet) <= 0:
                yield self.park(response, "post zonder geldig id", tweet)
                continue
            item = self.post_or_park(response, tweet, users, page.post(tweet, f"/data/{index}"))
            if self.removals is not None and isinstance(item, PostItem):
                self.removals.seen(
                    f"x:{item.post_id}", str(state.get("official") or ""), key, {"thread": item.thread_id}
                )
            yield item
            if own is not None and isinstance(item, PostItem):
                yield from self.follow(tweet, own)
        extras = {k: v for k, v in state.items() if k in ("official", "until")}
        next_token = meta.get("next_token")
        if next_token and tweets:
            below = min((_id(t) for t in tweets if _id(t) > 0), default=0)
            walked = {**extras, "since": state.get("since"), "top": top, "below": str(below) if below else None}
            if below:
                yield CursorItem(key, json.dumps(walked))
            if pages < MAX_PAGES_PER_RUN:
                request = self.search_request(key, query, walked, own, next_token, pages + 1, bounds)
                if request is not None:
                    yield request
            return
        done = {**extras, "since": top or state.get("since")}
        if done != state:
            yield CursorItem(key, json.dumps(done))

    def follow(self, tweet: dict, own: dict[str, str]) -> Iterator[Any]:
        """Start following the conversation of the official's own post `tweet` (once)."""
        conversation = str(tweet.get("conversation_id") or tweet["id"])
        key = f"x:conversation:{conversation}"
        assert self.cursors is not None  # opened by SourceSpider.start (uses_cursors)
        if key in self.walking or self.cursors.get(key) is not None:
            return
        self.walking.add(key)
        created = _when(str(tweet["created_at"]))
        until = created + timedelta(days=self.config.collector_x_conversation_days)
        if until <= datetime.now(UTC):
            return
        state = {"official": own["official"], "until": until.isoformat()}
        request = self.search_request(key, f"conversation_id:{conversation}", state, None, None, 1, {})
        if request is not None:
            yield request

    # -- failures ----------------------------------------------------------------------------------------------

    def refused(self, response: Response) -> None:
        """401/403: the token no longer works for search; pause the source with the reason (once per crawl)."""
        if self.halted:
            return
        self.halted = True
        try:
            doc = json.loads(response.body)
            detail = str(doc.get("detail") or doc.get("title") or "geen toelichting")[:200]
        except (ValueError, AttributeError):
            detail = "geen toelichting"
        assert self.allowance is not None  # set in first_requests before any request
        self.allowance.pause(TOKEN_REFUSED.format(status=response.status, detail=detail), until=None)
        self.crawler.stats.inc_value("schildwacht/source_paused")

    def search_failed(self, failure: Failure) -> Iterator[ParkedItem]:
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it on an errback's Failure
        if self.allowance is not None:
            self.allowance.release(request.meta.get("reserved", 0))
        if failure.check(RateLimited):
            reset: datetime = failure.value.reset
            if not self.halted and self.allowance is not None:
                self.halted = True
                self.allowance.pause(f"rate limit van X bereikt; verder na {local_time(reset)}", until=reset)
            return
        yield from self.failed(failure)

    def note_deleted(self, doc: dict, seen_at: str) -> None:
        """Posts X reports as deleted or not visible (a referenced post in a partial answer): logged, and a
        collected one that is not found is recorded as removed (once)."""
        for error in doc.get("errors") or ():
            if not isinstance(error, dict) or error.get("resource_type") != "tweet":
                continue
            post_id = str(error.get("resource_id") or error.get("value") or "")
            self.crawler.stats.inc_value("schildwacht/deleted")
            self.logger.info(
                "X: post %s verwijderd of niet zichtbaar (%s); bewaard bewijs blijft", post_id, error.get("title")
            )
            gone = str(error.get("type") or "").endswith("/resource-not-found")
            if (
                gone
                and post_id
                and self.removals is not None
                and self.removals.removed(f"x:{post_id}", "poll", seen_at)
            ):
                self.crawler.stats.inc_value("schildwacht/removed")
                self.logger.warning("X: post x:%s verwijderd door platform of auteur (vastgelegd)", post_id)

    # -- posts -------------------------------------------------------------------------------------------------

    def post_or_park(
        self, response: Response, tweet: dict, users: dict[str, dict], capture: Capture
    ) -> PostItem | ParkedItem:
        """A PostItem for one post of the page, or a ParkedItem saying which field was unusable."""
        try:
            author = users[str(tweet["author_id"])]
            username = str(author["username"])
            replied = next(
                (str(r["id"]) for r in tweet.get("referenced_tweets") or () if r.get("type") == "replied_to"), None
            )
            parent = users.get(str(tweet.get("in_reply_to_user_id")))
            return PostItem(
                platform="x",
                post_id=str(tweet["id"]),
                url=f"{WEB}/{username}/status/{tweet['id']}",
                author=Author(
                    id=str(author["id"]),
                    handle=f"@{username}",
                    display_name=author.get("name") or None,
                    profile_url=f"{WEB}/{username}",
                ),
                created_at=_when(str(tweet["created_at"])),
                text=str(tweet["text"]),
                capture=capture,
                collector=self.name,
                in_reply_to_id=replied,
                in_reply_to_author=f"@{parent['username']}" if parent else None,
                thread_id=str(tweet.get("conversation_id") or tweet["id"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return self.park(response, f"post onbruikbaar ({type(exc).__name__}: {exc})", tweet)


def _when(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _id(tweet: Any) -> int:
    try:
        return int(tweet["id"])
    except (KeyError, TypeError, ValueError):
        return 0
