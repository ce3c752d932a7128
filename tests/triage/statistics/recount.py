"""The straightforward recount of every statistics figure: one plain SQL query per figure over the mentions, cases,
case steps and audit log, as the statistics service did before its fast path (the day aggregate of flagged posts
and one statement for all case figures). An independent second path for tests/triage/statistics/test_fast_path.py;
the hand-counted tests in test_service.py pin the service itself.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models.workflow import WORKFLOW_STEPS
from schildwacht.vocabulary import AMSTERDAM, CLOSED_STATUSES, LABEL_NL, LABELS, SEVERITY_RANK
from triage.registry.statistics import GENDER_NAMES, pseudonym_key, pseudonymise
from triage.statistics.period import Filters, Period
from triage.statistics.service import TOP_AUTHORS, WEEKDAYS_NL, Headline, Statistics, Table


class Scope:
    """The WHERE clauses of the plain queries: flagged mentions by posting time, cases by opening time."""

    def __init__(self, organisation_id: str, period: Period, filters: Filters) -> None:
        start, end = period.bounds()
        self.params: dict[str, Any] = {"org": organisation_id, "start": start, "end": end, "tz": AMSTERDAM.key}
        case_where = [
            "c.organisation_id = :org",
            "c.merged_into_id IS NULL",
            "c.opened_at >= :start",
            "c.opened_at < :end",
        ]
        post_where = ["m.organisation_id = :org", "m.flagged", "m.created_at >= :start", "m.created_at < :end"]
        if filters.official_id:
            self.params["official"] = filters.official_id
            case_where.append("c.official_id = :official")
            post_where.append("m.official_id = :official")
        if filters.label:
            self.params["label"] = json.dumps([filters.label])
            case_where.append("c.labels @> CAST(:label AS jsonb)")
            post_where.append("m.flags @> CAST(:label AS jsonb)")
        if filters.platform:
            self.params["platform"] = filters.platform
            case_where.append("split_part(c.author_key, ':', 1) = :platform")
            post_where.append("m.platform = :platform")
        self.cases = " AND ".join(case_where)
        self.posts = " AND ".join(post_where)

    def rows(self, session: Session, sql: str, **extra: Any) -> list[Any]:
        return list(session.execute(text(sql), {**self.params, **extra}))


def _label_columns() -> tuple[str, ...]:
    return tuple(LABEL_NL[label] for label in LABELS)


def _weekly(scope: Scope, session: Session, period: Period, kind: str) -> Table:
    if kind == "posts":
        sql = f"""
            SELECT date_trunc('week', timezone(:tz, m.created_at))::date AS week, lab, count(*)
            FROM mentions m, jsonb_array_elements_text(m.flags) AS lab
            WHERE {scope.posts} GROUP BY 1, 2"""
        key, title = "berichten_per_week", "Gesignaleerde berichten per week, per soort"
    else:
        sql = f"""
            SELECT date_trunc('week', timezone(:tz, c.opened_at))::date AS week, lab, count(*)
            FROM cases c, jsonb_array_elements_text(c.labels) AS lab
            WHERE {scope.cases} GROUP BY 1, 2"""
        key, title = "zaken_per_week", "Zaken per week, per soort"
    counts = {(week, label): n for week, label, n in scope.rows(session, sql)}
    rows = tuple((f"{week:%d-%m-%Y}", *(counts.get((week, label), 0) for label in LABELS)) for week in period.weeks())
    return Table(key, title, ("Week (vanaf maandag)", *_label_columns()), rows)


def _per_platform(scope: Scope, session: Session) -> Table:
    posts = dict(scope.rows(session, f"SELECT m.platform, count(*) FROM mentions m WHERE {scope.posts} GROUP BY 1"))
    cases = dict(
        scope.rows(
            session,
            f"SELECT split_part(c.author_key, ':', 1), count(*) FROM cases c WHERE {scope.cases} GROUP BY 1",
        )
    )
    names = sorted(set(posts) | set(cases), key=lambda p: (-posts.get(p, 0), p))
    rows = tuple((name, posts.get(name, 0), cases.get(name, 0)) for name in names)
    return Table("per_platform", "Per platform", ("Platform", "Berichten", "Zaken"), rows)


def _per_official_group(scope: Scope, session: Session, column: str) -> Table:
    """Per role or per self-declared gender: registered officials, how many were hit, the share, the cases.

    'Registered' = active or paused now, or with a case in the period (so the share never exceeds 1)."""
    official_filter = "AND o.id = :official" if "official" in scope.params else ""
    sql = f"""
        WITH hit AS (
            SELECT c.official_id, count(*) AS n FROM cases c WHERE {scope.cases} GROUP BY 1
        )
        SELECT o.{column}, count(*) AS officials, count(hit.official_id) AS affected, coalesce(sum(hit.n), 0)
        FROM officials o LEFT JOIN hit ON hit.official_id = o.id
        WHERE o.organisation_id = :org {official_filter}
          AND (o.status IN ('active', 'paused') OR hit.official_id IS NOT NULL)
        GROUP BY 1"""
    found = scope.rows(session, sql)
    if column == "gender":
        rows = [(GENDER_NAMES.get(g, "niet opgegeven"), o, a, a / o if o else 0.0, int(n)) for g, o, a, n in found]
        key, title, first = "per_gender", "Per gender (alleen als de ambtsdrager dit zelf opgaf)", "Gender"
    else:
        rows = [(role, o, a, a / o if o else 0.0, int(n)) for role, o, a, n in found]
        key, title, first = "per_functie", "Per functie", "Functie"
    rows.sort(key=lambda r: (-r[4], r[0]))
    return Table(key, title, (first, "Ambtsdragers", "Getroffen", "Aandeel getroffen", "Zaken"), tuple(rows))


def _funnel(scope: Scope, session: Session) -> tuple[Table, Headline]:
    sql = f"""
        SELECT s.step, count(DISTINCT s.case_id) FROM case_steps s JOIN cases c ON c.id = s.case_id
        WHERE {scope.cases} GROUP BY 1"""
    done = dict(scope.rows(session, sql))
    total = scope.rows(session, f"SELECT count(*) FROM cases c WHERE {scope.cases}")[0][0]
    rows = [("Zaken", total, 1.0 if total else 0.0)]
    rows += [(name, done.get(step, 0), done.get(step, 0) / total if total else 0.0) for step, name in WORKFLOW_STEPS]
    threat_sql = f"""
        SELECT count(*), count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM case_steps s WHERE s.case_id = c.id AND s.step = 'melding_aangifte'))
        FROM cases c WHERE {scope.cases} AND c.labels @> '["threat"]'::jsonb"""
    threats, aangifte = scope.rows(session, threat_sql)[0]
    table = Table("werkproces", "Werkproces: zaken per stap", ("Stap", "Zaken", "Aandeel van alle zaken"), tuple(rows))
    return table, Headline(threats, aangifte)


def _claim_times(scope: Scope, session: Session, settings: Settings, now: datetime) -> Table:
    """Per most severe label: median minutes to claim, and the share claimed within the SLA among cases whose SLA
    has been decided (claimed, or unclaimed past the deadline at `now`)."""
    sla = {label: getattr(settings, f"sla_minutes_{label}") for label in LABELS}
    sql = f"""
        WITH norm AS (SELECT * FROM unnest(CAST(:ranks AS int[]), CAST(:mins AS int[])) AS n(rank, mins))
        SELECT c.severity, count(*), count(c.claimed_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.claimed_at - c.opened_at) / 60),
               count(*) FILTER (WHERE c.claimed_at - c.opened_at <= make_interval(mins => n.mins)),
               count(*) FILTER (WHERE c.claimed_at IS NOT NULL
                                   OR CAST(:now AS timestamptz) - c.opened_at > make_interval(mins => n.mins))
        FROM cases c JOIN norm n ON n.rank = c.severity WHERE {scope.cases} GROUP BY 1"""
    found = {
        row[0]: row[1:]
        for row in scope.rows(
            session,
            sql,
            ranks=[SEVERITY_RANK[label] for label in LABELS],
            mins=[sla[label] for label in LABELS],
            now=now,
        )
    }
    rows = []
    for label in LABELS:
        n, claimed, median, within, decided = found.get(SEVERITY_RANK[label], (0, 0, None, 0, 0))
        rows.append(
            (
                LABEL_NL[label],
                n,
                claimed,
                None if median is None else round(float(median)),
                sla[label],
                within / decided if decided else None,
            )
        )
    return Table(
        "tijd_tot_claim",
        "Tijd tot oppakken (claim) tegen de norm, per zwaarste soort",
        ("Soort", "Zaken", "Opgepakt", "Mediaan (min)", "Norm (min)", "Binnen norm"),
        tuple(rows),
    )


def _close_times(scope: Scope, session: Session) -> Table:
    """Per most severe label: closed cases and the median hours from opening to the (last) closing status change
    in the audit log."""
    sql = f"""
        WITH closed AS (
            SELECT c.id, c.severity, c.opened_at, max(a.at) AS closed_at
            FROM cases c JOIN audit_events a
              ON a.organisation_id = :org AND a.action = 'case.status' AND a.object_type = 'case'
             AND a.object_id = c.id::text AND a.details ->> 'to' = ANY(:closed)
            WHERE {scope.cases} AND c.status = ANY(:closed) GROUP BY 1, 2, 3
        )
        SELECT severity, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at) / 3600)
        FROM closed GROUP BY 1"""
    found = {rank: (n, median) for rank, n, median in scope.rows(session, sql, closed=list(CLOSED_STATUSES))}
    rows = []
    for label in LABELS:
        n, median = found.get(SEVERITY_RANK[label], (0, None))
        rows.append((LABEL_NL[label], n, None if median is None else round(float(median), 1)))
    return Table(
        "tijd_tot_afsluiten",
        "Tijd tot afsluiten, per zwaarste soort",
        ("Soort", "Afgesloten", "Mediaan (uur)"),
        tuple(rows),
    )


def _platform_notices(scope: Scope, session: Session) -> Table:
    """Notices to platforms (step gemeld_bij_platform) of the period's cases: answered share, median hours."""
    sql = f"""
        SELECT split_part(c.author_key, ':', 1), count(*), count(s.platform_answered_at),
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM s.platform_answered_at - s.done_at) / 3600)
        FROM case_steps s JOIN cases c ON c.id = s.case_id
        WHERE {scope.cases} AND s.step = 'gemeld_bij_platform' GROUP BY 1 ORDER BY 2 DESC, 1"""
    rows = tuple(
        (name, n, answered, answered / n if n else 0.0, None if median is None else round(float(median), 1))
        for name, n, answered, median in scope.rows(session, sql)
    )
    return Table(
        "platformmeldingen",
        "Meldingen bij platforms (DSA): beantwoord en reactietijd",
        ("Platform", "Meldingen", "Beantwoord", "Aandeel beantwoord", "Mediaan reactietijd (uur)"),
        rows,
    )


