"""The anonymous aggregate for the national picture: counts summed over the organisations that agreed to share
(`Organisation.shares_statistics`), for a network or the Ondersteuningsteam.

Invariants: counts only (no case, official, author or pseudonym; pseudonyms never pool across organisations);
no count per organisation; every count from 1 to 4 is suppressed (shown as '<5'), and cells of 5 or more are
suppressed as 'x' where the total minus the shown cells would reveal a '<5' cell (`suppression.protect`: secondary
suppression; a breakdown that cannot be protected, or any breakdown of a total under 5, is withheld); the threat key
figure is the 'Bedreiging' cell as published; a rate is given only when both of its counts are shown; refused with
fewer than `MIN_ORGANISATIONS` sharing organisations, since the sum of one or two organisations would describe them;
refused for a period that is not a calendar month, quarter or year (`CALENDAR_KINDS`): those nest, so no two of
them differ by a few days whose cases the difference would show.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from schildwacht.models.workflow import WORKFLOW_STEPS
from schildwacht.vocabulary import LABEL_NL, Label
from triage.registry.statistics import GENDER_NAMES
from triage.statistics.csvsafe import to_csv
from triage.statistics.period import Period, period_for
from triage.statistics.service import Table
from triage.statistics.suppression import PRIMARY, SECONDARY, THRESHOLD, Breakdown, Relation, Shown, protect

SUPPRESS_BELOW = THRESHOLD
MIN_ORGANISATIONS = 3
CALENDAR_KINDS = ("maand", "kwartaal", "jaar")
SUPPRESSED = PRIMARY
STEP_NL = dict(WORKFLOW_STEPS)
WITHHELD = "niet uitgesplitst"
EXPLANATION = {
    PRIMARY: "1 tot en met 4 zaken: het precieze aantal wordt niet getoond.",
    SECONDARY: (
        "5 of meer zaken, niet getoond omdat anders een aantal <5 terug te rekenen is "
        "uit het totaal min de getoonde aantallen."
    ),
    WITHHELD: (
        "Deze indeling wordt niet getoond: het totaal is kleiner dan 5, of elke uitsplitsing zou een klein aantal "
        "verraden."
    ),
}


class AggregateError(ValueError):
    """Too few organisations share, or the period is no calendar period; the message is Dutch."""


def suppress(n: int) -> Shown:
    """0 and counts from 5 up as they are; 1 to 4 as '<5' (primary suppression only)."""
    return SUPPRESSED if 0 < n < SUPPRESS_BELOW else n


def is_calendar_period(period: Period) -> bool:
    """Whether `period` is exactly a calendar month, quarter or year (also when picked as 'aangepast')."""
    calendar = (period_for(kind, period.start) for kind in CALENDAR_KINDS)
    return any((p.start, p.end) == (period.start, period.end) for p in calendar)


def _cases(join: str = "") -> str:
    """FROM/WHERE of the sharing organisations' cases opened in the period, with an optional extra join."""
    return f"""
    FROM cases c JOIN organisations g ON g.id = c.organisation_id AND g.shares_statistics {join}
    WHERE c.merged_into_id IS NULL AND c.opened_at >= :start AND c.opened_at < :end"""


_OFFICIAL = "JOIN officials o ON o.id = c.official_id"
QUERIES = {
    "soort": f"SELECT lab, count(*) FROM (SELECT jsonb_array_elements_text(c.labels) AS lab {_cases()}) x GROUP BY 1",
    "functie": f"SELECT o.role, count(*) {_cases(_OFFICIAL)} GROUP BY 1",
    "gender": f"SELECT o.gender, count(*) {_cases(_OFFICIAL)} GROUP BY 1",
    "platform": f"SELECT split_part(c.author_key, ':', 1), count(*) {_cases()} GROUP BY 1",
    "stap": f"SELECT s.step, count(DISTINCT s.case_id) {_cases('JOIN case_steps s ON s.case_id = c.id')} GROUP BY 1",
}
# A case has one or more labels (soort), exactly one official and one author's platform, and any number of steps.
RELATIONS = {
    "soort": Relation.COVER,
    "functie": Relation.PARTITION,
    "gender": Relation.PARTITION,
    "platform": Relation.PARTITION,
    "stap": Relation.NONE,
}
NAMES = {
    "soort": lambda v: LABEL_NL.get(v, v),
    "gender": lambda v: GENDER_NAMES.get(v, "niet opgegeven"),
    "stap": lambda v: STEP_NL.get(v, v),
}


