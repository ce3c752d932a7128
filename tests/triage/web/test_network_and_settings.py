"""The organisation's settings page (sharing, monthly report mail; beheerder only, audited) and the network role's
page /landelijk: the suppressed aggregate of the sharing organisations, hand-counted from statistics_data.py plus
five cases added here, and nothing else (every other route is refused in tests/triage/web/test_security.py)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, update

from schildwacht.app.seed import seed
from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Organisation
from tests.triage.statistics.statistics_data import SECRET_TEXT, _case, build, local
from tests.triage.web.browser_support import sign_in
from tests.triage.web.triageweb_support import ORG_A, ORG_B, Client, csrf_of, login
from tests.triage.web.webfixtures import served
from triage.web import accounts
from triage.web.app import create_app

SHOTS = __import__("pathlib").Path("/tmp/shots")
NETWORK_ORG, NETWORK_EMAIL = "ost-netwerk", "analist@ost.example"
NETWORK_PASSWORD = "Netwerk-analist-wachtwoord-2026!"
NOVEMBER = "periode=maand&van=2026-11-01"


@pytest.fixture
def net_app(db, pg, tmp_path):
    settings = Settings(database_url=pg.url, secret_key="net-web-secret-" + "n" * 20, data_dir=tmp_path, _env_file=None)
    with session_scope(db) as s:
        seed(s)
        made = build(s, org_a=ORG_A, org_b=ORG_B, org_c="gm-leeg")
        s.add(Organisation(id=NETWORK_ORG, name="Ondersteuningsteam Weerbaar Bestuur", kind="netwerk"))
        s.flush()
        accounts.create_user(
            s,
            email=NETWORK_EMAIL,
            name="Analist OWB",
            organisation_id=NETWORK_ORG,
            role="netwerk",
            password=NETWORK_PASSWORD,
            actor="test",
        )
    return settings, create_app(settings, db), made


def network_login(app) -> Client:
    client = Client(app, base_url="http://testserver")
    client.csrf = csrf_of(client.get("/inloggen").text)
    r = client.post(
        "/inloggen",
        data={"csrf_token": client.csrf, "email": NETWORK_EMAIL, "wachtwoord": NETWORK_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/landelijk"
    client.csrf = csrf_of(client.get("/landelijk").text)
    return client


def settings_events(db, org):
    with session_scope(db) as s:
        return [
            e.details
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.organisation_id == org, AuditEvent.action == "organisation.settings"
                )
            )
        ]


def organisation(db, org):
    with session_scope(db) as s:
        o = s.get(Organisation, org)
        return o.shares_statistics, o.report_mail_enabled, dict(o.report_recipients)


def test_settings_page_is_for_the_beheerder_and_audited(net_app, db):
    _, app, _ = net_app
    triagist = login(app, "triagist_a")
    assert triagist.get("/beheer/instellingen").status_code == 403
    assert triagist.form("/beheer/instellingen", {"delen": "aan"}).status_code == 403
    admin = login(app, "beheerder_a")
    page = admin.get("/beheer/instellingen")
    assert page.status_code == 200 and "Landelijk beeld" in page.text and "Maandrapport per e-mail" in page.text
    assert organisation(db, ORG_A) == (False, False, {})  # default: nothing shared, no mail
    saved = admin.form(
        "/beheer/instellingen",
        {"delen": "aan", "maandrapport": "aan", "burgemeester": " Burgemeester@Voorbeeld.EXAMPLE ", "griffier": ""},
    )
    assert saved.status_code == 303
    expected = (True, True, {"burgemeester": "Burgemeester@voorbeeld.example"})
    assert organisation(db, ORG_A) == expected
    assert settings_events(db, ORG_A) == [
        {
            "before": {"shares_statistics": False, "report_mail_enabled": False, "report_recipients": {}},
            "after": {
                "shares_statistics": True,
                "report_mail_enabled": True,
                "report_recipients": {"burgemeester": "Burgemeester@voorbeeld.example"},
            },
        }
    ]
    # a comma list (a header could be smuggled) and mail without any address are refused; nothing changes
    bad = admin.form("/beheer/instellingen", {"maandrapport": "aan", "griffier": "a@b.example, c@d.example"})
    assert bad.status_code == 422 and "Griffier" in bad.text and "a@b.example, c@d.example" in bad.text
    empty = admin.form("/beheer/instellingen", {"maandrapport": "aan"})
    assert empty.status_code == 422 and "minstens één e-mailadres" in empty.text
    assert organisation(db, ORG_A) == expected and len(settings_events(db, ORG_A)) == 1
    assert organisation(db, ORG_B) == (False, False, {})  # another organisation is never touched


def test_the_network_role_exists_only_in_a_network_organisation(net_app, db):
    with session_scope(db) as s:
        with pytest.raises(accounts.AccountError):
            accounts.create_user(
                s,
                email="x@voorbeeld.example",
                name="X",
                organisation_id=ORG_A,
                role="netwerk",
                password="p" * 20,
                actor="test",
            )
        with pytest.raises(accounts.AccountError):
            accounts.create_user(
                s,
                email="y@ost.example",
                name="Y",
                organisation_id=NETWORK_ORG,
                role="beheerder",
                password="p" * 20,
                actor="test",
            )
    _, app, _ = net_app
    page = login(app, "beheerder_a").get("/beheer/medewerkers")
    assert 'value="netwerk"' not in page.text  # a gemeente's beheerder is never offered the role


def test_network_role_sees_only_the_suppressed_aggregate(net_app, db):
    _, app, _ = net_app
    network = network_login(app)
    refused = network.get(f"/landelijk?{NOVEMBER}")
    assert refused.status_code == 200 and 'data-testid="aggregate-refused"' in refused.text  # nobody shares yet
    assert network.get(f"/landelijk.csv?{NOVEMBER}").status_code == 422
    # A's beheerder agrees on the settings page; B and gm-leeg through theirs (set directly here)
    assert login(app, "beheerder_a").form("/beheer/instellingen", {"delen": "aan"}).status_code == 303
    with session_scope(db) as s:
        s.execute(update(Organisation).where(Organisation.id.in_([ORG_B, "gm-leeg"])).values(shares_statistics=True))
        for day in range(11, 16):  # five threat cases against gm-leeg's raadslid (v) on mastodon
            _case(s, "gm-leeg", "st-c1", ["threat"], f"mastodon:@l{day}@x.example", local(day, 10), [local(day, 9)])
    page = network.get(f"/landelijk?{NOVEMBER}")
    assert page.status_code == 200
    html = page.text
    # November: A c1 threat, c2 threat+abuse, c3 abuse, c4 doxxing; B b1 threat; gm-leeg five threats.
    assert 'data-testid="cases">10<' in html and 'data-testid="organisations">3<' in html
    # one chart (soort): functie, gender and platform have their only large cell as x (secondary suppression, see
    # below), and the workflow has no step done by 5 or more cases (c1, c2: 2 with evidence)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1 and html.count('data-testid="no-chart"') == 4
    assert '<th scope="row">Bedreiging</th><td>8</td>' in html
    assert '<th scope="row">Doxing</th><td>&lt;5</td>' in html
    assert '<th scope="row">mastodon</th><td>x</td>' in html and 'data-testid="suppression-legend"' in html
    for secret in (SECRET_TEXT, "@een@x.example", "Naam st-v", ORG_A, ORG_B, "gm-leeg", "Wachtrij"):
        assert secret not in html, secret
    export = network.get(f"/landelijk.csv?{NOVEMBER}")
    assert export.status_code == 200
    rows = {tuple(r) for r in csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";")}
    assert (
        {
            ("totaal", "zaken", "10"),
            ("soort", "Bedreiging", "8"),  # c1, c2, b1 + 5; labels cover the total, abuse + doxxing >= 2 fixes neither
            ("soort", "Belediging / haat", "<5"),  # c2, c3
            ("soort", "Doxing", "<5"),  # c4
            ("platform", "mastodon", "x"),  # 9 would give bluesky = 10 - 9 = 1
            ("platform", "bluesky", "<5"),  # c3
            ("functie", "raadslid", "x"),  # 6 (c3 + 5) would give wethouder + burgemeester = 4, a small count
            ("functie", "wethouder", "<5"),  # c1, c2, b1
            ("functie", "burgemeester", "<5"),  # c4
            ("gender", "vrouw", "x"),  # 8 (c1, c2, b1 + 5) would give man = niet opgegeven = 1
            ("gender", "man", "<5"),  # c3
            ("gender", "niet opgegeven", "<5"),  # c4
        }
        <= {r[:3] for r in rows}
    )
    assert not any(c.isdigit() and 0 < int(c) < 5 for r in rows for c in r)
    assert network.get(f"/landelijk.json?{NOVEMBER}").json()["bedreigingszaken_met_aangifte"] == "<5"  # c1, b1
    with session_scope(db) as s:
        logged = s.scalars(select(AuditEvent.action).where(AuditEvent.actor == NETWORK_EMAIL)).all()
    assert [a for a in logged if a.startswith("statistics.")] == [
        "statistics.aggregate_view",
        "statistics.aggregate_view",
        "statistics.aggregate_view",
        "statistics.aggregate_export",
        "statistics.aggregate_export",
    ]
    # December holds A's c5 only: a total under 5, so no breakdown at all, each table says why
    december = network.get("/landelijk?periode=maand&van=2026-12-01").text
    assert 'data-testid="cases">&lt;5<' in december and december.count('data-testid="withheld"') == 5
    assert "<svg" not in december and "(– van –)" in december
    # only calendar periods: November minus its last day would show 30 November's case (c4) by difference
    assert network.get("/landelijk.csv?periode=aangepast&van=2026-11-01&tot=2026-11-29").status_code == 422
    # the staff roles have their own statistics, not the network page
    assert login(app, "triagist_a").get(f"/landelijk?{NOVEMBER}").status_code == 403
    assert network.get(f"/statistieken?{NOVEMBER}").status_code == 403
    assert network.get("/", follow_redirects=False).headers["location"] == "/landelijk"


def test_browser_screenshots_of_settings_and_network_pages(net_app, db, browser):
    settings, _, _ = net_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    with session_scope(db) as s:
        s.execute(update(Organisation).where(Organisation.id.in_([ORG_B, "gm-leeg"])).values(shares_statistics=True))
        for day in range(11, 16):
            _case(s, "gm-leeg", "st-c1", ["threat"], f"mastodon:@l{day}@x.example", local(day, 10), [local(day, 9)])
    with served(settings, db, log_level="warning") as base:
        violations: list[str] = []
        admin = browser.person()
        admin.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        sign_in(admin, base, "beheerder_a")
        admin.goto(base + "/beheer/instellingen")
        admin.check("input[name=delen]")
        admin.check("input[name=maandrapport]")
        admin.fill("input[name=burgemeester]", "burgemeester@voorbeeld.example")
        admin.fill("input[name=veiligheidscoordinator]", "veiligheid@voorbeeld.example")
        admin.click("form.settings-form button[type=submit]")
        admin.wait_for_url(base + "/beheer/instellingen")
        assert "Instellingen opgeslagen." in admin.content()
        admin.screenshot(path=str(SHOTS / "instellingen.png"), full_page=True)
        network = browser.person()
        network.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        network.goto(base + "/inloggen")
        network.fill("input[name=email]", NETWORK_EMAIL)
        network.fill("input[name=wachtwoord]", NETWORK_PASSWORD)
        network.click("form[action='/inloggen'] button[type=submit]")
        network.wait_for_url(base + "/landelijk")
        network.goto(f"{base}/landelijk?{NOVEMBER}")
        figures = network.locator("figure.grafiek")
        assert figures.count() == 5 and network.locator("figure.grafiek svg").count() == 1
        assert figures.first.locator("svg").bounding_box()["height"] > 50
        network.locator("#grafiek-landelijk_soort summary").click()
        network.screenshot(path=str(SHOTS / "landelijk.png"), full_page=True)
        network.goto(f"{base}/landelijk?periode=maand&van=2026-12-01")  # a total under 5: every breakdown withheld
        assert network.get_by_test_id("withheld").count() == 5
        network.screenshot(path=str(SHOTS / "landelijk-onder-5.png"), full_page=True)
        assert network.locator("nav a").all_inner_texts() == ["Landelijk totaal"]
        assert violations == []
    assert organisation(db, ORG_A) == (
        True,
        True,
        {"burgemeester": "burgemeester@voorbeeld.example", "veiligheidscoordinator": "veiligheid@voorbeeld.example"},
    )
