"""Pins the embedded Tansu broker behaviour the pipeline's client settings rely on (docs/operations.md)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from schildwacht.contracts import ContractError, DeadLetter
from schildwacht.embedded import free_port
from schildwacht.kafka import RetryPolicy, consume_batches, ensure_topics, make_consumer, make_producer, park, publish
from tests.support.kafka_loop import watch_retries

pytestmark = pytest.mark.integration


def _run_consumer(
    settings, group: str, topic: str, handle, stop: threading.Event, timeout: float = 90.0, retries: int = 0
) -> None:
    """Drive consume_batches with `handle` until it sets `stop` (or a generous bound passes); nothing may be parked,
    and the loop may retry a batch `retries` times (one more ends the run: the test's asserts then fail at once)."""
    consumer = make_consumer(settings, group, [topic])
    timer = threading.Timer(timeout, stop.set)
    timer.start()

    def no_parking(record, reason):
        raise AssertionError(f"record at offset {record.offset} parked: {reason}")

    try:
        with watch_retries(stop, retries):
            consume_batches(
                consumer, handle, stop, no_parking, RetryPolicy(backoff_initial_s=0.2), max_items=50, max_wait_ms=100
            )
    finally:
        timer.cancel()
        consumer.close()


def _consume_all(settings, group: str, topic: str, expect: int) -> list:
    got: list = []
    stop = threading.Event()

    def handle(batch):
        got.extend(batch)
        if len(got) >= expect:
            stop.set()

    _run_consumer(settings, group, topic, handle, stop)
    return got


def test_topics_are_created_explicitly_with_configured_partitions(stack):
    ensure_topics(stack.settings)
    ensure_topics(stack.settings)  # idempotent
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=stack.bootstrap)
    try:
        described = {t["name"]: t for t in admin.describe_topics([stack.settings.topic_raw])}
    finally:
        admin.close()
    assert len(described[stack.settings.topic_raw]["partitions"]) == stack.settings.topic_partitions


def test_configured_session_timeout_is_used_and_commits_survive_close(stack):
    """With kafka-python's default 45 s session Tansu answers a join after ~23 s (docs/operations.md), so the
    consumers take the configured short session; how fast a join is belongs in bench/, not in an assert here."""
    consumer = make_consumer(stack.settings, "g-config", [stack.settings.topic_raw])
    consumer.close()
    assert consumer.config["session_timeout_ms"] == 2000  # the value the `stack` fixture configures
    ensure_topics(stack.settings)
    producer = make_producer(stack.settings)
    for i in range(10):
        publish(producer, stack.settings.topic_raw, b"k", f"m{i}".encode())
    group = f"g-{uuid.uuid4().hex[:6]}"
    first = _consume_all(stack.settings, group, stack.settings.topic_raw, expect=10)
    assert sorted(r.value for r in first) == sorted(f"m{i}".encode() for i in range(10))
    for i in range(10, 13):
        publish(producer, stack.settings.topic_raw, b"k", f"m{i}".encode())
    producer.close()
    second = _consume_all(stack.settings, group, stack.settings.topic_raw, expect=3)
    assert sorted(r.value for r in second) == [b"m10", b"m11", b"m12"], "committed offsets survive a close"


def test_failed_batch_is_retried_not_committed(stack):
    ensure_topics(stack.settings)
    producer = make_producer(stack.settings)
    publish(producer, stack.settings.topic_raw, b"k", b"once")
    producer.close()
    seen: list[bytes] = []
    stop = threading.Event()
    unreachable = create_engine(f"postgresql+psycopg://x@127.0.0.1:{free_port()}/x", poolclass=NullPool)

    def flaky(batch):
        seen.extend(r.value for r in batch)
        if len(seen) == 1:
            unreachable.connect()  # the database briefly unavailable: a real OperationalError, retried
        stop.set()

    _run_consumer(stack.settings, f"g-{uuid.uuid4().hex[:6]}", stack.settings.topic_raw, flaky, stop, retries=1)
    assert seen == [b"once", b"once"]


def test_large_record_round_trip(stack):
    """Records over kafka-python's default 1 MiB limit travel because max_request_size is raised."""
    ensure_topics(stack.settings)
    producer = make_producer(stack.settings)
    big = b"a" * (3 * 1024 * 1024)
    publish(producer, stack.settings.topic_raw, b"k", big)
    producer.close()
    got = _consume_all(stack.settings, f"g-{uuid.uuid4().hex[:6]}", stack.settings.topic_raw, expect=1)
    assert got and got[0].value == big


def test_park_keeps_payload_reason_and_origin(stack):
    ensure_topics(stack.settings)
    producer = make_producer(stack.settings)
    payload = b'{"platform": "mastodon", "post_id": "42", "text": 1}'
    park(producer, stack.settings, "test", "text: Input should be a valid string", payload=payload, key=b"off-x")
    producer.close()
    got = _consume_all(stack.settings, f"g-{uuid.uuid4().hex[:6]}", stack.settings.topic_dead_letter, expect=1)
    letter = DeadLetter.from_bytes(got[0].value)
    assert letter.uid == "mastodon:42" and letter.stage == "test" and "valid string" in letter.reason
    assert letter.payload == payload and letter.payload_size == len(payload) and not letter.truncated
    with pytest.raises(ContractError, match="UTF-8"):
        DeadLetter.from_bytes(b"\xff\xfe")
