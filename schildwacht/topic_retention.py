"""How long the pipeline topics keep records: `retention.ms` on Apache Kafka, a drained-topic sweep on Tansu.

Every matched post travels on `mentions.raw` and `.scored` with its author and evidence, flagged or not, so the
topics keep records only as long as the pipeline needs them (hours), never as a second archive.

- Apache Kafka: `ensure_topics` (schildwacht/kafka.py) creates the topics with `topic_configs(settings)` and sets
  the same values on topics that already exist (`retention.ms`: `kafka_topic_retention_hours` for raw and scored,
  `kafka_dead_letter_retention_hours` for the dead-letter topic, whose letters the ingest worker stores at once).
- The embedded Tansu broker (memory storage) has no retention. Once per retention period the composition root
  (schildwacht/app/pipeline.py) stops its workers, calls `sweep_topics`, and starts them again: a topic whose
  reading consumer groups committed every record, and that stayed quiet during a settle pause, is deleted and
  recreated, and the groups are deleted so the restarted workers read the new topic from its start. A record
  lives at most about two retention periods. Invariant: a record a group has not committed is never swept. Tansu
  does not answer a position past the end with "out of range", so a consumer must never outlive its topic: the
  sweep runs only while the workers are stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from schildwacht.config import Settings

log = logging.getLogger(__name__)
HOUR_MS = 3_600_000


def topic_configs(settings: Settings) -> dict[str, dict[str, str]]:
    """Per pipeline topic, the topic configuration ensure_topics applies (values are strings, as Kafka wants)."""
    pipeline = str(settings.kafka_topic_retention_hours * HOUR_MS)
    letters = str(settings.kafka_dead_letter_retention_hours * HOUR_MS)
    return {
        settings.topic_raw: {"retention.ms": pipeline},
        settings.topic_scored: {"retention.ms": pipeline},
        settings.topic_dead_letter: {"retention.ms": letters},
    }


def _end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="schildwacht-sweeper", enable_auto_commit=False)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        consumer.close()


def _committed(admin: KafkaAdminClient, group: str, topic: str) -> dict[int, int]:
    offsets = admin.list_group_offsets({group: None}).get(group, {})
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0}


def drained(admin: KafkaAdminClient, bootstrap: str, topic: str, groups: Sequence[str]) -> dict[int, int] | None:
    """The topic's end offsets when every group committed up to them on every partition, else None."""
    ends = _end_offsets(bootstrap, topic)
    if not ends:
        return None
    for group in groups:
        committed = _committed(admin, group, topic)
        if any(end > committed.get(partition, 0) for partition, end in ends.items()):
            return None
    return ends


def sweep(settings: Settings, topic: str, groups: Sequence[str], settle_s: float = 2.0) -> bool:
    """Delete and recreate `topic` (same partitions and configs) if it is drained and quiet; True when swept.

    Quiet: the end offsets are unchanged after `settle_s` and the groups are still at them. An empty topic is left
    alone (nothing to remove). The caller makes sure no member of `groups` is running (module docstring)."""
    bootstrap = settings.kafka_bootstrap_servers
    if not bootstrap:
        raise ValueError("KAFKA_BOOTSTRAP_SERVERS is not set: no broker to sweep")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="schildwacht-sweeper", request_timeout_ms=15000)
    try:
        first = drained(admin, bootstrap, topic, groups)
        if first is None or not any(first.values()):
            return False
        time.sleep(settle_s)
        if drained(admin, bootstrap, topic, groups) != first:
            return False
        admin.delete_topics([topic])
        new = NewTopic(
            name=topic,
            num_partitions=settings.topic_partitions,
            replication_factor=1,
            topic_configs=topic_configs(settings).get(topic, {}),
        )
        try:
            admin.create_topics([new])
        except TopicAlreadyExistsError:  # a producer's metadata request auto-created it in between
            pass
        log.info("topic %s geleegd (%d records)", topic, sum(first.values()))
        return True
    finally:
        admin.close()


def sweep_topics(settings: Settings, readers: Mapping[str, Sequence[str]], settle_s: float = 2.0) -> list[str]:
    """Sweep every drained topic of `readers` (topic -> the consumer groups that read it); then delete the groups of
    the swept topics, whose committed offsets point past the new topics' ends. Returns the swept topics.
    Only while no member of these groups runs."""
    swept = [topic for topic, groups in readers.items() if sweep(settings, topic, groups, settle_s)]
    groups = sorted({group for topic in swept for group in readers[topic]})
    if groups:
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            client_id="schildwacht-sweeper",
            request_timeout_ms=15000,
        )
        try:
            admin.delete_groups(groups)
        finally:
            admin.close()
    return swept
