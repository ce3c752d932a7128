"""One vocabulary (schildwacht/vocabulary.py): every code has its Dutch name, the status sets split cleanly, times
are Amsterdam clock times, and the case screen and the police report give the same legal advice."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from schildwacht import contracts
from schildwacht import vocabulary as v
from tests.triage.web.webfixtures import app, client_factory, world  # noqa: F401 - pytest fixtures
from triage.bundle.dossier import load_dossier
from triage.bundle.pif import build_report


def test_every_case_status_has_one_dutch_name_for_staff_and_for_the_official():
    codes = {"nieuw", "in_behandeling", "wacht_op_betrokkene", "afgerond", "geen_actie"}  # the stored values
    assert set(v.CASE_STATUSES) == codes
    for table in (v.CASE_STATUS_NL, v.CASE_STATUS_FOR_OFFICIAL_NL):
        assert set(table) == codes
        assert all(name.strip() for name in table.values())
        assert len(set(table.values())) == len(codes)  # no two statuses read alike
    assert v.CASE_STATUS_FOR_OFFICIAL_NL["wacht_op_betrokkene"] == "wacht op u"


def test_open_and_closed_statuses_split_all_statuses():
    assert set(v.OPEN_STATUSES).isdisjoint(v.CLOSED_STATUSES)
    assert set(v.OPEN_STATUSES) | set(v.CLOSED_STATUSES) == set(v.CASE_STATUSES)
    assert set(v.CLOSED_STATUSES) == {"afgerond", "geen_actie"}


def test_codes_are_plain_strings_for_drivers_and_json():
    for codes in (v.CASE_STATUSES, v.OPEN_STATUSES, v.CLOSED_STATUSES, v.LABELS, v.STAFF_ROLES, v.CASE_WRITE_ROLES):
        assert all(type(code) is str for code in codes)
    for table in (v.CASE_STATUS_NL, v.LABEL_NL, v.LABEL_LONG_NL, v.STAFF_ROLE_NL, v.OFFICIAL_STATUS_NL):
        assert all(type(code) is str for code in table)


def test_labels_have_names_severity_and_advice():
    assert v.SEVERITY_RANK == {"threat": 0, "doxxing": 1, "gender": 2, "identity": 3, "abuse": 4}
    for table in (v.LABEL_NL, v.LABEL_LONG_NL, v.OFFENCES_BY_LABEL):
        assert set(table) == set(v.LABELS)
    assert v.LABEL_NL["threat"] == "Bedreiging"
    assert set(contracts.LABELS) == set(v.LABELS)  # contracts keeps the model's output order, same labels


def test_roles():
    assert set(v.STAFF_ROLES) == set(v.STAFF_ROLE_NL) == {"beheerder", "triagist", "alleen-lezen", "netwerk"}
    assert set(v.ORGANISATION_ROLES) | {v.NETWORK_ROLE} == set(v.STAFF_ROLES)
    assert v.NETWORK_ROLE not in v.CASE_WRITE_ROLES + v.ADMIN_ROLES
    assert set(v.PLATFORM_ANSWERED) < set(v.PLATFORM_ANSWERS) == set(v.PLATFORM_ANSWER_NL)
    assert set(v.CASE_WRITE_ROLES) == {"beheerder", "triagist"}
    assert v.ADMIN_ROLES == ("beheerder",)
    assert all(v.has_public_task(role) for role in v.OFFICIAL_ROLES)
    assert v.has_public_task(" Wethouder ") and v.has_public_task("Dijkgraaf")
    assert not v.has_public_task("journalist")


@pytest.mark.parametrize(
    ("moment", "clock", "with_seconds"),
    [
        ("2026-01-15T12:00:05Z", "15-01-2026 13:00", "15-01-2026 13:00:05"),  # CET, UTC+1
        ("2026-07-01T22:30:00+00:00", "02-07-2026 00:30", "02-07-2026 00:30:00"),  # CEST, UTC+2: next day
        (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "25-10-2026 02:59", "25-10-2026 02:59:00"),  # last CEST minute
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "25-10-2026 02:00", "25-10-2026 02:00:00"),  # back to CET
    ],
)
def test_amsterdam_time(moment, clock, with_seconds):
    assert v.amsterdam_time(moment) == clock
    assert v.amsterdam_time(moment, seconds=True) == with_seconds


def test_amsterdam_and_utc_and_naive_times_refused():
    assert (
        v.amsterdam_and_utc("2026-11-20T21:14:05.123456Z")
        == "20-11-2026 22:14:05 (Amsterdam) · 2026-11-20 21:14:05 UTC"
    )
    with pytest.raises(ValueError, match="zonder tijdzone"):
        v.amsterdam_time(datetime(2026, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="zonder tijdzone"):
        v.amsterdam_time("2026-01-01T12:00:00")


def test_legal_advice_orders_by_severity_once_per_article():
    advice = v.legal_advice(["abuse", "unknown", "gender", "threat", "threat"])
    assert [o.article for o in advice.suggested] == ["285 Sr", "266/267 Sr"]
    assert [o.article for o in advice.self_assessed] == ["261/262 Sr", "131 Sr"]
    assert v.legal_advice([]).suggested == ()
    lines = advice.sentences()
    assert lines[0].startswith("Art. 285 Sr (bedreiging): ") and "verkrachting" in lines[0]
    assert lines[-1].startswith("Niet automatisch gesignaleerd, zelf beoordelen: Art. 261/262 Sr")


def test_identity_advice_names_the_group_articles_before_the_insult_of_the_person():
    """Identity-based hate (issue 17): 137c, 137d and 266/267 Sr; beside gendered hate or abuse 266/267 once."""
    for labels in (["identity"], ["abuse", "identity"]):
        assert [o.article for o in v.legal_advice(labels).suggested] == ["137c Sr", "137d Sr", "266/267 Sr"]
    # gendered hate ranks before identity-based hate, so its insult article comes first
    assert [o.article for o in v.legal_advice(["gender", "identity", "abuse"]).suggested] == [
        "266/267 Sr",
        "137c Sr",
        "137d Sr",
    ]
    assert [o.article for o in v.legal_advice(["identity", "threat"]).suggested] == [
        "285 Sr",
        "137c Sr",
        "137d Sr",
        "266/267 Sr",
    ]
    lines = v.legal_advice(["identity"]).sentences()
    assert lines[0].startswith("Art. 137c Sr (groepsbelediging): ") and "godsdienst" in lines[0]
    assert lines[1].startswith("Art. 137d Sr (aanzetten tot haat, discriminatie of geweld): ")
    assert "genderidentiteit" in lines[1]  # transphobic hate is identity-based hate
    assert v.LABEL_NL["identity"] == "Identiteitsgerichte haat"


@pytest.mark.parametrize("kind", ["threat", "doxxing", "abuse"])
def test_case_screen_and_police_report_give_the_same_advice(world, client_factory, db, kind):  # noqa: F811
    """The advice notes on the case page (web path) and in the bundle report (dossier path) are the same texts."""
    expected_articles = {
        "threat": ["285 Sr", "261/262 Sr", "131 Sr"],
        "doxxing": ["285d Sr", "261/262 Sr", "131 Sr"],
        "abuse": ["266/267 Sr", "261/262 Sr", "131 Sr"],
    }[kind]
    case_id = world.cases[kind]
    page = html.unescape(client_factory("triagist_a").get(f"/zaken/{case_id}").text)
    with db() as session:
        report = build_report(
            load_dossier(session, case_id),
            "t@example.org",
            "2026-01-01T00:00:00.000000Z",
            "a" * 64,
            "0",
            "https://schildwacht.test/.well-known/schildwacht-keys",
        )
    report_text = " ".join(report.advice)
    every = {o.article: o for group in (*v.OFFENCES_BY_LABEL.values(), v.SELF_ASSESSED) for o in group}
    for offence in every.values():
        on_page = offence.article in page and offence.note in page
        in_report = f"Art. {offence.article} ({offence.name.lower()}): {offence.note}" in report_text
        assert on_page == in_report == (offence.article in expected_articles), offence.article
