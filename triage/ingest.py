"""Triage-ingest worker: scored mentions and dead letters from Kafka into PostgreSQL.

Idempotent (a post is one row, keyed by `platform:post_id`), one transaction per batch, offsets committed after
the transaction. A record that cannot be read or stored is isolated and parked by
`schildwacht.kafka.consume_batches` (see schildwacht/failures.py), so it never stops ingest: a scored mention
goes to the dead-letter topic, an unreadable dead letter straight into `dead_letters`. Only mentions of active
(consenting) officials keep content; unflagged content is kept only within the configured retention window
(default: not at all).
"""

from __future__ import annotations

import logging
import threading

from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.contracts import DeadLetter, RawPayload, ScoredMention, utcnow
from schildwacht.db import session_scope
from schildwacht.kafka import RetryPolicy, consume_batches, make_consumer, make_producer, park
from schildwacht.models import DeadLetterRecord, EvidenceBlob, Mention, Official
from triage import alerts
from triage.bundle import custody
from triage.cases import attach_to_case

log = logging.getLogger(__name__)

GROUP_ID = "schildwacht-triage-ingest"
STAGE = "triage-ingest"
ACTOR = "system:triage-ingest"


class IngestWorker:
    """One member of the triage-ingest consumer group."""

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session], group_id: str = GROUP_ID) -> None:
        self.settings = settings
        self.sessions = session_factory
        self.group_id = group_id
        self.producer = make_producer(settings)

    def handle(self, batch: list[ConsumerRecord]) -> None:
        """Store a batch in one transaction; raise on any record that cannot be read or stored."""
        scored: list[tuple[ConsumerRecord, ScoredMention]] = []
        letters: list[tuple[ConsumerRecord, DeadLetter]] = []
        for record in batch:
            if record.topic == self.settings.topic_dead_letter:
                letters.append((record, DeadLetter.from_bytes(record.value)))
            else:
                scored.append((record, ScoredMention.from_bytes(record.value)))
        with session_scope(self.sessions) as session:
            for record, letter in letters:
                self._store_dead_letter(session, record, letter)
            unknown = [(record, item) for record, item in scored if not self._store_mention(session, item)]
        for record, item in unknown:  # after the commit: these were not stored, park them for an engineer
            park(
                self.producer,
                self.settings,
                STAGE,
                "unknown official id(s): " + ",".join(item.mention.matched_official_ids),
                record=record,
            )

    def park_record(self, record: ConsumerRecord, reason: str) -> None:
        """Park a record that cannot be read or stored: a scored mention on the dead-letter topic; a dead letter
        that cannot be read or stored as a new letter about it, straight into the table (never back to the topic)."""
        if record.topic != self.settings.topic_dead_letter:
            park(self.producer, self.settings, STAGE, reason, record=record)
            return
        letter = DeadLetter.park(
            STAGE,
            f"onleesbare dead letter: {reason}",
            record.value,
            key=record.key,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        log.warning("unreadable dead letter at %s/%d/%d: %s", record.topic, record.partition, record.offset, reason)
        with session_scope(self.sessions) as session:
            self._store_dead_letter(session, record, letter)

    def _store_mention(self, session: Session, item: ScoredMention) -> bool:
        """Insert one scored mention; False when no registered official is known for it."""
        m = item.mention
        official_id = (
            item.target_official_id if item.target_official_id in m.matched_official_ids else m.matched_official_ids[0]
        )
        official = session.get(Official, official_id)
        if official is None:
            return False
        active = official.status == "active"
        flagged = item.flagged and active
        keep_content = active and (flagged or self.settings.retain_unflagged_days > 0)
        raw_meta = m.raw.model_dump(exclude={"inline_b64", "warc_b64"}) if m.raw else None
        values = dict(
            uid=m.uid,
            platform=m.platform,
            post_id=m.post_id,
            organisation_id=official.organisation_id,
            official_id=official.id,
            matched_official_ids=m.matched_official_ids,
            text_sha256=m.text_sha256,
            created_at=m.created_at,
            collected_at=m.collected_at,
            collector=m.collector,
            collector_version=m.collector_version,
            in_reply_to_id=m.in_reply_to_id,
            thread_id=m.thread_id,
            scores=item.scores,
            flags=item.flags,
            spans=[s.model_dump() for s in item.spans] if keep_content else [],
            target_official_id=item.target_official_id,
            model_name=item.model.name,
            model_version=item.model.version,
            scored_at=item.scored_at,
            flagged=flagged,
            raw_meta=raw_meta,
            content_purged_at=None if keep_content else utcnow(),
        )
        if keep_content:
            values.update(
                url=m.url,
                text=m.text,
                author_id=m.author.id,
                author_handle=m.author.handle,
                author_display_name=m.author.display_name,
                author_profile_url=m.author.profile_url,
            )
        new_id = session.execute(
            insert(Mention).values(**values).on_conflict_do_nothing(index_elements=["uid"]).returning(Mention.id)
        ).scalar()
        if new_id is None:  # already ingested: a redelivery
            return True
        if flagged:
            if m.raw:
                self._store_evidence(session, m.raw)
            self._open_or_join_case(session, session.get(Mention, new_id))
        return True

    def _open_or_join_case(self, session: Session, mention: Mention) -> None:
        case, created = attach_to_case(session, mention, self.settings.incident_window_hours)
        kind = "created" if created else "post_added"
        custody.append_event(
            session,
            case.id,
            kind,
            ACTOR,
            {
                "mention_uid": mention.uid,
                "text_sha256": mention.text_sha256,
                "flags": mention.flags,
                "model": f"{mention.model_name}@{mention.model_version}",
            },
        )
        alerts.enqueue_case_alert(session, case)

    @staticmethod
    def _store_evidence(session: Session, raw: RawPayload) -> None:
        blobs = [
            (raw.sha256, raw.content_type, raw.inline_bytes()),
            (raw.warc_sha256, "application/warc", raw.warc_bytes()),
        ]
        for sha, content_type, data in blobs:
            if sha and data is not None:
                session.execute(
                    insert(EvidenceBlob)
                    .values(sha256=sha, content_type=content_type, size=len(data), data=data)
                    .on_conflict_do_nothing()
                )

    @staticmethod
    def _store_dead_letter(session: Session, record: ConsumerRecord, letter: DeadLetter) -> None:
        """One row per dead-letter position. `payload_sha256` and `payload_size` describe the original; where the
        letter kept only the start of the payload, the reason says so too, for whoever reads only the reason."""
        reason = letter.reason
        if letter.truncated:
            reason += (
                f" [payload ingekort: eerste {len(letter.payload)} van {letter.payload_size} bytes bewaard;"
                " payload_sha256 is die van het origineel]"
            )
        session.execute(
            insert(DeadLetterRecord)
            .values(
                payload_sha256=letter.payload_sha256,
                source_topic=letter.source_topic,
                source_partition=letter.source_partition,
                source_offset=letter.source_offset,
                stage=letter.stage,
                reason=reason,
                uid=letter.uid,
                payload=letter.payload,
                payload_size=letter.payload_size,
                parked_at=letter.parked_at,
                dlq_partition=record.partition,
                dlq_offset=record.offset,
            )
            .on_conflict_do_nothing()
        )

    def on_idle(self) -> None:
        try:
            alerts.dispatch_pending(self.sessions, self.settings)
        except Exception:  # alerts are retried on the next idle round
            log.exception("alert dispatch failed")

    def run(self, stop: threading.Event) -> None:
        consumer = make_consumer(
            self.settings, self.group_id, [self.settings.topic_scored, self.settings.topic_dead_letter]
        )
        try:
            consume_batches(
                consumer,
                self.handle,
                stop,
                self.park_record,
                RetryPolicy.from_settings(self.settings),
                max_items=200,
                max_wait_ms=200,
                idle_callback=self.on_idle,
            )
        finally:
            consumer.close()
            self.producer.close()
