"""Waiting for the item pipelines, for spiders that yield items from `start()` (Scrapy processes those without
waiting for one another, unlike the items of one response)."""

from __future__ import annotations

import asyncio

from scrapy.crawler import Crawler


async def items_settled(crawler: Crawler) -> None:
    """Return once every item yielded so far has left the pipelines: a cursor yielded next is never stored before
    the posts it passes are confirmed (PublishPipeline refuses it when one of them failed)."""
    slot = crawler.engine.scraper.slot if crawler.engine else None
    while slot is not None and slot.itemproc_size > 0:
        await asyncio.sleep(0.02)
