"""GIR export rows (the 7 W's) against the hand-made data set, and formula-safe CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from schildwacht.db import session_scope
from tests.triage.statistics.statistics_data import FORMULA, SECRET_TEXT, build
from triage.statistics.csvsafe import safe_cell, to_csv
from triage.statistics.gir import COLUMNS, gir_csv, gir_json, gir_records
from triage.statistics.period import Filters, month_period

NOVEMBER = month_period("2026-11")


@pytest.fixture
def made(db):
    with session_scope(db) as s:
        return build(s)


def records(db, org, filters=None):
    with session_scope(db) as s:
        return gir_records(s, org, NOVEMBER, filters)


def test_one_row_per_case_with_the_seven_ws(db, made):
    rows = records(db, made.org_a)
    ids = made.cases
    assert [r["zaak"] for r in rows] == [ids["c1"], ids["c2"], ids["c3"], ids["c4"]]  # not c5, not B's b1
    c1, c2, c3, c4 = rows
    assert c1["wie_betrokkene"] == "Naam st-v (wethouder)"
    assert c1["wie_dader"].startswith("mastodon:@een@x.example (Boze Burger), account-id ")
    assert c1["wat"] == "Bedreiging; 2 bericht(en)"
    assert c1["waar"].split(" ")[0] == "mastodon" and len(c1["waar"].split(" ")) == 3  # platform + two URLs
    assert c1["waarmee"] == "online bericht via mastodon"
    # The October case of the same author came first: c1 has one earlier case, c2 two (October and c1).
    assert c1["welke_wijze"] == "openbaar bericht; 1 eerdere zaak/zaken van dezelfde auteur"
    assert c2["welke_wijze"].endswith("; 2 eerdere zaak/zaken van dezelfde auteur")
    assert c1["wanneer"] == "02-11-2026 09:30 t/m 02-11-2026 23:30"
    assert c1["waarom"] == "gericht op wethouder (publieke taak, VPT)"
    assert c1["strafbaar_feit"].startswith("art. 285 Sr (bedreiging)")
    assert c2["strafbaar_feit"].startswith("art. 285 Sr (bedreiging); art. 266/267 Sr (belediging)")
    assert c1["politie_registratienummer"] == "PL0900-2026-1"
    assert c1["platform_referentie"] == "MST-1"
    assert c1["intern_gemeld"] == "(gedaan, geen referentie)"
    assert c1["gir_nummer"] is None
    assert c3["wat"] == "Belediging / haatdragende taal; 1 bericht(en)" and c3["status"] == "Geen actie"
    assert c4["intern_gemeld"] == FORMULA
    assert SECRET_TEXT not in json.dumps(rows)


def test_filters_and_other_organisation(db, made):
    assert [r["zaak"] for r in records(db, made.org_a, Filters(label="doxxing"))] == [made.cases["c4"]]
    assert [r["zaak"] for r in records(db, made.org_b)] == [made.cases["b1"]]
    assert records(db, made.org_c) == []


def test_csv_escapes_formulas_and_json_carries_the_period(db, made):
    rows = records(db, made.org_a)
    text = gir_csv(rows)
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert parsed[0] == [title for _, title in COLUMNS]
    assert len(parsed) == 1 + 4
    cells = [cell for row in parsed[1:] for cell in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert "'+31 6 12345678" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    document = json.loads(gir_json(rows, made.org_a, NOVEMBER))
    assert document["periode"] == {"van": "2026-11-01", "tot_en_met": "2026-11-30"}
    assert len(document["zaken"]) == 4


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31", "'+31"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("gewoon", "gewoon"),
        ("a=b", "a=b"),
        (None, ""),
        (7, 7),
        (0.5, "0,5"),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_to_csv_header_is_escaped_too():
    assert to_csv(["=kop"], [["x"]]) == "\ufeff'=kop\r\nx\r\n"
