"""Running the pipeline in one process: services, workers, replay of a file, and its summary.

Used by `schildwacht replay` and `schildwacht demo`; in production each worker runs as its own service
(`schildwacht worker classify|ingest|capture`) and `replay --zonder-workers` only feeds the raw topic and waits.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker, migrate, session_scope
from schildwacht.db_retry import retry_while_unreachable
from schildwacht.embedded import embedded_services
from schildwacht.kafka import ensure_topics
from schildwacht.secret_keys import with_local_secret
from schildwacht.topic_retention import sweep_topics

log = logging.getLogger(__name__)

DEMO_POSTS = Path(__file__).resolve().parent / "demo" / "posts.jsonl"


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    embedded_db: bool
    embedded_broker: bool = False


@contextlib.contextmanager
def runtime(settings: Settings, seed_demo: bool | None = None) -> Iterator[Runtime]:
    """Connect to (or start embedded) broker and database, migrate, create topics, seed the demo registry.

    `seed_demo=None` seeds only an embedded database (a fresh one has no officials to match). Without a strong
    configured secret key the runtime signs with the data directory's own random key (`with_local_secret`).
    """
    settings = with_local_secret(settings)
    with embedded_services(settings) as svc:
        embedded_db = not settings.database_url
        embedded_broker = not settings.kafka_bootstrap_servers
        settings = settings.model_copy(
            update={"kafka_bootstrap_servers": svc.kafka_bootstrap, "database_url": svc.database_url}
        )
        migrate(svc.database_url)
        engine = make_engine(svc.database_url)
        sessions = make_sessionmaker(engine)
        if seed_demo or (seed_demo is None and embedded_db):
            from schildwacht.app.seed import seed

            with session_scope(sessions) as session:
                seed(session)
        ensure_topics(settings)
        try:
            yield Runtime(
                settings=settings,
                engine=engine,
                sessions=sessions,
                embedded_db=embedded_db,
                embedded_broker=embedded_broker,
            )
        finally:
            engine.dispose()


@dataclass
class Workers:
    """The worker threads of this process. `join` ends them for good; `pause`/`resume` stop and restart them (the
    embedded broker's topic sweep needs every consumer stopped, schildwacht/topic_retention.py)."""

    targets: dict[str, Callable[[threading.Event], object]] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    round: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def resume(self) -> None:
        self.round = threading.Event()
        self.threads = [
            threading.Thread(target=target, args=(self.round,), name=name, daemon=True)
            for name, target in self.targets.items()
        ]
        for t in self.threads:
            t.start()

    def pause(self, timeout: float = 15.0) -> None:
        self.round.set()
        for t in self.threads:
            t.join(timeout)

    def join(self, timeout: float = 15.0) -> None:
        with self.lock:
            self.stop.set()
            self.pause(timeout)


def start_workers(rt: Runtime) -> Workers:
    """Classifier, ingest and capture-on-flag workers as threads of this process; against the embedded broker also
    the topic sweep (once per `kafka_topic_retention_hours`)."""
    from classifiers.worker import GROUP_ID as CLASSIFIER_GROUP
    from classifiers.worker import ClassifierWorker
    from triage.bundle.capture import run_capture_worker
    from triage.ingest import GROUP_ID as INGEST_GROUP
    from triage.ingest import IngestWorker

    loaded: list = []  # the classifier, loaded by the first round's thread and reused after a pause

    def classify(stop: threading.Event) -> None:
        worker = ClassifierWorker(rt.settings, loaded[0] if loaded else None)  # a worker closes its producer
        loaded[:] = [worker.classifier]
        worker.run(stop)

    workers = Workers(
        targets={
            "classifier": classify,
            "ingest": lambda stop: IngestWorker(rt.settings, rt.sessions).run(stop),
            "capture": lambda stop: run_capture_worker(rt.settings, rt.sessions, stop),
        }
    )
    workers.resume()
    if rt.embedded_broker:
        readers = {
            rt.settings.topic_raw: [CLASSIFIER_GROUP],
            rt.settings.topic_scored: [INGEST_GROUP],
            rt.settings.topic_dead_letter: [INGEST_GROUP],
        }
        threading.Thread(
            target=sweep_periodically, args=(rt.settings, workers, readers), name="topic-sweep", daemon=True
        ).start()
    return workers


def sweep_periodically(settings: Settings, workers: Workers, readers: dict[str, list[str]]) -> None:
    """Every retention period: stop the workers (each finishes and commits its batch), sweep the drained topics,
    start the workers again. A failed sweep is logged; the workers are restarted whatever happens."""
    while not workers.stop.wait(settings.kafka_topic_retention_hours * 3600.0):
        with workers.lock:
            if workers.stop.is_set():
                return
            workers.pause()
            try:
                sweep_topics(settings, readers)
            except Exception:
                log.exception("topics legen mislukt; volgende poging na de volgende bewaartermijn")
            finally:
                workers.resume()


@dataclass
class Progress:
    published: int
    scored: int
    dead_letter: int

    @property
    def done(self) -> bool:
        return self.scored + self.dead_letter >= self.published


def progress(sessions: sessionmaker[Session], uids: list[str]) -> Progress:
    """How many of the published posts have been ingested or parked downstream."""
    from schildwacht.models import DeadLetterRecord, Mention

    with session_scope(sessions) as s:
        scored = _count_in(s, Mention.uid, uids)
        parked = _count_in(
            s,
            DeadLetterRecord.uid,
            uids,
            ~DeadLetterRecord.stage.startswith("collectors"),
            distinct=True,
            exclude_uids_of=Mention.uid,
        )
    return Progress(published=len(uids), scored=scored, dead_letter=parked)


def _count_in(s: Session, column, uids: list[str], *where, distinct: bool = False, exclude_uids_of=None) -> int:
    total = 0
    for i in range(0, len(uids), 1000):
        chunk = uids[i : i + 1000]
        q = select(func.count(func.distinct(column)) if distinct else func.count()).where(column.in_(chunk), *where)
        if exclude_uids_of is not None:
            q = q.where(column.not_in(select(exclude_uids_of).where(exclude_uids_of.in_(chunk))))
        total += s.scalar(q) or 0
    return total


def wait_until_processed(
    sessions: sessionmaker[Session],
    uids: list[str],
    timeout: float,
    on_progress: Callable[[Progress], None] | None = None,
) -> Progress:
    """Poll the database until every published post is scored or parked; raise TimeoutError otherwise.

    An unreachable database is polled again with back-off until the deadline (then its error propagates)."""
    deadline = time.monotonic() + timeout
    while True:
        state = retry_while_unreachable(lambda: progress(sessions, uids), until=deadline)
        if on_progress:
            on_progress(state)
        if state.done:
            return state
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"na {timeout:.0f}s: {state.scored + state.dead_letter} van {state.published} berichten verwerkt"
            )
        time.sleep(0.25)


