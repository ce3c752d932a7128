"""Classifier worker: a Kafka consumer group that scores collected mentions in dynamic batches.

raw topic (CollectedMention) → classify → scored topic (ScoredMention); a record that cannot be read or scored →
dead-letter topic (isolated and parked by `schildwacht.kafka.consume_batches`, see schildwacht/failures.py).
Offsets are committed only after every result of the batch is confirmed by the broker.

Torch threads: a worker that loads its own classifier runs `OMP_NUM_THREADS` intra-op threads where that is set,
else `default_torch_threads()` (half the usable cores, see there).
"""

from __future__ import annotations

import os
import threading
import time

from kafka.consumer.fetcher import ConsumerRecord

from classifiers.api import Classification, Classifier, ClassifyInput, OfficialRef, load_classifier
from schildwacht.config import Settings
from schildwacht.contracts import CollectedMention, ModelInfo, ScoredMention
from schildwacht.kafka import RetryPolicy, consume_batches, make_consumer, make_producer, park
from schildwacht.metrics import CLASSIFY_SECONDS

GROUP_ID = "schildwacht-classifier"
STAGE = "classifier"
MAX_TORCH_THREADS = 4


def default_torch_threads() -> int:
    """Intra-op torch threads of a classify worker where `OMP_NUM_THREADS` is not set: half the cores this process
    may run on (its CPU affinity), at least 1, at most MAX_TORCH_THREADS.

    The other half is for what shares the host with it: the ingest worker, the broker, PostgreSQL. A team of torch
    threads meets at a barrier after every operator, and a member that one of those processes pushed off its core
    keeps the others spinning there: on 2 cores under load the classifier with 2 threads burnt 4 to 5 times the CPU
    per post of one with a single thread and scored 3 to 4 times more slowly (docs/operations.md).
    """
    return max(1, min(MAX_TORCH_THREADS, len(os.sched_getaffinity(0)) // 2))


def to_input(mention: CollectedMention) -> ClassifyInput:
    """What the classifier needs: the text and, per matched official, how and where the collector found it."""
    refs = []
    for official_id in mention.matched_official_ids:
        in_text = [m for m in mention.matches if m.official_id == official_id and m.kind in ("name", "handle", "role")]
        # the contract gives start and end together or neither
        offsets = [(m.start, m.end) for m in in_text if m.start is not None and m.end is not None]
        refs.append(
            OfficialRef(
                id=official_id,
                names=mention.surfaces(official_id, ("name", "role")),
                handles=mention.surfaces(official_id, ("handle", "reply")),
                # a version 1 message has no offsets: then the classifier looks for the names itself
                found_at=offsets if len(offsets) == len(in_text) else None,
            )
        )
    return ClassifyInput(text=mention.text, officials=refs, reply_to_official=mention.in_reply_to_official_id)


def to_scored(mention: CollectedMention, result: Classification, classifier: Classifier) -> ScoredMention:
    return ScoredMention(
        mention=mention,
        scores=result.scores,
        flags=result.flags,
        spans=result.spans,
        target_official_id=result.target,
        model=ModelInfo(name=classifier.name, version=classifier.version),
    )


class ClassifierWorker:
    """One member of the classifier consumer group."""

    def __init__(self, settings: Settings, classifier: Classifier | None = None, group_id: str = GROUP_ID) -> None:
        self.settings = settings
        if classifier is None:  # classifiers.model.set_threads reads it when the model is loaded
            os.environ.setdefault("OMP_NUM_THREADS", str(default_torch_threads()))
        self.classifier = classifier or load_classifier(settings.model_path, thresholds=settings.thresholds() or None)
        self.group_id = group_id
        self.producer = make_producer(settings)

    def handle(self, batch: list[ConsumerRecord]) -> None:
        """Score a batch and wait until the broker confirmed every result; raise on any record that fails."""
        mentions = [CollectedMention.from_bytes(record.value) for record in batch]
        started = time.perf_counter()
        results = self.classifier.classify([to_input(m) for m in mentions]) if mentions else []
        if mentions:
            CLASSIFY_SECONDS.observe((time.perf_counter() - started) / len(mentions))
        futures = []
        for mention, result in zip(mentions, results, strict=True):
            scored = to_scored(mention, result, self.classifier)
            futures.append(self.producer.send(self.settings.topic_scored, key=scored.key, value=scored.to_bytes()))
        self.producer.flush()
        for future in futures:
            future.get(timeout=30)  # raises → batch retried or split, nothing committed

    def park_record(self, record: ConsumerRecord, reason: str) -> None:
        """Put a record that cannot be read or scored on the dead-letter topic."""
        park(self.producer, self.settings, STAGE, reason, record=record)

    def run(self, stop: threading.Event) -> None:
        consumer = make_consumer(self.settings, self.group_id, [self.settings.topic_raw])
        try:
            consume_batches(
                consumer,
                self.handle,
                stop,
                self.park_record,
                RetryPolicy.from_settings(self.settings),
                max_items=self.settings.batch_max_items,
                max_wait_ms=self.settings.batch_max_wait_ms,
                stage=STAGE,
            )
        finally:
            consumer.close()
            self.producer.close()
