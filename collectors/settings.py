"""Scrapy settings for the Schildwacht collectors (politeness, evidence fidelity, pipelines).

A plain Scrapy settings module (scrapy.cfg names it), so `scrapy list|crawl|check|shell` work from the repository
root. What depends on the Schildwacht configuration (user agent, delays, limits, the configuration itself) is set
by the add-on in collectors/configuration.py.
"""

BOT_NAME = "schildwacht"
SPIDER_MODULES = ["collectors.spiders"]
NEWSPIDER_MODULE = "collectors.spiders"
ADDONS = {"collectors.configuration.SchildwachtConfiguration": 0}

ITEM_PIPELINES = {
    "collectors.pipelines.MatchPipeline": 100,
    "collectors.pipelines.PublishPipeline": 900,
}
DOWNLOADER_MIDDLEWARES = {
    # Outbound guard first: nothing else may act on (or ask robots.txt of) a refused destination.
    "collectors.middlewares.OutboundGuardMiddleware": 50,
    # Keep the bytes exactly as served: no Accept-Encoding is sent, nothing is decompressed.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "collectors.middlewares.RobotsTxtMiddleware": 100,
    # X's x-rate-limit-* headers; its 429s wait for the reset before RetryAfterMiddleware (560) would see them
    "collectors.x_ratelimit.XRateLimitMiddleware": 570,
    "collectors.middlewares.RetryAfterMiddleware": 560,  # before RetryMiddleware (550) sees the response
    "collectors.mastodon_auth.MastodonTokenMiddleware": 600,  # after the guard: only to the token's own server
}
# Only http(s) is ever fetched; the guard's resolver is the reactor's (collectors/outbound.py).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
TWISTED_DNS_RESOLVER = "collectors.outbound.GuardedResolver"
# Items of one response are handled one after another, so a CursorItem follows its posts.
CONCURRENT_ITEMS = 1
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
RETRY_AFTER_MAX_SECONDS = 300
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "WARNING"  # errors and parked items stay visible; counts come from the CLI summary
STATS_DUMP = False  # the CLI prints its own one-line summary per source
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
