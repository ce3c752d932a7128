"""`replay --zonder-workers` (a feeder that waits for separately running workers) outlives a PostgreSQL outage: it polls
again with back-off and ends normally with its summary once the database and the workers are back."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from schildwacht.app.pipeline import DEMO_POSTS, Runtime, start_workers
from schildwacht.app.seed import seed
from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker, session_scope

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCHILDWACHT = Path(sys.executable).with_name("schildwacht")
BOUND_S = 300  # generous: event waits on a shared 2-core machine


def wait_for_line(log: Path, text: str, proc: subprocess.Popen) -> None:
    """Poll the command's stderr until `text` appears; fail when the command ended first or after BOUND_S."""
    deadline = time.monotonic() + BOUND_S
    while text not in log.read_text():
        if proc.poll() is not None:
            pytest.fail(f"ended ({proc.returncode}) before {text!r}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {text!r} within {BOUND_S} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def test_replay_without_workers_waits_out_a_database_outage(broker, pg_outage, tmp_path):
    suffix = uuid.uuid4().hex[:8]
    topics = {"topic_raw": f"raw-{suffix}", "topic_scored": f"scored-{suffix}", "topic_dead_letter": f"dlq-{suffix}"}
    settings = Settings(
        kafka_bootstrap_servers=broker.bootstrap,
        database_url=pg_outage.url,
        data_dir=tmp_path / "data",
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
        secret_key="test-secret-" + "x" * 20,
        **topics,
    )
    engine = make_engine(pg_outage.url)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as session:
        seed(session)  # the demo registry, so that the sample's posts are published
    sample = tmp_path / "posts.jsonl"
    sample.write_bytes(b"\n".join(DEMO_POSTS.read_bytes().splitlines()[:3]) + b"\n")
    env = os.environ | {
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "DATABASE_URL": pg_outage.url,
        "SCHILDWACHT_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
    }
    env |= {f"SCHILDWACHT_{name.upper()}": value for name, value in topics.items()}
    log, out = tmp_path / "stderr.log", tmp_path / "stdout.log"
    with open(log, "wb") as err_file, open(out, "wb") as out_file:
        proc = subprocess.Popen(
            [str(SCHILDWACHT), "replay", "--zonder-workers", str(sample)],
            env=env,
            cwd=tmp_path,
            stdout=out_file,
            stderr=err_file,
        )
    workers = None
    try:
        wait_for_line(log, "berichten gelezen", proc)
        published = int(re.search(r"(\d+) doorgestuurd", log.read_text()).group(1))
        assert published > 0  # so that it waits for posts that only the workers can process

        pg_outage.stop(keep_data=True)
        wait_for_line(log, "database niet bereikbaar", proc)
        pg_outage.start()
        workers = start_workers(Runtime(settings=settings, engine=engine, sessions=sessions, embedded_db=False))

        assert proc.wait(BOUND_S) == 0, log.read_text()[-3000:]
        result = json.loads(out.read_text().strip().splitlines()[-1])
        assert result["posts"] == 3 and result["scored"] == published
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if workers:
            workers.join()
        engine.dispose()
