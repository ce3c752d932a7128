"""Branches of `schildwacht/kafka.py` the pipeline tests pass through without pinning them.

The isolation of a failing record (`_handle_isolating`, `_retry_alone`) is driven directly with records as the
consumer delivers them and a handler that fails on chosen values: which calls happen, in which order, what is parked
with which reason. Parking, the consume loop's retry and commit, and the client options run against the real Tansu
broker. Expected values come from the records the test made.
"""

from __future__ import annotations

import base64
import itertools
import logging
import threading
import time
import uuid

import psycopg
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client import REGISTRY

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
from tests.support.kafka_loop import watch_retries

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
        self.parked_because: list[Exception] = []  # the exception handed to the park callback (metrics label)

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
        self.parked_because.append(exc)


def run(
    handler: Handler, batch: list[ConsumerRecord], policy: RetryPolicy = FAST, stop=None, escalated: bool = False
) -> None:
    _handle_isolating(batch, handler, handler.park, policy, stop or threading.Event(), escalated)


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


def test_the_park_callback_gets_the_last_failure_of_the_isolated_record():
    raised = [ValueError("eerste"), ValueError("tweede"), ValueError("tweede"), ValueError("derde")]
    handler = Handler(r0=raised)
    run(handler, records(b"r0"), RetryPolicy(poison_attempts=2, backoff_initial_s=0.001, backoff_max_s=0.001))
    # "eerste", then "tweede" twice in a row: parked after the second "tweede"; "derde" is never raised
    assert handler.parked == [(b"r0", "ValueError: tweede")] and len(handler.calls) == 3
    assert len(handler.parked_because) == 1 and handler.parked_because[0] is raised[2]


def statement_timeout() -> psycopg.errors.QueryCanceled:
    return psycopg.errors.QueryCanceled("canceling statement due to statement timeout")


def test_an_escalated_statement_timeout_is_poison_while_isolating_and_transient_otherwise():
    """Escalated (the batch timed out `poison_attempts` times in a row): the record that alone times out is retried
    alone and parked; the others pass. Not escalated: the timeout goes back to the loop, nothing is parked."""
    handler = Handler(r1=[statement_timeout() for _ in range(10)])
    run(handler, records(b"r0", b"r1", b"r2"), escalated=True)
    assert [call for call in handler.calls if call == [b"r1"]] == [[b"r1"]] * FAST.poison_attempts
    assert handler.parked == [(b"r1", "QueryCanceled: canceling statement due to statement timeout")]
    assert [v for call in handler.calls if b"r1" not in call for v in call] == [b"r0", b"r2"]
    calm = Handler(r0=[statement_timeout()])
    with pytest.raises(psycopg.errors.QueryCanceled):
        run(calm, records(b"r0", b"r1"))
    assert calm.parked == [] and calm.calls == [[b"r0", b"r1"]]