def processed_summary(
    sessions: sessionmaker[Session], posts: int, uids: list[str], collector_parked: int, timeout: float
) -> dict[str, int]:
    """Wait until every published post is scored or parked (`wait_until_processed`), then `summary`, read again while
    the database is unreachable, within `timeout` for each."""
    state = wait_until_processed(sessions, uids, timeout)
    return retry_while_unreachable(
        lambda: summary(sessions, posts, uids, collector_parked, state), until=time.monotonic() + timeout
    )


def summary(
    sessions: sessionmaker[Session], posts: int, uids: list[str], collector_parked: int, state: Progress
) -> dict[str, int]:
    """The replay's one-line result."""
    from schildwacht.models import Mention

    flagged, case_ids = 0, set[int]()
    with session_scope(sessions) as s:
        for i in range(0, len(uids), 1000):
            chunk = uids[i : i + 1000]
            flagged += s.scalar(select(func.count()).where(Mention.uid.in_(chunk), Mention.flagged)) or 0
            case_ids.update(
                s.scalars(select(Mention.case_id).where(Mention.uid.in_(chunk), Mention.case_id.is_not(None)))
            )
    return {
        "posts": posts,
        "scored": state.scored,
        "flagged": flagged,
        "cases": len(case_ids),
        "dead_letter": collector_parked + state.dead_letter,
    }
