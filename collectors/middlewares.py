"""Downloader middlewares: the outbound guard, Retry-After for 429 / 503, and a robots.txt middleware safe under
concurrency."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as BaseRobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from collectors.outbound import GuardedResolver, RefusedDestination
from schildwacht.netguard import OutboundRefused, UnresolvableHost

log = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return default
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class OutboundGuardMiddleware:
    """Refuses a request before it is sent when its URL is not http(s) or its host is or resolves to a refused
    address (see collectors/outbound.py for what is guaranteed). Redirect hops come back through here as new
    requests. The check resolves through the crawl's `GuardedResolver`, so the connection uses this very answer."""

    async def process_request(self, request: Request) -> None:
        from twisted.internet import reactor  # the reactor Scrapy installed, with its resolver

        resolver = reactor.nameResolver
        if not isinstance(resolver, GuardedResolver):  # never fetch unguarded
            raise RefusedDestination(
                "de DNS-resolver van de crawl is niet collectors.outbound.GuardedResolver; "
                "niets opgehaald / the crawl's resolver is not the guarded one"
            )
        try:
            url = resolver.pins.guard.check_url(request.url)
            await maybe_deferred_to_future(resolver.pin(url.raw_host.decode("ascii")))
        except OutboundRefused as exc:
            raise RefusedDestination(f"{request.url}: {exc}") from None
        except UnresolvableHost:
            pass  # the download itself fails with Scrapy's usual DNS error


class RetryAfterMiddleware:
    """For 429, and 503 with Retry-After: waits as long as the server asks (capped at RETRY_AFTER_MAX_SECONDS), then
    sends the request again through Scrapy's `get_retry_request`, so these retries count against the same
    RETRY_TIMES as RetryMiddleware's (request.meta["retry_times"]) and appear in the same retry stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX_SECONDS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        asks_to_wait = response.status == 429 or (response.status == 503 and b"Retry-After" in response.headers)
        if not asks_to_wait:
            return response
        spider = self.crawler.spider
        assert spider is not None  # a response arrives only while a crawl runs
        retry = get_retry_request(request, spider=spider, reason=f"{response.status} Retry-After", logger=log)
        if retry is None:  # retries spent; get_retry_request logged it
            return response
        tries = retry.meta["retry_times"]
        wait = min(retry_after_seconds(response.headers.get(b"Retry-After"), 5.0 * tries), self.max_wait)
        log.warning("server vraagt om te wachten (%d): %.1f s voor %s", response.status, wait, request.url)
        self.crawler.stats.inc_value("schildwacht/retry_after")
        from twisted.internet import reactor  # the reactor Scrapy installed

        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return retry


class RobotsTxtMiddleware(BaseRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, made safe for many requests waiting on the same robots.txt.

    Scrapy hands the parsed robots.txt to the first waiting request only; later waiters get None and are
    let through. After waiting, read the parser from the cache instead.
    """

    async def robot_parser(self, request: Request):
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc)
        return parser if cached is None or isinstance(cached, Deferred) else cached
