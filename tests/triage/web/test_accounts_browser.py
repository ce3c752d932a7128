"""Accounts in Chromium: a user changes their password; a beheerder blocks a colleague, whose open browser is
logged out at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schildwacht.models import StaffUser
from tests.triage.web.browser_support import shot, sign_in
from tests.triage.web.triageweb_support import DEMO_PASSWORD, USERS

pytestmark = pytest.mark.browser
NEW_PASSWORD = "paarse olifant danst op dinsdag"


def test_password_change_in_the_browser(world, live_server, browser):
    page, base = browser.person(), live_server
    sign_in(page, base, "triagist_a")
    page.click("header .who a[href='/account']")
    page.wait_for_url(f"{base}/account")
    page.fill("input[name=huidig]", DEMO_PASSWORD)
    page.fill("input[name=nieuw]", NEW_PASSWORD)
    page.fill("input[name=herhaal]", NEW_PASSWORD)
    page.click("form[action='/account/wachtwoord'] button[type=submit]")
    page.wait_for_selector(".flash:has-text('Uw wachtwoord is gewijzigd')")
    shot(page, "accounts-01-wachtwoord-gewijzigd.png")

    other = browser.person()
    other.goto(f"{base}/inloggen")
    other.fill("input[name=email]", USERS["triagist_a"])
    other.fill("input[name=wachtwoord]", DEMO_PASSWORD)
    other.click("form[action='/inloggen'] button[type=submit]")
    other.wait_for_selector("[role=alert]:has-text('Onjuist e-mailadres of wachtwoord')")  # the old one is gone
    sign_in(other, base, "triagist_a", NEW_PASSWORD)
    assert other.locator("header .who").inner_text().startswith("Joris Kokkelink")


def test_beheerder_blocks_a_colleague(world, live_server, browser, db):
    base = live_server
    colleague = browser.person()
    sign_in(colleague, base, "triagist_a")
    admin = browser.person()
    sign_in(admin, base, "beheerder_a")
    admin.click("header nav a[href='/beheer/medewerkers']")
    admin.wait_for_url(f"{base}/beheer/medewerkers")
    row = admin.locator(f"tr[data-staff-id='{world.users['triagist_a']}']")
    assert row.get_by_test_id("staff-status").inner_text() == "actief"
    shot(admin, "accounts-02-medewerkers.png")
    button = row.get_by_role("button", name="Blokkeren")
    assert "blokkeren" in button.get_attribute("data-confirm")  # the page asks before it blocks ...
    admin.evaluate("() => { window.confirm = () => true; }")  # ... and the beheerder says yes
    button.click()
    admin.wait_for_selector(".flash:has-text('geblokkeerd')")
    row = admin.locator(f"tr[data-staff-id='{world.users['triagist_a']}']")
    assert row.get_by_test_id("staff-status").inner_text() == "geblokkeerd"
    shot(admin, "accounts-03-geblokkeerd.png")

    colleague.reload()
    colleague.wait_for_url(f"{base}/inloggen")  # the open session ended with the block
    with db() as s:
        assert s.scalars(select(StaffUser.active).where(StaffUser.email == USERS["triagist_a"])).one() is False
