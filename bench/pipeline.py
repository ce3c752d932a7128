"""End-to-end benchmark: posts through the real embedded broker, separate classify and ingest worker processes and
the real embedded PostgreSQL, compared with the classifier alone on the same posts in the same run (issue 18).

    .venv/bin/python bench/pipeline.py [--posts 5000] [--classify-workers 1] [--rate 50] [--latency-posts 500]

Phases, each on its own posts (a realistic mix: generated Dutch posts, about 10% harmful, each addressed to one of
the demo registry's officials by handle, with its raw bytes as evidence):
1. warm-up until every classify worker reports partitions of the raw topic on its metrics port;
2. throughput: publish all `--posts` at once; end-to-end posts/s = posts / (first publish .. last row stored), and
   the CPU seconds per post the worker processes used meanwhile;
3. classifier alone: the same posts through `classify()` in this process, in the workers' batch size, with torch's
   default threads for a process (min(4, cores), as bench/classifier.py runs it: `classify_per_s`, the reference of
   `ratio`) and, where that differs, with a classify worker's threads (`classify_worker_per_s`); posts/s and CPU
   seconds per post (the CPU ratio: what the pipeline adds, less sensitive to other load on a shared machine);
4. latency: `--latency-posts` posts offered at `--rate` posts/s; publish -> row latency from the row's
   `ingested_at` (set by the insert; its commit follows in the same batch).
Prints a table and, as the last line, {"posts", "e2e_per_s", "classify_per_s", "ratio", "p95_s"} as JSON, followed by
"classify_worker_per_s" (the classifier alone with a classify worker's torch threads), "ratio_same_threads" (e2e
against that), "cpu_ratio" (its CPU per post against the worker processes'), "torch_threads" (per classify worker)
and "load" (1-minute load average at the start and end of the throughput phase).
The classify workers run with the deployed default torch threads (classifiers/worker.py: `default_torch_threads`);
K > 1 workers get OMP_NUM_THREADS = max(1, cores // 2K) each, the rule of docs/operations.md.
Numbers depend on the machine and on what else runs on it: report them with the CPU count and load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schildwacht.contracts import Author, CollectedMention, OfficialMatch, RawPayload  # noqa: E402
from training.generator import generate  # noqa: E402

MODEL = ROOT / "models" / "schildwacht-nl-mini"
FLAGGED_SHARE = 0.10


def officials() -> list[tuple[str, str]]:
    """(official id, a handle) of every active demo official."""
    data = json.loads((ROOT / "schildwacht" / "app" / "demo" / "officials.json").read_text(encoding="utf-8"))
    return [
        (o["id"], next(iter(o["handles"].get("mastodon") or ["@" + o["id"]])))
        for o in data["officials"]
        if o.get("consent") == "active"
    ]


def make_posts(n: int, phase: str, seed: int) -> list[CollectedMention]:
    """`n` mentions, about FLAGGED_SHARE of them from harmful templates, spread over the demo officials."""
    rng = random.Random(seed)
    pool = generate(n_per_template=3, seed=seed)
    harmful = [p.text for p in pool if any(p.labels)]
    harmless = [p.text for p in pool if not any(p.labels)]
    people = officials()
    now = datetime.now(UTC)
    posts = []
    for i in range(n):
        official_id, handle = rng.choice(people)
        body = rng.choice(harmful if rng.random() < FLAGGED_SHARE else harmless)
        text = f"{handle} {body}"
        raw = json.dumps({"id": f"{phase}-{i}", "content": text}).encode()
        posts.append(
            CollectedMention(
                platform="mastodon",
                post_id=f"{phase}-{i}",
                url=f"https://social.example/@bench/{phase}-{i}",
                author=Author(id=f"a{i % 997}", handle=f"@bench{i % 997}@social.example"),
                text=text,
                created_at=now,
                collector="bench",
                matched_official_ids=[official_id],
                matches=[
                    OfficialMatch(official_id=official_id, kind="handle", surface=handle, start=0, end=len(handle))
                ],
                raw=RawPayload.from_bytes(raw, "application/json"),
            )
        )
    return posts


def stored(sessions, phase: str) -> int:
    from sqlalchemy import func, select

    from schildwacht.db import session_scope
    from schildwacht.models import Mention

    with session_scope(sessions) as s:
        return s.scalar(select(func.count()).where(Mention.post_id.like(f"{phase}-%"))) or 0


def wait_stored(sessions, phase: str, n: int, bound_s: float) -> float:
    """Poll until `n` rows of `phase` are stored; returns the monotonic time it was seen."""
    deadline = time.monotonic() + bound_s
    while stored(sessions, phase) < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"{phase}: {stored(sessions, phase)} of {n} stored after {bound_s:.0f} s")
        time.sleep(0.05)
    return time.monotonic()


def publish_all(producer, topic: str, posts: list[CollectedMention]) -> dict[str, float]:
    sent = {}
    for p in posts:
        sent[p.post_id] = time.time()
        producer.send(topic, key=p.key, value=p.to_bytes())
    producer.flush()
    return sent


def publish_at_rate(producer, topic: str, posts: list[CollectedMention], rate: float) -> dict[str, float]:
    sent, start = {}, time.monotonic()
    for i, p in enumerate(posts):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sent[p.post_id] = time.time()
        producer.send(topic, key=p.key, value=p.to_bytes())
        producer.flush()
    return sent


def worker_partitions(ports: list[int], topic: str) -> list[set[str]]:
    """The raw-topic partitions each worker reports a lag for (i.e. has been assigned and fetched)."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    seen: list[set[str]] = []
    for port in ports:
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        except httpx.HTTPError:
            seen.append(set())
            continue
        seen.append(
            {
                s.labels["partition"]
                for fam in text_string_to_metric_families(text)
                if fam.name == "schildwacht_consumer_lag"
                for s in fam.samples
                if s.labels.get("topic") == topic
            }
        )
    return seen


