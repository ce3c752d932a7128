"""The bulk GIR recording writes exactly the rows that recording case by case (`record_automatic`, the path before
the bulk version) writes on the same data: steps, audit events and custody events, for a case without the step, one
with an older automatic step, one with a person's step, one already recorded by this export and one with a
custody chain of its own; only the moments (and so the custody hashes) and the order of audit events across cases
may differ (each case's own audit trail is the same, in the same order), and every chain stays intact."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, CaseStep
from schildwacht.models.evidence import CustodyEvent
from schildwacht.vocabulary import AMSTERDAM
from tests.support.waiting import wait_for
from tests.triage.statistics.statistics_data import build
from triage.autosteps import GIR_ACTOR_PREFIX, gir_note, record_automatic, record_gir_export
from triage.bundle import custody

AT = datetime(2026, 12, 2, 9, 30, tzinfo=AMSTERDAM)
ACTOR = "triagist@org.example"
MISSING_CASE = 999_999


def _prepare(db: sessionmaker[Session]) -> dict[str, int]:
    with session_scope(db) as s:
        made = build(s)
        cases = made.cases
        person = CaseStep(case_id=cases["c1"], organisation_id=made.org_a, step="gir_geregistreerd", done_by="p@x")
        older = CaseStep(
            case_id=cases["c2"],
            organisation_id=made.org_a,
            step="gir_geregistreerd",
            done_by=GIR_ACTOR_PREFIX + "ander@org.example",
            note="Opgenomen in de GIR-export van 01-11-2026 10:00 Nederlandse tijd.",
            reference="oud",
            automatic=True,
        )
        same = CaseStep(
            case_id=cases["c5"],
            organisation_id=made.org_a,
            step="gir_geregistreerd",
            done_by=GIR_ACTOR_PREFIX + ACTOR,
            note=gir_note(AT),
            automatic=True,
        )
        s.add_all([person, older, same])
        s.flush()
        for n in range(2):  # c3 has a chain already: the new event continues it
            custody.append_event(s, cases["c3"], "viewed", "kijker@org.example", {"n": n})
    return cases


def _state(s: Session, audit_before: int) -> dict[str, Any]:
    """Everything both paths write, without ids and moments; every custody chain verified."""
    steps = s.execute(
        select(
            CaseStep.case_id,
            CaseStep.organisation_id,
            CaseStep.step,
            CaseStep.done_by,
            CaseStep.note,
            CaseStep.reference,
            CaseStep.vpt_code,
            CaseStep.automatic,
        ).order_by(CaseStep.case_id, CaseStep.step)
    ).all()
    audits = s.execute(
        select(
            AuditEvent.actor,
            AuditEvent.organisation_id,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.details,
        )
        .where(AuditEvent.id > audit_before)
        .order_by(AuditEvent.id)
    ).all()
    events = s.scalars(select(CustodyEvent).order_by(CustodyEvent.case_id, CustodyEvent.seq)).all()
    for case_id in {e.case_id for e in events}:
        assert custody.verify_chain(custody.case_events(s, case_id)) is None
    chains = [(e.case_id, e.seq, e.kind, e.actor, e.details) for e in events]
    per_case: dict[str, list[tuple]] = {}  # each case's own audit trail in order (cases are written in bulk)
    for row in audits:
        per_case.setdefault(row.object_id, []).append(tuple(row))
    return {"steps": [tuple(r) for r in steps], "audits": per_case, "custody": chains}


def test_bulk_gir_export_writes_the_rows_of_the_per_case_path(db):
    cases = _prepare(db)
    exported = [cases[k] for k in ("c4", "c3", "c2", "c1", "c5")] + [MISSING_CASE, cases["c4"]]
    with db() as s:
        audit_before = s.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))
    with db() as s:  # the path before: case by case, then rolled back
        per_case = sum(
            record_automatic(s, case_id, "gir_geregistreerd", GIR_ACTOR_PREFIX + ACTOR, gir_note(AT))
            for case_id in sorted(set(exported))
        )
        expected = _state(s, audit_before)
        s.rollback()
    with session_scope(db) as s:
        assert record_gir_export(s, exported, ACTOR, at=AT) == per_case
    with db() as s:
        got = _state(s, audit_before)
        moments = s.scalars(
            select(AuditEvent.at).where(AuditEvent.id > audit_before, AuditEvent.action == "case.step")
        ).all()
    assert got == expected
    # hand-counted: c4 and c3 get the step, c2's older automatic step is redone; c1 (a person's) is left alone, c5
    # (this very export) counts without a second audit event, the missing case is ignored
    assert per_case == 4
    assert {case: [row[2] for row in rows] for case, rows in got["audits"].items()} == {
        str(cases["c2"]): ["case.step"],  # on legal hold since its older GIR step
        str(cases["c3"]): ["case.legal_hold.set", "case.step"],  # the trigger puts a GIR case on legal hold
        str(cases["c4"]): ["case.legal_hold.set", "case.step"],
    }
    assert [(c, seq) for c, seq, *_ in got["custody"]] == [
        (cases["c2"], 1),
        (cases["c3"], 1),
        (cases["c3"], 2),
        (cases["c3"], 3),
        (cases["c4"], 1),
    ]
    assert set(moments) == {AT}


def test_bulk_gir_export_of_nothing_records_nothing(db):
    _prepare(db)
    with session_scope(db) as s:
        assert record_gir_export(s, [], ACTOR, at=AT) == 0
        assert record_gir_export(s, [MISSING_CASE], ACTOR, at=AT) == 0


def test_a_single_append_waits_for_a_bulk_export_and_continues_its_chain(db):
    """A case viewed while a GIR export of it is still open: the view's custody append waits (it is seen waiting on
    an advisory lock in pg_locks) until the export commits, then takes the next seq after the export's event; with
    one exclusive lock for the whole export, however many cases it has, the chain never forks."""
    cases = _prepare(db)
    exporter = db()
    appended = threading.Event()
    failure: list[BaseException] = []

    def view() -> None:
        try:
            with session_scope(db) as s:
                s.execute(text("SET application_name = 'custody-viewer'"))
                custody.append_event(s, cases["c4"], "viewed", "kijker@org.example", {"n": "na export"})
            appended.set()
        except BaseException as exc:  # reported to the test thread
            failure.append(exc)

    try:
        assert record_gir_export(exporter, [cases["c4"], cases["c3"]], ACTOR, at=AT) == 2
        viewer = threading.Thread(target=view)
        viewer.start()

        def viewer_waits() -> bool:
            with db() as s:
                return bool(
                    s.scalar(
                        text(
                            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                            "WHERE a.application_name = 'custody-viewer' AND l.locktype = 'advisory' AND NOT l.granted"
                        )
                    )
                )

        wait_for(viewer_waits, "the viewer's append waiting on the export's lock")
        assert not appended.is_set()
        exporter.commit()
    finally:
        exporter.close()
    viewer.join(timeout=60)
    assert not failure and appended.is_set()
    with db() as s:
        events = custody.case_events(s, cases["c4"])
        assert [(e.seq, e.actor) for e in events] == [(1, GIR_ACTOR_PREFIX + ACTOR), (2, "kijker@org.example")]
        assert custody.verify_chain(events) is None
