"""Kafka plumbing shared by the stages: clients, topics, dead letters and the batch-consume loop.

Delivery rule everywhere: a record's offset is committed only after its result is durable (produced with
acks=all and confirmed, or committed to PostgreSQL) or the record itself is parked on the dead-letter topic. A
crash therefore replays, never loses; consumers are idempotent so a replay never duplicates.

No record stops its partition for ever: `consume_batches` isolates a failing record and parks it, while failures
of the world around it (database, broker) are retried and never parked (schildwacht/failures.py decides which).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, TopicAlreadyExistsError

from schildwacht.config import Settings
from schildwacht.contracts import DEAD_LETTER_PAYLOAD_LIMIT, DeadLetter
from schildwacht.failures import Failure, classify, describe, is_statement_timeout, kind, parks_at_once, signature
from schildwacht.metrics import (
    BATCH_SECONDS,
    BATCH_SIZE,
    CONSUMER_LAG,
    DEAD_LETTERS,
    MESSAGES_IN,
    MESSAGES_OUT,
    TRANSIENT_RETRIES,
)

log = logging.getLogger(__name__)


def make_producer(settings: Settings, bootstrap: str | None = None, **overrides: Any) -> KafkaProducer:
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


def make_consumer(
    settings: Settings, group_id: str, topics: Sequence[str], bootstrap: str | None = None, **overrides: Any
) -> KafkaConsumer:
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
    """Create the pipeline's topics explicitly (Tansu forgets them on restart), with their retention
    (schildwacht/topic_retention.py: `topic_configs`), which is also set on topics that already exist."""
    from kafka.admin import ConfigResource, ConfigResourceType

    from schildwacht.topic_retention import topic_configs

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap or settings.kafka_bootstrap_servers,
        client_id="schildwacht-admin",
        request_timeout_ms=15000,
    )
    try:
        existing = set(admin.list_topics())
        configs = topic_configs(settings)
        new = [
            NewTopic(name=t, num_partitions=settings.topic_partitions, replication_factor=1, topic_configs=c)
            for t, c in configs.items()
            if t not in existing
        ]
        if new:
            try:
                admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
        old = [ConfigResource(ConfigResourceType.TOPIC, t, configs=c) for t, c in configs.items() if t in existing]
        if old:
            # The broker checks the keys itself; kafka-python's own check first asks the broker for every key it may
            # set, which Tansu lists only once a key is set: an existing topic without them would fail here.
            admin.alter_configs(old, raise_on_unknown=False)
    finally:
        admin.close()


def publish(producer: KafkaProducer, topic: str, key: bytes | None, value: bytes, timeout: float = 30.0) -> None:
    """Send and wait for the broker's acknowledgement; raises KafkaError when not confirmed."""
    producer.send(topic, key=key, value=value).get(timeout=timeout)


def park(
    producer: KafkaProducer,
    settings: Settings,
    stage: str,
    reason: str,
    record: ConsumerRecord | None = None,
    payload: bytes | None = None,
    key: bytes | None = None,
) -> None:
    """Put a message that cannot be processed on the dead-letter topic, with its reason and origin.

    The letter keeps at most DEAD_LETTER_PAYLOAD_LIMIT bytes of the payload plus the original's sha256 and size, so
    it fits a request however large the record was (a tombstone parks as an empty payload).
    """
    if record is not None:
        payload, key = record.value, record.key
    letter = DeadLetter.park(
        stage=stage,
        reason=reason,
        payload=payload,
        key=key,
        topic=record.topic if record else None,
        partition=record.partition if record else None,
        offset=record.offset if record else None,
    )
    log.warning("dead-letter from %s: %s", stage, reason, extra={"uid": letter.uid, "stage": stage})
    publish(producer, settings.topic_dead_letter, key[:DEAD_LETTER_PAYLOAD_LIMIT] if key else None, letter.to_bytes())


