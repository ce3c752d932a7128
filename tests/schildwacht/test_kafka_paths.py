"""Branches of `schildwacht/kafka.py` the pipeline tests pass through without pinning them.

The isolation of a failing record (`_handle_isolating`, `_retry_alone`) is driven directly with records as the
consumer delivers them and a handler that fails on chosen values: which calls happen, in which order, what is parked
with which reason. Parking, the consume loop's retry and commit, and the client options run against the real Tansu
broker. Expected values come from the records the test made.
"""

from __future__ import annotations

import itertools
import threading
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from schildwacht.config import Settings
from schildwacht.contracts import DEAD_LETTER_PAYLOAD_LIMIT, ContractError, DeadLetter
from schildwacht.kafka import (
    RetryPolicy,
    _handle_isolating,
    _Stopped,
    consume_batches,
    ensure_topics,
    make_consumer,
    make_producer,
    park,
    publish,
)

FAST = RetryPolicy(poison_attempts=3, backoff_initial_s=0.001, backoff_max_s=0.002)
WAIT_S = 60.0  # generous bound of the waits on the broker; they end on the event, not on the clock


def records(*values: bytes, topic: str = "t") -> list[ConsumerRecord]:
    return [
        ConsumerRecord(topic, 0, -1, offset, 0, 0, b"k", value, [], None, 1, len(value), 0)
        for offset, value in enumerate(values)
    ]


class Handler:
    """Records every call; raises the next of `failures[value]` when a call contains that value."""

    def __init__(self, **failures) -> None:
        self.calls: list[list[bytes]] = []
        self.failures = {k.encode(): iter(v) for k, v in failures.items()}
        self.parked: list[tuple[bytes, str]] = []

    def __call__(self, batch: list[ConsumerRecord]) -> None:
        values = [r.value for r in batch]
        self.calls.append(values)
        for value, errors in self.failures.items():
            if value in values:
                error = next(errors, None)
                if error is not None:
                    raise error

    def park(self, record: ConsumerRecord, reason: str, exc: Exception) -> None:
        self.parked.append((record.value, reason))


def run(handler: Handler, batch: list[ConsumerRecord], policy: RetryPolicy = FAST, stop=None) -> None:
    _handle_isolating(batch, handler, handler.park, policy, stop or threading.Event())


def test_backoff_doubles_up_to_the_maximum_and_stays_there():
    delays = RetryPolicy(poison_attempts=1, backoff_initial_s=0.5, backoff_max_s=3.0).delays()
    assert list(itertools.islice(delays, 6)) == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_policy_from_settings_takes_each_setting():
    settings = Settings(poison_attempts=7, retry_backoff_initial_s=0.25, retry_backoff_max_s=4.0)
    assert RetryPolicy.from_settings(settings) == RetryPolicy(7, 0.25, 4.0)


def test_failing_record_is_isolated_retried_alone_and_parked_the_others_handled_in_order():
    values = [f"r{i}".encode() for i in range(8)]
    handler = Handler(r5=[ValueError("kapot")] * 10)
    run(handler, records(*values))
    alone = [call for call in handler.calls if call == [b"r5"]]
    assert len(alone) == FAST.poison_attempts  # the first isolated failure plus two retries
    assert handler.parked == [(b"r5", "ValueError: kapot")]
    passed = [call for call in handler.calls if b"r5" not in call]
    assert [v for call in passed for v in call] == [v for v in values if v != b"r5"]  # each once, in order
    assert handler.calls[0] == values  # the whole batch is tried first


def test_invalid_message_is_parked_at_once_without_retries():
    handler = Handler(r1=[ContractError("ScoredMention: <root>: Invalid JSON")] * 10)
    run(handler, records(b"r0", b"r1"))
    assert [call for call in handler.calls if call == [b"r1"]] == [[b"r1"]]
    assert handler.parked == [(b"r1", "ScoredMention: <root>: Invalid JSON")]


def test_a_different_failure_starts_the_count_again():
    handler = Handler(r0=[ValueError("a"), ValueError("b"), ValueError("b"), ValueError("b")])
    run(handler, records(b"r0"))
    assert len(handler.calls) == 4 and handler.parked == [(b"r0", "ValueError: b")]


def test_record_that_passes_on_a_retry_is_not_parked():
    handler = Handler(r0=[ValueError("eenmalig")])
    run(handler, records(b"r0"))
    assert handler.calls == [[b"r0"], [b"r0"]] and handler.parked == []


def test_isolated_record_is_parked_after_a_single_attempt_when_one_is_allowed():
    handler = Handler(r0=[ValueError("x")] * 3)
    run(handler, records(b"r0"), RetryPolicy(poison_attempts=1, backoff_initial_s=0.001, backoff_max_s=0.001))
    assert handler.calls == [[b"r0"]] and handler.parked == [(b"r0", "ValueError: x")]


@pytest.mark.parametrize("when", ["batch", "retry"])
def test_transient_failure_is_raised_to_the_loop_and_nothing_is_parked(when):
    errors = [ConnectionError("db weg")] if when == "batch" else [ValueError("x"), ConnectionError("db weg")]
    handler = Handler(r1=errors)
    with pytest.raises(ConnectionError):
        run(handler, records(b"r0", b"r1") if when == "batch" else records(b"r1"))
    assert handler.parked == []


