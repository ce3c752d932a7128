"""No poison pill stops a partition (issue 18).

Each pill is produced to a fixed partition and followed by 200 ordinary posts on that same partition: the pill ends
as a dead letter with its reason (through the dead-letter topic into the `dead_letters` table) and the 200 posts
arrive. A NUL byte is not a pill any more: it is stored as U+FFFD, the original kept as evidence. One classifier
worker (the real spaCy rule layer, plus a matcher callback registered here that raises on a marker word) and one
ingest worker serve the whole module, on the real Tansu broker and the real PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaTimeoutError, MessageSizeTooLargeError
from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from classifiers.api import RuleClassifier
from classifiers.worker import ClassifierWorker
from schildwacht.app.seed import seed
from schildwacht.config import Settings
from schildwacht.contracts import (
    DEAD_LETTER_PAYLOAD_LIMIT,
    LABELS,
    Author,
    CollectedMention,
    ContractError,
    DeadLetter,
    ModelInfo,
    RawPayload,
    ScoredMention,
    Span,
)
from schildwacht.db import make_sessionmaker, session_scope
from schildwacht.embedded import free_port
from schildwacht.failures import Failure, classify
from schildwacht.kafka import RetryPolicy, consume_batches, ensure_topics, make_consumer, make_producer
from schildwacht.models import Case, DeadLetterRecord, EvidenceBlob, Mention, Official, StaffUser
from triage.ingest import IngestWorker
from triage.web.caseviews import CASE_POSTS_SHOWN, case_detail

pytestmark = pytest.mark.integration

FOLLOWERS = 200
WAIT_S = 180.0  # generous bound of every wait below; the waits end on the event, not on the clock
OFFICIAL = "off-zoetelief"
ORGANISATION = "gm-voorbeeld"
MARKER = "gifpilmarkering"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
THREAT = "Wethouder Zoetelief, ik ga je vermoorden."
T = TypeVar("T")


# --- messages -------------------------------------------------------------------------------------------------


def mention(
    post_id: str, text: str = "Goedemorgen wethouder Zoetelief, dank voor het antwoord.", **fields: Any
) -> CollectedMention:
    return CollectedMention(
        platform="test",
        post_id=post_id,
        url=f"https://test.example/{post_id}",
        author=fields.pop("author", Author(handle="@inwoner")),
        text=text,
        created_at=NOW,
        matched_official_ids=[OFFICIAL],
        match_reasons={OFFICIAL: ["Zoetelief"]},
        collector="test",
        **fields,
    )


def scored(m: CollectedMention, flags: list[str] | None = None) -> ScoredMention:
    scores = {label: (0.9 if label in (flags or []) else 0.01) for label in LABELS}
    return ScoredMention(mention=m, scores=scores, flags=flags or [], model=ModelInfo(name="test", version="1"))


def as_json(model: CollectedMention | ScoredMention) -> dict:
    return json.loads(model.to_bytes())


def encode(doc: dict) -> bytes:
    return json.dumps(doc).encode("utf-8")


def set_path(doc: dict, path: tuple, value: Any) -> dict:
    """A copy of `doc` with the value at `path` (keys and list indexes) replaced."""
    doc = json.loads(json.dumps(doc))
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


# --- the running line ----------------------------------------------------------------------------------------


@dataclass
class Line:
    settings: Settings
    sessions: sessionmaker[Session]
    producer: KafkaProducer

    def topic(self, kind: str) -> str:
        return {"raw": self.settings.topic_raw, "scored": self.settings.topic_scored}[kind]

    def send(self, kind: str, value: bytes | None, partition: int) -> int:
        """Produce one record to a fixed partition; its offset once the broker confirmed it."""
        meta = self.producer.send(self.topic(kind), key=OFFICIAL.encode(), value=value, partition=partition)
        return meta.get(timeout=30).offset

    def send_followers(self, tag: str, kind: str, partition: int) -> list[str]:
        """FOLLOWERS ordinary posts behind a pill, on the same partition (raw: collected; scored: scored)."""
        uids = []
        for i in range(FOLLOWERS):
            m = mention(f"{tag}-volger-{i}")
            value = (scored(m) if kind == "scored" else m).to_bytes()
            self.producer.send(self.topic(kind), key=OFFICIAL.encode(), value=value, partition=partition)
            uids.append(m.uid)
        self.producer.flush(timeout=60)
        return uids

    def arrived(self, uids: list[str]) -> int:
        with session_scope(self.sessions) as s:
            return s.scalar(select(func.count()).where(Mention.uid.in_(uids))) or 0

    def dead_letter(self, kind: str, partition: int, offset: int) -> DeadLetterRecord | None:
        with session_scope(self.sessions) as s:
            return s.scalars(
                select(DeadLetterRecord).where(
                    DeadLetterRecord.source_topic == self.topic(kind),
                    DeadLetterRecord.source_partition == partition,
                    DeadLetterRecord.source_offset == offset,
                )
            ).first()

    def mention_row(self, uid: str) -> Mention | None:
        with session_scope(self.sessions) as s:
            return s.scalars(select(Mention).where(Mention.uid == uid)).first()


def wait_until(what: str, probe: Callable[[], T], timeout: float = WAIT_S) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := probe()):
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout:.0f} s still waiting for: {what}")
        time.sleep(0.2)
    return result


def _explode_on_marker(matcher, doc, i, matches) -> None:
    raise RuntimeError(f"spaCy-component weigert de markering {MARKER}")


def _empty_database(engine) -> None:
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text("select tablename from pg_tables where schemaname='public' and tablename <> 'alembic_version'")
            )
            .scalars()
            .all()
        )
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


def _settings(broker, pg, data_dir, prefix: str) -> Settings:
    suffix = uuid.uuid4().hex[:8]
    return Settings(
        kafka_bootstrap_servers=broker.bootstrap,
        database_url=pg.url,
        data_dir=data_dir,
        topic_raw=f"{prefix}-raw-{suffix}",
        topic_scored=f"{prefix}-scored-{suffix}",
        topic_dead_letter=f"{prefix}-dlq-{suffix}",
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
        poison_attempts=2,
        retry_backoff_initial_s=0.1,
        retry_backoff_max_s=1.0,
    )


@pytest.fixture(scope="module")
def line(broker, pg, engine, tmp_path_factory):
    """One classifier and one ingest worker for every case of this module, on an emptied, seeded database."""
    _empty_database(engine)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as s:
        seed(s)
    settings = _settings(broker, pg, tmp_path_factory.mktemp("data"), "pp")
    ensure_topics(settings)
    classifier = RuleClassifier()
    classifier.rules.matcher.add("TEST_POISON", [[{"LOWER": MARKER}]], on_match=_explode_on_marker)
    stop = threading.Event()
    workers = [ClassifierWorker(settings, classifier=classifier), IngestWorker(settings, sessions)]
    threads = [threading.Thread(target=w.run, args=(stop,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    producer = make_producer(settings)
    try:
        yield Line(settings=settings, sessions=sessions, producer=producer)
    finally:
        producer.close()
        stop.set()
        for t in threads:
            t.join(30)


def assert_parked_and_partition_moves_on(
    line: Line, kind: str, partition: int, offset: int, followers: list[str], reason: str, stage: str
) -> DeadLetterRecord:
    letter = wait_until(
        f"dead letter of {kind}/{partition}/{offset}", lambda: line.dead_letter(kind, partition, offset)
    )
    wait_until(f"{FOLLOWERS} posts behind the pill", lambda: line.arrived(followers) == len(followers))
    assert re.search(reason, letter.reason), letter.reason
    assert letter.stage == stage
    return letter


# --- the pills -----------------------------------------------------------------------------------------------


def _other_version(model: CollectedMention | ScoredMention, schema: str) -> bytes:
    return encode({**as_json(model), "schema": schema})


PILLS: dict[str, tuple[str, bytes | None, str, str]] = {  # name: (topic, value, reason pattern, stage)
    "tombstone-raw": ("raw", None, r"CollectedMention: tombstone", "classifier"),
    "tombstone-scored": ("scored", None, r"ScoredMention: tombstone", "triage-ingest"),
    "schema-version-raw": (
        "raw",
        _other_version(mention("schema-raw"), "schildwacht.mention.collected/3"),
        r"CollectedMention: schema: Input should be 'schildwacht.mention.collected/2'",
        "classifier",
    ),
    "schema-version-scored": (
        "scored",
        _other_version(scored(mention("schema-scored")), "schildwacht.mention.scored/4"),
        r"ScoredMention: schema: Input should be 'schildwacht.mention.scored/3'",
        "triage-ingest",
    ),
    "spacy-component-raises": (
        "raw",
        mention("spacy", text=f"Wethouder Zoetelief, {MARKER}.").to_bytes(),
        rf"RuntimeError: spaCy-component weigert de markering {MARKER}",
        "classifier",
    ),
}


@pytest.mark.parametrize("name", list(PILLS))
def test_pill_is_parked_with_its_reason_and_its_partition_moves_on(line, name):
    kind, value, reason, stage = PILLS[name]
    partition = list(PILLS).index(name) % line.settings.topic_partitions
    offset = line.send(kind, value, partition)
    followers = line.send_followers(name, kind, partition)
    assert_parked_and_partition_moves_on(line, kind, partition, offset, followers, reason, stage)


def test_record_whose_dead_letter_would_exceed_the_request_limit_is_parked_truncated(line):
    """A 7 MiB non-JSON record fits a request; a letter with all of it (base64) would not."""
    big = random.Random(18).randbytes(7 * 1024 * 1024)
    assert len(big) * 4 / 3 > line.settings.kafka_max_request_size
    offset = line.send("raw", big, 1)
    followers = line.send_followers("te-groot", "raw", 1)
    letter = assert_parked_and_partition_moves_on(line, "raw", 1, offset, followers, r"invalid UTF-8", "classifier")
    assert letter.payload_sha256 == hashlib.sha256(big).hexdigest(), "the hash is the original's"
    assert letter.payload == big[:DEAD_LETTER_PAYLOAD_LIMIT], "the start of the original is kept"
    assert letter.payload_size == len(big) and f"van {len(big)} bytes" in letter.reason, "the original's size"


# Every string of a message that is stored in a bounded column, with that column.
COLLECTED_COLUMNS = {
    ("platform",): Mention.platform,
    ("post_id",): Mention.post_id,
    ("author", "id"): Mention.author_id,
    ("author", "handle"): Mention.author_handle,
    ("author", "display_name"): Mention.author_display_name,
    ("collector",): Mention.collector,
    ("collector_version",): Mention.collector_version,
    ("in_reply_to_id",): Mention.in_reply_to_id,
    ("thread_id",): Mention.thread_id,
    ("matched_official_ids", 0): Mention.official_id,
    ("in_reply_to_official_id",): Official.id,
    ("raw", "content_type"): EvidenceBlob.content_type,
}
SCORED_COLUMNS = {
    ("target_official_id",): Mention.target_official_id,
    ("model", "name"): Mention.model_name,
    ("model", "version"): Mention.model_version,
}
HASH_FIELDS = [("text_sha256",), ("raw", "sha256"), ("raw", "warc_sha256"), ("raw", "tls_cert_sha256")]


def _collected_base() -> dict:
    """A valid message whose bounded strings may be replaced one by one (no matches: they name an official id)."""
    return {**as_json(mention("grens", raw=RawPayload.from_bytes(b"{}", "application/json"))), "matches": []}


def _overlong(path: tuple, column) -> tuple[str, bytes]:
    """(kind, value): a message whose field at `path` is one character longer than its column."""
    too_long = "x" * (column.type.length + 1)
    if path in COLLECTED_COLUMNS:
        return "raw", encode(set_path(_collected_base(), path, too_long))
    return "scored", encode(set_path(as_json(scored(mention("grens"))), path, too_long))


def test_contract_limits_match_the_database_columns():
    for path, column in {**COLLECTED_COLUMNS, **SCORED_COLUMNS}.items():
        n = column.type.length
        contract = CollectedMention if path in COLLECTED_COLUMNS else ScoredMention
        base = _collected_base() if contract is CollectedMention else as_json(scored(mention("grens")))
        contract.from_bytes(encode(set_path(base, path, "x" * n)))  # exactly the column's length passes
        with pytest.raises(ContractError, match=re.escape(".".join(map(str, path))) + ": String should have at most"):
            contract.from_bytes(encode(set_path(base, path, "x" * (n + 1))))
    for path in HASH_FIELDS:
        with pytest.raises(ContractError, match=re.escape(".".join(path))):
            CollectedMention.from_bytes(encode(set_path(_collected_base(), path, "a" * 65)))
    assert Mention.uid.type.length >= Mention.platform.type.length + 1 + Mention.post_id.type.length
    assert Case.thread_id.type.length >= Mention.thread_id.type.length
    assert Case.author_key.type.length >= Mention.platform.type.length + 1 + Mention.author_handle.type.length
    covered = {c.key for c in [*COLLECTED_COLUMNS.values(), *SCORED_COLUMNS.values()] if c.class_ is Mention}
    bounded = {c.key for c in Mention.__table__.columns if getattr(c.type, "length", None)}
    assert bounded - covered == {"uid", "organisation_id", "text_sha256"}, "a new bounded column needs a limit"
    letter = DeadLetter.park("s" * 100, "r", b"x", uid="u" * 500, topic="t" * 300)
    assert len(letter.stage) <= DeadLetterRecord.stage.type.length
    assert len(letter.uid) <= DeadLetterRecord.uid.type.length
    assert len(letter.source_topic) <= DeadLetterRecord.source_topic.type.length


def test_overlong_fields_are_parked_and_their_partitions_move_on(line):
    partition = 2
    sent = []
    for path, column in {**COLLECTED_COLUMNS, **SCORED_COLUMNS}.items():
        kind, value = _overlong(path, column)
        sent.append((path, kind, line.send(kind, value, partition)))
    followers = line.send_followers("te-lang-raw", "raw", partition)
    followers += line.send_followers("te-lang-scored", "scored", partition)
    for path, kind, offset in sent:
        stage = "classifier" if kind == "raw" else "triage-ingest"
        where = re.escape(".".join(map(str, path)))
        assert_parked_and_partition_moves_on(
            line, kind, partition, offset, followers, where + r": String should have at most", stage
        )


def test_nul_bytes_are_stored_as_replacement_characters_and_the_original_kept(line):
    """PostgreSQL cannot store NUL: the contract replaces it; the raw payload keeps the original bytes."""
    nul_text = "Wethouder Zoetelief,\x00 ik ga je vermoorden."
    original = json.dumps({"id": "nul-raw", "content": nul_text}).encode()  # the platform's bytes: \u0000
    doc = as_json(mention("nul-raw", raw=RawPayload.from_bytes(original, "application/json")))
    doc.update(text=nul_text, text_sha256=hashlib.sha256(nul_text.encode()).hexdigest())
    offset_raw = line.send("raw", encode(doc), 3)
    followers = line.send_followers("nul-raw", "raw", 3)
    on_scored = as_json(scored(mention("nul-scored", text=THREAT), flags=["threat"]))
    on_scored["mention"]["author"]["display_name"] = "Naam\x00met nul"
    on_scored["spans"] = [Span(start=0, end=9, label="threat", text="Wethouder", source="model").model_dump()]
    on_scored["spans"][0]["text"] = "Wet\x00houder"
    line.send("scored", encode(on_scored), 3)
    followers += line.send_followers("nul-scored", "scored", 3)

    row = wait_until("the post with a NUL byte", lambda: line.mention_row("test:nul-raw"))
    other = wait_until("the scored post with NUL bytes", lambda: line.mention_row("test:nul-scored"))
    wait_until(f"{FOLLOWERS} posts behind each NUL post", lambda: line.arrived(followers) == len(followers))
    assert row.flagged and row.text == nul_text.replace("\x00", "\ufffd")
    assert row.text_sha256 == hashlib.sha256(nul_text.encode()).hexdigest(), "the producer's hash is kept"
    assert line.dead_letter("raw", 3, offset_raw) is None
    with session_scope(line.sessions) as s:
        blob = s.get(EvidenceBlob, hashlib.sha256(original).hexdigest())
        assert blob is not None and blob.data == original, "the original bytes are kept as evidence"
    assert other.author_display_name == "Naam\ufffdmet nul" and other.spans[0]["text"] == "Wet\ufffdhouder"


def test_reply_in_a_thread_of_100000_replies_is_stored_and_its_partition_moves_on(line):
    """Thread size costs nothing per reply: ingest looks a case up by official, author or thread, never reads the
    thread. The case page stays bounded too: it used to bind every post id of the case into one query (more than
    PostgreSQL's 65,535 parameters: the page failed)."""
    thread = "draad-100k"
    with session_scope(line.sessions) as s:
        case_id = s.scalar(
            insert(Case)
            .values(
                organisation_id=ORGANISATION,
                official_id=OFFICIAL,
                author_key="test:@eerste",
                thread_id=thread,
                labels=["abuse"],
                severity=3,
                status="nieuw",
                opened_at=NOW,
                last_post_at=NOW,
                updated_at=NOW,
                legal_hold=False,
            )
            .returning(Case.id)
        )
        s.execute(
            text(
                "INSERT INTO mentions (uid, platform, post_id, organisation_id, official_id, matched_official_ids,"
                " text_sha256, created_at, collected_at, collector, collector_version, in_reply_to_id, thread_id,"
                " scores, flags, spans, model_name, model_version, scored_at, flagged, ingested_at, case_id,"
                " author_handle)"
                " SELECT 'test:draad-' || g, 'test', 'draad-' || g, :org, :official, CAST(:ids AS jsonb),"
                " repeat('0', 64), :now, :now, 'test', '1', 'draad-0', :thread, CAST('{}' AS jsonb),"
                " CAST('[\"abuse\"]' AS jsonb), CAST('[]' AS jsonb), 'test', '1', :now, true, :now, :case,"
                " '@reageerder-' || g FROM generate_series(1, 100000) AS g"
            ),
            {
                "org": ORGANISATION,
                "official": OFFICIAL,
                "ids": json.dumps([OFFICIAL]),
                "now": NOW,
                "thread": thread,
                "case": case_id,
            },
        )
    reply = mention(
        "draad-100001", text=THREAT, author=Author(handle="@nieuwkomer"), thread_id=thread, in_reply_to_id="draad-99999"
    )
    line.send("raw", reply.to_bytes(), 0)
    followers = line.send_followers("draad", "raw", 0)
    row = wait_until("the reply in the big thread", lambda: line.mention_row(reply.uid))
    wait_until(f"{FOLLOWERS} posts behind the reply", lambda: line.arrived(followers) == len(followers))
    assert row.flagged and row.case_id == case_id, "the reply joins the thread's case"
    with session_scope(line.sessions) as s:
        staff = s.scalars(select(StaffUser).where(StaffUser.organisation_id == ORGANISATION)).first()
        detail = case_detail(s, staff, line.settings, case_id)
    assert detail["case"]["post_count"] == 100_001
    assert 0 < len(detail["posts"]) <= CASE_POSTS_SHOWN and len(detail["context"]) <= 200


# --- the rule: isolate, retry, park; transient failures never park ------------------------------------------


def test_failing_record_is_isolated_retried_and_parked_while_every_other_record_passes(broker, pg, tmp_path):
    settings = _settings(broker, pg, tmp_path, "iso")
    ensure_topics(settings)
    producer = make_producer(settings)
    values = {p: [f"p{p}-{i}".encode() for i in range(10)] for p in range(4)}
    values[1][3], values[2][5] = b"gif", b"wankel"
    for p, vs in values.items():
        for v in vs:
            producer.send(settings.topic_raw, value=v, partition=p)
    producer.flush()
    producer.close()
    handled: list[tuple[int, bytes]] = []
    parked: list[tuple[bytes, str]] = []
    alone_tries = {b"gif": 0, b"wankel": 0}
    stop = threading.Event()

    def all_done() -> None:
        if len(handled) == 39 and parked:
            stop.set()

    def handle(batch):
        if len(batch) == 1 and batch[0].value in alone_tries:
            alone_tries[batch[0].value] += 1
        for r in batch:
            if r.value == b"gif" or (r.value == b"wankel" and alone_tries[b"wankel"] < 2):
                raise ValueError(f"kan {r.value.decode()} niet verwerken")
        handled.extend((r.partition, r.value) for r in batch)  # "durable" only when the whole batch passed
        all_done()

    def park_record(record, reason):
        parked.append((record.value, reason))
        all_done()

    consumer = make_consumer(settings, f"iso-{uuid.uuid4().hex[:6]}", [settings.topic_raw])
    timer = threading.Timer(WAIT_S, stop.set)
    timer.start()
    try:
        consume_batches(
            consumer,
            handle,
            stop,
            park_record,
            RetryPolicy(poison_attempts=3, backoff_initial_s=0.05, backoff_max_s=0.2),
            max_items=50,
        )
    finally:
        timer.cancel()
        consumer.close()
    assert parked == [(b"gif", "ValueError: kan gif niet verwerken")]
    assert alone_tries[b"gif"] == 3, "parked after failing the same way poison_attempts times"
    for p, vs in values.items():
        assert [v for q, v in handled if q == p] == [v for v in vs if v != b"gif"], "in order, once, none lost"


def _operational_error() -> sa_exc.OperationalError:
    """A real OperationalError: a connection to a port where no database listens."""
    dead = create_engine(
        f"postgresql+psycopg://x@127.0.0.1:{free_port()}/x", poolclass=NullPool, connect_args={"connect_timeout": 2}
    )
    try:
        dead.connect()
    except sa_exc.OperationalError as exc:
        return exc
    finally:
        dead.dispose()
    raise AssertionError("a closed port accepted a connection")


def test_failures_are_classified_by_exception_class(line):
    assert classify(_operational_error()) is Failure.TRANSIENT
    assert classify(KafkaTimeoutError("no metadata")) is Failure.TRANSIENT
    assert classify(ConnectionRefusedError()) is Failure.TRANSIENT
    assert classify(ContractError("CollectedMention: tombstone")) is Failure.POISON
    assert classify(MessageSizeTooLargeError()) is Failure.POISON
    assert classify(RuntimeError("spaCy")) is Failure.POISON
    with pytest.raises(sa_exc.DataError) as nul:  # what a NUL byte did to ingest before the contract cleaned it
        with session_scope(line.sessions) as s:
            s.execute(text("select length(:t)"), {"t": "a\x00b"})
    assert classify(nul.value) is Failure.POISON
    with pytest.raises(sa_exc.ProgrammingError) as missing:  # a deployment error is retried, never parked
        with session_scope(line.sessions) as s:
            s.execute(text("select * from tabel_die_niet_bestaat"))
    assert classify(missing.value) is Failure.TRANSIENT


def test_database_outage_is_retried_with_backoff_and_never_parked(broker, pg, line, tmp_path, caplog):
    settings = _settings(broker, pg, tmp_path, "uitval")
    ensure_topics(settings)
    down = threading.Event()
    down.set()
    engine = create_engine(pg.url, poolclass=NullPool)

    @event.listens_for(engine, "do_connect")
    def _outage(dialect, conn_rec, cargs, cparams):  # while down: a real connection attempt to a dead port
        if down.is_set():
            cparams.update(host="127.0.0.1", port=free_port(), connect_timeout=2)

    producer = make_producer(settings)
    posts = [scored(mention(f"uitval-{i}")) for i in range(5)]
    for p in posts:
        producer.send(settings.topic_scored, key=p.key, value=p.to_bytes())
    producer.flush()
    producer.close()
    uids = [p.mention.uid for p in posts]
    retried = re.compile(r"batch of \d+ not handled \(OperationalError")
    caplog.set_level("WARNING", logger="schildwacht.kafka")
    stop = threading.Event()
    ingest = IngestWorker(settings, make_sessionmaker(engine), group_id=f"uitval-{uuid.uuid4().hex[:6]}")
    worker = threading.Thread(target=ingest.run, args=(stop,), daemon=True)
    worker.start()
    try:
        wait_until(
            "three retries of the batch during the outage",
            lambda: sum(bool(retried.search(r.getMessage())) for r in caplog.records) >= 3,
        )
        assert line.arrived(uids) == 0
        down.clear()
        wait_until("the posts after the outage", lambda: line.arrived(uids) == len(uids))
    finally:
        stop.set()
        worker.join(30)
        engine.dispose()
    with session_scope(line.sessions) as s:
        assert not s.scalar(select(func.count()).where(DeadLetterRecord.uid.in_(uids)))
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap)
    try:
        ends = consumer.end_offsets([TopicPartition(settings.topic_dead_letter, p) for p in range(4)])
    finally:
        consumer.close()
    assert sum(ends.values()) == 0, "an outage is never dead-lettered"
