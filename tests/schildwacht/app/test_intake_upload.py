"""The "Melding toevoegen" page end to end: a triagist uploads rendered Dutch DM screenshots in the web app; the
collectors' `uploads` spider reads them with real Tesseract and publishes to the real broker; the classify and
ingest workers make a flagged case whose screen shows how each came in (upload, by whom, OCR confidence, the
warning for the degraded one), whose custody chain has 'received_via_intake', and whose bundle holds the original
images and verifies with `schildwacht bundle verify`."""

from __future__ import annotations

import hashlib
import json
import time
import zipfile

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from collectors.crawl import crawl
from collectors.intake.whatsapp import whatsapp_pieces
from schildwacht.app.cli import app as cli_app
from schildwacht.app.intake_cli import uploads_taken_in
from schildwacht.app.pipeline import runtime, start_workers, wait_until_processed
from schildwacht.app.seed import seed
from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, CustodyEvent, IntakeUpload, Mention, Official, OrganisationKey
from schildwacht.vocabulary import LOW_OCR_CONFIDENCE
from tests.collectors.intake.messages import TESSERACT, WHATSAPP_ANDROID, degraded, screenshot
from tests.support.components import require
from tests.triage.web.triageweb_support import USERS, login
from triage.bundle import layout
from triage.bundle.export import export_bundle
from triage.web.app import create_app

pytestmark = pytest.mark.integration

THREAT_LINES = ["Wethouder Zoetelief, ik weet waar je woont.", "Ik ga je vermoorden."]


def test_uploaded_screenshots_become_a_flagged_case_with_intake_custody_and_a_verifying_bundle(stack, db, tmp_path):
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    with session_scope(db) as session:
        seed(session)
    settings = stack.settings.model_copy(update={"secret_key": "test-secret-" + "u" * 24})
    clean = screenshot(THREAT_LINES)
    blurred = degraded(clean)
    uploader = USERS["triagist_a"]
    client = login(create_app(settings, db), "triagist_a")
    for name, data in (("dm.png", clean), ("dm-wazig.png", blurred)):
        answer = client.post(
            "/meldingen/toevoegen",
            data={"csrf_token": client.csrf, "ambtsdrager": "off-zoetelief", "toelichting": "via Instagram-DM"},
            files={"bestand": (name, data, "image/png")},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
    assert "wacht op verwerking" in client.get("/meldingen/toevoegen").text

    with runtime(settings, seed_demo=False) as rt:
        workers = start_workers(rt)
        try:
            stats = crawl("uploads", rt.settings)
            uids = list(stats.get("schildwacht/published_uids", []))
            wait_until_processed(rt.sessions, uids, timeout=600)
        finally:
            workers.join()

    expected = {f"screenshot:{hashlib.sha256(png).hexdigest()}" for png in (clean, blurred)}
    assert set(uids) == expected
    with session_scope(db) as session:
        mentions = {m.uid: m for m in session.scalars(select(Mention).where(Mention.uid.in_(expected)))}
        shot = mentions[f"screenshot:{hashlib.sha256(clean).hexdigest()}"]
        fuzzy = mentions[f"screenshot:{hashlib.sha256(blurred).hexdigest()}"]
        assert shot.flagged and shot.case_id is not None and "vermoorden" in (shot.text or "")
        receipt = (shot.raw_meta or {})["intake"]
        assert (receipt["channel"], receipt["handed_over_by"], receipt["file_name"]) == ("upload", uploader, "dm.png")
        assert receipt["file_sha256"] == hashlib.sha256(clean).hexdigest()
        assert receipt["ocr_confidence"] >= LOW_OCR_CONFIDENCE > fuzzy.raw_meta["intake"]["ocr_confidence"]
        case_id = shot.case_id
        assert fuzzy.flagged and fuzzy.case_id == case_id  # same unknown screenshot author, same official
        events = list(
            session.scalars(select(CustodyEvent).where(CustodyEvent.case_id == case_id).order_by(CustodyEvent.seq))
        )
        received = [e for e in events if e.kind == "received_via_intake"]
        assert {e.details["mention_uid"] for e in received} == expected
        assert {(e.actor, e.details["channel"], e.details["format"]) for e in received} == {
            (uploader, "upload", "screenshot")
        }
        uploads = session.scalars(select(IntakeUpload).order_by(IntakeUpload.id)).all()
        assert [(u.filename, u.data, u.result) for u in uploads] == [
            ("dm.png", None, "1 bericht doorgestuurd, 0 geparkeerd"),
            ("dm-wazig.png", None, "1 bericht doorgestuurd, 0 geparkeerd"),
        ]
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "intake.upload").limit(1)) is not None
        bundle = export_bundle(session, case_id, USERS["beheerder_a"], tmp_path / "zaak.zip", settings)
        session.commit()
        fingerprint = session.scalars(
            select(OrganisationKey.fingerprint).where(OrganisationKey.organisation_id == shot.organisation_id)
        ).one()

    page = client.get(f"/zaken/{case_id}").text
    assert page.count('data-testid="intake-receipt"') == 2
    assert "Ontvangen via upload in Schildwacht" in page and uploader in page
    assert page.count('data-testid="ocr-warning"') == 1
    assert "OCR-lezing onzeker (" in page and "controleer de tekst tegen de afbeelding" in page
    assert "wacht op verwerking" not in client.get("/meldingen/toevoegen").text

    verified = CliRunner().invoke(cli_app, ["bundle", "verify", str(bundle), "--vingerafdruk", fingerprint])
    assert verified.exit_code == 0, verified.output
    with zipfile.ZipFile(bundle) as zf:
        contents = [zf.read(name) for name in zf.namelist()]
        custody = [json.loads(line) for line in zf.read(layout.CUSTODY).decode().splitlines()]
    assert clean in contents and blurred in contents, "the original screenshots are in the bundle, byte for byte"
    assert sum(e["kind"] == "received_via_intake" for e in custody) == 2


