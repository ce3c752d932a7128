"""Benchmark of the statistics page and the GIR export (issue 20) over a large, generated history.

    .venv/bin/python bench/statistics_page.py [--scale 1.0] [--repeat 3]

At --scale 1.0: 1,000,000 mentions (10% flagged, two per case) and 50,000 cases over the past year, 80% of them in
the demo organisation gm-voorbeeld, each with steps and a closing audit event; generated in SQL on an embedded
PostgreSQL (migrated as in production, then ANALYZEd). Measured, as the median of --repeat runs after one warm-up:
- the page: GET /statistieken for a month and for a year, logged in, through the real app (HTML with every chart),
  with the chart cache emptied before each run, and the year once more with its charts cached;
- the service alone (`compute`) for the year;
- the GIR export (CSV) for the year.
Target (issue 20): the page under 1 s. Not named statistics.py: as a script, that name would shadow the
standard library module for every script in bench/. Prints a table and, as the last line, the medians as JSON.
Numbers depend on the machine and its load: report them with the CPU count and load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from schildwacht.app.seed import DEMO_PASSWORD, seed  # noqa: E402
from schildwacht.config import Settings  # noqa: E402
from schildwacht.db import make_engine, make_sessionmaker, migrate, session_scope  # noqa: E402
from schildwacht.embedded import EmbeddedPostgres  # noqa: E402
from schildwacht.vocabulary import AMSTERDAM  # noqa: E402

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


def timed(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm-up
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M mentions, 50k cases")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n_cases = int(50_000 * args.scale)
    n_unflagged = int(1_000_000 * args.scale) - 2 * n_cases

    from fastapi.testclient import TestClient

    from tests.triage.web.triageweb_support import csrf_of
    from triage.statistics import charts
    from triage.statistics.gir import gir_csv, gir_records
    from triage.statistics.period import period_for
    from triage.statistics.service import compute
    from triage.web.app import create_app

    pg = EmbeddedPostgres().start()
    try:
        migrate(pg.url)
        engine = make_engine(pg.url)
        sessions = make_sessionmaker(engine)
        with session_scope(sessions) as s:
            seed(s)
        start = time.perf_counter()
        with engine.begin() as conn:
            for statement in GENERATE.split(";\n"):
                if statement.strip():
                    conn.execute(text(statement), {"cases": n_cases, "unflagged": n_unflagged})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
            counts = conn.execute(text("SELECT (SELECT count(*) FROM mentions), (SELECT count(*) FROM cases)")).one()
        generated = time.perf_counter() - start
        settings = Settings(database_url=pg.url, secret_key="bench-secret-" + "b" * 32, _env_file=None)
        app = create_app(settings, sessions)
        client = TestClient(app, base_url="http://testserver")
        csrf = csrf_of(client.get("/inloggen").text)
        client.post(
            "/inloggen",
            data={"email": "j.kokkelink@voorbeeld.example", "wachtwoord": DEMO_PASSWORD, "csrf_token": csrf},
        )
        today = datetime.now(AMSTERDAM).date()
        year = period_for("jaar", today)

        def page(kind: str, cold: bool = True):
            if cold:  # charts are cached by their table: measure the first view of new figures too
                charts.inline_svg.cache_clear()
            response = client.get(f"/statistieken?periode={kind}&van={today}")
            assert response.status_code == 200, response.status_code
            return response

        def service():
            with sessions() as s:
                return compute(s, settings, "gm-voorbeeld", year)

        def export():
            with sessions() as s:
                return gir_csv(gir_records(s, "gm-voorbeeld", year))

        results = {}
        results["page_month_s"], _ = timed(lambda: page("maand"), args.repeat)
        results["page_year_s"], _ = timed(lambda: page("jaar"), args.repeat)
        results["page_year_cached_s"], _ = timed(lambda: page("jaar", cold=False), args.repeat)
        results["service_year_s"], stats = timed(service, args.repeat)
        results["gir_year_s"], csv_text = timed(export, args.repeat)
        print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
        print(f"generated {counts[0]:,} mentions and {counts[1]:,} cases in {generated:.1f} s")
        print(f"year {year.label()}: {stats.cases:,} cases of gm-voorbeeld, GIR CSV {len(csv_text) / 1e6:.1f} MB")
        for name, seconds in results.items():
            print(f"{name:>16}: {seconds:.3f} s")
        print(json.dumps({"mentions": counts[0], "cases": counts[1], **{k: round(v, 3) for k, v in results.items()}}))
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
