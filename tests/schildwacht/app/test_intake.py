"""`schildwacht intake` end to end: a rendered DM screenshot, read by real Tesseract, becomes a flagged case whose
evidence bundle holds the original image and verifies; a forwarded e-mail beside it; bad files parked."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from schildwacht.app.cli import app
from schildwacht.app.intake_cli import DEMO_INTAKE, intake_demo
from schildwacht.app.pipeline import runtime, start_workers
from schildwacht.app.seed import seed
from schildwacht.db import session_scope
from schildwacht.models import Mention
from tests.collectors.intake.messages import TESSERACT, forwarded_inline, screenshot
from tests.support.components import require
from triage.bundle.export import export_bundle
from triage.bundle.verify import verify_bundle

pytestmark = pytest.mark.integration

THREAT_LINES = ["Wethouder Zoetelief, ik weet waar je woont.", "Ik ga je vermoorden."]


def test_screenshot_threat_becomes_a_flagged_case_whose_bundle_holds_the_image(stack, db, tmp_path):
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    with session_scope(db) as session:
        seed(session)
    image = screenshot(THREAT_LINES)
    files = {
        "dm.png": image,
        "melding.eml": forwarded_inline("m.zoetelief@voorbeeld.example", "Zoetelief, je bent een schande."),
        "kapot.jpg": b"\xff\xd8\xff\xe0 afgebroken",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    s = stack.settings
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": s.kafka_bootstrap_servers,
        "DATABASE_URL": s.database_url,
        "SCHILDWACHT_DATA_DIR": str(s.data_dir),
        "SCHILDWACHT_TOPIC_RAW": s.topic_raw,
        "SCHILDWACHT_TOPIC_SCORED": s.topic_scored,
        "SCHILDWACHT_TOPIC_DEAD_LETTER": s.topic_dead_letter,
    }
    result = CliRunner().invoke(
        app, ["intake", *(str(tmp_path / n) for n in files), "--ambtsdrager", "off-zoetelief"], env=env
    )

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(summary) == ["files", "items", "scored", "flagged", "cases", "dead_letter"]
    assert (summary["files"], summary["items"], summary["scored"], summary["dead_letter"]) == (3, 2, 2, 1)
    with session_scope(db) as session:
        mention = session.scalars(
            select(Mention).where(Mention.uid == f"screenshot:{hashlib.sha256(image).hexdigest()}")
        ).one()
        assert mention.flagged and mention.case_id is not None
        assert "vermoorden" in mention.text
        bundle = export_bundle(session, mention.case_id, "n.smits@voorbeeld.example", tmp_path / "zaak.zip", s)
        session.commit()
    verdict = verify_bundle(bundle)
    assert verdict.ok, verdict.problem
    with zipfile.ZipFile(bundle) as zf:
        contents = [zf.read(name) for name in zf.namelist()]
    assert image in contents, "the original screenshot is in the bundle, byte for byte"
    assert summary["flagged"] >= 1 and summary["cases"] >= 1


def test_demo_hands_over_a_forwarded_mail_and_a_screenshot(stack, tmp_path):
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    with runtime(stack.settings, seed_demo=True) as rt:
        workers = start_workers(rt)
        try:
            result = intake_demo(rt)
        finally:
            workers.join()
        with session_scope(rt.sessions) as session:
            stored = {m.platform: m for m in session.scalars(select(Mention))}
            authors = {platform: m.author_handle for platform, m in stored.items()}
            flagged = {platform: m.flagged for platform, m in stored.items()}

    assert sorted(p.name for p in DEMO_INTAKE) == ["dm-schermafbeelding.png", "doorgestuurd.eml"]
    # both are threats against wethouder Zoetelief (read the files): both flagged
    assert {k: result[k] for k in ("files", "items", "scored", "flagged", "dead_letter")} == {
        "files": 2,
        "items": 2,
        "scored": 2,
        "flagged": 2,
        "dead_letter": 0,
    }
    assert authors["email"] == "ware.patriot@anoniem.example"
    assert flagged == {"email": True, "screenshot": True}
