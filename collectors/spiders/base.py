"""What every collecting spider shares: its configuration, feed cursors, officials, parking and failed downloads.

Invariants for a subclass (which implements `first_requests`): `config` is set and, when `uses_cursors`, `cursors`
is open before the first request is made; `cursors` is closed when the crawl ends, whatever the reason; a download
that fails for good goes through `collectors.failures.download_failed` (logged, counted, parked where the content is
unusable); a parked entity carries its uid when `entity_uid` knows it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from collectors.allowance import SourceAllowance
from collectors.failures import download_failed
from collectors.items import PARKED_PAYLOAD_LIMIT, ParkedItem
from collectors.registry import OfficialEntry, Registry
from collectors.state import CursorStore
from schildwacht.config import Settings
from schildwacht.removals import RemovalLog


class SourceSpider(scrapy.Spider):
    """Base class of the spiders that collect from a source (no `name`: Scrapy does not list it)."""

    uses_cursors = True
    config: Settings
    cursors: CursorStore | None = None

    async def start(self) -> AsyncIterator[Any]:
        self.config = self.settings["SCHILDWACHT_SETTINGS"]
        if self.uses_cursors:
            self.cursors = CursorStore.for_settings(self.config)
        async for request in self.first_requests():
            yield request

    def first_requests(self) -> AsyncIterator[Any]:
        """The source's first requests (an async generator)."""
        raise NotImplementedError

    def active_officials(self) -> list[OfficialEntry]:
        """The active, consenting officials now (read once, the registry connection closed again)."""
        registry = Registry(self.config)
        try:
            return list(registry.officials())
        finally:
            registry.close()

    def entity_uid(self, entity: Any) -> str | None:
        """`platform:post_id` of an entity of this source, when it shows one."""
        return None

    def park(self, response: Response, reason: str, entity: Any = None) -> ParkedItem:
        """A ParkedItem for an unusable `entity` of `response` (or for the response itself)."""
        if entity is not None:  # whole: the dead letter keeps the original's size and sha256 (DeadLetter.park)
            payload = json.dumps(entity, default=str).encode()
        else:
            payload = response.body[:PARKED_PAYLOAD_LIMIT]
        uid = self.entity_uid(entity) if entity is not None else None
        return ParkedItem(self.name, f"{response.url}: {reason}", payload, uid)

    def closed(self, reason: str) -> None:
        if self.cursors is not None:
            self.cursors.close()

    def failed(self, failure: Failure) -> Iterator[ParkedItem]:
        """Errback of every request: see `collectors.failures.download_failed`."""
        yield from download_failed(self, failure)


class MeteredSpider(SourceSpider):
    """A source with a budget set by the platform (`allowance`: a monthly post cap, a daily quota) and a record of
    what it has seen and what disappeared (`removals`), both opened by the subclass in `first_requests` and both
    closed when the crawl ends; its entities are `<uid_prefix>:<id>`."""

    uid_prefix: str
    allowance: SourceAllowance | None = None
    removals: RemovalLog | None = None

    def entity_uid(self, entity: Any) -> str | None:
        return f"{self.uid_prefix}:{entity['id']}" if isinstance(entity, dict) and entity.get("id") else None

    def closed(self, reason: str) -> None:
        super().closed(reason)
        if self.allowance is not None:
            self.allowance.close()
        if self.removals is not None:
            self.removals.close()