def test_an_escalated_timeout_on_a_retry_alone_still_counts_as_poison():
    """The first isolated failure is an ordinary error, the retries time out: escalated, the retries are poison too
    (a different failure, so the count starts again) and the record is parked; not escalated, the retry's timeout
    is transient and goes back to the loop."""
    handler = Handler(r0=[ValueError("x"), *(statement_timeout() for _ in range(5))])
    run(handler, records(b"r0"), escalated=True)
    assert len(handler.calls) == 1 + FAST.poison_attempts  # "x" once, then the timeout three times in a row
    assert handler.parked == [(b"r0", "QueryCanceled: canceling statement due to statement timeout")]
    calm = Handler(r0=[ValueError("x"), statement_timeout()])
    with pytest.raises(psycopg.errors.QueryCanceled):
        run(calm, records(b"r0"))
    assert calm.parked == []


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
def test_park_keeps_origin_and_cuts_payload_and_key_to_the_limit(stack, caplog):
    ensure_topics(stack.settings)
    producer = make_producer(stack.settings)
    big_key, big_value = b"K" * (DEAD_LETTER_PAYLOAD_LIMIT + 5), b"V" * (DEAD_LETTER_PAYLOAD_LIMIT + 7)
    (record,) = records(big_value, topic="bron")
    record = record._replace(key=big_key, partition=3, offset=99)
    payload = b'{"platform": "mastodon", "post_id": "7", "text": 1}'
    try:
        with caplog.at_level(logging.WARNING, logger="schildwacht.kafka"):
            park(producer, stack.settings, "classifier", "te groot", record=record)
            park(producer, stack.settings, "collector", "onleesbaar", payload=payload, key=b"sleutel")
    finally:
        producer.close()
    # the log line names stage and reason, and carries the letter's uid and the stage as context fields
    # only this module's records: kafka-python warns on its own logger when a loaded machine stalls its selector
    warned = [
        (r.getMessage(), getattr(r, "uid", "-"), getattr(r, "stage", "-"))
        for r in caplog.records
        if r.name == "schildwacht.kafka"
    ]
    assert warned == [
        ("dead-letter from classifier: te groot", None, "classifier"),
        ("dead-letter from collector: onleesbaar", "mastodon:7", "collector"),
    ]
    messages = sorted(read_topic(stack.settings, stack.settings.topic_dead_letter, 2), key=lambda m: len(m.value))
    loose, cut = (DeadLetter.from_bytes(m.value) for m in messages)
    assert messages[1].key == big_key[:DEAD_LETTER_PAYLOAD_LIMIT] and messages[0].key == b"sleutel"
    assert base64.b64decode(cut.key_b64) == big_key[:DEAD_LETTER_PAYLOAD_LIMIT]  # the letter keeps the key too
    assert base64.b64decode(loose.key_b64) == b"sleutel"
    assert (cut.stage, cut.reason, cut.source_topic, cut.source_partition, cut.source_offset) == (
        "classifier",
        "te groot",
        "bron",
        3,
        99,
    )
    assert cut.payload == big_value[:DEAD_LETTER_PAYLOAD_LIMIT] and cut.payload_size == len(big_value)
    assert (loose.stage, loose.payload, loose.source_topic, loose.source_offset) == ("collector", payload, None, None)


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

    sizes: list[int] = []

    def handle(batch):
        sizes.append(len(batch))  # asserted after the loop: an assert in here would be taken for a poison record
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
        with watch_retries(stop, allowed=1) as watch:
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
    assert watch.retries == 1  # the one simulated outage
    assert max(sizes) <= 2 and sum(sizes) >= len(sent)  # never more than max_items records in one call
    assert idle.is_set(), "the loop never went idle with everything handled"
    assert seen == sent  # the failed first batch was handled again from its start, nothing skipped or repeated after
    assert committed == len(sent)  # the offset after the last record


@pytest.mark.integration
def test_clients_without_overrides_take_every_setting_and_an_explicit_bootstrap(stack):
    """The values come from the test's own settings (chosen unlike the defaults); the settings name an address
    where no broker listens, so the clients only work because the explicit bootstrap wins."""
    settings = stack.settings.model_copy(
        update={
            "kafka_bootstrap_servers": "127.0.0.1:9",
            "kafka_fetch_max_wait_ms": 123,
            "kafka_max_request_size": 20 * 1024 * 1024,
            "kafka_enable_idempotence": True,
        }
    )
    consumer = make_consumer(settings, "g-standaard", ["a"], bootstrap=stack.bootstrap)
    producer = make_producer(settings, bootstrap=stack.bootstrap)
    try:
        assert consumer.config["bootstrap_servers"] == producer.config["bootstrap_servers"] == stack.bootstrap
        assert consumer.config["client_id"] == "schildwacht-g-standaard"
        assert consumer.config["fetch_max_wait_ms"] == 123
        assert consumer.config["max_partition_fetch_bytes"] == 20 * 1024 * 1024
        assert consumer.config["fetch_max_bytes"] == 4 * 20 * 1024 * 1024  # room for four records of the limit
        assert producer.config["enable_idempotence"] is True
        assert producer.config["max_request_size"] == 20 * 1024 * 1024
        assert producer.config["retries"] > 0  # transient send errors are retried by the client
    finally:
        consumer.close()
        producer.close()
    small = stack.settings.model_copy(update={"kafka_max_request_size": 1024 * 1024})
    consumer = make_consumer(small, "g-klein", ["a"])
    try:
        assert consumer.config["fetch_max_bytes"] == 52428800  # never below kafka-python's own 50 MiB default
    finally:
        consumer.close()


