"""Triage-ingest worker: scored mentions and dead letters from Kafka into PostgreSQL.

Idempotent (a post is one row, keyed by `platform:post_id`), one transaction per batch, offsets committed after
the transaction. A record that cannot be read or stored is isolated and parked by
`schildwacht.kafka.consume_batches` (see schildwacht/failures.py), so it never stops ingest: a scored mention
goes to the dead-letter topic, an unreadable dead letter straight into `dead_letters`. Only mentions of active
(consenting) officials keep content; unflagged content is kept only within the configured retention window
(default: not at all).

Cost per batch: a fixed number of statements whatever its size (officials, every mention in one INSERT, evidence of
the new flagged ones, those mentions back) plus the case statements of each new flagged post, and one commit. Due
alerts are dispatched at most once a second, after a batch or when idle.
"""

from __future__ import annotations

import logging
import threading
import time

from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.contracts import DeadLetter, RawPayload, ScoredMention, utcnow
from schildwacht.db import session_scope
from schildwacht.kafka import RetryPolicy, consume_batches, make_consumer, make_producer, park
from schildwacht.metrics import CASES_OPENED, DEAD_LETTERS
from schildwacht.models import DeadLetterRecord, EvidenceBlob, Mention, Official
from triage import alerts
from triage.bundle import custody
from triage.cases import attach_to_case
from triage.intake_receipt import record_receipt

log = logging.getLogger(__name__)

GROUP_ID = "schildwacht-triage-ingest"
STAGE = "triage-ingest"
ACTOR = "system:triage-ingest"


UNKNOWN_OFFICIAL = "unknown_official"  # the dead-letter reason (metrics) of a mention of no registered official
ALERT_DISPATCH_INTERVAL_S = 1.0
_CONTENT_COLUMNS = ("url", "text", "author_id", "author_handle", "author_display_name", "author_profile_url")


def stored_under(item: ScoredMention) -> str:
    """The official a scored mention is stored under: the classifier's target where it is one of the matched
    officials, else the first matched one (the scored topic's key, schildwacht/contracts.py, says the same)."""
    m = item.mention
    return item.target_official_id if item.target_official_id in m.matched_official_ids else m.matched_official_ids[0]


class IngestWorker:
    """One member of the triage-ingest consumer group."""

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session], group_id: str = GROUP_ID) -> None:
        self.settings = settings
        self.sessions = session_factory
        self.group_id = group_id
        self.producer = make_producer(settings)
        self._alerts_dispatched_at = float("-inf")

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
            unknown, opened = self._store_mentions(session, scored)
        CASES_OPENED.inc(opened)
        for record, item in unknown:  # after the commit: these were not stored, park them for an engineer
            park(
                self.producer,
                self.settings,
                STAGE,
                "unknown official id(s): " + ",".join(item.mention.matched_official_ids),
                record=record,
            )
            DEAD_LETTERS.labels(STAGE, UNKNOWN_OFFICIAL).inc()
        self.on_idle()

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

    def _store_mentions(
        self, session: Session, scored: list[tuple[ConsumerRecord, ScoredMention]]
    ) -> tuple[list[tuple[ConsumerRecord, ScoredMention]], int]:
        """Store a batch's scored mentions with a fixed number of statements, whatever the batch size: the officials
        in one query, every mention in one idempotent INSERT (a uid stored before, or twice in the batch, is stored
        once), then the evidence of the new flagged ones in one INSERT and their cases in batch order. Returns the
        mentions of no registered official (not stored) and how many cases were opened."""
        ids = {stored_under(item) for _, item in scored}
        officials = {o.id: o for o in session.scalars(select(Official).where(Official.id.in_(ids)))} if ids else {}
        unknown: list[tuple[ConsumerRecord, ScoredMention]] = []
        rows: dict[str, tuple[ScoredMention, dict]] = {}  # by uid, in batch order
        for record, item in scored:
            official = officials.get(stored_under(item))
            if official is None:
                unknown.append((record, item))
            elif item.mention.uid not in rows:
                rows[item.mention.uid] = (item, self._row(item, official))
        if not rows:
            return unknown, 0
        statement = insert(Mention).on_conflict_do_nothing(index_elements=["uid"]).returning(Mention.uid, Mention.id)
        new: dict[str, int] = dict(session.execute(statement, [row for _, row in rows.values()]).all())
        flagged = [item for uid, (item, row) in rows.items() if uid in new and row["flagged"]]
        if not flagged:
            return unknown, 0
        self._store_evidence(session, [item.mention.raw for item in flagged if item.mention.raw])
        flagged_ids = [new[item.mention.uid] for item in flagged]
        mentions = {m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_(flagged_ids)))}
        opened = 0
        for item in flagged:
            if self._open_or_join_case(session, mentions[new[item.mention.uid]]):
                opened += 1
                log.info("case opened", extra={"uid": item.mention.uid, "stage": STAGE})
        return unknown, opened

    def _row(self, item: ScoredMention, official: Official) -> dict:
        """The `mentions` row of a scored mention; content columns are None unless the content may be kept (active
        official, and flagged or within the unflagged retention window)."""
        m = item.mention
        active = official.status == "active"
        flagged = item.flagged and active
        keep_content = active and (flagged or self.settings.retain_unflagged_days > 0)
        row = dict(
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
            raw_meta=m.raw.model_dump(exclude={"inline_b64", "warc_b64"}) if m.raw else None,
            content_purged_at=None if keep_content else utcnow(),
            ingested_at=utcnow(),
            **dict.fromkeys(_CONTENT_COLUMNS),
        )
        if keep_content:
            row.update(
                url=m.url,
                text=m.text,
                author_id=m.author.id,
                author_handle=m.author.handle,
                author_display_name=m.author.display_name,
                author_profile_url=m.author.profile_url,
            )
        return row

    def _open_or_join_case(self, session: Session, mention: Mention) -> bool:
        """Attach a flagged mention to its case and queue the alert; True when the case is new."""
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
        record_receipt(session, case.id, mention)  # handed-over posts: 'received_via_intake' (channel, by whom)
        alerts.enqueue_case_alert(session, case)
        return created

    @staticmethod
    def _store_evidence(session: Session, raws: list[RawPayload]) -> None:
        """The raw bytes and WARC records of `raws` as evidence blobs, in one idempotent INSERT (keyed by sha256)."""
        blobs: dict[str, dict] = {}
        for raw in raws:
            for sha, content_type, data in (
                (raw.sha256, raw.content_type, raw.inline_bytes()),
                (raw.warc_sha256, "application/warc", raw.warc_bytes()),
            ):
                if sha and data is not None:
                    blobs.setdefault(sha, dict(sha256=sha, content_type=content_type, size=len(data), data=data))
        if blobs:
            session.execute(insert(EvidenceBlob).on_conflict_do_nothing(), list(blobs.values()))

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
        """Deliver due alerts at most every ALERT_DISPATCH_INTERVAL_S, after a batch as well as when idle, so a
        busy stream never holds an alert back; a failure is retried on the next round."""
        now = time.monotonic()
        if now - self._alerts_dispatched_at < ALERT_DISPATCH_INTERVAL_S:
            return
        self._alerts_dispatched_at = now
        try:
            alerts.dispatch_pending(self.sessions, self.settings)
        except Exception:  # alerts are retried on the next round
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
                stage=STAGE,
            )
        finally:
            consumer.close()
            self.producer.close()