def _counts(session: Session, params: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per dimension the true counts under their Dutch category names (only categories with cases)."""
    out: dict[str, dict[str, int]] = {}
    for dimension, sql in QUERIES.items():
        counts = out.setdefault(dimension, {})
        for value, n in session.execute(text(sql), params):
            name = NAMES.get(dimension, lambda v: v)(value)
            counts[name] = counts.get(name, 0) + n
    return out


def aggregate(session: Session, period: Period) -> dict[str, Any]:
    """The protected counts of the sharing organisations' cases opened in `period`."""
    if not is_calendar_period(period):
        raise AggregateError(
            "Het landelijke totaal is er alleen per kalendermaand, -kwartaal of -jaar (bijvoorbeeld van 2026-11-01 "
            "tot en met 2026-11-30): het verschil tussen twee overlappende periodes zou losse zaken laten zien."
        )
    start, end = period.bounds()
    params = {"start": start, "end": end}
    organisations = session.execute(text("SELECT count(*) FROM organisations WHERE shares_statistics")).scalar_one()
    if organisations < MIN_ORGANISATIONS:
        raise AggregateError(
            f"Te weinig organisaties delen hun cijfers ({organisations}); minimaal {MIN_ORGANISATIONS} nodig, "
            "anders zijn de aantallen tot één organisatie te herleiden."
        )
    total = session.execute(text(f"SELECT count(*) {_cases()}"), params).scalar_one()
    counts = _counts(session, params)
    published = protect(total, {d: Breakdown(RELATIONS[d], counts[d]) for d in QUERIES})
    rows: list[tuple[str, str, Shown]] = [("totaal", "zaken", suppress(total))]
    for dimension in QUERIES:
        cells = published[dimension]
        rows += [(dimension, name, n) for name, n in sorted((cells or {}).items())]
    threats, aangifte = session.execute(
        text(
            f"""SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM case_steps s
                 WHERE s.case_id = c.id AND s.step = 'melding_aangifte')) {_cases()} AND c.labels @> '["threat"]'"""
        ),
        params,
    ).one()
    labels = published["soort"]
    # the key figure is the label's cell as published: 'x' there is 'x' here, a withheld breakdown hides it too
    shown_threats: Shown | None = None if labels is None else labels.get(LABEL_NL[Label.THREAT], threats)
    shown_aangifte: Shown | None = None if labels is None else suppress(aangifte)
    both_numbers = isinstance(shown_threats, int) and isinstance(shown_aangifte, int)
    rate = round(aangifte / threats, 3) if threats and both_numbers else None
    return {
        "periode": {"van": period.start.isoformat(), "tot_en_met": period.last_day.isoformat()},
        "organisaties": organisations,
        "onderdrukt_onder": SUPPRESS_BELOW,
        "toelichting": EXPLANATION,
        "aantallen": [{"indeling": d, "categorie": c, "zaken": n} for d, c, n in rows],
        "niet_uitgesplitst": [d for d in QUERIES if published[d] is None],
        "bedreigingszaken": shown_threats,
        "bedreigingszaken_met_aangifte": shown_aangifte,
        "aangiftepercentage": rate,
    }


DIMENSION_TITLES = {
    "soort": "Zaken per soort",
    "functie": "Zaken per functie van de ambtsdrager",
    "gender": "Zaken per gender (alleen als de ambtsdrager dit zelf opgaf)",
    "platform": "Zaken per platform",
    "stap": "Werkproces: zaken per afgeronde stap",
}


def aggregate_tables(result: dict[str, Any]) -> list[tuple[Table, Table]]:
    """Per dimension (table, chart): the table holds every category with its shown count ('<5' and 'x' included;
    a withheld dimension has no rows and says why in its note); the chart's table only the categories whose count is
    shown as a number, so a bar never reveals a suppressed count."""
    out = []
    for dimension, title in DIMENSION_TITLES.items():
        rows = tuple((r["categorie"], r["zaken"]) for r in result["aantallen"] if r["indeling"] == dimension)
        shown = tuple(row for row in rows if isinstance(row[1], int))
        note = EXPLANATION[WITHHELD] if dimension in result["niet_uitgesplitst"] else ""
        key, columns = f"landelijk_{dimension}", ("Categorie", "Zaken")
        out.append((Table(key, title, columns, rows, note), Table(key, title, columns, shown, note)))
    return out


def aggregate_csv(result: dict[str, Any]) -> str:
    """Indeling;Categorie;Zaken;Toelichting: the Toelichting column explains each '<5' and 'x', and a withheld
    dimension is one row 'niet uitgesplitst' with an empty count."""
    rows: list[tuple[str, str, Shown, str]] = [
        (r["indeling"], r["categorie"], r["zaken"], EXPLANATION.get(str(r["zaken"]), "")) for r in result["aantallen"]
    ]
    rows += [(d, WITHHELD, "", EXPLANATION[WITHHELD]) for d in result["niet_uitgesplitst"]]
    return to_csv(("Indeling", "Categorie", "Zaken", "Toelichting"), rows)


def aggregate_json(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)