BatchHandler = Callable[[list[ConsumerRecord]], None]
ParkRecord = Callable[[ConsumerRecord, str], None]
_ParkCounted = Callable[[ConsumerRecord, str, Exception], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often an isolated record is tried before it is parked, and how long the loop waits between tries."""

    poison_attempts: int = 3
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            poison_attempts=settings.poison_attempts,
            backoff_initial_s=settings.retry_backoff_initial_s,
            backoff_max_s=settings.retry_backoff_max_s,
        )

    def delays(self) -> Iterator[float]:
        """Back-off delays: doubling from the initial to the maximum, then the maximum for ever."""
        delay = self.backoff_initial_s
        while True:
            yield delay
            delay = min(delay * 2, self.backoff_max_s)


class _Stopped(Exception):
    """The stop event was set while a record waited for its next try."""


def consume_batches(
    consumer: KafkaConsumer,
    handle: BatchHandler,
    stop: threading.Event,
    park_record: ParkRecord,
    policy: RetryPolicy = RetryPolicy(),
    max_items: int = 32,
    max_wait_ms: int = 200,
    idle_callback: Callable[[], None] | None = None,
    stage: str | None = None,
) -> None:
    """Dynamic batching: gather up to `max_items` records (see `_gather` for `max_wait_ms`), handle, then commit.

    `handle` must make its results durable before returning, and `park_record(record, reason)` the dead letter.
    When `handle` raises, `schildwacht.failures.classify` decides:
    - transient: nothing is committed, the consumer re-seeks to the batch start and the batch is retried after a
      back-off (doubling up to `policy.backoff_max_s`), for ever; nothing is parked.
    - poison: the batch is split in halves, each handled on its own (in order), until the failing record is
      alone; that record is tried again alone and parked once it failed the same way `policy.poison_attempts`
      times in a row (a ContractError: at once). The records around it are handled normally.
    - a statement timeout: transient until the batch failed that way `policy.poison_attempts` times in a row, then
      poison for that batch (isolated; the record that alone times out is parked), see schildwacht/failures.py.
    Offsets are committed only when every record of the batch is handled or parked; a half that was handled
    before a transient failure is handled again on the retry (handlers are idempotent).

    Metrics (schildwacht/metrics.py) are labelled with `stage` (default: the consumer's group id): records read,
    records finished after the commit, size and seconds of every successful `handle` call, transient retries and
    dead letters by exception class, and the lag of every assigned partition.
    """
    stage = stage or consumer.config["group_id"]
    timed = _timed(handle, stage)
    parked: list[ConsumerRecord] = []

    def park_counted(record: ConsumerRecord, reason: str, exc: Exception) -> None:
        park_record(record, reason)
        DEAD_LETTERS.labels(stage, kind(exc)).inc()
        parked.append(record)

    waits = policy.delays()
    timeouts = 0  # consecutive statement timeouts of the batch at the current position
    lag = _LagReporter(consumer, stage)
    while not stop.is_set():
        batch = _gather(consumer, stop, max_items, max_wait_ms)
        lag.report()
        if not batch:
            if idle_callback:
                idle_callback()
            continue
        MESSAGES_IN.labels(stage).inc(len(batch))
        parked.clear()
        try:
            _handle_isolating(batch, timed, park_counted, policy, stop, timeouts >= policy.poison_attempts)
        except _Stopped:
            return
        except Exception as exc:  # transient, or parking itself failed: retry the whole batch
            timeouts = timeouts + 1 if is_statement_timeout(exc) else 0
            delay = next(waits)
            TRANSIENT_RETRIES.labels(stage, kind(exc)).inc()
            log.warning("batch of %d not handled (%s); retrying in %.1f s", len(batch), describe(exc), delay)
            _rewind(consumer, batch)
            stop.wait(delay)
            continue
        waits = policy.delays()
        timeouts = 0
        try:
            consumer.commit()
        except KafkaError:
            log.exception("offset commit failed; records may be redelivered (handlers are idempotent)")
        MESSAGES_OUT.labels(stage).inc(len(batch) - len(parked))


def _timed(handle: BatchHandler, stage: str) -> BatchHandler:
    """`handle`, observing size and duration of every call that succeeds."""

    def timed(records: list[ConsumerRecord]) -> None:
        started = time.perf_counter()
        handle(records)
        BATCH_SECONDS.labels(stage).observe(time.perf_counter() - started)
        BATCH_SIZE.labels(stage).observe(len(records))

    return timed


class _LagReporter:
    """Sets `schildwacht_consumer_lag` for the assigned partitions and removes partitions no longer assigned."""

    def __init__(self, consumer: KafkaConsumer, group: str) -> None:
        self.consumer = consumer
        self.group = group
        self.shown: set[TopicPartition] = set()

    def report(self) -> None:
        assigned = set(self.consumer.assignment())
        for tp in self.shown - assigned:
            CONSUMER_LAG.remove(self.group, tp.topic, str(tp.partition))
        self.shown &= assigned
        for tp in assigned:
            highwater = self.consumer.highwater(tp)
            try:
                position = self.consumer.position(tp, timeout_ms=0)
            except KafkaError:
                position = None
            if highwater is None or position is None:
                continue  # nothing fetched yet for this partition
            CONSUMER_LAG.labels(self.group, tp.topic, str(tp.partition)).set(max(0, highwater - position))
            self.shown.add(tp)


_LINGER_MS = 10  # once records arrived: how long a poll may wait for more before the batch is handled


def _gather(consumer: KafkaConsumer, stop: threading.Event, max_items: int, max_wait_ms: int) -> list[ConsumerRecord]:
    """Up to `max_items` records: wait at most `max_wait_ms` for the first, then take what arrives within
    `_LINGER_MS` of the last. A busy stream still gives full batches (records pile up while a batch is handled); a
    quiet one no longer makes each post wait for `max_wait_ms` (publish-to-row latency, bench/pipeline.py)."""
    batch: list[ConsumerRecord] = []
    deadline = time.monotonic() + max_wait_ms / 1000
    while len(batch) < max_items and not stop.is_set():
        remaining = max(1, int((deadline - time.monotonic()) * 1000))
        polled = consumer.poll(
            timeout_ms=min(remaining, _LINGER_MS) if batch else remaining, max_records=max_items - len(batch)
        )
        arrived = sum(len(records) for records in polled.values())
        for records in polled.values():
            batch.extend(records)
        if (batch and not arrived) or time.monotonic() >= deadline:
            break
    return batch


def _handle_isolating(
    records: list[ConsumerRecord],
    handle: BatchHandler,
    park_record: _ParkCounted,
    policy: RetryPolicy,
    stop: threading.Event,
    escalated: bool = False,
) -> None:
    """Handle `records`, splitting on a poison failure until the failing record is alone; re-raise transient ones.
    `escalated`: statement timeouts count as poison (`schildwacht.failures.classify`)."""
    try:
        handle(records)
        return
    except Exception as exc:
        if classify(exc, escalated) is Failure.TRANSIENT:
            raise
        if len(records) == 1:
            _retry_alone(records[0], exc, handle, park_record, policy, stop, escalated)
            return
        log.info("batch of %d failed (%s); splitting it to isolate the record", len(records), describe(exc))
    middle = len(records) // 2
    _handle_isolating(records[:middle], handle, park_record, policy, stop, escalated)
    _handle_isolating(records[middle:], handle, park_record, policy, stop, escalated)


def _retry_alone(
    record: ConsumerRecord,
    exc: Exception,
    handle: BatchHandler,
    park_record: _ParkCounted,
    policy: RetryPolicy,
    stop: threading.Event,
    escalated: bool = False,
) -> None:
    """Try an isolated record until it passes or failed the same way `poison_attempts` times; then park it."""
    same = 1
    waits = policy.delays()
    while not parks_at_once(exc) and same < policy.poison_attempts:
        if stop.wait(next(waits)):
            raise _Stopped
        try:
            handle([record])
            return
        except Exception as again:
            if classify(again, escalated) is Failure.TRANSIENT:
                raise
            same = same + 1 if signature(again) == signature(exc) else 1
            exc = again
    park_record(record, describe(exc), exc)


def _rewind(consumer: KafkaConsumer, batch: list[ConsumerRecord]) -> None:
    first: dict[TopicPartition, int] = {}
    for r in batch:
        tp = TopicPartition(r.topic, r.partition)
        first[tp] = min(first.get(tp, r.offset), r.offset)
    assigned = consumer.assignment()
    for tp, offset in first.items():
        if tp in assigned:  # a partition revoked meanwhile resumes from its committed offset elsewhere
            consumer.seek(tp, offset)
