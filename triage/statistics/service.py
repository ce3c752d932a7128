"""The one statistics service: SQL aggregations over mentions, cases, case steps and the audit log of ONE
organisation, for one period and optional filters. The page, the CLI, the monthly report and the GIR export use it.

Invariants:
- every query is bound to `organisation_id`; nothing of another organisation is ever counted;
- a case counts in the period in which it was opened; a flagged post in the period in which it was posted
  (`created_at`), both in Europe/Amsterdam local time; cases merged into another case are not counted twice;
- a post or case with several labels counts once under each of its labels (label columns can sum to more than
  the total), but once in every total;
- authors appear only as keyed pseudonyms (`triage.registry.statistics.pseudonymise`); no post text is read.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models.workflow import WORKFLOW_STEPS
from schildwacht.vocabulary import AMSTERDAM, CLOSED_STATUSES, LABEL_NL, LABELS, SEVERITY_RANK
from triage.registry.statistics import GENDER_NAMES, pseudonym_key, pseudonymise
from triage.statistics.period import Filters, Period

NATIONAL_AANGIFTE_RATE = 0.06  # Monitor Integriteit en Veiligheid 2024: aangifte in 6% of incidents
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
RANK_LABEL = {rank: label for label, rank in SEVERITY_RANK.items()}
TOP_AUTHORS = 20


@dataclass(frozen=True)
class Table:
    """One figure's data: the chart draws it, the page shows it as the table alternative, CSV exports it."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Headline:
    threat_cases: int
    threat_aangifte: int
    national_rate: float = NATIONAL_AANGIFTE_RATE

    @property
    def rate(self) -> float | None:
        """Share of threat cases with a melding/aangifte step; None without threat cases."""
        return self.threat_aangifte / self.threat_cases if self.threat_cases else None


@dataclass(frozen=True)
class Statistics:
    organisation_id: str
    period: Period
    filters: Filters
    flagged_posts: int
    cases: int
    headline: Headline
    tables: dict[str, Table] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        return self.tables[key]


class Scope:
    """The WHERE clauses and parameters shared by every query: organisation, period, filters.

    `cases` filters `cases c` by opening time; `post_days` filters `flagged_post_days d` by local day, which is the
    same as filtering flagged mentions by posting time, since a period is whole local days."""

    def __init__(self, organisation_id: str, period: Period, filters: Filters) -> None:
        start, end = period.bounds()
        self.params: dict[str, Any] = {"org": organisation_id, "start": start, "end": end, "tz": AMSTERDAM.key}
        case_where = [
            "c.organisation_id = :org",
            "c.merged_into_id IS NULL",
            "c.opened_at >= :start",
            "c.opened_at < :end",
        ]
        self.params |= {"first_day": period.start, "end_day": period.end}
        day_where = ["d.organisation_id = :org", "d.day >= :first_day", "d.day < :end_day"]
        if filters.official_id:
            self.params["official"] = filters.official_id
            case_where.append("c.official_id = :official")
            day_where.append("d.official_id = :official")
        if filters.label:
            self.params["label"] = json.dumps([filters.label])
            case_where.append("c.labels @> CAST(:label AS jsonb)")
            day_where.append("d.flags @> CAST(:label AS jsonb)")
        if filters.platform:
            self.params["platform"] = filters.platform
            case_where.append("split_part(c.author_key, ':', 1) = :platform")
            day_where.append("d.platform = :platform")
        self.cases = " AND ".join(case_where)
        self.post_days = " AND ".join(day_where)

    def rows(self, session: Session, sql: str, **extra: Any) -> list[Any]:
        return list(session.execute(text(sql), {**self.params, **extra}))


def _label_columns() -> tuple[str, ...]:
    return tuple(LABEL_NL[label] for label in LABELS)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class PostCounts:
    """The flagged posts of the scope, summed from `flagged_post_days` (one row per day, official, platform and
    label set; see schildwacht/models/statistics.py) instead of counted from the mentions."""

    total: int = 0
    per_week_label: Counter[tuple[date, str]] = field(default_factory=Counter)
    per_platform: Counter[str] = field(default_factory=Counter)
    threat_hours: list[int] = field(default_factory=lambda: [0] * 24)
    threat_weekdays: list[int] = field(default_factory=lambda: [0] * 7)


def _post_counts(scope: Scope, session: Session) -> PostCounts:
    counts = PostCounts()
    sql = f"SELECT d.day, d.platform, d.flags, d.posts, d.hours FROM flagged_post_days d WHERE {scope.post_days}"
    for day, platform, flags, posts, hours in scope.rows(session, sql):
        counts.total += posts
        counts.per_platform[platform] += posts
        for label in flags:
            counts.per_week_label[_monday(day), label] += posts
        if "threat" in flags:
            counts.threat_hours = [a + b for a, b in zip(counts.threat_hours, hours, strict=True)]
            counts.threat_weekdays[day.weekday()] += posts
    return counts