def test_the_demo_takes_in_uploads_in_the_background(stack, db):
    """`schildwacht demo` runs `uploads_taken_in` beside the web UI: an upload is read without anyone collecting."""
    with session_scope(db) as session:
        seed(session)
    export = WHATSAPP_ANDROID.encode()
    messages = len(whatsapp_pieces(export, "WhatsApp Chat.txt"))
    with session_scope(db) as session:
        session.add(
            IntakeUpload(
                organisation_id="gm-voorbeeld",
                official_id="off-zoetelief",
                filename="WhatsApp Chat.txt",
                content_type="text/plain",
                size=len(export),
                sha256=hashlib.sha256(export).hexdigest(),
                data=export,
                uploaded_by=USERS["triagist_a"],
            )
        )
    deadline = time.monotonic() + 300
    with uploads_taken_in(stack.settings, every=0.5):
        while True:
            with db() as session:
                row = session.scalars(select(IntakeUpload)).one()
            if row.processed_at is not None or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert row.processed_at is not None, "not taken in within 300 s"
    assert row.data is None and row.result == f"{messages} berichten doorgestuurd, 0 geparkeerd"


def test_an_upload_for_an_official_who_withdrew_before_it_was_read_keeps_nothing(stack, db):
    with session_scope(db) as session:
        seed(session)
        session.add(
            IntakeUpload(
                organisation_id="gm-voorbeeld",
                official_id="off-zoetelief",
                filename="WhatsApp Chat.txt",
                content_type="text/plain",
                size=len(WHATSAPP_ANDROID),
                sha256=hashlib.sha256(WHATSAPP_ANDROID.encode()).hexdigest(),
                data=WHATSAPP_ANDROID.encode(),
                uploaded_by=USERS["triagist_a"],
            )
        )
    with session_scope(db) as session:  # consent withdrawn after the upload, before the next collection round
        official = session.get(Official, "off-zoetelief")
        assert official is not None
        official.status = "withdrawn"

    stats = crawl("uploads", stack.settings)

    assert stats.get("schildwacht/published_uids", []) == [] and len(stats.get("schildwacht/parked_uids", [])) == 1
    with db() as session:
        row = session.scalars(select(IntakeUpload)).one()
    assert row.data is None and row.result == "0 berichten doorgestuurd, 1 geparkeerd"
