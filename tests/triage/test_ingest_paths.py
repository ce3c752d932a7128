"""The ingest worker's decisions, one record at a time, on the real PostgreSQL and the real Tansu broker.

`IngestWorker.handle` and `park_record` are called with records as the consumer would deliver them, so each branch of
`triage/ingest.py` is checked without a consumer group: which official a post is filed under, what is kept for an
active, paused or unknown official, redeliveries, evidence blobs, cases with their custody chain, and dead letters.
Expected values come from the messages the test builds (bytes, hashes, ids), never from what ingest wrote.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import create_engine, func, select

from schildwacht.contracts import Author, CollectedMention, DeadLetter, ModelInfo, RawPayload, ScoredMention, Span
from schildwacht.db import make_sessionmaker, session_scope
from schildwacht.embedded import free_port
from schildwacht.kafka import ensure_topics, make_consumer, make_producer, publish
from schildwacht.models import Case, DeadLetterRecord, EvidenceBlob, Mention, Official
from schildwacht.models.evidence import CustodyEvent
from schildwacht.models.workflow import AlertOutbox
from tests.support.waiting import wait_for
from tests.triage.registry.registry_helpers import add_official, add_org
from triage.ingest import IngestWorker

pytestmark = pytest.mark.integration

ZOETELIEF, DEBRUIJN = "off-zoetelief", "off-debruijn"
AT = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
SCORES = {"threat": 0.02, "abuse": 0.1, "gender": 0.01, "doxxing": 0.01, "identity": 0.01}
RAW = b'{"id": "1", "content": "<p>ik weet waar je woont</p>"}'
WARC = b"WARC/1.1\r\nWARC-Type: response\r\n\r\nfake but distinct bytes"


def scored(
    post_id: str,
    *,
    flags: tuple[str, ...] = ("threat",),
    matched: tuple[str, ...] = (ZOETELIEF,),
    target: str | None = None,
    author: str = "@boos@x.example",
    with_raw: bool = False,
    created_at: datetime = AT,
    in_reply_to_id: str | None = None,
    thread_id: str | None = None,
) -> ScoredMention:
    raw = None
    if with_raw:
        raw = RawPayload.from_bytes(RAW, "application/json").model_copy(
            update={"warc_b64": base64.b64encode(WARC).decode(), "warc_sha256": hashlib.sha256(WARC).hexdigest()}
        )
    text = f"Wethouder, bericht {post_id}: ik weet waar je woont."
    return ScoredMention(
        mention=CollectedMention(
            platform="mastodon",
            post_id=post_id,
            url=f"https://x.example/{post_id}",
            author=Author(id="acct-1", handle=author, display_name="Boze Burger", profile_url="https://x.example/b"),
            text=text,
            created_at=created_at,
            matched_official_ids=list(matched),
            raw=raw,
            in_reply_to_id=in_reply_to_id,
            thread_id=thread_id,
        ),
        scores=SCORES | {label: 0.95 for label in flags},
        flags=list(flags),
        spans=[Span(start=0, end=9, label="threat", text=text[:9], source="rule:test")] if flags else [],
        target_official_id=target,
        model=ModelInfo(name="test-model", version="7"),
    )


def m_text(post_id: str) -> str:
    """The text `scored` gives post `post_id`."""
    return scored(post_id).mention.text


def record(topic: str, value: bytes, offset: int = 0, partition: int = 0, key: bytes | None = b"k") -> ConsumerRecord:
    return ConsumerRecord(topic, partition, -1, offset, 0, 0, key, value, [], None, len(key or b""), len(value), 0)


def registry(db) -> None:
    """One organisation with the two officials the posts name (the demo registry's ids, without its staff)."""
    with session_scope(db) as s:
        add_org(s, "gm-voorbeeld")
        add_official(s, ZOETELIEF, "gm-voorbeeld")
        add_official(s, DEBRUIJN, "gm-voorbeeld")


@pytest.fixture
def worker(stack, db):
    ensure_topics(stack.settings)
    registry(db)
    w = IngestWorker(stack.settings, db)
    yield w
    w.producer.close()


def deliver(worker: IngestWorker, *items: ScoredMention) -> None:
    worker.handle([record(worker.settings.topic_scored, item.to_bytes(), i) for i, item in enumerate(items)])


def dead_letters_on_topic(settings, expect: int) -> list[DeadLetter]:
    """Read the dead-letter topic until `expect` letters arrived (event-based: ends on the count, bounded)."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, consumer_timeout_ms=20_000)
    partitions = [TopicPartition(settings.topic_dead_letter, p) for p in range(settings.topic_partitions)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    letters = []
    try:
        for message in consumer:
            letters.append(DeadLetter.from_bytes(message.value))
            if len(letters) >= expect:
                break
    finally:
        consumer.close()
    return letters


def test_flagged_post_of_active_official_keeps_content_and_evidence_and_opens_a_case(worker, db):
    item = scored("1", with_raw=True)
    deliver(worker, item)
    with db() as s:
        m = s.scalars(select(Mention)).one()
        assert (m.uid, m.official_id, m.organisation_id, m.flagged) == ("mastodon:1", ZOETELIEF, "gm-voorbeeld", True)
        assert m.text == item.mention.text and m.url == "https://x.example/1"
        assert m.ingested_at is not None
        assert (m.author_id, m.author_handle, m.author_display_name) == ("acct-1", "@boos@x.example", "Boze Burger")
        assert m.author_profile_url == "https://x.example/b" and m.content_purged_at is None
        assert m.spans == [s_.model_dump() for s_ in item.spans] and m.flags == ["threat"]
        assert (m.model_name, m.model_version, m.scores) == ("test-model", "7", item.scores)
        assert "inline_b64" not in m.raw_meta and "warc_b64" not in m.raw_meta
        assert m.raw_meta["sha256"] == hashlib.sha256(RAW).hexdigest()
        blobs = {b.sha256: b for b in s.scalars(select(EvidenceBlob))}
        assert set(blobs) == {hashlib.sha256(RAW).hexdigest(), hashlib.sha256(WARC).hexdigest()}
        assert blobs[hashlib.sha256(RAW).hexdigest()].data == RAW
        assert blobs[hashlib.sha256(RAW).hexdigest()].content_type == "application/json"
        assert blobs[hashlib.sha256(WARC).hexdigest()].content_type == "application/warc"
        assert blobs[hashlib.sha256(WARC).hexdigest()].size == len(WARC)
        case = s.scalars(select(Case)).one()
        assert m.case_id == case.id and case.official_id == ZOETELIEF
        event = s.scalars(select(CustodyEvent)).one()
        assert (event.case_id, event.kind, event.actor) == (case.id, "created", "system:triage-ingest")
        assert event.details == {
            "mention_uid": "mastodon:1",
            "text_sha256": hashlib.sha256(item.mention.text.encode()).hexdigest(),
            "flags": ["threat"],
            "model": "test-model@7",
        }
        assert [(a.case_id, a.label) for a in s.scalars(select(AlertOutbox))] == [(case.id, "threat")]


def test_redelivery_stores_nothing_twice_and_a_second_post_joins_the_case(worker, db):
    first = scored("1", thread_id="t-9")
    second = scored("2", created_at=AT + timedelta(minutes=5), in_reply_to_id="1", thread_id="t-9")
    deliver(worker, first)
    deliver(worker, first)  # a redelivery after a crash before the commit of the offsets
    deliver(worker, second)
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Mention)) == 2
        case = s.scalars(select(Case)).one()
        kinds = s.execute(select(CustodyEvent.kind, CustodyEvent.details).order_by(CustodyEvent.id)).all()
        assert [(k, d["mention_uid"]) for k, d in kinds] == [("created", "mastodon:1"), ("post_added", "mastodon:2")]
        assert {m.case_id for m in s.scalars(select(Mention))} == {case.id}
        replies = dict(s.execute(select(Mention.uid, Mention.in_reply_to_id)).all())
        threads = dict(s.execute(select(Mention.uid, Mention.thread_id)).all())
    assert replies == {"mastodon:1": None, "mastodon:2": "1"} and threads == {"mastodon:1": "t-9", "mastodon:2": "t-9"}


def test_post_is_filed_under_the_target_official_only_when_it_was_matched(worker, db):
    deliver(
        worker,
        scored("1", matched=(ZOETELIEF, DEBRUIJN), target=DEBRUIJN),
        scored("2", matched=(ZOETELIEF, DEBRUIJN), target="off-elders"),  # a target nobody matched: the first match
        scored("3", matched=(DEBRUIJN, ZOETELIEF)),
    )
    with db() as s:
        matched = dict(s.execute(select(Mention.uid, Mention.matched_official_ids)).all())
        filed = dict(s.execute(select(Mention.uid, Mention.official_id)).all())
        targets = dict(s.execute(select(Mention.uid, Mention.target_official_id)).all())
    assert filed == {"mastodon:1": DEBRUIJN, "mastodon:2": ZOETELIEF, "mastodon:3": DEBRUIJN}
    assert targets == {"mastodon:1": DEBRUIJN, "mastodon:2": "off-elders", "mastodon:3": None}
    assert matched == {
        "mastodon:1": [ZOETELIEF, DEBRUIJN],
        "mastodon:2": [ZOETELIEF, DEBRUIJN],
        "mastodon:3": [DEBRUIJN, ZOETELIEF],
    }


@pytest.mark.parametrize("status", ["paused", "withdrawn"])
def test_post_about_an_official_who_is_not_active_keeps_no_content_and_opens_no_case(worker, db, status):
    with session_scope(db) as s:
        s.get(Official, ZOETELIEF).status = status
    deliver(worker, scored("1", with_raw=True), scored("2", matched=(DEBRUIJN,)))  # one INSERT, kept and not kept
    with db() as s:
        assert s.get(Mention, 2).text == m_text("2")  # the active official's post in the same batch keeps content
        m = s.scalars(select(Mention).where(Mention.uid == "mastodon:1")).one()
        assert m.flagged is False and m.flags == ["threat"]  # the verdict is kept in the ledger, not acted on
        assert (m.text, m.url, m.author_handle, m.author_id, m.author_display_name, m.author_profile_url) == (None,) * 6
        assert m.spans == [] and m.content_purged_at is not None
        assert m.text_sha256 == hashlib.sha256(m_text("1").encode()).hexdigest()
        assert s.scalars(select(Case.official_id)).all() == [DEBRUIJN]
        assert s.scalar(select(func.count()).select_from(EvidenceBlob)) == 0


@pytest.mark.parametrize("days, kept", [(0, False), (1, True)])
def test_unflagged_content_is_kept_only_within_a_retention_window(stack, db, days, kept):
    ensure_topics(stack.settings)
    registry(db)
    worker = IngestWorker(stack.settings.model_copy(update={"retain_unflagged_days": days}), db)
    try:
        deliver(worker, scored("1", flags=(), with_raw=True))
    finally:
        worker.producer.close()
    with db() as s:
        m = s.scalars(select(Mention)).one()
        assert m.flagged is False and (m.text == m_text("1")) is kept and (m.content_purged_at is None) is kept
        assert (m.author_handle == "@boos@x.example") is kept
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(EvidenceBlob)) == 0  # evidence only for flagged posts


def test_post_about_an_unknown_official_is_parked_after_the_batch_commits(worker, db):
    known, unknown = scored("1"), scored("2", matched=("off-onbekend", "off-elders"))
    deliver(worker, known, unknown)
    with db() as s:
        assert s.scalars(select(Mention.uid)).all() == ["mastodon:1"]  # the known post of the batch is stored
    (letter,) = dead_letters_on_topic(worker.settings, expect=1)
    assert letter.stage == "triage-ingest"
    assert letter.reason == "unknown official id(s): off-onbekend,off-elders"
    assert letter.payload == unknown.to_bytes() and letter.source_offset == 1
    assert letter.source_topic == worker.settings.topic_scored


def test_dead_letter_from_the_topic_is_stored_with_its_position_and_truncation_said(worker, db):
    original = b"x" * 5000
    letter = DeadLetter.park("classifier", "kapot bericht", original, topic="raw", partition=2, offset=41, uid="a:1")
    short = DeadLetter.park("classifier", "te groot", original, topic="raw", partition=0, offset=42, payload_limit=10)
    worker.handle(
        [
            record(worker.settings.topic_dead_letter, letter.to_bytes(), offset=7, partition=1),
            record(worker.settings.topic_dead_letter, short.to_bytes(), offset=8, partition=1),
        ]
    )
    with db() as s:
        rows = {r.source_offset: r for r in s.scalars(select(DeadLetterRecord))}
    whole, cut = rows[41], rows[42]
    assert (whole.stage, whole.reason, whole.uid, whole.source_topic, whole.source_partition) == (
        "classifier",
        "kapot bericht",
        "a:1",
        "raw",
        2,
    )
    assert (whole.dlq_partition, whole.dlq_offset, whole.payload, whole.payload_size) == (1, 7, original, 5000)
    assert whole.payload_sha256 == hashlib.sha256(original).hexdigest()
    assert cut.payload == b"x" * 10 and cut.payload_size == 5000 and cut.dlq_offset == 8
    assert cut.reason == (
        "te groot [payload ingekort: eerste 10 van 5000 bytes bewaard; payload_sha256 is die van het origineel]"
    )


def test_a_record_that_cannot_be_stored_is_parked_where_it_came_from(worker, db, caplog):
    garbage = b"\x00 geen json"
    worker.park_record(record(worker.settings.topic_scored, garbage, offset=3), "ScoredMention: <root>: kapot")
    with caplog.at_level(logging.WARNING, logger="triage.ingest"):
        worker.park_record(record(worker.settings.topic_dead_letter, garbage, offset=9, partition=2), "geen DeadLetter")
    topic = worker.settings.topic_dead_letter
    assert f"unreadable dead letter at {topic}/2/9: geen DeadLetter" in [r.getMessage() for r in caplog.records]
    (letter,) = dead_letters_on_topic(worker.settings, expect=1)  # the scored record: on the dead-letter topic
    assert (letter.reason, letter.source_offset, letter.payload) == ("ScoredMention: <root>: kapot", 3, garbage)
    with db() as s:
        row = s.scalars(select(DeadLetterRecord)).one()  # the unreadable letter: straight into the table
    assert row.reason == "onleesbare dead letter: geen DeadLetter" and row.stage == "triage-ingest"
    assert (row.source_topic, row.source_partition, row.source_offset) == (worker.settings.topic_dead_letter, 2, 9)
    assert (row.dlq_partition, row.dlq_offset, row.payload) == (2, 9, garbage)


def test_idle_alert_dispatch_failure_does_not_stop_the_worker(worker, caplog):
    worker.sessions = make_sessionmaker(create_engine(f"postgresql+psycopg://x@127.0.0.1:1/{uuid.uuid4().hex}"))
    worker.on_idle()  # must not raise: alerts are retried on the next idle round
    assert [r.getMessage() for r in caplog.records if r.name == "triage.ingest"] == ["alert dispatch failed"]


def test_a_stored_batch_dispatches_the_alert_it_queued(worker, db):
    worker.settings = worker.settings.model_copy(update={"smtp_port": free_port()})  # nobody listens: one failure
    deliver(worker, scored("1"))
    assert alert_attempts(db) == 1


def test_inline_warc_without_its_hash_is_not_stored_as_evidence(worker, db):
    item = scored("1", with_raw=True)
    item.mention.raw.warc_sha256 = None
    deliver(worker, item)
    with db() as s:
        assert s.scalars(select(EvidenceBlob.sha256)).all() == [hashlib.sha256(RAW).hexdigest()]


def test_run_reads_both_topics_dispatches_alerts_when_idle_and_stops(worker, db):
    worker.settings = settings = worker.settings.model_copy(update={"smtp_port": free_port()})  # nobody listens
    letter = DeadLetter.park("classifier", "kapot", b"{", topic=settings.topic_raw, partition=0, offset=5)
    producer = make_producer(settings)
    try:
        publish(producer, settings.topic_scored, b"off-zoetelief", scored("1").to_bytes())
        publish(producer, settings.topic_dead_letter, None, letter.to_bytes())
        publish(producer, settings.topic_scored, b"off-zoetelief", b"geen json")  # parked by the loop
    finally:
        producer.close()
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: count(db, Mention) == 1 and count(db, DeadLetterRecord) == 2, "post, letter, parked record")
        wait_for(lambda: alert_attempts(db) >= 1, "an alert attempt from the idle round")
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive()
    with db() as s:
        reasons = sorted(s.scalars(select(DeadLetterRecord.reason)))
    assert reasons == ["ScoredMention: <root>: Invalid JSON: expected value at line 1 column 1", "kapot"]
    consumer = make_consumer(settings, worker.group_id, [settings.topic_scored])
    try:  # the worker's own group committed past the two records of the scored topic
        partitions = range(settings.topic_partitions)
        committed = [consumer.committed(TopicPartition(settings.topic_scored, p)) or 0 for p in partitions]
    finally:
        consumer.close()
    assert sum(committed) == 2


def count(db, model) -> int:
    with db() as s:
        return s.scalar(select(func.count()).select_from(model))


def alert_attempts(db) -> int:
    with db() as s:
        return s.scalar(select(func.coalesce(func.sum(AlertOutbox.attempts), 0)))


def test_identity_hate_over_the_broker_opens_a_case_below_gender_without_an_alert(worker, db):
    """A scored/3 post flagged `identity` and a scored/2 post from before the label (read with identity 0.0), both
    through the real broker: the identity case ranks after gendered hate and before abuse, and neither alerts."""
    settings = worker.settings
    old = json.loads(scored("2", flags=("abuse",), matched=(DEBRUIJN,), author="@oud@x.example").to_bytes())
    old["schema"] = "schildwacht.mention.scored/2"
    del old["scores"]["identity"]
    producer = make_producer(settings)
    try:
        publish(producer, settings.topic_scored, ZOETELIEF.encode(), scored("1", flags=("identity",)).to_bytes())
        publish(producer, settings.topic_scored, DEBRUIJN.encode(), json.dumps(old).encode())
    finally:
        producer.close()
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: count(db, Case) == 2, "two cases")
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive()
    with db() as s:
        cases = {c.official_id: c for c in s.scalars(select(Case))}
        scores = dict(s.execute(select(Mention.uid, Mention.scores)).all())
        alerts = s.scalars(select(AlertOutbox)).all()
        dead = s.scalars(select(DeadLetterRecord)).all()
    # queue ranks by hand: threat 0, doxxing 1, gender 2, identity 3, abuse 4
    assert (cases[ZOETELIEF].labels, cases[ZOETELIEF].severity) == (["identity"], 3)
    assert (cases[DEBRUIJN].labels, cases[DEBRUIJN].severity) == (["abuse"], 4)
    assert scores["mastodon:1"]["identity"] == 0.95
    assert scores["mastodon:2"]["identity"] == 0.0 and scores["mastodon:2"]["abuse"] == 0.95  # not assessed then
    assert alerts == [] and dead == []
