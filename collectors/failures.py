"""What spiders do when a download fails for good (after Scrapy's retries)."""

from __future__ import annotations

from collections.abc import Iterator

import scrapy
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, ResponseDataLossError
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from collectors.items import ParkedItem
from collectors.outbound import RefusedDestination


def download_failed(spider: scrapy.Spider, failure: Failure) -> Iterator[ParkedItem]:
    """Log and count every failure; park the ones whose content is unusable (too large, truncated) and the ones
    the outbound guard refused (nothing was fetched; the reason says why)."""
    request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it on an errback's Failure
    if failure.check(RefusedDestination):
        spider.crawler.stats.inc_value("schildwacht/refused")
        reason = f"geweigerd / refused: {failure.getErrorMessage()}"
        spider.logger.error(reason)
        yield ParkedItem(spider.name, reason, b"")
        return
    if failure.check(IgnoreRequest) and not failure.check(HttpError):
        spider.crawler.stats.inc_value("schildwacht/skipped")
        spider.logger.warning("overgeslagen (robots.txt of filter): %s", request.url)
        return
    spider.crawler.stats.inc_value("schildwacht/http_errors")
    if failure.check(HttpError):
        response = failure.value.response
        spider.logger.error("ophalen mislukt: HTTP %d voor %s", response.status, request.url)
        return
    if failure.check(DownloadCancelledError, ResponseDataLossError):
        what = "te groot" if failure.check(DownloadCancelledError) else "afgebroken (onvolledig)"
        reason = f"{request.url}: antwoord {what}: {failure.getErrorMessage()}"
        spider.logger.error(reason)
        yield ParkedItem(spider.name, reason, b"")
        return
    spider.logger.error("ophalen mislukt voor %s: %s", request.url, failure.getErrorMessage() or failure.type.__name__)
