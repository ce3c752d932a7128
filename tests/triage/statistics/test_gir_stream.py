"""The streamed GIR export: pieces that join to the whole document, and one snapshot from the case list to the
last row, so what the export records on the cases (and anything else written meanwhile) is not in the file."""

from __future__ import annotations

import csv
import io
import json

import pytest

from schildwacht.db import session_scope
from tests.triage.statistics.statistics_data import _case, build, local
from triage.autosteps import record_gir_export
from triage.statistics.csvsafe import csv_chunks, to_csv
from triage.statistics.gir import COLUMNS, SnapshotExport, gir_csv, gir_json, gir_records
from triage.statistics.period import Filters, month_period

NOVEMBER = month_period("2026-11")


@pytest.fixture
def made(db):
    with session_scope(db) as s:
        return build(s)


def test_csv_pieces_join_to_the_document():
    rows = [[f"={n}", n, None] for n in range(1201)]
    pieces = list(csv_chunks(["a", "b", "c"], rows, rows_per_chunk=500))
    assert len(pieces) == 3  # rows 1-500, 501-1000, then 1001-1201 (the header rides with the first piece)
    assert "".join(pieces) == to_csv(["a", "b", "c"], rows)
    assert pieces[1].count("\r\n") == 500


def test_snapshot_export_is_the_state_before_its_own_gir_step(db, made):
    export = SnapshotExport(db, made.org_a, NOVEMBER, Filters())
    ids = made.cases
    assert export.case_ids == [ids["c1"], ids["c2"], ids["c3"], ids["c4"]]
    with session_scope(db) as s:  # what the route does next, committed in its own session ...
        assert record_gir_export(s, export.case_ids, "triagist@org.example") == 4
        _case(s, made.org_a, "st-v", ["threat"], "x:@later", local(12, 10), [local(12, 10)])  # ... and a new case
    streamed = "".join(export.chunks("csv"))
    parsed = list(csv.reader(io.StringIO(streamed.lstrip("\ufeff")), delimiter=";"))
    gir_column = [title for _, title in COLUMNS].index("GIR-nummer")
    assert [int(row[0]) for row in parsed[1:]] == export.case_ids  # not the later case
    assert [row[gir_column] for row in parsed[1:]] == ["", "", "", ""]  # recorded after the snapshot
    with session_scope(db) as s:
        now = gir_records(s, made.org_a, NOVEMBER)
    assert len(now) == 5
    assert {r["gir_nummer"] for r in now if r["zaak"] in export.case_ids} == {"(gedaan, geen referentie)"}


def test_streamed_json_is_the_document(db, made):
    export = SnapshotExport(db, made.org_b, NOVEMBER, Filters())
    document = json.loads("".join(export.chunks("json")))
    with session_scope(db) as s:
        records = gir_records(s, made.org_b, NOVEMBER)
    assert document == json.loads(gir_json(records, made.org_b, NOVEMBER))
    assert [r["zaak"] for r in document["zaken"]] == [made.cases["b1"]]
    assert gir_csv(records).count("\r\n") == 2
