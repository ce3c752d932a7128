"""Classifier worker: a Kafka consumer group that scores collected mentions in dynamic batches.

raw topic (CollectedMention) → classify → scored topic (ScoredMention); unreadable messages → dead-letter topic.
Offsets are committed only after every result of the batch is confirmed by the broker.
"""

from __future__ import annotations

import logging
import re
import threading

from kafka.consumer.fetcher import ConsumerRecord

from classifiers.api import Classification, ClassifyInput, Classifier, OfficialRef, load_classifier
from schildwacht.config import Settings
from schildwacht.contracts import CollectedMention, ContractError, ModelInfo, ScoredMention
from schildwacht.kafka import consume_batches, make_consumer, make_producer, park

log = logging.getLogger(__name__)

GROUP_ID = "schildwacht-classifier"
STAGE = "classifier"
_HANDLE = re.compile(r"^@|^[\w-]+(\.[\w-]+)+$")


def to_input(mention: CollectedMention) -> ClassifyInput:
    """What the classifier needs: the text and how each matched official was named in it."""
    refs = []
    for official_id in mention.matched_official_ids:
        surfaces = mention.match_reasons.get(official_id, [])
        refs.append(OfficialRef(id=official_id, names=[s for s in surfaces if not _HANDLE.search(s)],
                                handles=[s for s in surfaces if _HANDLE.search(s)]))
    return ClassifyInput(text=mention.text, officials=refs, reply_to_official=mention.in_reply_to_official_id)


def to_scored(mention: CollectedMention, result: Classification, classifier: Classifier) -> ScoredMention:
    return ScoredMention(mention=mention, scores=result.scores, flags=result.flags, spans=result.spans,
                         target_official_id=result.target,
                         model=ModelInfo(name=classifier.name, version=classifier.version))


class ClassifierWorker:
    """One member of the classifier consumer group."""

    def __init__(self, settings: Settings, classifier: Classifier | None = None, group_id: str = GROUP_ID) -> None:
        self.settings = settings
        self.classifier = classifier or load_classifier(settings.model_path, thresholds=settings.thresholds() or None)
        self.group_id = group_id
        self.producer = make_producer(settings)

    def handle(self, batch: list[ConsumerRecord]) -> None:
        """Score a batch; park what cannot be read or scored; wait for every send to be confirmed."""
        mentions: list[tuple[ConsumerRecord, CollectedMention]] = []
        for record in batch:
            try:
                mentions.append((record, CollectedMention.from_bytes(record.value)))
            except ContractError as exc:
                park(self.producer, self.settings, STAGE, str(exc), record=record)
        results = self._classify([m for _, m in mentions])
        futures = []
        for (record, mention), result in zip(mentions, results):
            if isinstance(result, Exception):
                park(self.producer, self.settings, STAGE, f"classification failed: {result!r}", record=record)
                continue
            scored = to_scored(mention, result, self.classifier)
            futures.append(self.producer.send(self.settings.topic_scored, key=scored.key, value=scored.to_bytes()))
        self.producer.flush()
        for future in futures:
            future.get(timeout=30)  # raises → batch retried, nothing committed

    def _classify(self, mentions: list[CollectedMention]) -> list[Classification | Exception]:
        if not mentions:
            return []
        inputs = [to_input(m) for m in mentions]
        try:
            return list(self.classifier.classify(inputs))
        except Exception:  # isolate the poison item instead of failing the whole batch forever
            log.exception("batch classification failed; scoring items one by one")
        out: list[Classification | Exception] = []
        for item in inputs:
            try:
                out.extend(self.classifier.classify([item]))
            except Exception as exc:  # noqa: BLE001 - parked with its reason
                out.append(exc)
        return out

    def run(self, stop: threading.Event) -> None:
        consumer = make_consumer(self.settings, self.group_id, [self.settings.topic_raw])
        try:
            consume_batches(consumer, self.handle, stop, max_items=self.settings.batch_max_items,
                            max_wait_ms=self.settings.batch_max_wait_ms)
        finally:
            consumer.close()
            self.producer.close()
