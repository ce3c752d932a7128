"""A statement timeout is transient only a bounded number of times (schildwacht/failures.py, schildwacht/kafka.py).

Real broker, real PostgreSQL: the handler stores each record in one transaction whose statements run under a
200 ms `statement_timeout`; a record marked slow sleeps 5 s in the database, so PostgreSQL cancels it (QueryCanceled).
- a slow record is parked (reason QueryCanceled) after the batch failed `poison_attempts` times in a row, and every
  other record of its partition is stored;
- a database that times out a few times and then recovers costs retries only: nothing is parked.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import text

from schildwacht.db import make_engine
from schildwacht.failures import Failure, classify
from schildwacht.kafka import RetryPolicy, consume_batches, ensure_topics, make_consumer, make_producer, publish

pytestmark = pytest.mark.integration

WAIT_S = 120.0  # generous bound; the loop ends on the event
POLICY = RetryPolicy(poison_attempts=3, backoff_initial_s=0.05, backoff_max_s=0.2)


def run_loop(stack, values: list[bytes], handle, expect_done) -> list[tuple[bytes, str]]:
    """Publish `values` to one partition, consume them with `handle` until `expect_done()`; returns the parked."""
    ensure_topics(stack.settings)
    producer = make_producer(stack.settings)
    for value in values:
        publish(producer, stack.settings.topic_raw, b"same-partition", value)
    producer.close()
    parked: list[tuple[bytes, str]] = []
    stop = threading.Event()

    def on_idle() -> None:
        if expect_done():
            stop.set()

    consumer = make_consumer(stack.settings, f"g-{uuid.uuid4().hex[:6]}", [stack.settings.topic_raw])
    timer = threading.Timer(WAIT_S, stop.set)
    timer.start()
    try:
        consume_batches(
            consumer,
            handle,
            stop,
            lambda record, reason: parked.append((record.value, reason)),
            POLICY,
            max_items=8,
            max_wait_ms=300,
            idle_callback=on_idle,
        )
    finally:
        timer.cancel()
        consumer.close()
    assert expect_done(), "the loop stopped at the time bound, not on its event"
    return parked


def store_with_timeout(engine, stored: set[bytes], sleep_s: Callable[[bytes], float]) -> Callable[[list], None]:
    def handle(batch) -> None:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL statement_timeout = '200ms'"))
            for record in batch:
                conn.execute(text("SELECT pg_sleep(:s)"), {"s": sleep_s(record.value)})
        stored.update(record.value for record in batch)

    return handle


def test_a_record_that_always_times_out_is_parked_and_its_neighbours_are_stored(stack):
    values = [f"post-{i}".encode() for i in range(12)]
    values[5] = b"slow-post"
    engine = make_engine(stack.database_url)
    stored: set[bytes] = set()
    try:
        handle = store_with_timeout(engine, stored, lambda v: 5 if v == b"slow-post" else 0)
        parked = run_loop(stack, values, handle, lambda: len(stored) == len(values) - 1)
    finally:
        engine.dispose()
    assert stored == set(values) - {b"slow-post"}
    [(value, reason)] = parked
    assert value == b"slow-post" and reason.startswith("QueryCanceled: ")


def test_a_database_that_times_out_a_while_costs_retries_only(stack):
    values = [f"post-{i}".encode() for i in range(6)]
    engine = make_engine(stack.database_url)
    stored: set[bytes] = set()
    slow_calls = iter(range(POLICY.poison_attempts - 1))  # fewer timeouts in a row than the bound

    def sleep_s(_value: bytes) -> float:
        return 5 if next(slow_calls, None) is not None else 0

    try:
        parked = run_loop(stack, values, store_with_timeout(engine, stored, sleep_s), lambda: stored == set(values))
    finally:
        engine.dispose()
    assert next(slow_calls, None) is None  # the database did time out, fewer times in a row than the bound
    assert parked == []


def test_a_statement_timeout_is_transient_until_escalated(pg):
    engine = make_engine(pg.url)
    try:
        with pytest.raises(Exception) as caught, engine.begin() as conn:
            conn.execute(text("SET LOCAL statement_timeout = '50ms'"))
            conn.execute(text("SELECT pg_sleep(2)"))
    finally:
        engine.dispose()
    assert classify(caught.value) is Failure.TRANSIENT
    assert classify(caught.value, escalated=True) is Failure.POISON