def start_worker(kind: str, env: dict[str, str], port: int, log_dir: Path) -> subprocess.Popen:
    log = open(log_dir / f"{kind}-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "schildwacht"), "worker", kind],
        env={**env, "SCHILDWACHT_METRICS_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes used so far (/proc/<pid>/stat, all their threads)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / ticks


def classify_alone(posts: list[CollectedMention], batch: int, threads: int | None = None) -> tuple[float, float]:
    """(posts/s, CPU seconds per post) of the classifier alone in this process, with `threads` torch threads (None:
    the default of classifiers/model.py)."""
    import torch

    from classifiers.api import load_classifier
    from classifiers.worker import to_input

    clf = load_classifier(MODEL)
    if threads:
        torch.set_num_threads(threads)
    inputs = [to_input(p) for p in posts]
    clf.classify(inputs[:batch])  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(inputs), batch):
        clf.classify(inputs[i : i + batch])
    return len(inputs) / (time.perf_counter() - start), (time.process_time() - cpu) / len(inputs)


def worker_threads(workers: int) -> int:
    """Torch threads of each of `workers` classify workers on this machine: the default for one, else the rule of
    docs/operations.md (half the cores shared by the workers)."""
    from classifiers.worker import default_torch_threads

    return default_torch_threads() if workers == 1 else max(1, len(os.sched_getaffinity(0)) // (2 * workers))


def latencies(sessions, phase: str, sent: dict[str, float]) -> list[float]:
    from sqlalchemy import select

    from schildwacht.db import session_scope
    from schildwacht.models import Mention

    with session_scope(sessions) as s:
        rows = s.execute(select(Mention.post_id, Mention.ingested_at).where(Mention.post_id.like(f"{phase}-%")))
        return sorted(at.timestamp() - sent[post_id] for post_id, at in rows)


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=5000)
    ap.add_argument("--classify-workers", type=int, default=1)
    ap.add_argument("--rate", type=float, default=50.0, help="offered posts/s in the latency phase")
    ap.add_argument("--latency-posts", type=int, default=500)
    ap.add_argument("--bound", type=float, default=1800.0, help="seconds any phase may take at most")
    args = ap.parse_args()

    from schildwacht.app.pipeline import runtime
    from schildwacht.config import Settings
    from schildwacht.embedded import free_port
    from schildwacht.kafka import make_producer

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", model_path=MODEL)
        with runtime(settings, seed_demo=True) as rt:
            env: dict[str, str] = {
                **os.environ,
                "KAFKA_BOOTSTRAP_SERVERS": rt.settings.kafka_bootstrap_servers or "",
                "DATABASE_URL": rt.settings.database_url or "",
                "SCHILDWACHT_DATA_DIR": str(settings.data_dir),
                "SCHILDWACHT_MODEL_PATH": str(MODEL),
                "SCHILDWACHT_METRICS_HOST": "127.0.0.1",
                "SCHILDWACHT_SMTP_PORT": str(free_port()),  # nothing listens: alerts fail fast and back off
            }
            env.pop("OMP_NUM_THREADS", None)
            ports = [free_port() for _ in range(args.classify_workers)]
            threads = worker_threads(args.classify_workers)
            classify_env = env if args.classify_workers == 1 else {**env, "OMP_NUM_THREADS": str(threads)}
            procs = [start_worker("classify", classify_env, port, Path(tmp)) for port in ports]
            procs.append(start_worker("ingest", env, free_port(), Path(tmp)))
            producer = make_producer(rt.settings, linger_ms=20)
            try:
                warm = make_posts(40, "warm", 1)
                deadline = time.monotonic() + args.bound
                round_ = 0
                while True:  # until every classify worker holds raw partitions and all of them are covered
                    batch = make_posts(20, f"warm{round_}", round_ + 2) if round_ else warm
                    publish_all(producer, rt.settings.topic_raw, batch)
                    wait_stored(rt.sessions, batch[0].post_id.rsplit("-", 1)[0], len(batch), args.bound)
                    parts = worker_partitions(ports, rt.settings.topic_raw)
                    if all(parts) and len(set().union(*parts)) == rt.settings.topic_partitions:
                        break
                    if time.monotonic() > deadline:
                        raise SystemExit(f"workers did not share the partitions: {parts}")
                    round_ += 1
                    time.sleep(1)

                posts = make_posts(args.posts, "tp", 7)
                pids = [p.pid for p in procs]
                cpu_before = cpu_seconds(pids)
                ingest_before = cpu_seconds(pids[-1:])
                load_before = os.getloadavg()[0]
                start = time.monotonic()
                publish_all(producer, rt.settings.topic_raw, posts)
                published = time.monotonic()
                end = wait_stored(rt.sessions, "tp", len(posts), args.bound)
                e2e = len(posts) / (end - start)
                workers_cpu = (cpu_seconds(pids) - cpu_before) / len(posts)
                ingest_cpu = (cpu_seconds(pids[-1:]) - ingest_before) / len(posts)
                load_after = os.getloadavg()[0]

                classify, classify_cpu = classify_alone(posts, rt.settings.batch_max_items)
                default_threads = min(4, os.cpu_count() or 1)  # classifiers/model.py: set_threads
                alone_worker = (
                    classify_alone(posts, rt.settings.batch_max_items, threads)
                    if threads != default_threads
                    else (classify, classify_cpu)
                )

                lat_posts = make_posts(args.latency_posts, "lat", 11)
                sent = publish_at_rate(producer, rt.settings.topic_raw, lat_posts, args.rate)
                wait_stored(rt.sessions, "lat", len(lat_posts), args.bound)
                lat = latencies(rt.sessions, "lat", sent)
            finally:
                producer.close()
                for p in procs:
                    p.terminate()
                for p in procs:
                    p.wait(30)

    flagged_note = f"~{FLAGGED_SHARE:.0%} harmful templates"
    print(
        f"CPU: {os.cpu_count()} cores, load average {load_before:.1f} -> {load_after:.1f} during the throughput phase; "
        f"{args.classify_workers} classify worker(s) with {threads} torch thread(s) each"
    )
    print(f"throughput: {len(posts)} posts ({flagged_note}) published in {published - start:.1f} s, stored after")
    print(
        f"  {end - start:.1f} s: {e2e:.1f} posts/s end to end; classifier alone {classify:.1f} posts/s "
        f"({default_threads} thread(s)), {alone_worker[0]:.1f} posts/s ({threads} thread(s)); "
        f"ratio {e2e / classify:.2f}, {e2e / alone_worker[0]:.2f} with the same threads"
    )
    print(
        f"CPU per post: worker processes {workers_cpu * 1000:.1f} ms (classify "
        f"{(workers_cpu - ingest_cpu) * 1000:.1f}, ingest {ingest_cpu * 1000:.1f}), "
        f"classifier alone {classify_cpu * 1000:.1f} ms "
        f"({default_threads} thread(s)), {alone_worker[1] * 1000:.1f} ms ({threads} thread(s)); "
        f"ratio {alone_worker[1] / workers_cpu:.2f} (same threads)"
    )
    print(
        f"latency at {args.rate:.0f} posts/s offered ({len(lat)} posts): p50 {pct(lat, 50):.3f} s, "
        f"p95 {pct(lat, 95):.3f} s, p99 {pct(lat, 99):.3f} s, max {max(lat):.3f} s, "
        f"mean {statistics.mean(lat):.3f} s"
    )
    print(
        json.dumps(
            {
                "posts": len(posts),
                "e2e_per_s": round(e2e, 1),
                "classify_per_s": round(classify, 1),
                "ratio": round(e2e / classify, 2),
                "p95_s": round(pct(lat, 95), 3),
                "classify_worker_per_s": round(alone_worker[0], 1),
                "ratio_same_threads": round(e2e / alone_worker[0], 2),
                "cpu_ratio": round(alone_worker[1] / workers_cpu, 2),
                "torch_threads": threads,
                "load": [round(load_before, 1), round(load_after, 1)],
            }
        )
    )


if __name__ == "__main__":
    main()