@dataclass
class CaseCounts:
    """The scope's cases counted once per week, label set, platform and official; the count figures are sums."""

    total: int = 0
    threats: int = 0
    per_week_label: Counter[tuple[date, str]] = field(default_factory=Counter)
    per_platform: Counter[str] = field(default_factory=Counter)
    per_official: Counter[str] = field(default_factory=Counter)


def _case_counts(scope: Scope, session: Session) -> CaseCounts:
    sql = f"""
        SELECT date_trunc('week', timezone(:tz, c.opened_at))::date, c.labels, split_part(c.author_key, ':', 1),
               c.official_id, count(*)
        FROM cases c WHERE {scope.cases} GROUP BY 1, 2, 3, 4"""
    counts = CaseCounts()
    for week, labels, platform, official, n in scope.rows(session, sql):
        counts.total += n
        counts.threats += n if "threat" in labels else 0
        counts.per_platform[platform] += n
        counts.per_official[official] += n
        for label in labels:
            counts.per_week_label[week, label] += n
    return counts


def _step_counts(scope: Scope, session: Session) -> dict[str, tuple[int, int]]:
    """Per step: the scope's cases with that step, and how many of them are threat cases (a case has each step at
    most once: unique index uq_case_steps_case_step)."""
    sql = f"""
        SELECT s.step, count(*), count(*) FILTER (WHERE c.labels @> '["threat"]'::jsonb)
        FROM case_steps s JOIN cases c ON c.id = s.case_id WHERE {scope.cases} GROUP BY 1"""
    return {step: (n, threats) for step, n, threats in scope.rows(session, sql)}


def _sla(settings: Settings) -> dict[str, int]:
    return {label: getattr(settings, f"sla_minutes_{label}") for label in LABELS}


def _weekly(period: Period, counts: Counter[tuple[date, str]], kind: str) -> Table:
    if kind == "posts":
        key, title = "berichten_per_week", "Gesignaleerde berichten per week, per soort"
    else:
        key, title = "zaken_per_week", "Zaken per week, per soort"
    rows = tuple((f"{week:%d-%m-%Y}", *(counts[week, label] for label in LABELS)) for week in period.weeks())
    return Table(key, title, ("Week (vanaf maandag)", *_label_columns()), rows)


def _per_platform(posts: Counter[str], cases: Counter[str]) -> Table:
    names = sorted(set(posts) | set(cases), key=lambda p: (-posts[p], p))
    rows = tuple((name, posts[name], cases[name]) for name in names)
    return Table("per_platform", "Per platform", ("Platform", "Berichten", "Zaken"), rows)


def _per_official_group(scope: Scope, session: Session, cases: CaseCounts) -> tuple[Table, Table]:
    """Per role and per self-declared gender: registered officials, how many were hit, the share, the cases.

    'Registered' = active or paused now, or with a case in the period (so the share never exceeds 1)."""
    official_filter = "AND o.id = :official" if "official" in scope.params else ""
    sql = f"SELECT o.id, o.role, o.gender, o.status FROM officials o WHERE o.organisation_id = :org {official_filter}"
    officials = scope.rows(session, sql)
    tables = []
    for column in ("role", "gender"):
        groups: dict[str | None, list[int]] = {}
        for oid, role, gender, status in officials:
            hit = cases.per_official[oid]
            if status in ("active", "paused") or hit:
                group = groups.setdefault(role if column == "role" else gender, [0, 0, 0])
                group[0] += 1
                group[1] += 1 if hit else 0
                group[2] += hit
        if column == "gender":
            key, title, first = "per_gender", "Per gender (alleen als de ambtsdrager dit zelf opgaf)", "Gender"
        else:
            key, title, first = "per_functie", "Per functie", "Functie"
        rows = [(_group_name(column, name), o, a, a / o if o else 0.0, n) for name, (o, a, n) in groups.items()]
        rows.sort(key=lambda r: (-r[4], r[0]))
        columns = (first, "Ambtsdragers", "Getroffen", "Aandeel getroffen", "Zaken")
        tables.append(Table(key, title, columns, tuple(rows)))
    return tables[0], tables[1]


def _group_name(column: str, value: str | None) -> str:
    """A role as it is; a gender code in Dutch, "niet opgegeven" when the official gave none."""
    if column == "role" and value is not None:
        return value
    return GENDER_NAMES.get(value or "", "niet opgegeven")


def _funnel(cases: CaseCounts, steps: dict[str, tuple[int, int]]) -> tuple[Table, Headline]:
    total = cases.total
    done = {step: n for step, (n, _) in steps.items()}
    rows = [("Zaken", total, 1.0 if total else 0.0)]
    rows += [(name, done.get(step, 0), done.get(step, 0) / total if total else 0.0) for step, name in WORKFLOW_STEPS]
    table = Table("werkproces", "Werkproces: zaken per stap", ("Stap", "Zaken", "Aandeel van alle zaken"), tuple(rows))
    return table, Headline(cases.threats, steps.get("melding_aangifte", (0, 0))[1])


