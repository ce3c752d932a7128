"""Mastodon access tokens: `Authorization: Bearer <token>` on the mastodon spider's requests to the token's server.

Invariants: a token configured for server domain D (`collector_mastodon_access_tokens`) is only ever sent to D's API
base URL (`collector_mastodon_instances[D]`, else `https://D`), so a redirect or a link to another server never
carries it; a request that already has an Authorization header keeps it; the evidence WARCs never hold the token
(`schildwacht.warc.evidence_headers` keeps a credential header by name only).
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler

from schildwacht.config import Settings


class MastodonTokenMiddleware:
    """Downloader middleware adding the configured token to the mastodon spider's requests (see module)."""

    def __init__(self, settings: Settings, crawler: Crawler | None = None) -> None:
        self.crawler = crawler  # its spider is the one a request belongs to (Scrapy no longer passes it)
        bases = settings.collector_mastodon_instances
        self.tokens = {
            (bases.get(domain) or f"https://{domain}").rstrip("/") + "/": token.get_secret_value()
            for domain, token in settings.collector_mastodon_access_tokens.items()
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MastodonTokenMiddleware:
        return cls(crawler.settings["SCHILDWACHT_SETTINGS"], crawler)

    def process_request(self, request: Request) -> None:
        spider: Spider | None = self.crawler.spider if self.crawler is not None else None
        if spider is None or spider.name != "mastodon" or b"Authorization" in request.headers:
            return
        for base, token in self.tokens.items():
            if request.url.startswith(base):
                request.headers["Authorization"] = f"Bearer {token}"
                return
