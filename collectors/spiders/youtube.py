"""YouTube (Data API v3) spider: comment threads (`commentThreads.list`, part=snippet,replies) on the channels the
organisation registers (`collector_youtube_channels`, and each active official's own channels, handles["youtube"],
as channel ids "UC…") and on single videos (`collector_youtube_videos`), with the organisation's API key.

Threads come newest first (order=time) with `pageToken`. A channel's walk goes down to a floor (the collection
window, or one day before the newest comment already confirmed, whichever is later: replies to older threads are not
looked for) and only then yields its new comments (top-level and replies) oldest first, each followed by its cursor
(`publishedAt|id` of the newest confirmed comment). An interrupted walk yields nothing and is walked again next time,
so a restart mid-pagination leaves no gap and publishes nothing twice. Every published comment is recorded as seen
(schildwacht/removals.py); a finished walk checks the seen comments of threads down to its floor, and one that is no
longer there is recorded as removed once (`removed_via` poll, with when it was noticed). Replies of a thread whose
answer does not list them all (`totalReplyCount` higher) are not judged. Evidence already kept is never removed.

Quota: every list call costs 1 unit (collectors/allowance.py counts it when the answer arrives, errors included); no
call is made once the day's quota (`collector_youtube_daily_quota`, Pacific day) is used. A 403 `quotaExceeded`
pauses the source until the next Pacific midnight; a refused key pauses it until another key is configured; a
channel or video without comments (disabled, not found) is logged and skipped. A top-level comment on an official's
own channel counts as a reply to that official; a reply counts as a reply to the author of the comment it answers.
The key is sent as `X-Goog-Api-Key`, which the evidence WARCs keep by name only (schildwacht/warc.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from collectors.allowance import SourceAllowance
from collectors.evidence import Capture, PageEvidence
from collectors.items import CursorItem, ParkedItem, PostItem
from collectors.payloads import MalformedPayload, json_body
from collectors.spiders.base import MeteredSpider
from schildwacht.collector_allowance import local_time
from schildwacht.contracts import Author
from schildwacht.removals import RemovalLog

WEB = "https://www.youtube.com"
MAX_RESULTS = 100
MAX_PAGES_PER_WALK = 50
REPLY_LOOKBACK = timedelta(days=1)
ERROR_STATUSES = [400, 403, 404]
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
# Not this source's fault: no comments here (disabled, not found) or a short-term rate limit; tried again next time.
SKIP_REASONS = frozenset({"commentsDisabled", "channelNotFound", "videoNotFound", "forbidden", "rateLimitExceeded"})
KEY_REFUSED = (
    "YouTube weigert de API-sleutel (HTTP {status}: {detail}). Stel een geldige sleutel in "
    "(SCHILDWACHT_COLLECTOR_YOUTUBE_API_KEY) en zet de YouTube Data API v3 aan in het Google Cloud-project; daarna "
    "gaat het verzamelen vanzelf verder."
)


def _when(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def mark(comment: dict) -> str:
    """Sortable position of a comment: publishedAt (normalised UTC) and its id."""
    return f"{_when(comment['snippet']['publishedAt']).astimezone(UTC).isoformat()}|{comment['id']}"


def _error(response: Response) -> tuple[str, str]:
    """(reason, message) of a Google API error answer; ("", "") when the body says neither."""
    try:
        error = json.loads(response.body)["error"]
        first = (error.get("errors") or [{}])[0]
        return str(first.get("reason") or error.get("status") or ""), str(error.get("message") or "")[:200]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return "", ""


class YouTubeSpider(MeteredSpider):
    """Collects the comment threads of the registered channels and videos."""

    name = "youtube"
    uid_prefix = "youtube"

    async def first_requests(self) -> AsyncIterator[scrapy.Request]:
        key = self.config.collector_youtube_api_key
        if key is None:
            self.logger.info(
                "YouTube: geen API-sleutel ingesteld (SCHILDWACHT_COLLECTOR_YOUTUBE_API_KEY); overgeslagen"
            )
            return
        self.key = key.get_secret_value()
        self.allowance = SourceAllowance(self.config, "youtube", self.config.collector_youtube_daily_quota)
        self.halted = False
        held = self.allowance.held()
        if held is not None:
            self.crawler.stats.inc_value("schildwacht/source_paused")
            self.logger.warning("YouTube gepauzeerd: %s", held)
            return
        self.window_start = datetime.now(UTC) - timedelta(days=self.config.collector_since_days)
        if self.config.database_url:
            self.removals = RemovalLog(self.config.database_url)
        self.present: dict[str, set[str]] = {}  # per walk: every comment id the walk saw
        self.unlisted: dict[str, set[str]] = {}  # per walk: threads whose replies were not all listed
        officials = self.active_officials()
        if not officials:
            return  # nobody consents: nothing could be forwarded
        channels = dict.fromkeys(c.strip() for c in self.config.collector_youtube_channels if c.strip())
        for official in officials:
            channels.update(dict.fromkeys(c.strip() for c in official.handles.get("youtube", ()) if c.strip()))
        targets = [("allThreadsRelatedToChannelId", channel) for channel in channels]
        targets += [("videoId", v.strip()) for v in self.config.collector_youtube_videos if v.strip()]
        for field, value in targets:
            kind = "channel" if field == "allThreadsRelatedToChannelId" else "video"
            request = self.threads_request({field: value}, f"youtube:{kind}:{value}", None, 1, [])
            if request is not None:
                yield request

    def threads_request(
        self, target: dict[str, str], key: str, page_token: str | None, pages: int, found: list
    ) -> scrapy.Request | None:
        """One page of comment threads, or None when the quota (or a pause) forbids another call."""
        assert self.allowance is not None  # set in first_requests before any request
        if self.halted:
            return None
        if self.allowance.left() < 1:
            self.crawler.stats.inc_value("schildwacht/cap_reached")
            self.logger.warning("YouTube: dagquotum op; %s wacht tot de volgende dag", key)
            return None
        self.allowance.reserve(1)
        params = {
            "part": "snippet,replies",
            **target,
            "maxResults": str(MAX_RESULTS),
            "order": "time",
            "textFormat": "plainText",
            **({"pageToken": page_token} if page_token else {}),
        }
        return scrapy.Request(
            f"{self.config.collector_youtube_api_url.rstrip('/')}/commentThreads?{urlencode(params)}",
            headers={"X-Goog-Api-Key": self.key},
            callback=self.parse_threads,
            errback=self.threads_failed,
            dont_filter=True,
            meta={"handle_httpstatus_list": ERROR_STATUSES, "dont_redirect": True},
            cb_kwargs={"target": target, "key": key, "pages": pages, "found": found},
        )

    def parse_threads(self, response: Response, target: dict[str, str], key: str, pages: int, found: list) -> Any:
        assert self.allowance is not None and self.cursors is not None  # set before any request
        self.allowance.release(1)
        self.allowance.spend(1)
        if response.status in ERROR_STATUSES:
            self.refused(response, key)
            return
        try:
            doc = json_body(response, dict)
            threads = doc["items"]
            if not isinstance(threads, list):
                raise MalformedPayload("'items' is geen lijst")
        except (MalformedPayload, KeyError) as exc:
            yield self.park(response, f"commentThreads onleesbaar: {exc}")  # nothing of this walk is published
            return
        high_water = self.cursors.get(key) or ""
        floor = self.window_start
        if high_water:
            floor = max(floor, _when(high_water.split("|", 1)[0]) - REPLY_LOOKBACK)
        page = PageEvidence(response, self.name)
        present, unlisted = self.present.setdefault(key, set()), self.unlisted.setdefault(key, set())
        bottom = False
        for index, thread in enumerate(threads):
            try:
                top = thread["snippet"]["topLevelComment"]
                started = _when(top["snippet"]["publishedAt"])
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                yield self.park(response, f"commentThread onbruikbaar ({type(exc).__name__}: {exc})", thread)
                continue
            if started < floor:
                bottom = True
                continue
            channel = str((thread.get("snippet") or {}).get("channelId") or "") or None
            comments = [(top, f"/items/{index}/snippet/topLevelComment", channel, None)]
            parent_channel = ((top.get("snippet") or {}).get("authorChannelId") or {}).get("value")
            replies = (thread.get("replies") or {}).get("comments") or ()
            for number, reply in enumerate(replies):
                comments.append((reply, f"/items/{index}/replies/comments/{number}", parent_channel, top["id"]))
            if int(thread["snippet"].get("totalReplyCount") or 0) > len(replies):
                unlisted.add(str(top.get("id")))
            for comment, position, answered, parent_id in comments:
                present.add(str(comment.get("id")) if isinstance(comment, dict) else "")
                try:
                    position_mark = mark(comment)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    yield self.park(response, f"reactie onbruikbaar ({type(exc).__name__}: {exc})", comment)
                    continue
                if position_mark > high_water:
                    item = self.post_or_park(response, comment, page.post(comment, position), answered, parent_id)
                    found.append((position_mark, item, top["id"], started))
        next_token = doc.get("nextPageToken")
        if next_token and threads and not bottom and pages < MAX_PAGES_PER_WALK:
            request = self.threads_request(target, key, str(next_token), pages + 1, found)
            if request is not None:
                yield request
            return  # without a next page this walk is unfinished: nothing is published, next time walks again
        complete = bottom or not next_token or not threads
        if complete:
            self.note_removed(key, floor, response.url.split("?")[0])
        yield from self.flush(key, found)

    def flush(self, key: str, found: list) -> Iterator[Any]:
        """New comments oldest first, each followed by the cursor that marks it done (and recorded as seen)."""
        for position_mark, item, thread_id, started in sorted(found, key=lambda entry: entry[0]):
            if self.removals is not None and isinstance(item, PostItem):
                details = {"thread": thread_id, "thread_started": started.isoformat()}
                self.removals.seen(f"youtube:{item.post_id}", "", key, details)
            yield item
            yield CursorItem(key, position_mark)

    def note_removed(self, key: str, floor: datetime, seen_at: str) -> None:
        """After a finished walk: a seen comment of a thread down to `floor` that the walk no longer saw is
        recorded as removed (once)."""
        if self.removals is None:
            return
        present, unlisted = self.present.get(key, set()), self.unlisted.get(key, set())
        for row in self.removals.live(key):
            comment_id = row.uid.split(":", 1)[1]
            thread = str(row.details.get("thread") or comment_id)
            started = row.details.get("thread_started")
            if comment_id in present or thread in unlisted or not started or _when(started) < floor:
                continue
            if self.removals.removed(row.uid, "poll", seen_at):
                self.crawler.stats.inc_value("schildwacht/removed")
                self.logger.warning("YouTube: reactie %s verwijderd door platform of auteur (vastgelegd)", row.uid)

    def refused(self, response: Response, key: str) -> None:
        """An error answer: quota spent (pause until the next Pacific day), a refused key (pause until another key),
        or a channel/video without comments (skipped)."""
        assert self.allowance is not None  # set in first_requests before any request
        reason, message = _error(response)
        if reason in SKIP_REASONS or response.status == 404:
            self.crawler.stats.inc_value("schildwacht/source_skipped")
            self.logger.warning("YouTube: %s overgeslagen (%s: %s)", key, reason or response.status, message)
            return
        if self.halted:
            return
        self.halted = True
        self.crawler.stats.inc_value("schildwacht/source_paused")
        if reason in QUOTA_REASONS:
            until = self.allowance.period_end()
            self.allowance.pause(f"dagquotum van de YouTube Data API op; verder na {local_time(until)}", until=until)
            return
        detail = f"{reason}: {message}" if reason else message or "geen toelichting"
        self.allowance.pause(KEY_REFUSED.format(status=response.status, detail=detail), until=None)

    def threads_failed(self, failure: Any) -> Iterator[ParkedItem]:
        if self.allowance is not None:
            self.allowance.release(1)
        yield from self.failed(failure)

    def post_or_park(
        self, response: Response, comment: dict, capture: Capture, answered: str | None, parent_id: str | None
    ) -> PostItem | ParkedItem:
        """A PostItem for one comment; `answered` is the channel id it answers (the video's channel for a top-level
        comment, the parent comment's author for a reply)."""
        try:
            snippet = comment["snippet"]
            author_channel = str(snippet["authorChannelId"]["value"])
            name = str(snippet["authorDisplayName"])
            video = str(snippet["videoId"])
            return PostItem(
                platform="youtube",
                post_id=str(comment["id"]),
                url=f"{WEB}/watch?{urlencode({'v': video, 'lc': comment['id']})}",
                author=Author(
                    id=author_channel,
                    handle=name,
                    display_name=name,
                    profile_url=snippet.get("authorChannelUrl") or f"{WEB}/channel/{author_channel}",
                ),
                created_at=_when(str(snippet["publishedAt"])),
                text=str(snippet["textDisplay"]),
                capture=capture,
                collector=self.name,
                in_reply_to_id=parent_id,
                in_reply_to_author=answered,
                thread_id=parent_id or str(comment["id"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return self.park(response, f"reactie onbruikbaar ({type(exc).__name__}: {exc})", comment)
