"""From the alert e-mail to a verified police bundle in Chromium, counting every action a person takes.

Real components throughout: the post is captured from a local web site by Debian chromium, the alert mail goes
through a real SMTP server (aiosmtpd) and its link is read from there, the staff member works in Chromium against a
live uvicorn server, and the downloaded bundle is verified against the organisation's key."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, update

from schildwacht.models import Case, Mention, Organisation, OrganisationKey
from schildwacht.models.workflow import CaseStep
from tests.support.mailsink import mail_sink
from tests.triage.web import autostep_support
from tests.triage.web.autostep_support import COLLECTED, capture_settings
from tests.triage.web.browser_support import shot, sign_in
from tests.triage.web.triageweb_support import CHROMIUM, DEMO_PASSWORD, ORG_A, USERS, require
from triage.alerts import dispatch_pending, enqueue_case_alert
from triage.bundle.capture import capture_mention
from triage.bundle.verify import verify_bundle

site = autostep_support.site  # the local web site fixture

pytestmark = pytest.mark.browser
MAX_ACTIONS = 12


class Walk:
    """The person's hands: every click, key press and filled field goes through here and is counted once."""

    def __init__(self, page) -> None:
        self.page = page
        self.actions: list[str] = []

    def open_link(self, url: str) -> None:  # clicking the link in the mail
        self.actions.append(f"klik link {url}")
        self.page.goto(url)

    def fill(self, selector: str, value: str) -> None:
        self.actions.append(f"invullen {selector}")
        self.page.fill(selector, value)

    def press(self, key: str) -> None:
        self.actions.append(f"toets {key}")
        self.page.keyboard.press(key)


def focused(page) -> dict:
    """Which field or button has the cursor: its step (li[data-step]), name and test id (waits until one has it)."""
    page.wait_for_function("() => document.activeElement && document.activeElement !== document.body")
    return page.evaluate(
        """() => { const e = document.activeElement; const li = e.closest('li[data-step]');
        return {step: li ? li.dataset.step : null, name: e.name || null, testid: e.dataset.testid || null,
                tag: e.tagName, text: e.textContent.trim()}; }"""
    )


