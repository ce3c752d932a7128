"""The per-case custody chain: hash-linked, append-only in the database, tamper-evident."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from triage.bundle.custody import append_event, case_events, to_record, verify_chain


def _events(db, case_factory):
    with db() as s:
        case_id = case_factory(s)
        append_event(s, case_id, "created", "system:test", {"mention_uid": "x:1", "note": "Joëlle"})
        append_event(s, case_id, "viewed", "medewerker@voorbeeld.example", {})
        append_event(
            s, case_id, "status_changed", "medewerker@voorbeeld.example", {"from": "nieuw", "to": "in_behandeling"}
        )
        s.commit()
        return case_id, [to_record(e) for e in case_events(s, case_id)]


def test_chain_links_and_verifies(db, case_factory):
    case_id, records = _events(db, case_factory)
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[1]["prev_hash"] == records[0]["hash"]
    assert verify_chain(records) is None


@pytest.mark.parametrize(
    "tamper, expect",
    [
        (lambda r: r.pop(1), "ontbreekt"),
        (lambda r: r[1]["details"].update(extra=1), "gebeurtenis 2: inhoud gewijzigd"),
        (lambda r: r[2].update(actor="iemand-anders"), "gebeurtenis 3: inhoud gewijzigd"),
        (lambda r: r.reverse(), "ontbreekt of volgorde"),
        (lambda r: r.pop(0), "gebeurtenis 1 ontbreekt"),
    ],
)
def test_chain_detects_tampering(db, case_factory, tamper, expect):
    _, records = _events(db, case_factory)
    tamper(records)
    problem = verify_chain(records)
    assert problem is not None and expect in problem


def test_recomputed_hash_still_breaks_the_next_link(db, case_factory):
    from triage.bundle.custody import event_hash

    _, records = _events(db, case_factory)
    records[0]["actor"] = "vervalser"
    records[0]["hash"] = event_hash(records[0])
    assert "gebeurtenis 2: koppeling" in verify_chain(records)


def test_custody_table_is_append_only(db, case_factory):
    case_id, _ = _events(db, case_factory)
    with db() as s, pytest.raises(DBAPIError, match="append-only"):
        s.execute(text("UPDATE custody_events SET actor='x' WHERE case_id=:c"), {"c": case_id})
    with db() as s, pytest.raises(DBAPIError, match="append-only"):
        s.execute(text("DELETE FROM custody_events WHERE case_id=:c"), {"c": case_id})


def test_db_rows_verify_and_unknown_kind_is_refused(db, case_factory):
    case_id, _ = _events(db, case_factory)
    with db() as s:
        assert verify_chain(case_events(s, case_id)) is None
        with pytest.raises(ValueError):
            append_event(s, case_id, "deleted", "x", {})
