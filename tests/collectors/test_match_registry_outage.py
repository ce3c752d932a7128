"""The match step waits out an unreachable registry database instead of losing posts (issue 18).

The same sample is replayed twice through the real crawl, broker and PostgreSQL: once with the database up (the
oracle), and once starting while the database is stopped, which is started again once the crawl logged that it
waits for it. The second replay publishes exactly the posts the first did and parks nothing more: before, the
matcher's OperationalError dropped every post it met during the outage.
"""

from __future__ import annotations

import threading
import uuid
from multiprocessing import forkserver
from pathlib import Path

import pytest

from collectors.replay import run_replay
from schildwacht.app.seed import seed
from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker, session_scope

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[2] / "schildwacht" / "app" / "demo" / "posts.jsonl"


def settings_for(broker, database_url: str, tmp_path: Path) -> Settings:
    suffix = uuid.uuid4().hex[:8]
    return Settings(
        kafka_bootstrap_servers=broker.bootstrap,
        database_url=database_url,
        data_dir=tmp_path / f"data-{suffix}",
        topic_raw=f"raw-{suffix}",
        topic_scored=f"scored-{suffix}",
        topic_dead_letter=f"dlq-{suffix}",
    )


def test_replay_during_a_registry_outage_publishes_what_it_publishes_without_one(broker, pg_outage, tmp_path, capfd):
    url = pg_outage.url  # the same after a restart
    # Crawls run in children of one forkserver per test session, which keep the stderr of the test that started it:
    # stop it, so that this test's crawls come from a new one writing to the stderr capfd reads.
    forkserver._forkserver._stop()
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as session:
        seed(session)
    engine.dispose()
    sample = tmp_path / "sample.jsonl"
    sample.write_bytes(b"\n".join(DEMO.read_bytes().splitlines()[:40]) + b"\n")

    oracle = run_replay(sample, settings_for(broker, url, tmp_path))
    assert oracle.published > 0

    pg_outage.stop(keep_data=True)
    waited = threading.Event()

    def restart_once_the_crawl_waits() -> None:
        """Start PostgreSQL again once the crawl (a child process on this test's stderr) said it waits for it."""
        seen = ""
        while not waited.is_set() and not stopped.is_set():
            seen += capfd.readouterr().err
            if "register niet bereikbaar" in seen:
                waited.set()
            stopped.wait(0.2)
        pg_outage.start()

    stopped = threading.Event()
    restarter = threading.Thread(target=restart_once_the_crawl_waits)
    restarter.start()
    try:
        during = run_replay(sample, settings_for(broker, url, tmp_path))
    finally:
        stopped.set()
        restarter.join()
    assert waited.is_set(), "the crawl never met the outage"
    assert sorted(during.published_uids) == sorted(oracle.published_uids)
    assert during.parked == oracle.parked and during.unmatched == oracle.unmatched
