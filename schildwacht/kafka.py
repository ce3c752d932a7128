"""Kafka plumbing shared by the stages: clients, topics, dead letters and the batch-consume loop.

Delivery rule everywhere: a record's offset is committed only after its result is durable (produced with
acks=all and confirmed, or committed to PostgreSQL). A crash therefore replays, never loses; consumers are
idempotent so a replay never duplicates.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, TopicAlreadyExistsError

from schildwacht.config import Settings
from schildwacht.contracts import DeadLetter

log = logging.getLogger(__name__)


def make_producer(settings: Settings, bootstrap: str | None = None, **overrides) -> KafkaProducer:
    """A producer that waits for all in-sync replicas and retries transient errors."""
    opts = dict(
        bootstrap_servers=bootstrap or settings.kafka_bootstrap_servers,
        acks="all",
        retries=10,
        linger_ms=5,
        max_request_size=settings.kafka_max_request_size,
        enable_idempotence=settings.kafka_enable_idempotence,
        request_timeout_ms=15000,
        client_id="schildwacht",
    )
    opts.update(overrides)
    return KafkaProducer(**opts)


def make_consumer(settings: Settings, group_id: str, topics: Sequence[str], bootstrap: str | None = None,
                  **overrides) -> KafkaConsumer:
    """A consumer-group member with manual commits (see module docstring)."""
    opts = dict(
        bootstrap_servers=bootstrap or settings.kafka_bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        max_partition_fetch_bytes=settings.kafka_max_request_size,
        fetch_max_bytes=max(settings.kafka_max_request_size * 4, 52428800),
        client_id=f"schildwacht-{group_id}",
    )
    opts.update(overrides)
    consumer = KafkaConsumer(**opts)
    consumer.subscribe(list(topics))
    return consumer


def ensure_topics(settings: Settings, bootstrap: str | None = None) -> None:
    """Create the pipeline's topics explicitly (Tansu forgets them on restart)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap or settings.kafka_bootstrap_servers,
                             client_id="schildwacht-admin", request_timeout_ms=15000)
    try:
        existing = set(admin.list_topics())
        wanted = [settings.topic_raw, settings.topic_scored, settings.topic_dead_letter]
        new = [NewTopic(name=t, num_partitions=settings.topic_partitions, replication_factor=1)
               for t in wanted if t not in existing]
        if new:
            try:
                admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def publish(producer: KafkaProducer, topic: str, key: bytes | None, value: bytes, timeout: float = 30.0) -> None:
    """Send and wait for the broker's acknowledgement; raises KafkaError when not confirmed."""
    producer.send(topic, key=key, value=value).get(timeout=timeout)


def park(producer: KafkaProducer, settings: Settings, stage: str, reason: str, record: ConsumerRecord | None = None,
         payload: bytes | None = None, key: bytes | None = None) -> None:
    """Put a message that cannot be processed on the dead-letter topic, with its reason and origin."""
    if record is not None:
        payload, key = record.value, record.key
    letter = DeadLetter.park(stage=stage, reason=reason, payload=payload or b"", key=key,
                             topic=record.topic if record else None,
                             partition=record.partition if record else None,
                             offset=record.offset if record else None)
    log.warning("dead-letter from %s: %s", stage, reason)
    publish(producer, settings.topic_dead_letter, key, letter.to_bytes())


BatchHandler = Callable[[list[ConsumerRecord]], None]


def consume_batches(consumer: KafkaConsumer, handle: BatchHandler, stop: threading.Event,
                    max_items: int = 32, max_wait_ms: int = 200,
                    idle_callback: Callable[[], None] | None = None) -> None:
    """Dynamic batching: gather up to `max_items` records or until `max_wait_ms`, handle, then commit.

    `handle` must make its results durable before returning; if it raises, nothing is committed and the
    consumer re-seeks to the batch start so the records are retried.
    """
    while not stop.is_set():
        batch: list[ConsumerRecord] = []
        deadline = time.monotonic() + max_wait_ms / 1000
        while len(batch) < max_items and not stop.is_set():
            remaining = max(0, int((deadline - time.monotonic()) * 1000))
            polled = consumer.poll(timeout_ms=remaining or 1, max_records=max_items - len(batch))
            for records in polled.values():
                batch.extend(records)
            if time.monotonic() >= deadline:
                break
        if not batch:
            if idle_callback:
                idle_callback()
            continue
        try:
            handle(batch)
        except Exception:
            log.exception("batch of %d failed; will retry", len(batch))
            _rewind(consumer, batch)
            time.sleep(1.0)
            continue
        try:
            consumer.commit()
        except KafkaError:
            log.exception("offset commit failed; records may be redelivered (handlers are idempotent)")


def _rewind(consumer: KafkaConsumer, batch: list[ConsumerRecord]) -> None:
    from kafka import TopicPartition

    first: dict[TopicPartition, int] = {}
    for r in batch:
        tp = TopicPartition(r.topic, r.partition)
        first[tp] = min(first.get(tp, r.offset), r.offset)
    for tp, offset in first.items():
        consumer.seek(tp, offset)
