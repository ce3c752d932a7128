"""Run one Scrapy crawl to completion in a fresh child process (the Twisted reactor cannot restart).

Children come from a forkserver that has already imported Scrapy, spaCy and the spiders (no reactor is
installed by those imports), so each crawl starts in a fraction of a second instead of re-importing.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from schildwacht.config import Settings

if TYPE_CHECKING:  # Scrapy itself is imported in the crawl's child process only
    from scrapy.settings import Settings as ScrapySettings


class CrawlError(RuntimeError):
    """A crawl did not finish cleanly (e.g. Kafka did not confirm); the message says why."""


_PRELOAD = [
    "scrapy.crawler",
    "spacy.lang.nl",
    "collectors.configuration",
    "collectors.pipelines",
    "collectors.spiders.bluesky",
    "collectors.spiders.feeds",
    "collectors.spiders.intake",
    "collectors.spiders.jetstream",
    "collectors.spiders.mailbox",
    "collectors.spiders.uploads",
    "collectors.spiders.mastodon",
    "collectors.spiders.meta",
    "collectors.spiders.replay",
    "collectors.spiders.submitted",
    "collectors.spiders.x",
    "collectors.spiders.youtube",
]


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def crawl(spider: str, settings: Settings, **spider_args: Any) -> dict[str, Any]:
    """Run spider `spider` with `spider_args` in a child process; returns the crawl's Scrapy stats."""
    context = _context()
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        stats = pool.submit(_crawl_here, spider, settings, spider_args).result()
    if stats.get("schildwacht/publish_failed"):
        raise CrawlError("Kafka heeft niet alle berichten bevestigd; niets is als verwerkt gemarkeerd.")
    if stats.get("finish_reason") != "finished":
        raise CrawlError(f"verzamelen niet afgerond: {stats.get('finish_reason', 'onbekende reden')}")
    return stats


def scrapy_settings(settings: Settings) -> ScrapySettings:
    """The collectors' Scrapy settings (collectors/settings.py) for a crawl with the configuration `settings`
    (applied by the add-on in collectors/configuration.py)."""
    from scrapy.settings import Settings as ScrapySettings

    values = ScrapySettings()
    values.setmodule("collectors.settings", priority="project")
    values.set("SCHILDWACHT_SETTINGS", settings, priority="project")
    return values


def _crawl_here(spider: str, settings: Settings, spider_args: dict[str, Any]) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(scrapy_settings(settings))
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    return dict(crawler.stats.get_stats())