def _repeat_offenders(scope: Scope, session: Session, settings: Settings) -> Table:
    """Authors with two or more cases in the period, as keyed pseudonyms (never a handle)."""
    sql = f"""
        SELECT lower(c.author_key), count(*), count(DISTINCT c.official_id), min(c.opened_at), max(c.opened_at)
        FROM cases c WHERE {scope.cases} GROUP BY 1 HAVING count(*) > 1 ORDER BY 2 DESC, 1 LIMIT :top"""
    key = pseudonym_key(settings)
    rows = tuple(
        (
            pseudonymise(key, author),
            n,
            officials,
            f"{first.astimezone(AMSTERDAM):%d-%m-%Y}",
            f"{last.astimezone(AMSTERDAM):%d-%m-%Y}",
        )
        for author, n, officials, first, last in scope.rows(session, sql, top=TOP_AUTHORS)
    )
    return Table(
        "herhalers",
        "Herhaalde daders (pseudoniem)",
        ("Auteur (pseudoniem)", "Zaken", "Ambtsdragers", "Eerste zaak", "Laatste zaak"),
        rows,
        note="Pseudoniemen zijn per organisatie versleuteld; een naam is er niet uit terug te halen.",
    )


def _threat_times(scope: Scope, session: Session) -> tuple[Table, Table]:
    """Threat posts by hour of day and by day of the week (local time)."""
    sql = f"""
        SELECT extract(hour FROM timezone(:tz, m.created_at))::int,
               extract(isodow FROM timezone(:tz, m.created_at))::int, count(*)
        FROM mentions m WHERE {scope.posts} AND m.flags @> '["threat"]'::jsonb GROUP BY 1, 2"""
    hours, days = [0] * 24, [0] * 7
    for hour, isodow, n in scope.rows(session, sql):
        hours[hour] += n
        days[isodow - 1] += n
    by_hour = Table(
        "dreiging_per_uur",
        "Bedreigingen per uur van de dag",
        ("Uur", "Berichten"),
        tuple((f"{h:02d}:00", n) for h, n in enumerate(hours)),
    )
    by_day = Table(
        "dreiging_per_dag",
        "Bedreigingen per dag van de week",
        ("Dag", "Berichten"),
        tuple(zip(WEEKDAYS_NL, days, strict=True)),
    )
    return by_hour, by_day


def recount(
    session: Session,
    settings: Settings,
    organisation_id: str,
    period: Period,
    filters: Filters | None = None,
    now: datetime | None = None,
) -> Statistics:
    """Every figure, one plain query per figure straight over mentions, cases, steps and the audit log."""
    filters = filters or Filters()
    scope = Scope(organisation_id, period, filters)
    now = now or datetime.now(AMSTERDAM)
    posts = scope.rows(session, f"SELECT count(*) FROM mentions m WHERE {scope.posts}")[0][0]
    funnel, headline = _funnel(scope, session)
    by_hour, by_day = _threat_times(scope, session)
    tables = [
        _weekly(scope, session, period, "posts"),
        _weekly(scope, session, period, "cases"),
        _per_platform(scope, session),
        _per_official_group(scope, session, "role"),
        _per_official_group(scope, session, "gender"),
        funnel,
        _claim_times(scope, session, settings, now),
        _close_times(scope, session),
        _platform_notices(scope, session),
        _repeat_offenders(scope, session, settings),
        by_hour,
        by_day,
    ]
    cases = funnel.rows[0][1]
    return Statistics(organisation_id, period, filters, posts, cases, headline, {t.key: t for t in tables})
