"""Topic retention (issue 24 point 2): the pipeline topics carry `retention.ms` in hours, compose's broker default
agrees, and on the embedded broker (no retention) a drained topic is swept and never one with unread records."""

from __future__ import annotations

import re
import time
import uuid

from schildwacht.config import REPO_ROOT, Settings
from schildwacht.kafka import ensure_topics, make_consumer, make_producer
from schildwacht.topic_retention import _end_offsets, sweep_topics, topic_configs


def test_topic_configs_are_the_configured_hours():
    settings = Settings(_env_file=None)
    configs = topic_configs(settings)
    assert configs[settings.topic_raw] == configs[settings.topic_scored] == {"retention.ms": str(24 * 3600 * 1000)}
    assert configs[settings.topic_dead_letter] == {"retention.ms": str(7 * 24 * 3600 * 1000)}
    short = topic_configs(settings.model_copy(update={"kafka_topic_retention_hours": 6}))
    assert short[settings.topic_raw] == {"retention.ms": "21600000"}


def test_compose_broker_default_retention_is_the_pipeline_window():
    compose = (REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    hours = re.search(r"KAFKA_LOG_RETENTION_HOURS:\s*(\d+)", compose)
    assert hours is not None and int(hours.group(1)) == Settings.model_fields["kafka_topic_retention_hours"].default


def _consume_all(settings: Settings, group: str, topic: str, expected: int) -> list[bytes]:
    consumer = make_consumer(settings, group, [topic])
    got: list[bytes] = []
    try:
        deadline = time.monotonic() + 60  # generous bound; the loop ends as soon as the records are in
        while len(got) < expected and time.monotonic() < deadline:
            for records in consumer.poll(500).values():
                got.extend(r.value for r in records)
        consumer.commit()
    finally:
        consumer.close()
    return got


def test_embedded_broker_sweeps_a_drained_topic_and_never_unread_records(stack):
    settings = stack.settings
    ensure_topics(settings)
    ensure_topics(settings)  # existing topics: their retention is set again, nothing fails
    topic, reader, late = settings.topic_raw, f"reader-{uuid.uuid4().hex[:6]}", f"late-{uuid.uuid4().hex[:6]}"
    producer = make_producer(settings)
    old = [f"oud {i}".encode() for i in range(6)]
    for i, value in enumerate(old):
        producer.send(topic, key=str(i).encode(), value=value).get(timeout=30)
    assert sorted(_consume_all(settings, reader, topic, len(old))) == sorted(old)

    assert sweep_topics(settings, {topic: [reader, late]}, settle_s=0.5) == []  # group `late` has not read them
    assert sum(_end_offsets(stack.bootstrap, topic).values()) == len(old)

    assert sorted(_consume_all(settings, late, topic, len(old))) == sorted(old)
    assert sweep_topics(settings, {topic: [reader, late]}, settle_s=0.5) == [topic]
    ends = _end_offsets(stack.bootstrap, topic)
    assert len(ends) == settings.topic_partitions and set(ends.values()) == {0}

    new = [f"nieuw {i}".encode() for i in range(9)]
    for i, value in enumerate(new):
        producer.send(topic, key=str(i).encode(), value=value).get(timeout=30)
    producer.close()
    # the groups were deleted with the sweep: a restarted reader reads the new topic from its start, all of it
    assert sorted(_consume_all(settings, reader, topic, len(new))) == sorted(new)
    assert sweep_topics(settings, {settings.topic_scored: [reader]}, settle_s=0.5) == []  # empty topic: left alone
