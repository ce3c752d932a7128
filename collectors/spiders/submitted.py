"""Submitted-URL spider: fetch one page a staff member pasted, and keep exactly what was served.

Used for platforms without a public API (X, Instagram, Facebook, TikTok). The capture records who
submitted it (WARC header and match reason). robots.txt is not consulted: this is one fetch on a person's
request, like saving the page in a browser, not crawling.

The URL comes from a person, so it gets no trust: like every collector request it passes the outbound guard
(collectors/outbound.py), redirects included. A file:, data: or other non-http(s) URL, or one that is or leads to
a loopback/private/... address, is not fetched; it is parked on the dead-letter topic with the Dutch reason, and
`capture-url` reports that nothing was captured.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from collectors.evidence import capture_response
from collectors.htmltext import html_to_text
from collectors.items import PostItem
from collectors.spiders.base import SourceSpider
from schildwacht.contracts import Author

PLATFORMS = {
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "reddit.com": "reddit",
    "youtube.com": "youtube",
}
_X_STATUS = re.compile(r"^/([^/]+)/status/(\d+)")


def platform_of(host: str) -> str:
    """Platform name for a host (subdomains included), "web" when unknown."""
    host = host.lower().removeprefix("www.").removeprefix("m.")
    return next((name for domain, name in PLATFORMS.items() if host == domain or host.endswith("." + domain)), "web")


class SubmittedUrlSpider(SourceSpider):
    """Fetches `url` once; the page becomes a post attributed to the host (or the X account in the URL)."""

    name = "submitted"
    custom_settings = {"ROBOTSTXT_OBEY": False}
    uses_cursors = False

    def __init__(self, url: str, submitted_by: str, official_id: str | None = None, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.url, self.submitted_by, self.official_id = url, submitted_by, official_id

    async def first_requests(self) -> AsyncIterator[scrapy.Request]:
        self.logger.info("ingediende URL ophalen voor %s: %s", self.submitted_by, self.url)
        yield scrapy.Request(self.url, callback=self.parse_page, errback=self.failed, dont_filter=True)

    def parse_page(self, response: Response) -> Iterator[Any]:
        capture = capture_response(
            response, self.name, {"Schildwacht-Submitted-By": self.submitted_by, "Schildwacht-Submitted-URL": self.url}
        )
        parts = urlsplit(response.url)
        host = (parts.hostname or "onbekend").removeprefix("www.")
        platform = platform_of(host)
        handle, post_id = host, response.url
        status = _X_STATUS.match(parts.path) if platform == "x" else None
        if status:
            handle, post_id = f"@{status.group(1)}", status.group(2)
        yield PostItem(
            platform=platform,
            post_id=post_id,
            url=response.url,
            author=Author(
                handle=handle, profile_url=f"{parts.scheme}://{parts.netloc}/" + (status.group(1) if status else "")
            ),
            created_at=_published(response) or capture.captured_at,
            text=_text(response),
            capture=capture,
            collector=self.name,
            submitted_for=self.official_id,
            submitted_by=self.submitted_by,
        )


def _text(response: Response) -> str:
    if not isinstance(response, TextResponse):
        return ""
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    if "html" not in content_type:
        return response.text
    title = (response.css("title::text").get() or "").strip()
    description = response.xpath("//meta[@property='og:description']/@content").get() or ""
    body = html_to_text(response.css("body").get() or "")
    return "\n\n".join(dict.fromkeys(p.strip() for p in (title, description, body) if p.strip()))


def _published(response: Response) -> datetime | None:
    if not isinstance(response, TextResponse) or "html" not in (response.headers.get("Content-Type") or b"").decode():
        return None
    value = response.xpath("//meta[@property='article:published_time']/@content").get()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None
