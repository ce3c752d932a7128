"""Evidence in Chromium: a triagist uploads a screenshot on the case page; it appears with its hash, and the bundle
downloaded with the page's own button carries it and verifies against the organisation's key."""

from __future__ import annotations

import hashlib
import zipfile

import pytest
from sqlalchemy import select

from schildwacht.models import OrganisationKey
from tests.triage.web.browser_support import shot, sign_in
from tests.triage.web.triageweb_support import ORG_A
from triage.bundle.verify import verify_bundle

pytestmark = pytest.mark.browser
UPLOAD = b"\x89PNG\r\n\x1a\n" + b"schermafbeelding doorgestuurd door de wethouder" * 50


def test_upload_appears_in_the_exported_bundle_and_verifies(world, live_server, browser, db, tmp_path):
    page, base = browser.person(), live_server
    cid = world.cases["threat"]
    sign_in(page, base, "triagist_a")
    page.goto(f"{base}/zaken/{cid}")
    evidence = page.get_by_test_id("evidence")
    assert "nog niet vastgelegd" in evidence.inner_text()
    page.set_input_files(
        "form.upload-form input[name=bestand]",
        files=[{"name": "bedreiging-scherm.png", "mimeType": "image/png", "buffer": UPLOAD}],
    )
    page.fill("form.upload-form input[name=omschrijving]", "Doorgestuurd door de wethouder")
    page.click("form.upload-form button[type=submit]")
    page.wait_for_selector(".flash:has-text('Bijlage')")
    digest = hashlib.sha256(UPLOAD).hexdigest()
    assert digest in page.get_by_test_id("evidence").inner_text()
    page.get_by_test_id("evidence").scroll_into_view_if_needed()
    shot(page, "evidence-01-bijlage.png")

    page.click("form.claim-form button")
    page.wait_for_selector("[data-testid=claimed-by]:has-text('Joris Kokkelink')")
    with page.expect_download() as info:
        page.click("form[action$='/bewijsbundel'] button")
    bundle = tmp_path / "bundel.zip"
    info.value.save_as(bundle)
    with zipfile.ZipFile(bundle) as archive:
        names = [n for n in archive.namelist() if n.startswith("bijlagen/")]
        assert names == ["bijlagen/01-bedreiging-scherm.png"] and archive.read(names[0]) == UPLOAD
        report = archive.read("rapport.html")
    with db() as s:
        query = select(OrganisationKey.fingerprint).where(OrganisationKey.organisation_id == ORG_A)
        fingerprint = s.scalars(query).one()
    result = verify_bundle(bundle, expected_fingerprint=fingerprint)
    assert result.ok and result.signer_verified, result.problem

    (tmp_path / "rapport.html").write_bytes(report)  # the report as the police open it
    page.goto((tmp_path / "rapport.html").as_uri())
    assert "Bijlagen (1)" in page.inner_text("body")
    page.locator("h2:has-text('Bijlagen')").scroll_into_view_if_needed()
    shot(page, "evidence-02-rapport.png")