def test_stop_while_a_record_waits_for_its_retry_ends_without_parking():
    stop = threading.Event()
    stop.set()
    handler = Handler(r0=[ValueError("x")] * 3)
    with pytest.raises(_Stopped):
        run(handler, records(b"r0"), stop=stop)
    assert handler.calls == [[b"r0"]] and handler.parked == []


# --- against the broker ------------------------------------------------------------------------------------------


def read_topic(settings: Settings, topic: str, expect: int) -> list:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, consumer_timeout_ms=int(WAIT_S * 1000))
    partitions = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    got = []
    try:
        for message in consumer:
            got.append(message)
            if len(got) >= expect:
                break
    finally:
        consumer.close()
    return got


@pytest.mark.integration
def test_park_keeps_origin_and_cuts_payload_and_key_to_the_limit(stack):
    ensure_topics(stack.settings)
    producer = make_producer(stack.settings)
    big_key, big_value = b"K" * (DEAD_LETTER_PAYLOAD_LIMIT + 5), b"V" * (DEAD_LETTER_PAYLOAD_LIMIT + 7)
    (record,) = records(big_value, topic="bron")
    record = record._replace(key=big_key, partition=3, offset=99)
    try:
        park(producer, stack.settings, "classifier", "te groot", record=record)
        park(producer, stack.settings, "collector", "onleesbaar", payload=b"los", key=None)
    finally:
        producer.close()
    messages = sorted(read_topic(stack.settings, stack.settings.topic_dead_letter, 2), key=lambda m: len(m.value))
    loose, cut = (DeadLetter.from_bytes(m.value) for m in messages)
    assert messages[1].key == big_key[:DEAD_LETTER_PAYLOAD_LIMIT] and messages[0].key is None
    assert (cut.stage, cut.reason, cut.source_topic, cut.source_partition, cut.source_offset) == (
        "classifier",
        "te groot",
        "bron",
        3,
        99,
    )
    assert cut.payload == big_value[:DEAD_LETTER_PAYLOAD_LIMIT] and cut.payload_size == len(big_value)
    assert (loose.stage, loose.payload, loose.source_topic, loose.source_offset) == ("collector", b"los", None, None)


@pytest.mark.integration
def test_loop_retries_a_transient_failure_from_the_batch_start_then_commits(stack):
    ensure_topics(stack.settings)
    topic = stack.settings.topic_raw
    producer = make_producer(stack.settings)
    sent = [f"m{i}".encode() for i in range(5)]
    for value in sent:
        publish(producer, topic, b"k", value)
    producer.close()
    group, stop, seen, partitions = f"g-{uuid.uuid4().hex[:6]}", threading.Event(), [], set()
    failures = iter([ConnectionError("database herstart")])
    idle = threading.Event()

    def handle(batch):
        assert len(batch) <= 2
        error = next(failures, None)
        if error:
            raise error
        seen.extend(r.value for r in batch)
        partitions.update(r.partition for r in batch)

    def on_idle():
        if len(seen) >= len(sent):
            idle.set()
            stop.set()

    consumer = make_consumer(stack.settings, group, [topic])
    timer = threading.Timer(WAIT_S, stop.set)
    timer.start()
    try:
        consume_batches(
            consumer,
            handle,
            stop,
            lambda r, reason: pytest.fail(f"parked {r.value}: {reason}"),
            FAST,
            max_items=2,
            max_wait_ms=50,
            idle_callback=on_idle,
        )
        (partition,) = partitions  # one key: one partition
        committed = consumer.committed(TopicPartition(topic, partition))
    finally:
        timer.cancel()
        consumer.close()
    assert idle.is_set(), "the loop never went idle with everything handled"
    assert seen == sent  # the failed first batch was handled again from its start, nothing skipped or repeated after
    assert committed == len(sent)  # the offset after the last record


@pytest.mark.integration
def test_clients_take_the_settings_and_the_overrides(stack):
    consumer = make_consumer(stack.settings, "g-opties", ["a", "b"], client_id="eigen")
    producer = make_producer(stack.settings, linger_ms=0)
    try:
        assert consumer.subscription() == {"a", "b"}
        assert consumer.config["group_id"] == "g-opties" and consumer.config["client_id"] == "eigen"
        assert consumer.config["enable_auto_commit"] is False and consumer.config["auto_offset_reset"] == "earliest"
        assert consumer.config["session_timeout_ms"] == stack.settings.kafka_session_timeout_ms
        assert consumer.config["heartbeat_interval_ms"] == stack.settings.kafka_heartbeat_interval_ms
        assert consumer.config["max_partition_fetch_bytes"] == stack.settings.kafka_max_request_size
        assert producer.config["acks"] in ("all", -1) and producer.config["linger_ms"] == 0
        assert producer.config["max_request_size"] == stack.settings.kafka_max_request_size
        assert producer.config["client_id"] == "schildwacht"
    finally:
        consumer.close()
        producer.close()
