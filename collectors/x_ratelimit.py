"""X API v2 rate limits: the `x-rate-limit-remaining` / `x-rate-limit-reset` headers drive when the x spider's
next request goes out.

Invariants (downloader middleware, for the x spider only): once an answer says no requests remain, no request is
sent before the announced reset; a 429 is sent again after the reset, within Scrapy's retry budget
(`get_retry_request`, so it never loops); a reset further away than RETRY_AFTER_MAX_SECONDS is not waited for: the
request fails with `RateLimited` (carrying the reset moment), and the spider pauses the source until then. A
request with `WAIT_META` in its meta is held that many seconds first (the filtered stream's reconnect back-off).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

log = logging.getLogger(__name__)

SPIDER = "x"
WAIT_META = "schildwacht_wait"  # request meta: seconds to wait before sending (the stream's reconnect back-off)
DEFAULT_429_WAIT_S = 60.0  # a 429 without a reset header: X's windows are 15 minutes, so this is a cautious retry


class RateLimited(IgnoreRequest):
    """X's rate-limit window is spent until `reset` (UTC); nothing was or will be sent before then."""

    def __init__(self, reset: datetime) -> None:
        super().__init__(f"rate limit van X bereikt tot {reset.isoformat()}")
        self.reset = reset


def _header_int(response: Response, name: bytes) -> int | None:
    value = response.headers.get(name)
    try:
        return int(value.decode("latin-1")) if value else None
    except ValueError:
        return None


class XRateLimitMiddleware:
    """See the module docstring."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX_SECONDS")
        self.remaining: int | None = None
        self.reset: float | None = None  # epoch seconds
        self.blocked_until: float | None = None  # a reset too far to wait for: nothing is sent before it

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> XRateLimitMiddleware:
        return cls(crawler)

    def _ours(self) -> bool:
        spider = self.crawler.spider
        return spider is not None and spider.name == SPIDER

    async def _wait_until_reset(self, default: float) -> None:
        wait = self.reset - time.time() if self.reset is not None else default
        if wait > self.max_wait:
            assert self.reset is not None  # only a known reset can be that far away
            self.blocked_until = self.reset
            raise RateLimited(datetime.fromtimestamp(self.reset, UTC))
        if wait > 0:
            from twisted.internet import reactor  # the reactor Scrapy installed

            log.warning("X: rate limit, %.1f s wachten tot de reset", wait)
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))

    async def process_request(self, request: Request) -> None:
        if not self._ours():
            return
        if self.blocked_until is not None and self.blocked_until > time.time():
            raise RateLimited(datetime.fromtimestamp(self.blocked_until, UTC))
        if self.remaining == 0 and self.reset is not None and self.reset > time.time():
            await self._wait_until_reset(0.0)
        if request.meta.get(WAIT_META):
            from twisted.internet import reactor  # the reactor Scrapy installed

            await maybe_deferred_to_future(deferLater(reactor, request.meta[WAIT_META], lambda: None))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if not self._ours():
            return response
        remaining, reset = (
            _header_int(response, b"x-rate-limit-remaining"),
            _header_int(response, b"x-rate-limit-reset"),
        )
        if reset is not None:
            self.remaining, self.reset = remaining, float(reset)
        if response.status != 429 or request.meta.get("dont_retry"):
            return response  # the stream (dont_retry) reconnects with its own back-off
        self.crawler.stats.inc_value("schildwacht/rate_limited")
        spider = self.crawler.spider
        assert spider is not None  # _ours
        retry = get_retry_request(request, spider=spider, reason="429 x-rate-limit-reset", logger=log)
        if retry is None:
            return response
        if reset is None:
            self.reset = None
        await self._wait_until_reset(DEFAULT_429_WAIT_S)
        self.remaining = None  # the window has turned over
        return retry