@pytest.mark.integration
def test_ensure_topics_creates_the_missing_topics_and_leaves_an_existing_one(stack):
    """Explicit creation with the configured partitions (2 here; Tansu's auto-creation would give 4), at the
    explicit bootstrap (the settings name an address where no broker listens); a topic that exists keeps its 3
    partitions and gets the retention set as well (it had none: a topic auto-created before the first start)."""
    settings = stack.settings.model_copy(
        update={
            "kafka_bootstrap_servers": "127.0.0.1:9",
            "topic_partitions": 2,
            "kafka_topic_retention_hours": 5,
            "kafka_dead_letter_retention_hours": 7,
        }
    )
    topics = [settings.topic_raw, settings.topic_scored, settings.topic_dead_letter]
    admin = KafkaAdminClient(bootstrap_servers=stack.bootstrap)
    try:
        admin.create_topics([NewTopic(settings.topic_raw, num_partitions=3, replication_factor=1)])
        ensure_topics(settings, bootstrap=stack.bootstrap)
        partitions = {t["name"]: len(t["partitions"]) for t in admin.describe_topics(topics)}
        first = retention_ms(admin, topics)
        ensure_topics(settings.model_copy(update={"kafka_topic_retention_hours": 6}), bootstrap=stack.bootstrap)
        again = retention_ms(admin, topics)
    finally:
        admin.close()
    assert partitions == {settings.topic_raw: 3, settings.topic_scored: 2, settings.topic_dead_letter: 2}
    hour = 60 * 60 * 1000
    assert first == {
        settings.topic_raw: 5 * hour,
        settings.topic_scored: 5 * hour,
        settings.topic_dead_letter: 7 * hour,
    }
    # the second run finds every topic and sets the new value on each
    assert again == {
        settings.topic_raw: 6 * hour,
        settings.topic_scored: 6 * hour,
        settings.topic_dead_letter: 7 * hour,
    }


def retention_ms(admin: KafkaAdminClient, topics: list[str]) -> dict[str, int | None]:
    described = admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics], config_filter="all"
    )
    found = described["topic"]
    return {t: int(found[t]["retention.ms"]["value"]) if "retention.ms" in found[t] else None for t in topics}


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


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.integration
def test_loop_metrics_are_labelled_with_the_group_and_count_what_happened(stack):
    """Without `stage` the metrics carry the consumer's group id. Oracles: the records this test sent, the calls its
    handler let pass or failed, and the one record it rejects (parked) and the one outage it simulates (retried)."""
    ensure_topics(stack.settings)
    topic = stack.settings.topic_raw
    producer = make_producer(stack.settings)
    sent = [f"m{i}".encode() for i in range(6)]
    for value in sent:
        publish(producer, topic, b"k", value)
    producer.close()
    group, stop = f"g-{uuid.uuid4().hex[:6]}", threading.Event()
    outage = iter([ConnectionError("database herstart")])
    passed: list[int] = []  # sizes of the handle calls that succeeded
    first_batch: list[int] = []
    stored: list[ConsumerRecord] = []
    parked: list[tuple[bytes, str]] = []
    lag_seen: list[float | None] = []

    def lag() -> float | None:
        (partition,) = {r.partition for r in stored}  # one key: one partition
        labels = {"group": group, "topic": topic, "partition": str(partition)}
        return REGISTRY.get_sample_value("schildwacht_consumer_lag", labels)

    def handle(batch):
        if not first_batch:
            first_batch.append(len(batch))
        error = next(outage, None)
        if error:
            raise error
        if any(r.value == b"m3" for r in batch):
            raise ValueError("onleesbaar")
        passed.append(len(batch))
        stored.extend(batch)

    def on_idle():
        if len(stored) + len(parked) >= len(sent):
            lag_seen.append(lag())
            stop.set()

    consumer = make_consumer(stack.settings, group, [topic])
    timer = threading.Timer(WAIT_S, stop.set)
    timer.start()
    try:
        started = time.perf_counter()
        with watch_retries(stop, allowed=1) as watch:
            consume_batches(
                consumer, handle, stop, lambda r, why: parked.append((r.value, why)), FAST, 4, 50, idle_callback=on_idle
            )
        looped = time.perf_counter() - started
        committed = consumer.committed(TopicPartition(topic, stored[0].partition))
    finally:
        timer.cancel()
        consumer.close()
    assert parked == [(b"m3", "ValueError: onleesbaar")] and [r.value for r in stored] == [
        v for v in sent if v != b"m3"
    ]
    assert committed == len(sent) and watch.retries == 1
    warning = f"batch of {first_batch[0]} not handled (ConnectionError: database herstart); retrying in 0.0 s"
    assert watch.messages == [warning]
    assert lag_seen == [0.0]  # everything read: nothing behind the end of the partition
    assert sample("schildwacht_messages_in_total", stage=group) == len(sent) + first_batch[0]  # the rewound batch twice
    assert sample("schildwacht_messages_out_total", stage=group) == len(sent) - 1
    assert retries_by_reason(group) == {"ConnectionError": 1.0}  # the simulated outage, nothing else
    assert sample("schildwacht_dead_letters_total", stage=group, reason="ValueError") == 1
    assert sample("schildwacht_batch_size_sum", stage=group) == sum(passed) == len(sent) - 1
    assert sample("schildwacht_batch_seconds_count", stage=group) == len(passed)
    assert 0 < sample("schildwacht_batch_seconds_sum", stage=group) <= looped  # handling is part of the loop's time


