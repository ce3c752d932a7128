"""The whole pipeline on the real Tansu broker and real PostgreSQL: replay, exactly-once, dead letters, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from sqlalchemy import func, select

from collectors.replay import run_replay
from schildwacht.app.pipeline import DEMO_POSTS, runtime, start_workers, summary, wait_until_processed
from schildwacht.contracts import DeadLetter
from schildwacht.db import session_scope
from schildwacht.kafka import make_producer, publish
from schildwacht.models import Case, DeadLetterRecord, Mention
from tests.support.waiting import wait_for
from triage.bundle.export import export_bundle
from triage.bundle.verify import verify_bundle
from triage.ingest import IngestWorker

pytestmark = pytest.mark.integration


def stored(sessions) -> int:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).select_from(Mention))


def classifier_letters(sessions) -> int:
    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).where(DeadLetterRecord.stage == "classifier"))


def drain(bootstrap: str, topic: str, expect: int, timeout: float = 120.0) -> list:
    """Read a topic from the beginning until `expect` records arrived (or a generous bound passed)."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=1000,
    )
    records, deadline = [], time.monotonic() + timeout
    while len(records) < expect and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    consumer.close()
    return records


def export_bundle_of(rt, case_id: int, out: Path) -> Path:
    with session_scope(rt.sessions) as s:
        return export_bundle(s, case_id, "tester@voorbeeld.example", out, settings=rt.settings)


def sample_with_bad_lines(tmp_path: Path) -> Path:
    """The demo sample plus a 1 MB post, a line of broken JSON and a line of invalid UTF-8."""
    lines = DEMO_POSTS.read_bytes().splitlines()
    huge = {
        "platform": "x",
        "post_id": "huge-1",
        "url": "https://x.example/huge-1",
        "author": "@spammer",
        "created_at": "2026-11-20T10:00:00Z",
        "text": "Wethouder Zoetelief, " + "echt waar " * 100_000 + "ik ga je vermoorden.",
    }
    path = tmp_path / "posts.jsonl"
    path.write_bytes(
        b"\n".join(lines + [json.dumps(huge).encode(), b'{"platform": "x", "post_id": ', b'\xff\xfe{"x": 1}']) + b"\n"
    )
    return path


def test_replay_demo_sample_through_real_broker_and_database(stack, tmp_path):
    with runtime(stack.settings, seed_demo=True) as rt:
        workers = start_workers(rt)
        try:
            stats = run_replay(sample_with_bad_lines(tmp_path), rt.settings)
            again = run_replay(sample_with_bad_lines(tmp_path), rt.settings)  # every post a second time
            # A message that is valid JSON but breaks the contract, straight onto the raw topic.
            producer = make_producer(rt.settings)
            publish(producer, rt.settings.topic_raw, b"poison", b'{"schema": "schildwacht.mention.collected/1"}')
            producer.close()
            state = wait_until_processed(rt.sessions, stats.published_uids, timeout=240)
            result = summary(rt.sessions, stats.posts, stats.published_uids, stats.parked, state)
            wait_for(lambda: classifier_letters(rt.sessions), "the poison letter in dead_letters (via ingest)")
        finally:
            workers.join()

        demo_lines = len(DEMO_POSTS.read_bytes().splitlines())
        assert stats.posts == demo_lines + 3
        assert "x:huge-1" in stats.published_uids, "a 1 MB post is processed, not dropped"
        assert stats.parked == 2, "broken JSON and invalid UTF-8 are parked"
        assert stats.unmatched >= 10, "posts naming no consenting official are not published"
        assert sorted(again.published_uids) == sorted(stats.published_uids), "the second replay sent all again"
        with session_scope(rt.sessions) as s:
            rows = s.execute(select(Mention.uid, func.count()).group_by(Mention.uid)).all()
            assert {uid for uid, _ in rows} == set(stats.published_uids)
            assert all(n == 1 for _, n in rows), "every post is stored exactly once"
            flagged = s.scalars(select(Mention).where(Mention.flagged)).all()
            assert flagged and all(m.case_id is not None for m in flagged)
            assert all(m.text is None for m in s.scalars(select(Mention).where(~Mention.flagged))), (
                "unflagged content is not retained by default"
            )
            assert s.scalar(select(func.count()).select_from(Case)) == result["cases"] > 0
            letters = s.scalars(select(DeadLetterRecord)).all()
            assert any(d.stage == "classifier" for d in letters), "the poison message is stored"
        threat_case = max(flagged, key=lambda m: m.scores["threat"]).case_id
        bundle = export_bundle_of(rt, threat_case, tmp_path / "bundel.zip")
        verdict = verify_bundle(bundle)
        assert verdict.ok, verdict.problem
        with zipfile.ZipFile(bundle) as zf:
            names = zf.namelist()
            manifest = json.loads(zf.read("manifest.json"))
        assert {"rapport.pdf", "rapport.html", "custody.jsonl", "SHA256SUMS"} <= set(names)
        assert any(n.endswith(".warc.gz") for n in names), "the collector's WARC reaches the bundle"
        assert manifest["case"]["id"] == threat_case and manifest["items"]
        assert result["scored"] == len(stats.published_uids)
        assert result["flagged"] == len(flagged)
        assert result["dead_letter"] == 2
        dlq = [DeadLetter.from_bytes(r.value) for r in drain(stack.bootstrap, rt.settings.topic_dead_letter, 5)]
        reasons = " | ".join(d.reason for d in dlq)
        assert len(dlq) == 5, reasons
        assert "UTF-8" in reasons
        assert any(d.stage == "classifier" for d in dlq)


