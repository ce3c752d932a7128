"""A few months of fictional, closed history for the demo organisations, so every statistics chart has something to
show (`make demo`). Called by `demo_casework` after the live demo posts are processed.

Invariants: deterministic (fixed random seed, days counted back from `today`); idempotent (skipped when the history
is already there, recognised by its collector name); every case is closed (afgerond / geen actie) with its closing
recorded in the audit log, so the work queue's open cases stay the live demo's; posts carry no text (as if the
retention job already purged it), so no invented hate message is ever shown.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import AuditEvent, Case, CaseStep, Mention, Official
from schildwacht.vocabulary import AMSTERDAM, LABELS, SEVERITY_RANK

COLLECTOR = "demo-historie"
ORGANISATIONS = {"gm-voorbeeld": 0.7, "pv-noorderland": 0.35}  # cases per day, on average
LABEL_SETS = (
    (["abuse"], 45),
    (["gender", "abuse"], 15),
    (["gender"], 10),
    (["identity", "abuse"], 6),
    (["identity"], 4),
    (["threat"], 15),
    (["threat", "abuse"], 8),
    (["doxxing"], 7),
)
PLATFORMS = (("mastodon", 45), ("bluesky", 30), ("x", 15), ("facebook", 10))
HOURS = [1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 6, 7, 8, 9, 9, 7, 4]  # weight per hour: evenings
ACTOR = "j.kokkelink@voorbeeld.example"
# The claim deadline per most severe label: the deployment defaults (Settings.sla_minutes_<label>).
SLA_MINUTES = {label: Settings.model_fields[f"sla_minutes_{label}"].default for label in LABELS}


def _pick(rng: random.Random, weighted: tuple) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _moment(day: date, rng: random.Random) -> datetime:
    hour = rng.choices(range(24), HOURS)[0]
    local = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=AMSTERDAM)
    return local.astimezone(UTC)


def seed_history(session: Session, today: date | None = None, days: int = 120) -> dict[str, int]:
    """Closed cases with posts, steps and closing events over the `days` before `today`; returns what was added."""
    if session.scalar(select(Mention.id).where(Mention.collector == COLLECTOR).limit(1)) is not None:
        return {"history_cases": 0, "history_posts": 0}
    today = today or datetime.now(AMSTERDAM).date()
    rng = random.Random(20261106)
    authors = [f"@demo{n:02d}@historie.example" for n in range(40)]
    cases = posts = 0
    for org, per_day in ORGANISATIONS.items():
        officials = list(session.scalars(select(Official.id).where(Official.organisation_id == org)))
        if not officials:
            continue
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            for _ in range(sum(rng.random() < per_day / 2 for _ in range(2))):
                posts += _one_case(session, rng, org, rng.choice(officials), rng.choice(authors[: 12 + back % 28]), day)
                cases += 1
    session.flush()
    return {"history_cases": cases, "history_posts": posts}


def _one_case(session: Session, rng: random.Random, org: str, official: str, author: str, day: date) -> int:
    labels = list(_pick(rng, LABEL_SETS))
    platform = str(_pick(rng, PLATFORMS))
    opened = _moment(day, rng)
    most_severe = min(labels, key=SEVERITY_RANK.__getitem__)
    severity, sla = SEVERITY_RANK[most_severe], SLA_MINUTES[most_severe]
    claimed = opened + timedelta(minutes=max(1, int(rng.lognormvariate(0, 0.9) * sla * 0.5)))
    closed = claimed + timedelta(hours=rng.uniform(2, 240))
    status = "afgerond" if rng.random() < 0.7 else "geen_actie"
    case = Case(
        organisation_id=org,
        official_id=official,
        author_key=f"{platform}:{author}",
        labels=labels,
        severity=severity,
        status=status,
        opened_at=opened,
        last_post_at=opened,
        claimed_at=claimed,
        updated_at=closed,
    )
    session.add(case)
    session.flush()
    count = rng.choice((1, 1, 1, 2, 3))
    for n in range(count):
        post_id = f"hist-{case.id}-{n}"
        created = opened + timedelta(minutes=20 * n)
        session.add(
            Mention(
                uid=f"{platform}:{post_id}",
                platform=platform,
                post_id=post_id,
                organisation_id=org,
                official_id=official,
                matched_official_ids=[official],
                author_handle=author,
                text_sha256=hashlib.sha256(post_id.encode()).hexdigest(),
                created_at=created,
                collected_at=created,
                collector=COLLECTOR,
                collector_version="1",
                scores={label: 0.9 for label in labels},
                flags=labels,
                model_name="demo-historie",
                model_version="1",
                scored_at=created,
                flagged=True,
                case_id=case.id,
                content_purged_at=closed,
            )
        )
    steps = [("bewijs_vastgelegd", 0.9), ("intern_gemeld", 0.7), ("gemeld_bij_platform", 0.5), ("nazorg", 0.4)]
    steps.append(("melding_aangifte", 0.3 if "threat" in labels else 0.04))
    done = claimed
    for step, chance in steps:
        if rng.random() >= chance:
            continue
        done += timedelta(minutes=rng.randrange(10, 600))
        answered = (
            done + timedelta(hours=rng.uniform(2, 96)) if step == "gemeld_bij_platform" and rng.random() < 0.6 else None
        )
        session.add(
            CaseStep(
                case_id=case.id,
                organisation_id=org,
                step=step,
                done_at=done,
                done_by=ACTOR,
                reference=f"DEMO-{case.id}-{step[:3].upper()}",
                platform_answered_at=answered,
            )
        )
        if step == "melding_aangifte" and rng.random() < 0.6:
            session.add(
                CaseStep(
                    case_id=case.id,
                    organisation_id=org,
                    step="gir_geregistreerd",
                    done_at=done,
                    done_by=ACTOR,
                    reference=f"GIR-{case.id}",
                )
            )
    session.add(
        AuditEvent(
            at=closed,
            organisation_id=org,
            actor=ACTOR,
            action="case.status",
            object_type="case",
            object_id=str(case.id),
            details={"case_id": case.id, "to": status, "demo_history": True},
        )
    )
    return count