def retries_by_reason(stage: str) -> dict[str, float]:
    return {
        s.labels["reason"]: s.value
        for metric in REGISTRY.collect()
        if metric.name == "schildwacht_transient_retries"
        for s in metric.samples
        if s.name.endswith("_total") and s.labels["stage"] == stage
    }


@pytest.mark.integration
@pytest.mark.parametrize("before", ["nothing", "an outage", "a handled record"])
def test_a_record_that_keeps_timing_out_is_retried_as_transient_then_isolated_and_parked(stack, before):
    """A statement timeout is transient until the batch failed that way `poison_attempts` times in a row; then the
    record is isolated, retried alone until it failed `poison_attempts` times, and parked. With two attempts: two
    transient timeouts, the escalated try, one retry alone: four calls, one dead letter. Neither an outage before
    them (one more call and transient retry) nor a record handled before them counts as a timeout."""
    ensure_topics(stack.settings)
    topic = stack.settings.topic_raw
    producer = make_producer(stack.settings)
    for value in [b"vlot"] * (before == "a handled record") + [b"traag"]:
        publish(producer, topic, b"k", value)
    producer.close()
    group, stop, stage = f"g-{uuid.uuid4().hex[:6]}", threading.Event(), f"s-{uuid.uuid4().hex[:6]}"
    calls: list[list[bytes]] = []
    parked: list[tuple[bytes, str]] = []

    def handle(batch):
        calls.append([r.value for r in batch])
        if calls[-1] == [b"vlot"]:
            return
        if before == "an outage" and len(calls) == 1:
            raise ConnectionError("database herstart")
        raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")

    def park_record(record, reason):
        parked.append((record.value, reason))
        stop.set()

    outage = before == "an outage"
    policy = RetryPolicy(poison_attempts=2, backoff_initial_s=0.001, backoff_max_s=0.002)
    consumer = make_consumer(stack.settings, group, [topic])
    timer = threading.Timer(WAIT_S, stop.set)
    timer.start()
    try:
        with watch_retries(stop, allowed=2 + outage) as watch:
            consume_batches(consumer, handle, stop, park_record, policy, 1, 50, stage=stage)
    finally:
        timer.cancel()
        consumer.close()
    assert calls == [[b"vlot"]] * (before == "a handled record") + [[b"traag"]] * (4 + outage)
    assert watch.retries == 2 + outage
    assert parked == [(b"traag", "QueryCanceled: canceling statement due to statement timeout")]
    assert retries_by_reason(stage) == {"QueryCanceled": 2.0} | ({"ConnectionError": 1.0} if outage else {})
    assert sample("schildwacht_dead_letters_total", stage=stage, reason="QueryCanceled") == 1
    assert sample("schildwacht_messages_in_total", stage=group) == 0  # an explicit stage replaces the group id


@pytest.mark.integration
def test_the_back_off_starts_again_after_a_handled_batch(stack):
    """Each record fails twice with an outage, then passes: the delays double within an outage (0.2 s, 0.4 s) and
    start again from the initial one after a batch was handled."""
    ensure_topics(stack.settings)
    topic = stack.settings.topic_raw
    producer = make_producer(stack.settings)
    for value in (b"a", b"b"):
        publish(producer, topic, b"k", value)
    producer.close()
    group, stop = f"g-{uuid.uuid4().hex[:6]}", threading.Event()
    failures = {b"a": 2, b"b": 2}
    handled: list[bytes] = []

    def handle(batch):
        (record,) = batch
        if failures[record.value]:
            failures[record.value] -= 1
            raise ConnectionError("database herstart")
        handled.append(record.value)
        if len(handled) == 2:
            stop.set()

    policy = RetryPolicy(poison_attempts=3, backoff_initial_s=0.2, backoff_max_s=10.0)
    consumer = make_consumer(stack.settings, group, [topic])
    timer = threading.Timer(WAIT_S, stop.set)
    timer.start()
    try:
        with watch_retries(stop, allowed=4) as watch:
            consume_batches(consumer, handle, stop, lambda r, why: pytest.fail(why), policy, 1, 50, stage=group)
    finally:
        timer.cancel()
        consumer.close()
    assert handled == [b"a", b"b"]
    delays = [message.rsplit("retrying in ", 1)[1] for message in watch.messages]
    assert delays == ["0.2 s", "0.4 s", "0.2 s", "0.4 s"]