def test_alert_mail_to_verified_bundle_in_at_most_twelve_actions(world, live_server, browser, db, site, tmp_path):
    require(CHROMIUM is not None, "chromium")
    base, cid, mid = live_server, world.cases["threat"], world.mentions["threat"]
    # What Schildwacht does on its own: collect (hash of the collected bytes), capture on flag, send the alert.
    with db() as s, s.begin():
        s.execute(update(Organisation).where(Organisation.id == ORG_A).values(contact_email="griffie@a.example"))
        mention = s.get(Mention, mid)
        mention.url = f"{site}/@boos/110"
        mention.raw_meta = {"sha256": hashlib.sha256(COLLECTED).hexdigest(), "size": len(COLLECTED)}
        assert capture_mention(s, capture_settings(world), mention).status == "ok"
        enqueue_case_alert(s, s.get(Case, cid))
    with mail_sink() as sink:
        settings = world.settings.model_copy(update={"smtp_port": sink.port, "public_base_url": base})
        assert dispatch_pending(db, settings) == 1
        (recipients, _mail) = sink.wait_for(1)[0]
        link = sink.link(r"(http://127\.0\.0\.1:\d+/zaken/\d+\?via=alarm)")
    assert recipients == ["griffie@a.example"] and link == f"{base}/zaken/{cid}?via=alarm"

    page = browser.person()
    walk = Walk(page)
    walk.open_link(link)
    page.wait_for_url(f"{base}/inloggen")
    walk.fill("input[name=email]", USERS["triagist_a"])
    walk.fill("input[name=wachtwoord]", DEMO_PASSWORD)
    walk.press("Enter")
    page.wait_for_url(f"{base}/zaken/{cid}")  # back at the case, claimed on opening from the alert
    assert page.get_by_test_id("claimed-by").inner_text() == "Joris Kokkelink"
    automatic = page.locator("li[data-step] [data-testid=step-automatic]")
    assert automatic.count() == 2
    assert "Schildwacht (bewijsvastlegging)" in page.locator("li[data-step=bewijs_vastgelegd]").inner_text()
    assert "griffie@a.example" in page.locator("li[data-step=intern_gemeld]").inner_text()
    shot(page, "alert-walk-01-zaak-geopend.png")

    assert focused(page)["step"] == "gemeld_bij_platform"  # the cursor waits on the first open step
    assert page.get_by_test_id("permalink").get_attribute("href") == f"{site}/@boos/110"
    walk.fill(":focus", "DSA-2026-00017")
    walk.press("Enter")
    page.wait_for_selector("li[data-step=gemeld_bij_platform].done")
    assert focused(page)["step"] == "nazorg"  # pre-filled with the official's contact route
    assert "m.zoetelief@voorbeeld.example" in page.input_value("li[data-step=nazorg] input[name=notitie]")
    walk.press("Enter")
    page.wait_for_selector("li[data-step=nazorg].done")
    cursor = focused(page)
    assert (cursor["step"], cursor["name"]) == ("melding_aangifte", "referentie")
    assert page.get_by_test_id("vpt-prefill").is_visible()  # VPT pre-filled: only the registration number asked
    walk.fill(":focus", "PL0900-2026-4711")
    walk.press("Enter")
    page.wait_for_selector("li[data-step=melding_aangifte].done")
    shot(page, "alert-walk-02-stappen.png")
    assert focused(page)["testid"] == "finish"
    walk.press("Enter")
    page.wait_for_selector("[data-testid=bundle-offer]")
    shot(page, "alert-walk-03-afgerond.png")
    with page.expect_download() as info:
        walk.press("Enter")  # the offered bundle has the cursor
    bundle = tmp_path / "bundel.zip"
    info.value.save_as(bundle)

    with db() as s:
        fingerprint = s.scalars(
            select(OrganisationKey.fingerprint).where(OrganisationKey.organisation_id == ORG_A)
        ).one()
        case = s.get(Case, cid)
        steps = {row.step: row for row in s.scalars(select(CaseStep).where(CaseStep.case_id == cid))}
    result = verify_bundle(bundle, expected_fingerprint=fingerprint)
    assert result.ok and result.signer_verified, result.problem
    assert case.status == "afgerond" and case.claimed_by_id == world.users["triagist_a"]
    assert {k for k, row in steps.items() if row.automatic} == {"bewijs_vastgelegd", "intern_gemeld"}
    assert {k for k, row in steps.items() if not row.automatic} == {"gemeld_bij_platform", "nazorg", "melding_aangifte"}
    assert steps["melding_aangifte"].vpt_code == "VPT" and steps["melding_aangifte"].reference == "PL0900-2026-4711"
    print(f"\nacties van alarmmail tot geverifieerde bewijsbundel: {len(walk.actions)}")
    for action in walk.actions:
        print(f"  - {action}")
    assert len(walk.actions) <= MAX_ACTIONS, walk.actions


def test_one_key_per_step_and_enter_saves(world, live_server, browser, db):
    """On a plain visit the cursor stays free for the shortcuts: a digit goes to its step, Enter saves it."""
    require(CHROMIUM is not None, "chromium")
    base, cid = live_server, world.cases["doxxing"]
    page = browser.person()
    sign_in(page, base, "triagist_a")
    page.goto(f"{base}/zaken/{cid}")
    page.keyboard.press("c")  # claim
    page.wait_for_selector("[data-testid=claimed-by]:has-text('Joris Kokkelink')")
    page.keyboard.press("6")
    assert focused(page)["step"] == "gir_geregistreerd"
    page.keyboard.type("GIR-2026-12")
    page.keyboard.press("Enter")
    page.wait_for_selector("li[data-step=gir_geregistreerd].done")
    page.keyboard.press("Escape")  # leave the field the page put the cursor in, back to the shortcuts
    page.keyboard.press("1")
    assert focused(page)["step"] == "bewijs_vastgelegd"
    page.keyboard.press("Enter")
    page.wait_for_selector("li[data-step=bewijs_vastgelegd].done")
    with db() as s:
        steps = {row.step: row for row in s.scalars(select(CaseStep).where(CaseStep.case_id == cid))}
    assert set(steps) == {"gir_geregistreerd", "bewijs_vastgelegd"}
    assert steps["gir_geregistreerd"].reference == "GIR-2026-12" and not steps["bewijs_vastgelegd"].automatic
