"""The anonymous aggregate for the national picture: counts summed over the organisations that agreed to share
(`Organisation.shares_statistics`), for a network or the Ondersteuningsteam.

Invariants: counts only (no case, official, author or pseudonym; pseudonyms never pool across organisations);
no count per organisation; every count from 1 to 4 is suppressed (shown as '<5'), and a rate is given only when
both of its counts are shown; refused with fewer than `MIN_ORGANISATIONS` sharing organisations, since the sum of
one or two organisations would describe them.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from schildwacht.models.workflow import WORKFLOW_STEPS
from schildwacht.vocabulary import LABEL_NL
from triage.registry.statistics import GENDER_NAMES
from triage.statistics.csvsafe import to_csv
from triage.statistics.period import Period

SUPPRESS_BELOW = 5
MIN_ORGANISATIONS = 3
SUPPRESSED = "<5"
STEP_NL = dict(WORKFLOW_STEPS)


class AggregateError(ValueError):
    """Too few organisations share; the message is Dutch."""


def suppress(n: int) -> int | str:
    """0 and counts from 5 up as they are; 1 to 4 as '<5'."""
    return SUPPRESSED if 0 < n < SUPPRESS_BELOW else n


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


def aggregate(session: Session, period: Period) -> dict[str, Any]:
    """The suppressed counts of the sharing organisations' cases opened in `period`."""
    start, end = period.bounds()
    params = {"start": start, "end": end}
    organisations = session.execute(text("SELECT count(*) FROM organisations WHERE shares_statistics")).scalar_one()
    if organisations < MIN_ORGANISATIONS:
        raise AggregateError(
            f"Te weinig organisaties delen hun cijfers ({organisations}); minimaal {MIN_ORGANISATIONS} nodig, "
            "anders zijn de aantallen tot één organisatie te herleiden."
        )
    rows: list[tuple[str, str, int | str]] = []
    total = session.execute(text(f"SELECT count(*) {_cases()}"), params).scalar_one()
    rows.append(("totaal", "zaken", suppress(total)))
    names = {
        "soort": lambda v: LABEL_NL.get(v, v),
        "gender": lambda v: GENDER_NAMES.get(v, "niet opgegeven"),
        "stap": lambda v: STEP_NL.get(v, v),
    }
    for dimension, sql in QUERIES.items():
        counts: dict[str, int] = {}
        for value, n in session.execute(text(sql), params):
            name = names.get(dimension, lambda v: v)(value)
            counts[name] = counts.get(name, 0) + n
        rows += [(dimension, name, suppress(n)) for name, n in sorted(counts.items())]
    threats, aangifte = session.execute(
        text(
            f"""SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM case_steps s
                 WHERE s.case_id = c.id AND s.step = 'melding_aangifte')) {_cases()} AND c.labels @> '["threat"]'"""
        ),
        params,
    ).one()
    shown = suppress(threats), suppress(aangifte)
    rate = round(aangifte / threats, 3) if threats and SUPPRESSED not in shown else None
    return {
        "periode": {"van": period.start.isoformat(), "tot_en_met": period.last_day.isoformat()},
        "organisaties": organisations,
        "onderdrukt_onder": SUPPRESS_BELOW,
        "aantallen": [{"indeling": d, "categorie": c, "zaken": n} for d, c, n in rows],
        "bedreigingszaken": shown[0],
        "bedreigingszaken_met_aangifte": shown[1],
        "aangiftepercentage": rate,
    }


def aggregate_csv(result: dict[str, Any]) -> str:
    rows = [(r["indeling"], r["categorie"], r["zaken"]) for r in result["aantallen"]]
    return to_csv(("Indeling", "Categorie", "Zaken"), rows)


def aggregate_json(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)
