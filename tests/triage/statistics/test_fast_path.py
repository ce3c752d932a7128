"""The fast statistics path (day aggregate of flagged posts kept by a trigger, one statement for the case figures)
against the straightforward recount (tests/triage/statistics/recount.py: one plain query per figure over the raw
tables), on a generated history that includes today's newest rows, a second organisation, every period kind, each
filter, and mentions that were corrected, unflagged, moved and deleted after they were counted."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select, text

from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Case, CaseStep, Mention, Official
from schildwacht.models.workflow import STEP_KEYS
from schildwacht.vocabulary import AMSTERDAM, SEVERITY_RANK
from tests.support.mentions import add_mention
from tests.triage.statistics.recount import recount
from tests.triage.statistics.statistics_data import build
from triage.statistics.period import Filters, Period, custom_period, month_period, period_for
from triage.statistics.service import compute, filter_choices

NOW = datetime.now(AMSTERDAM)
LABEL_SETS = (["threat"], ["abuse"], ["gender", "abuse"], ["doxxing"], ["threat", "abuse"], ["identity", "abuse"])
PLATFORMS = ("mastodon", "bluesky", "x")
STATUSES = ("nieuw", "in_behandeling", "afgerond", "geen_actie")


def _history(s, rng: random.Random, org: str, officials: list[str], cases: int) -> None:
    """`cases` cases over the past 400 days (the first ones today, minutes old), with posts, steps and status
    changes, plus loose flagged and unflagged posts."""
    for i in range(cases):
        opened = NOW - timedelta(minutes=3 + i) if i < 5 else NOW - timedelta(minutes=rng.randrange(400 * 24 * 60))
        labels = rng.choice(LABEL_SETS)
        platform = rng.choice(PLATFORMS)
        status = rng.choice(STATUSES)
        case = Case(
            organisation_id=org,
            official_id=rng.choice(officials),
            author_key=f"{platform}:@auteur{rng.randrange(12)}",
            labels=labels,
            severity=min(SEVERITY_RANK[label] for label in labels),
            status=status,
            opened_at=opened,
            last_post_at=opened,
            claimed_at=opened + timedelta(minutes=rng.randrange(3000)) if rng.random() < 0.7 else None,
        )
        s.add(case)
        s.flush()
        for n in range(rng.randrange(4)):
            add_mention(
                s,
                organisation_id=org,
                official_id=case.official_id,
                text="x",
                platform=platform,
                created_at=opened - timedelta(minutes=n * rng.randrange(1, 200)),
                flags=labels,
                case_id=case.id,
            )
        for step in STEP_KEYS:
            if rng.random() < 0.4:
                done = opened + timedelta(hours=rng.randrange(1, 48))
                answered = done + timedelta(hours=rng.randrange(1, 90)) if rng.random() < 0.5 else None
                s.add(
                    CaseStep(
                        case_id=case.id,
                        organisation_id=org,
                        step=step,
                        done_at=done,
                        done_by="t@org.example",
                        platform_answered_at=answered,
                    )
                )
        if status in ("afgerond", "geen_actie"):
            s.add(
                AuditEvent(
                    at=opened + timedelta(hours=rng.randrange(1, 500)),
                    organisation_id=org,
                    actor="t@org.example",
                    action="case.status",
                    object_type="case",
                    object_id=str(case.id),
                    details={"case_id": case.id, "to": status},
                )
            )
    for i in range(cases // 2):
        moment = NOW - timedelta(minutes=1 + i) if i < 3 else NOW - timedelta(minutes=rng.randrange(400 * 24 * 60))
        add_mention(
            s,
            organisation_id=org,
            official_id=rng.choice(officials),
            text="y",
            platform=rng.choice(PLATFORMS),
            created_at=moment,
            flags=rng.choice([*LABEL_SETS, [], []]),
        )


def _rewrite_some_mentions(s, rng: random.Random, org: str, officials: list[str]) -> None:
    """After they were counted: label corrections, unflagging, flagging, moved posts, other officials, deletions."""
    mentions = s.scalars(select(Mention).where(Mention.organisation_id == org).order_by(Mention.id)).all()
    for mention in rng.sample(mentions, 40):
        change = rng.randrange(5)
        if change == 0:
            mention.flags = rng.choice(LABEL_SETS)
            mention.flagged = True
        elif change == 1:
            mention.flags, mention.flagged = [], False
        elif change == 2:
            mention.created_at = mention.created_at + timedelta(hours=rng.randrange(-50, 50))
        elif change == 3:
            mention.official_id = rng.choice(officials)
        else:
            mention.platform = rng.choice(PLATFORMS)
    s.flush()
    loose = [m.id for m in mentions if m.case_id is None][:5]
    s.execute(delete(Mention).where(Mention.id.in_(loose)))


@pytest.fixture
def history(db):
    rng = random.Random(20)
    with session_scope(db) as s:
        made = build(s)
        officials_a = [o.id for o in s.scalars(select(Official).where(Official.organisation_id == made.org_a))]
        _history(s, rng, made.org_a, officials_a, 160)
        _history(s, rng, made.org_b, ["st-o"], 60)
    with session_scope(db) as s:
        _rewrite_some_mentions(s, rng, made.org_a, officials_a)
    return made


def _periods() -> list[Period]:
    today = NOW.date()
    kinds = [period_for(kind, today) for kind in ("week", "maand", "kwartaal", "jaar")]
    return [*kinds, custom_period(str(today - timedelta(days=399)), str(today)), month_period("2026-11")]


def test_the_fast_path_agrees_with_the_recount(db, settings, history):
    made = history
    filter_sets = [
        Filters(),
        Filters(official_id="st-v"),
        Filters(label="threat"),
        Filters(label="abuse"),
        Filters(label="identity"),
        Filters(platform="bluesky"),
    ]
    compared = 0
    with session_scope(db) as s:
        for org in (made.org_a, made.org_b, made.org_c):
            for period in _periods():
                for filters in filter_sets:
                    fast = compute(s, settings, org, period, filters, now=NOW)
                    plain = recount(s, settings, org, period, filters, now=NOW)
                    assert fast == plain, (org, period, filters)
                    compared += fast.flagged_posts + fast.cases
    assert compared > 1000  # the comparison saw real data, not only empty periods


def test_todays_newest_post_counts_at_once(db, settings, history):
    """A post written now is in the figures of the next request: the aggregate is kept in the same transaction."""
    week = period_for("week", NOW.date())
    with session_scope(db) as s:
        before = compute(s, settings, history.org_a, week, now=NOW)
    with session_scope(db) as s:
        add_mention(s, organisation_id=history.org_a, official_id="st-v", text="z", created_at=NOW, flags=["threat"])
    with session_scope(db) as s:
        after = compute(s, settings, history.org_a, week, now=NOW)
        other = compute(s, settings, history.org_b, week, now=NOW)
    assert after.flagged_posts == before.flagged_posts + 1
    assert sum(n for _, n in after.table("dreiging_per_uur").rows) == (
        sum(n for _, n in before.table("dreiging_per_uur").rows) + 1
    )
    with session_scope(db) as s:
        assert other == recount(s, settings, history.org_b, week, now=NOW)


def test_the_aggregate_equals_a_count_of_the_mentions(db, history):
    """Row by row, including the hour histogram, after the corrections and deletions of the fixture."""
    recount_sql = """
        SELECT organisation_id, timezone(:tz, created_at)::date, official_id, platform, flags::text,
               extract(hour FROM timezone(:tz, created_at))::int, count(*)
        FROM mentions WHERE flagged GROUP BY 1, 2, 3, 4, 5, 6"""
    with session_scope(db) as s:
        expected = {tuple(row[:6]): row[6] for row in s.execute(text(recount_sql), {"tz": AMSTERDAM.key})}
        stored = s.execute(
            text("SELECT organisation_id, day, official_id, platform, flags::text, posts, hours FROM flagged_post_days")
        ).all()
    counted = {(*row[:5], hour): n for row in stored for hour, n in enumerate(row[6]) if n}
    assert counted == expected
    assert all(row[5] == sum(row[6]) > 0 for row in stored)
    assert {row[0] for row in stored} == {history.org_a, history.org_b}


def test_the_platform_menu_lists_the_platforms_of_flagged_posts(db, history):
    plain = "SELECT DISTINCT platform FROM mentions WHERE organisation_id = :org AND flagged ORDER BY 1"
    with session_scope(db) as s:
        for org in (history.org_a, history.org_b, history.org_c):
            expected = [(p, p) for (p,) in s.execute(text(plain), {"org": org})]
            assert filter_choices(s, org)["platforms"] == expected
