"""GIR export: one row per case, shaped like the Politie Informatie Formulier's 7 W's (wie, wat, waar, waarmee,
welke wijze, wanneer, waarom), with the offence suggestion and the references of the recorded steps.

Invariants: only the organisation's own cases of the period (the statistics service's scope and filters); no post
text (the GIR registration refers to the evidence bundle for that); the offence column is advice, never a verdict
(`schildwacht.vocabulary.legal_advice`); earlier cases by the same author in this organisation are counted, as the
PIF asks; the web and CLI exports stream (server-side cursor, CSV/JSON in pieces) from one snapshot
(`SnapshotExport`), so a year of cases is never whole in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.vocabulary import (
    ADVICE_DISCLAIMER,
    CASE_STATUS_NL,
    LABEL_LONG_NL,
    SEVERITY_RANK,
    amsterdam_time,
    has_public_task,
    legal_advice,
)
from triage.statistics.csvsafe import csv_chunks
from triage.statistics.period import Filters, Period
from triage.statistics.service import Scope

COLUMNS: tuple[tuple[str, str], ...] = (
    ("zaak", "Zaaknummer Schildwacht"),
    ("status", "Status"),
    ("wie_betrokkene", "Wie: betrokkene (functie)"),
    ("wie_dader", "Wie: dader (account)"),
    ("wat", "Wat"),
    ("waar", "Waar (platform en adressen)"),
    ("waarmee", "Waarmee"),
    ("welke_wijze", "Welke wijze"),
    ("wanneer", "Wanneer"),
    ("waarom", "Waarom"),
    ("strafbaar_feit", "Mogelijk strafbaar feit (advies)"),
    ("intern_gemeld", "Intern gemeld (referentie)"),
    ("platform_referentie", "Platformmelding (referentie)"),
    ("politie_registratienummer", "Melding/aangifte (registratienummer)"),
    ("vpt_code", "VPT-code"),
    ("gir_nummer", "GIR-nummer"),
)
BATCH = 500  # rows fetched from the server-side cursor at a time
STEP_COLUMNS = {
    "intern_gemeld": "intern_gemeld",
    "gemeld_bij_platform": "platform_referentie",
    "melding_aangifte": "politie_registratienummer",
    "gir_geregistreerd": "gir_nummer",
}


def _rows(session: Session, organisation_id: str, period: Period, filters: Filters) -> Iterator[Any]:
    """The export's rows in order, fetched from a server-side cursor in batches (never the whole result at once)."""
    scope = Scope(organisation_id, period, filters)
    sql = f"""
        WITH earlier AS (
            SELECT id, row_number() OVER (PARTITION BY lower(author_key) ORDER BY opened_at, id) - 1 AS n
            FROM cases WHERE organisation_id = :org AND merged_into_id IS NULL
        )
        SELECT c.id, c.status, c.labels, c.author_key, o.full_name, o.role, e.n,
               mm.n, mm.first_at, mm.last_at, mm.urls, mm.replies, mm.display_name, mm.account_id,
               (SELECT json_agg(json_build_object('step', s.step, 'reference', s.reference, 'vpt', s.vpt_code))
                  FROM case_steps s WHERE s.case_id = c.id)
        FROM cases c
        JOIN officials o ON o.id = c.official_id
        JOIN earlier e ON e.id = c.id
        LEFT JOIN LATERAL (
            SELECT count(*) AS n, min(m.created_at) AS first_at, max(m.created_at) AS last_at,
                   array_remove(array_agg(m.url ORDER BY m.created_at), NULL) AS urls,
                   bool_or(m.in_reply_to_id IS NOT NULL) AS replies,
                   max(m.author_display_name) AS display_name, max(m.author_id) AS account_id
            FROM mentions m WHERE m.case_id = c.id
        ) mm ON true
        WHERE {scope.cases}
        ORDER BY c.opened_at, c.id"""
    yield from session.execute(text(sql).execution_options(yield_per=BATCH), scope.params)


def case_ids(session: Session, organisation_id: str, period: Period, filters: Filters | None = None) -> list[int]:
    """The ids of the cases the export of this selection holds, in its order."""
    scope = Scope(organisation_id, period, filters or Filters())
    return [
        row[0]
        for row in scope.rows(session, f"SELECT c.id FROM cases c WHERE {scope.cases} ORDER BY c.opened_at, c.id")
    ]