def _worker_env(stack, **extra: str) -> dict[str, str]:
    s = stack.settings
    env = dict(
        os.environ,
        KAFKA_BOOTSTRAP_SERVERS=stack.bootstrap,
        DATABASE_URL=stack.database_url,
        SCHILDWACHT_TOPIC_RAW=s.topic_raw,
        SCHILDWACHT_TOPIC_SCORED=s.topic_scored,
        SCHILDWACHT_TOPIC_DEAD_LETTER=s.topic_dead_letter,
        SCHILDWACHT_KAFKA_SESSION_TIMEOUT_MS="2000",
        SCHILDWACHT_KAFKA_HEARTBEAT_INTERVAL_MS="500",
        SCHILDWACHT_BATCH_MAX_ITEMS="4",
    )
    env.update(extra)
    return env


def _copies(tmp_path: Path, times: int) -> Path:
    """The demo sample repeated with distinct post ids, to make a replay long enough to interrupt."""
    out = []
    for i in range(times):
        for line in DEMO_POSTS.read_text(encoding="utf-8").splitlines():
            post = json.loads(line)
            post["post_id"] = f"{post['post_id']}-{i}"
            out.append(json.dumps(post, ensure_ascii=False))
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_classifier_killed_midway_every_post_scored_exactly_once(stack, tmp_path):
    with runtime(stack.settings, seed_demo=True) as rt:
        stop = threading.Event()
        ingest = threading.Thread(target=IngestWorker(rt.settings, rt.sessions).run, args=(stop,), daemon=True)
        ingest.start()
        cmd = [sys.executable, "-m", "schildwacht", "worker", "classify"]
        first = subprocess.Popen(cmd, env=_worker_env(stack), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            stats = run_replay(_copies(tmp_path, 12), rt.settings)
            uids = stats.published_uids
            wait_for(lambda: stored(rt.sessions) >= 20, "20 posts scored and stored before the kill")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            done = stored(rt.sessions)
            assert 20 <= done < len(uids), f"kill must land midway ({done}/{len(uids)})"
            second = subprocess.Popen(cmd, env=_worker_env(stack), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                state = wait_until_processed(rt.sessions, uids, timeout=300)
            finally:
                second.send_signal(signal.SIGTERM)
                second.wait(30)
        finally:
            if first.poll() is None:
                first.kill()
            stop.set()
            ingest.join(15)
        assert state.scored == len(uids) and state.dead_letter == 0
        with session_scope(rt.sessions) as s:
            per_uid = s.execute(select(Mention.uid, func.count()).group_by(Mention.uid)).all()
        assert len(per_uid) == len(uids) and all(n == 1 for _, n in per_uid)


def test_cli_replay_prints_summary_line_with_embedded_services(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")}
    env["SCHILDWACHT_DATA_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "schildwacht", "replay"], env=env, capture_output=True, text=True, timeout=420
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert list(last) == ["posts", "scored", "flagged", "cases", "dead_letter"]
    assert last["posts"] == len(DEMO_POSTS.read_bytes().splitlines())
    assert 0 < last["flagged"] < last["scored"] < last["posts"]
    assert 0 < last["cases"] <= last["flagged"]
