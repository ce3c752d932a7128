"""Identity-based hate (issue 17) in the statistics: its own column per week, its own row in the claim and close
times with the 8-hour norm, its own colour and Dutch name in the charts, and in the GIR export its long Dutch name,
the reason and the offences. A small data set counted by hand below; the independent recount must agree too."""

from __future__ import annotations

import pytest

from schildwacht.db import session_scope
from schildwacht.models import Organisation
from tests.triage.statistics.recount import recount
from tests.triage.statistics.statistics_data import NOW, _case, _official, _status, local
from triage.statistics.charts import inline_svg
from triage.statistics.gir import gir_records
from triage.statistics.period import Filters, month_period
from triage.statistics.service import compute

NOVEMBER = month_period("2026-11")
ORG = "st-id"


@pytest.fixture
def cases(db) -> dict[str, int]:
    """i1 identity (claimed after 5 h), i2 identity + abuse (two posts, claimed after 10 h, closed after 12 h), g1
    gender (never claimed), a1 abuse (claimed after 1 h)."""
    with session_scope(db) as s:
        s.add(Organisation(id=ORG, name="Gemeente Identiteit", kind="gemeente"))
        s.flush()
        _official(s, "st-id-a", ORG, "wethouder", "m")
        _official(s, "st-id-b", ORG, "raadslid", "v")
        s.flush()
        i1 = _case(s, ORG, "st-id-a", ["identity"], "mastodon:@een@x.example", local(3, 10), [local(3, 9, 30)],
                   claimed_after=300)  # fmt: skip
        i2 = _case(s, ORG, "st-id-a", ["identity", "abuse"], "mastodon:@twee@x.example", local(10, 20),
                   [local(10, 19, 50), local(10, 20, 10)], claimed_after=600, status="afgerond")  # fmt: skip
        _status(s, i2, "afgerond", local(11, 8))
        g1 = _case(s, ORG, "st-id-b", ["gender"], "mastodon:@drie@x.example", local(10, 12), [local(10, 11, 55)])
        a1 = _case(s, ORG, "st-id-b", ["abuse"], "bluesky:@vier@x.example", local(17, 12), [local(17, 11)],
                   claimed_after=60)  # fmt: skip
        return {"i1": i1.id, "i2": i2.id, "g1": g1.id, "a1": a1.id}


def test_identity_has_its_own_column_row_and_norm(db, settings, cases):
    with session_scope(db) as s:
        st = compute(s, settings, ORG, NOVEMBER, now=NOW)
        plain = recount(s, settings, ORG, NOVEMBER, now=NOW)
        only = compute(s, settings, ORG, NOVEMBER, Filters(label="identity"), now=NOW)
    assert st == plain  # the independent recount agrees on every figure
    weekly = st.table("zaken_per_week")
    assert weekly.columns[1:] == (
        "Bedreiging",
        "Doxing",
        "Gendergerelateerde haat",
        "Identiteitsgerichte haat",
        "Belediging / haat",
    )
    assert weekly.rows == (
        ("26-10-2026", 0, 0, 0, 0, 0),
        ("02-11-2026", 0, 0, 0, 1, 0),  # i1
        ("09-11-2026", 0, 0, 1, 1, 1),  # g1; i2 counts for identity and abuse
        ("16-11-2026", 0, 0, 0, 0, 1),  # a1
        ("23-11-2026", 0, 0, 0, 0, 0),
        ("30-11-2026", 0, 0, 0, 0, 0),
    )
    assert st.table("berichten_per_week").rows[1:3] == (
        ("02-11-2026", 0, 0, 0, 1, 0),
        ("09-11-2026", 0, 0, 1, 2, 2),  # i2's two posts carry identity and abuse; g1's one post
    )
    # by the most severe label: i1 300 min (within 480), i2 600 min (late): median 450, half within; g1 never
    # claimed and its 8 h passed long before NOW; a1 60 min of 1440
    assert st.table("tijd_tot_claim").rows == (
        ("Bedreiging", 0, 0, None, 60, None),
        ("Doxing", 0, 0, None, 60, None),
        ("Gendergerelateerde haat", 1, 0, None, 480, 0.0),
        ("Identiteitsgerichte haat", 2, 2, 450, 480, 0.5),
        ("Belediging / haat", 1, 1, 60, 1440, 1.0),
    )
    # i2 opened 10 Nov 20:00, closed 11 Nov 08:00: 12 h
    assert st.table("tijd_tot_afsluiten").rows[2:4] == (
        ("Gendergerelateerde haat", 0, None),
        ("Identiteitsgerichte haat", 1, 12.0),
    )
    assert only.cases == 2 and only.flagged_posts == 3  # the queue's "soort" filter: most severe label identity


def test_chart_draws_identity_in_its_own_colour_with_its_dutch_name(db, settings, cases):
    with session_scope(db) as s:
        table = compute(s, settings, ORG, NOVEMBER, now=NOW).table("zaken_per_week")
    svg = inline_svg(table, organisation=ORG)
    assert "Identiteitsgerichte haat" in svg  # the legend
    assert "#009e73" in svg.lower()  # Okabe-Ito bluish green, distinct from the other four labels


def test_gir_row_names_identity_the_reason_and_the_offences(db, cases):
    with session_scope(db) as s:
        rows = {r["zaak"]: r for r in gir_records(s, ORG, NOVEMBER)}
    i2 = rows[cases["i2"]]
    assert i2["wat"] == (
        "Haat gericht op identiteit (afkomst, geloof, huidskleur, seksuele oriëntatie, genderidentiteit of "
        "beperking); Belediging / haatdragende taal; 2 bericht(en)"
    )
    assert i2["waarom"] == (
        "gericht op wethouder (publieke taak, VPT); mogelijk vanwege identiteit (afkomst, geloof, huidskleur, "
        "seksuele oriëntatie, genderidentiteit of beperking)"
    )
    assert i2["strafbaar_feit"] == (
        "art. 137c Sr (groepsbelediging); art. 137d Sr (aanzetten tot haat, discriminatie of geweld); "
        "art. 266/267 Sr (belediging) — Advies, geen juridisch oordeel."
    )
    assert "identiteit" not in rows[cases["g1"]]["waarom"] and "137c" not in rows[cases["a1"]]["strafbaar_feit"]
