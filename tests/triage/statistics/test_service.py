"""Every figure of the statistics service against the hand-counted data set in statistics_data.py.

Weeks of November 2026 (Monday dates): 26-10, 02-11, 09-11, 16-11, 23-11, 30-11. Label columns are in the
vocabulary's order: Bedreiging (threat), Doxing, Gendergerelateerde haat, Identiteitsgerichte haat, Belediging / haat
(abuse); identity-based hate with figures of its own: test_identity.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from schildwacht.db import session_scope
from tests.triage.statistics.statistics_data import NOW, build
from triage.registry.statistics import pseudonym_key, pseudonymise
from triage.statistics.period import Filters, PeriodError, month_period, parse_filters, parse_period, period_for
from triage.statistics.service import compute

NOVEMBER = month_period("2026-11")


@pytest.fixture
def made(db):
    with session_scope(db) as s:
        return build(s)


def stats_for(db, settings, org, period=NOVEMBER, filters=None):
    with session_scope(db) as s:
        return compute(s, settings, org, period, filters, now=NOW)


def test_totals_weeks_and_boundaries(db, settings, made):
    st = stats_for(db, settings, made.org_a)
    # c1 two posts, c2 one, c3 one, c4 one, the loose gender post: 6; c5 (1 Dec 00:10), the October case, the
    # unflagged post and everything of B are out.
    assert st.flagged_posts == 6
    assert st.cases == 4  # c1..c4; not c5 (1 Dec 00:00 local), the October case or the merged case
    assert st.table("berichten_per_week").rows == (
        ("26-10-2026", 0, 0, 0, 0, 0),
        ("02-11-2026", 2, 0, 0, 0, 0),
        ("09-11-2026", 1, 0, 1, 0, 1),  # c2 threat+abuse, the loose gender post on Sunday 15 November
        ("16-11-2026", 0, 0, 0, 0, 1),
        ("23-11-2026", 0, 0, 0, 0, 0),
        ("30-11-2026", 0, 1, 0, 0, 0),  # c4 at 23:15 local on 30 November (22:15 UTC)
    )
    assert st.table("zaken_per_week").rows == (
        ("26-10-2026", 0, 0, 0, 0, 0),
        ("02-11-2026", 1, 0, 0, 0, 0),
        ("09-11-2026", 1, 0, 0, 0, 1),
        ("16-11-2026", 0, 0, 0, 0, 1),
        ("23-11-2026", 0, 0, 0, 0, 0),
        ("30-11-2026", 0, 1, 0, 0, 0),
    )


def test_platform_role_and_gender(db, settings, made):
    st = stats_for(db, settings, made.org_a)
    assert st.table("per_platform").rows == (("mastodon", 5, 3), ("bluesky", 1, 1))
    # Registered = active/paused or hit: st-w (withdrawn) and st-i (invited) without cases are not counted.
    assert st.table("per_functie").rows == (
        ("wethouder", 1, 1, 1.0, 2),
        ("burgemeester", 1, 1, 1.0, 1),
        ("raadslid", 2, 1, 0.5, 1),
    )
    assert st.table("per_gender").rows == (
        ("vrouw", 2, 1, 0.5, 2),
        ("man", 1, 1, 1.0, 1),
        ("niet opgegeven", 1, 1, 1.0, 1),
    )


def test_funnel_and_aangifte_headline(db, settings, made):
    st = stats_for(db, settings, made.org_a)
    assert st.table("werkproces").rows == (
        ("Zaken", 4, 1.0),
        ("Bewijs vastgelegd", 2, 0.5),
        ("Intern gemeld (burgemeester/griffier)", 2, 0.5),
        ("Gemeld bij platform (referentie)", 2, 0.5),
        ("Nazorg (contact vastgelegd)", 0, 0.0),
        ("Melding/aangifte bij politie (registratienummer, VPT-code)", 1, 0.25),  # c5's aangifte is December's
        ("Geregistreerd in GIR", 0, 0.0),
    )
    assert (st.headline.threat_cases, st.headline.threat_aangifte, st.headline.rate) == (2, 1, 0.5)
    assert st.headline.national_rate == 0.06


def test_claim_close_and_platform_times(db, settings, made):
    st = stats_for(db, settings, made.org_a)
    # threat: c1 30 min (within 60), c2 90 min (late): median 60, half within. doxxing: c4 10 min. abuse: c3 never
    # claimed and its 24 h passed long before NOW: decided, not within. gender, identity: no cases.
    assert st.table("tijd_tot_claim").rows == (
        ("Bedreiging", 2, 2, 60, 60, 0.5),
        ("Doxing", 1, 1, 10, 60, 1.0),
        ("Gendergerelateerde haat", 0, 0, None, 480, None),
        ("Identiteitsgerichte haat", 0, 0, None, 480, None),
        ("Belediging / haat", 1, 0, None, 1440, 0.0),
    )
    # c1 opened 2 Nov 10:00, closed for the last time 4 Nov 10:00: 48 h; c3 20 Nov 08:00 -> 14:00: 6 h.
    assert st.table("tijd_tot_afsluiten").rows == (
        ("Bedreiging", 1, 48.0),
        ("Doxing", 0, None),
        ("Gendergerelateerde haat", 0, None),
        ("Identiteitsgerichte haat", 0, None),
        ("Belediging / haat", 1, 6.0),
    )
    # c1 notified 2 Nov 12:00, answered 3 Nov 00:00 (12 h); c2 unanswered.
    assert st.table("platformmeldingen").rows == (("mastodon", 2, 1, 0.5, 12.0),)


def test_repeat_offenders_pseudonymised_and_threat_times(db, settings, made):
    st = stats_for(db, settings, made.org_a)
    expected = pseudonymise(pseudonym_key(settings), "mastodon:@een@x.example")
    assert st.table("herhalers").rows == ((expected, 2, 1, "02-11-2026", "10-11-2026"),)
    assert "@een" not in repr(st)
    hours = dict(st.table("dreiging_per_uur").rows)
    # c1 at 09:30 and 23:30 local (22:30 UTC), c2 at 19:00; c5 (1 Dec 00:10) is out.
    assert {h: n for h, n in hours.items() if n} == {"09:00": 1, "19:00": 1, "23:00": 1}
    assert len(hours) == 24
    assert st.table("dreiging_per_dag").rows == (
        ("maandag", 2),
        ("dinsdag", 1),
        ("woensdag", 0),
        ("donderdag", 0),
        ("vrijdag", 0),
        ("zaterdag", 0),
        ("zondag", 0),
    )


def test_filters(db, settings, made):
    threat = stats_for(db, settings, made.org_a, filters=Filters(label="threat"))
    assert (threat.flagged_posts, threat.cases) == (3, 2)
    bluesky = stats_for(db, settings, made.org_a, filters=Filters(platform="bluesky"))
    assert (bluesky.flagged_posts, bluesky.cases) == (1, 1)
    assert bluesky.table("per_platform").rows == (("bluesky", 1, 1),)
    one = stats_for(db, settings, made.org_a, filters=Filters(official_id="st-m"))
    assert (one.flagged_posts, one.cases) == (1, 1)
    assert one.table("per_functie").rows == (("raadslid", 1, 1, 1.0, 1),)
    # Another organisation's official as a filter finds nothing of it.
    other = stats_for(db, settings, made.org_a, filters=Filters(official_id="st-o"))
    assert (other.flagged_posts, other.cases) == (0, 0)


def test_other_organisation_and_empty(db, settings, made):
    b = stats_for(db, settings, made.org_b)
    assert (b.flagged_posts, b.cases, b.headline.rate) == (2, 1, 1.0)  # B's own case only
    assert b.table("herhalers").rows == ()  # the shared author has one case in B: pseudonyms never pool
    c = stats_for(db, settings, made.org_c)
    assert (c.flagged_posts, c.cases, c.headline.rate) == (0, 0, None)
    assert c.table("per_functie").rows == (("raadslid", 1, 0, 0.0, 0),)
    assert all(row[1:] == (0, 0, 0, 0, 0) for row in c.table("zaken_per_week").rows)
    empty = stats_for(db, settings, made.org_a, period=month_period("2025-10"))
    assert (empty.flagged_posts, empty.cases) == (0, 0)
    assert [row[0] for row in empty.table("werkproces").rows][0] == "Zaken"
    assert empty.table("platformmeldingen").rows == ()


def test_period_picker():
    assert period_for("week", date(2026, 11, 5)).start == date(2026, 11, 2)
    assert period_for("kwartaal", date(2026, 11, 5)).bounds()[0].isoformat() == "2026-10-01T00:00:00+02:00"
    assert period_for("jaar", date(2026, 11, 5)).end == date(2027, 1, 1)
    assert NOVEMBER.label() == "november 2026"
    assert len(NOVEMBER.weeks()) == 6
    custom = parse_period("aangepast", "2026-11-03", "2026-11-03", date(2026, 12, 1))
    assert (custom.start, custom.end) == (date(2026, 11, 3), date(2026, 11, 4))
    for bad in (("aangepast", "2026-11-05", "2026-11-01"), ("maand", "gisteren", None), ("decennium", None, None)):
        with pytest.raises(PeriodError):
            parse_period(*bad, today=date(2026, 12, 1))
    with pytest.raises(PeriodError):
        parse_filters(None, "spam", None)
    with pytest.raises(PeriodError):
        month_period("2026-13")
