"""Item pipelines: match against the registry, then publish to Kafka with confirmation.

Order (see settings.ITEM_PIPELINES): MatchPipeline drops posts that mention no consenting official;
PublishPipeline publishes CollectedMention / DeadLetter (acks=all, retried with backoff) and stores a
CursorItem only when nothing before it failed, so a feed position never passes an unconfirmed post.
"""

from __future__ import annotations

import logging
import time

from kafka.errors import KafkaError
from pydantic import ValidationError
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from collectors.evidence import COLLECTOR_VERSION
from collectors.items import CursorItem, ParkedItem, PostItem
from collectors.matching import OfficialMatcher
from collectors.registry import Registry
from collectors.state import CursorStore
from schildwacht.config import Settings
from schildwacht.contracts import CollectedMention, DeadLetter
from schildwacht.db_retry import first_line, retry_while_unreachable
from schildwacht.failures import DATABASE_UNREACHABLE
from schildwacht.kafka import ensure_topics, make_producer, publish

log = logging.getLogger(__name__)


# How long a post waits for an unreachable registry database before it is parked (dead letter, replayable).
REGISTRY_WAIT_S = 300.0


class PublishFailed(RuntimeError):
    """Kafka did not confirm a message after all retries."""


class MatchPipeline:
    """Keeps posts that mention or reply to an active official; fills `item.match`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings: Settings = crawler.settings["SCHILDWACHT_SETTINGS"]
        self.registry: Registry | None = None
        self._snapshot: tuple | None = None
        self._matcher: OfficialMatcher | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MatchPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.registry = Registry(self.settings, refresh_seconds=self.settings.collector_registry_refresh_seconds)

    def close_spider(self) -> None:
        if self.registry is not None:
            self.registry.close()

    def matcher(self) -> OfficialMatcher:
        """The matcher for the current registry snapshot (rebuilt when the registry changed)."""
        assert self.registry is not None  # opened by open_spider
        officials = self.registry.officials()
        if officials != self._snapshot:
            self._matcher, self._snapshot = OfficialMatcher(officials), officials
        assert self._matcher is not None  # built on the first call: a tuple never equals the initial None
        return self._matcher

    async def process_item(self, item):
        if not isinstance(item, PostItem):
            return item
        try:
            matcher = self.matcher()
        except DATABASE_UNREACHABLE as exc:  # wait for the registry off the reactor; park the post if it stays away
            log.warning("register niet bereikbaar, wacht: %s", first_line(exc), extra={"uid": item.uid})
            try:
                matcher = await maybe_deferred_to_future(
                    deferToThread(retry_while_unreachable, self.matcher, until=time.monotonic() + REGISTRY_WAIT_S)
                )
            except DATABASE_UNREACHABLE as still:
                return ParkedItem(
                    collector=item.collector,
                    reason=f"register niet bereikbaar na {REGISTRY_WAIT_S:.0f} s: {first_line(still)}"[:500],
                    payload=item.capture.raw,
                    uid=item.uid,
                )
        try:
            result = matcher.match(item.text, item.platform, item.author.handle, item.in_reply_to_author)
        except Exception as exc:  # noqa: BLE001 - never drop silently: park with the reason
            log.exception("herkenning mislukt voor %s", item.uid)
            return ParkedItem(
                collector=item.collector,
                reason=f"herkenning mislukt: {exc!r}"[:500],
                payload=item.capture.raw,
                uid=item.uid,
            )
        if item.submitted_for:
            result = matcher.with_submission(result, item.submitted_for, f"ingediend door {item.submitted_by}")
        if not result:
            self.crawler.stats.inc_value("schildwacht/unmatched")
            raise DropItem(f"{item.uid}: noemt geen actieve bestuurder", log_level="DEBUG")
        item.match = result
        return item


def mention_from_item(item: PostItem) -> CollectedMention:
    """The Kafka message for a matched post."""
    match = item.match
    assert match is not None  # filled by MatchPipeline, which runs before this pipeline
    return CollectedMention(
        platform=item.platform,
        post_id=item.post_id,
        url=item.url,
        author=item.author,
        text=item.text,
        created_at=item.created_at,
        collected_at=item.capture.captured_at,
        collector=item.collector,
        collector_version=COLLECTOR_VERSION,
        matched_official_ids=match.official_ids,
        matches=match.matches,
        in_reply_to_id=item.in_reply_to_id,
        in_reply_to_official_id=match.in_reply_to_official_id,
        thread_id=item.thread_id,
        raw=item.capture.payload(),
    )


class PublishPipeline:
    """Publishes with acks=all and waits for the broker; retries with exponential backoff, never drops."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings: Settings = crawler.settings["SCHILDWACHT_SETTINGS"]
        self.cursors: CursorStore | None = None
        self.producer = None
        self.failed = False
        self.published_uids: list[str] = []
        self.published_uids_seen: set[str] = set()
        self.parked_uids: list[str | None] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PublishPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.cursors = CursorStore.for_settings(self.settings)
        ensure_topics(self.settings)
        self.producer = make_producer(self.settings)

    def close_spider(self) -> None:
        stats = self.crawler.stats
        stats.set_value("schildwacht/published_uids", list(self.published_uids))
        stats.set_value("schildwacht/parked_uids", list(self.parked_uids))
        if self.producer is not None:
            self.producer.flush(timeout=30)
            self.producer.close(timeout=10)
        if self.cursors is not None:
            self.cursors.close()

    def _send(self, topic: str, key: bytes | None, value: bytes, what: str) -> None:
        attempts = self.settings.collector_publish_attempts
        delay = 0.5
        for attempt in range(1, attempts + 1):
            try:
                publish(self.producer, topic, key, value)
                return
            except KafkaError as exc:
                log.warning("publiceren van %s mislukt (poging %d/%d): %s", what, attempt, attempts, exc)
                if attempt < attempts:
                    time.sleep(delay)
                    delay = min(delay * 2, 30.0)
        raise PublishFailed(f"Kafka bevestigde {what} niet na {attempts} pogingen")

    async def process_item(self, item):
        try:
            if isinstance(item, PostItem):
                if item.uid in self.published_uids_seen:
                    return item  # found again through another feed in this crawl
                try:
                    mention = mention_from_item(item)
                except ValidationError as exc:  # e.g. a text beyond the contract's limit: park, never drop
                    item = ParkedItem(
                        collector=item.collector,
                        reason=f"voldoet niet aan contract: {exc}"[:1000],
                        payload=item.capture.raw,
                        uid=item.uid,
                    )
                    return await self.process_item(item)
                await maybe_deferred_to_future(
                    deferToThread(self._send, self.settings.topic_raw, mention.key, mention.to_bytes(), mention.uid)
                )
                self.published_uids.append(mention.uid)
                self.published_uids_seen.add(mention.uid)
                self.crawler.stats.inc_value("schildwacht/published")
            elif isinstance(item, ParkedItem):
                letter = DeadLetter.park(
                    stage=f"collectors.{item.collector}", reason=item.reason, payload=item.payload, uid=item.uid
                )
                log.error("geparkeerd (%s): %s", item.uid or "onbekend", item.reason)
                await maybe_deferred_to_future(
                    deferToThread(self._send, self.settings.topic_dead_letter, None, letter.to_bytes(), "dead letter")
                )
                self.parked_uids.append(letter.uid)
                self.crawler.stats.inc_value("schildwacht/parked")
            elif isinstance(item, CursorItem):
                self._commit_cursor(item)
        except PublishFailed:
            self.failed = True
            self.crawler.stats.inc_value("schildwacht/publish_failed")
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="kafka_niet_bevestigd"))
            raise
        return item

    def _commit_cursor(self, item: CursorItem) -> None:
        if self.failed:
            log.warning("cursor %s niet opgeslagen: eerdere berichten zijn niet bevestigd", item.key)
            return
        assert self.cursors is not None  # opened by open_spider
        self.cursors.set(item.key, item.value)
        self.crawler.stats.inc_value("schildwacht/cursors_committed")