def _claim_times(scope: Scope, session: Session, settings: Settings, now: datetime) -> Table:
    """Per most severe label: median minutes to claim, and the share claimed within the SLA among cases whose SLA
    has been decided (claimed, or unclaimed past the deadline at `now`)."""
    sla = _sla(settings)
    sql = f"""
        WITH norm AS (SELECT * FROM unnest(CAST(:ranks AS int[]), CAST(:mins AS int[])) AS n(rank, mins))
        SELECT c.severity, count(*), count(c.claimed_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.claimed_at - c.opened_at) / 60),
               count(*) FILTER (WHERE c.claimed_at - c.opened_at <= make_interval(mins => n.mins)),
               count(*) FILTER (WHERE c.claimed_at IS NOT NULL
                                   OR CAST(:now AS timestamptz) - c.opened_at > make_interval(mins => n.mins))
        FROM cases c JOIN norm n ON n.rank = c.severity WHERE {scope.cases} GROUP BY 1"""
    ranks, mins = [SEVERITY_RANK[label] for label in LABELS], [sla[label] for label in LABELS]
    found = {row[0]: row[1:] for row in scope.rows(session, sql, ranks=ranks, mins=mins, now=now)}
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
    in the audit log (index ix_audit_events_case_status)."""
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
    """Authors with two or more cases in the period, as keyed pseudonyms (never a handle). Counted per author and
    official first, so the number of officials needs no sort (it is the number of those groups)."""
    sql = f"""
        SELECT author, sum(n)::int, count(*), min(first_at), max(last_at)
        FROM (
            SELECT lower(c.author_key) AS author, c.official_id, count(*) AS n,
                   min(c.opened_at) AS first_at, max(c.opened_at) AS last_at
            FROM cases c WHERE {scope.cases} GROUP BY 1, 2
        ) per_official
        GROUP BY 1 HAVING sum(n) > 1 ORDER BY 2 DESC, 1 LIMIT :top"""
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


def _threat_times(posts: PostCounts) -> tuple[Table, Table]:
    """Threat posts by hour of day and by day of the week (local time)."""
    by_hour = Table(
        "dreiging_per_uur",
        "Bedreigingen per uur van de dag",
        ("Uur", "Berichten"),
        tuple((f"{h:02d}:00", n) for h, n in enumerate(posts.threat_hours)),
    )
    by_day = Table(
        "dreiging_per_dag",
        "Bedreigingen per dag van de week",
        ("Dag", "Berichten"),
        tuple(zip(WEEKDAYS_NL, posts.threat_weekdays, strict=True)),
    )
    return by_hour, by_day


def compute(
    session: Session,
    settings: Settings,
    organisation_id: str,
    period: Period,
    filters: Filters | None = None,
    now: datetime | None = None,
) -> Statistics:
    """Every figure of one organisation for one period (`now` decides which unclaimed cases missed their SLA).

    Posts come from the day aggregate `flagged_post_days`; the case counts from one grouped pass over the cases;
    the steps, claim, close, notice and author figures from one query each."""
    filters = filters or Filters()
    scope = Scope(organisation_id, period, filters)
    now = now or datetime.now(AMSTERDAM)
    posts = _post_counts(scope, session)
    cases = _case_counts(scope, session)
    funnel, headline = _funnel(cases, _step_counts(scope, session))
    by_role, by_gender = _per_official_group(scope, session, cases)
    by_hour, by_day = _threat_times(posts)
    tables = [
        _weekly(period, posts.per_week_label, "posts"),
        _weekly(period, cases.per_week_label, "cases"),
        _per_platform(posts.per_platform, cases.per_platform),
        by_role,
        by_gender,
        funnel,
        _claim_times(scope, session, settings, now),
        _close_times(scope, session),
        _platform_notices(scope, session),
        _repeat_offenders(scope, session, settings),
        by_hour,
        by_day,
    ]
    return Statistics(organisation_id, period, filters, posts.total, cases.total, headline, {t.key: t for t in tables})


def filter_choices(session: Session, organisation_id: str) -> dict[str, list[tuple[str, str]]]:
    """The organisation's own officials and platforms for the filter menus (value, Dutch name)."""
    officials = session.execute(
        text("SELECT id, full_name, role FROM officials WHERE organisation_id = :org ORDER BY full_name"),
        {"org": organisation_id},
    )
    platforms = session.execute(
        text("SELECT DISTINCT platform FROM flagged_post_days WHERE organisation_id = :org ORDER BY 1"),
        {"org": organisation_id},
    )
    return {
        "officials": [(oid, f"{name} ({role})") for oid, name, role in officials],
        "labels": [(label, LABEL_NL[label]) for label in LABELS],
        "platforms": [(p, p) for (p,) in platforms],
    }


def display(column: str, value: Any) -> str:
    """A cell as a Dutch reader sees it: shares as percentages, decimal commas, '–' for 'no value'."""
    if value is None:
        return "–"
    if isinstance(value, float) and (column.startswith("Aandeel") or column == "Binnen norm"):
        return f"{value * 100:.0f}%"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
