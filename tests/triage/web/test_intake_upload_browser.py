"""Intake in Chromium: a triagist adds a screenshot with "Melding toevoegen" (it waits for the intake stage), and a
case whose post was handed over shows how it came in, with the OCR warning for an uncertain reading.

The stored receipt's confidence is Tesseract's own reading of a degraded rendering (not a made-up number); the
whole path from upload to case is tested in tests/schildwacht/app/test_intake_upload.py."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from collectors.intake.images import image_piece
from schildwacht.models import IntakeUpload, Mention
from schildwacht.vocabulary import LOW_OCR_CONFIDENCE
from tests.collectors.intake.messages import TESSERACT, degraded, screenshot
from tests.support.components import require
from tests.triage.web.browser_support import shot, sign_in
from tests.triage.web.triageweb_support import USERS

pytestmark = pytest.mark.browser
LINES = ["Zoetelief, ik weet waar je woont.", "Ik steek je huis in brand."]


def test_upload_page_and_the_intake_receipt_on_the_case_page(world, live_server, browser, db):
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    png = degraded(screenshot(LINES))
    reading = image_piece(png, "wazig.png", datetime.now(UTC))
    assert reading.ocr_confidence is not None and reading.ocr_confidence < LOW_OCR_CONFIDENCE
    with db() as s, s.begin():  # the threat case's post as the intake stage would have stored it
        post = s.get(Mention, world.mentions["threat"])
        assert post is not None
        post.raw_meta = {
            "sha256": hashlib.sha256(png).hexdigest(),
            "content_type": "image/png",
            "size": len(png),
            "intake": {
                "channel": "upload",
                "handed_over_by": USERS["beheerder_a"],
                "file_name": "wazig.png",
                "file_sha256": hashlib.sha256(png).hexdigest(),
                "ocr_confidence": reading.ocr_confidence,
            },
        }
    page, base = browser.person(), live_server
    sign_in(page, base, "triagist_a")

    page.click("nav a:has-text('Melding toevoegen')")
    page.select_option("#intake-official", "off-zoetelief")
    page.set_input_files(
        "#intake-file", files=[{"name": "dm-instagram.png", "mimeType": "image/png", "buffer": screenshot(LINES)}]
    )
    page.fill("#intake-note", "Doorgestuurd door de wethouder")
    page.click("[data-testid=intake-upload-form] button[type=submit]")
    page.wait_for_selector(".flash:has-text('dm-instagram.png')")
    assert "wacht op verwerking" in page.get_by_test_id("intake-uploads").inner_text()
    shot(page, "intake-01-melding-toevoegen.png")
    with db() as s:
        assert s.scalars(select(IntakeUpload.filename)).all() == ["dm-instagram.png"]

    page.goto(f"{base}/zaken/{world.cases['threat']}")
    receipt = page.get_by_test_id("intake-receipt").inner_text()
    assert "Ontvangen via upload in Schildwacht" in receipt and USERS["beheerder_a"] in receipt
    assert f"OCR-zekerheid {reading.ocr_confidence:.0f}%" in receipt
    warning = page.get_by_test_id("ocr-warning").inner_text()
    assert warning == f"OCR-lezing onzeker ({reading.ocr_confidence:.0f}%): controleer de tekst tegen de afbeelding"
    page.get_by_test_id("intake-receipt").scroll_into_view_if_needed()
    shot(page, "intake-02-zaak-ontvangen-via-intake.png")