def _record(row: Any) -> dict[str, Any]:
    (case_id, status, labels, author_key, name, role, earlier, posts, first_at, last_at, urls, replies, display,
     account, steps) = row  # fmt: skip
    platform = author_key.split(":", 1)[0]
    ordered = sorted(labels or [], key=lambda lab: SEVERITY_RANK.get(lab, 99))
    advice = legal_advice(ordered)
    manner = "reactie in een draad" if replies else "openbaar bericht"
    manner += f"; {earlier} eerdere zaak/zaken van dezelfde auteur" if earlier else "; geen eerdere zaken bekend"
    why = f"gericht op {role} (publieke taak, VPT)" if has_public_task(role) else f"gericht op {role}"
    if "gender" in ordered:
        why += "; mogelijk vanwege gender of persoonlijke kenmerken"
    if "identity" in ordered:
        why += (
            "; mogelijk vanwege identiteit (afkomst, geloof, huidskleur, seksuele oriëntatie, genderidentiteit of "
            "beperking)"
        )
    when = ""
    if first_at is not None:
        when = amsterdam_time(first_at)
        if last_at != first_at:
            when += f" t/m {amsterdam_time(last_at)}"
    record: dict[str, Any] = {
        "zaak": case_id,
        "status": CASE_STATUS_NL.get(status, status),
        "wie_betrokkene": f"{name} ({role})",
        "wie_dader": author_key + (f" ({display})" if display else "") + (f", account-id {account}" if account else ""),
        "wat": "; ".join(LABEL_LONG_NL.get(lab, lab) for lab in ordered) + f"; {posts} bericht(en)",
        "waar": " ".join([platform, *(urls or [])]),
        "waarmee": f"online bericht via {platform}",
        "welke_wijze": manner,
        "wanneer": when,
        "waarom": why,
        "strafbaar_feit": "; ".join(f"art. {o.article} ({o.name.lower()})" for o in advice.suggested)
        + f" — {ADVICE_DISCLAIMER}",
        "vpt_code": None,
    }
    record.update(dict.fromkeys(STEP_COLUMNS.values()))
    for step in steps or []:
        if step["step"] in STEP_COLUMNS:
            record[STEP_COLUMNS[step["step"]]] = step["reference"] or "(gedaan, geen referentie)"
        if step["step"] == "melding_aangifte" and step["vpt"]:
            record["vpt_code"] = step["vpt"]
    return record


def iter_records(
    session: Session, organisation_id: str, period: Period, filters: Filters | None = None
) -> Iterator[dict[str, Any]]:
    """One dict per case, keys as in `COLUMNS`, one at a time."""
    return (_record(row) for row in _rows(session, organisation_id, period, filters or Filters()))


def gir_records(session: Session, organisation_id: str, period: Period, filters: Filters | None = None) -> list[dict]:
    """One dict per case, keys as in `COLUMNS`."""
    return list(iter_records(session, organisation_id, period, filters))


def gir_csv_chunks(records: Iterable[dict]) -> Iterator[str]:
    """The records as formula-safe CSV with Dutch headers, in pieces for streaming."""
    return csv_chunks([title for _, title in COLUMNS], ([r[key] for key, _ in COLUMNS] for r in records))


def gir_csv(records: Iterable[dict]) -> str:
    """The records as formula-safe CSV with Dutch headers."""
    return "".join(gir_csv_chunks(records))


def gir_json_chunks(records: Iterable[dict], organisation_id: str, period: Period) -> Iterator[str]:
    """The export as one JSON document (organisation, period, column titles, one object per case), in pieces."""
    head = {
        "organisatie": organisation_id,
        "periode": {"van": period.start.isoformat(), "tot_en_met": period.last_day.isoformat()},
        "kolommen": dict(COLUMNS),
    }
    yield json.dumps(head, ensure_ascii=False, indent=2).removesuffix("\n}") + ',\n  "zaken": ['
    for n, record in enumerate(records):
        yield ("," if n else "") + "\n    " + json.dumps(record, ensure_ascii=False)
    yield "\n  ]\n}\n"


def gir_json(records: Iterable[dict], organisation_id: str, period: Period) -> str:
    return "".join(gir_json_chunks(records, organisation_id, period))


class SnapshotExport:
    """A GIR export read from one database snapshot (REPEATABLE READ): `case_ids` first, for the GIR step and the
    audit that the caller records and commits in its own session, then the file streamed from the same snapshot.
    The file therefore shows the cases as they were before this export recorded its GIR step on them, as the
    unstreamed export did, and holds exactly the cases in `case_ids`. The snapshot's session closes when the stream
    ends or `close()` is called."""

    def __init__(self, sessions: sessionmaker[Session], organisation_id: str, period: Period, filters: Filters) -> None:
        self.organisation_id, self.period, self.filters = organisation_id, period, filters
        self._session = sessions()
        try:
            self._session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            self.case_ids = case_ids(self._session, organisation_id, period, filters)
        except BaseException:
            self.close()
            raise

    def chunks(self, fmt: str) -> Iterator[str]:
        """The CSV or JSON document in pieces."""
        try:
            records = iter_records(self._session, self.organisation_id, self.period, self.filters)
            if fmt == "csv":
                yield from gir_csv_chunks(records)
            else:
                yield from gir_json_chunks(records, self.organisation_id, self.period)
        finally:
            self.close()

    def close(self) -> None:
        self._session.rollback()
        self._session.close()
