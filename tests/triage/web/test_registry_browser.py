"""The official's invitation in Chromium: a beheerder e-mails it from the registry page, it arrives in a real local
SMTP server, and the official opens the mailed link in their own browser and opts in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schildwacht.models import Consent, Official
from tests.support.mailsink import mail_sink
from tests.triage.web.browser_support import shot, sign_in
from tests.triage.web.webfixtures import served

pytestmark = pytest.mark.browser
ADDRESS = "nieuw.raadslid@voorbeeld.example"


def test_official_invitation_arrives_by_mail_and_opens(world, browser, db):
    with mail_sink() as sink:
        settings = world.settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": sink.port, "support_phone": "0800 123 45 67"}
        )
        with served(settings, db, log_level="warning") as base:
            admin = browser.person()
            sign_in(admin, base, "beheerder_a")
            admin.goto(f"{base}/ambtsdragers/nieuw")
            admin.fill("#full_name", "Sanne Nieuw")
            admin.fill("#role", "raadslid")
            admin.fill("#email", ADDRESS)
            admin.click("form[action='/ambtsdragers/nieuw'] button[type=submit]")
            admin.wait_for_selector("h1:has-text('Sanne Nieuw')")
            assert admin.get_by_text("Toestemming intrekken").count() == 0  # nothing to withdraw yet
            admin.click("button:has-text('Uitnodiging e-mailen')")
            admin.wait_for_selector(f"[role=status]:has-text('verstuurd naar {ADDRESS}')")
            assert "/mijn/" not in admin.content()  # staff never see the link
            message = admin.locator("#bericht-ambtsdrager").input_value()
            assert ADDRESS in message and "/mijn/" not in message  # the fallback message names the mail, not the link
            admin.click("button[data-copy]")
            admin.wait_for_selector("button[data-copy]:has-text('Gekopieerd')")
            shot(admin, "registry-01-uitnodiging-verstuurd.png")

            recipients, message = sink.wait_for(1)[0]
            assert recipients == [ADDRESS] and "Uitnodiging" in message["Subject"]
            token = sink.link(r"/mijn/([A-Za-z0-9_.\-]+)")

            official = browser.person(390, 844)  # the official, on a phone
            official.goto(f"{base}/mijn/{token}")
            assert "Bij acuut gevaar: bel 112." in official.inner_text("body")
            assert "0800 123 45 67" in official.inner_text("body") and "Uitloggen" not in official.content()
            shot(official, "registry-02-uitnodiging-telefoon.png")
            official.check("input[name=notice_read]")
            official.fill("#handles", "x: @sannenieuw")
            official.click("form[action$='/kiezen'] button[type=submit]")
            official.wait_for_selector("h1:has-text('Klopt dit?')")
            official.click("form[action$='/bevestigen'] button[type=submit]")
            official.wait_for_selector("h1:has-text('Mijn gegevens bij Schildwacht')")
            assert official.get_by_text("Toestemming intrekken (stoppen)").count() == 1
            shot(official, "registry-03-mijn-gegevens.png")
    with db() as s:
        new = s.scalars(select(Official).where(Official.email == ADDRESS)).one()
        assert new.status == "active" and new.handles == {"x": ["@sannenieuw"]}
        assert s.scalars(select(Consent).where(Consent.official_id == new.id)).one().recorded_by == f"official:{new.id}"
