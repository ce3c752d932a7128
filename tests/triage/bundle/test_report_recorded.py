"""The report carries what staff recorded (Steunpakket steps with references, the victim statement, attachments)
in Dutch, in both rapport.html and rapport.pdf; "bekeken" events go to an appendix, not the timeline."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from schildwacht.config import Settings
from schildwacht.models import Case, CaseAttachment, EvidenceBlob, Mention
from schildwacht.models.evidence import Capture
from schildwacht.models.workflow import CaseStep
from tests.triage.bundle.bundlecase import build_case, emptied, read_zip
from triage.bundle import layout
from triage.bundle.custody import append_event
from triage.bundle.dossier import dutch_reason
from triage.bundle.export import export_bundle

STATEMENT = "Sinds dit bericht slaap ik slecht en laat ik mijn kinderen niet meer alleen buiten spelen."
ATTACHMENT = b"Van: wethouder\nOnderwerp: doorgestuurde dreigmail\n\nJe gaat eraan."
FAILED = (
    "ophalen mislukt / fetch failed: ConnectError: geen verbinding; chromium niet beschikbaar / chromium unavailable"
)


def test_dutch_reason_keeps_the_dutch_half_and_the_detail():
    assert dutch_reason(FAILED) == "ophalen mislukt: ConnectError: geen verbinding; chromium niet beschikbaar"
    assert dutch_reason("HTTP 404: bericht verwijderd? / post deleted?") == "HTTP 404: bericht verwijderd?"
    assert dutch_reason(None) is None


def _record(sessions, case_id: int) -> None:
    sha = hashlib.sha256(ATTACHMENT).hexdigest()
    with sessions() as s, s.begin():
        case = s.get(Case, case_id)
        case.victim_statement = STATEMENT
        s.add(
            CaseStep(
                case_id=case_id,
                organisation_id=case.organisation_id,
                step="melding_aangifte",
                done_by="j.kokkelink@voorbeeld.example",
                reference="PL0900-2026-555",
                vpt_code="VPT-77",
            )
        )
        s.add(EvidenceBlob(sha256=sha, content_type="message/rfc822", size=len(ATTACHMENT), data=ATTACHMENT))
        s.flush()
        s.add(
            CaseAttachment(
                case_id=case_id,
                organisation_id=case.organisation_id,
                sha256=sha,
                filename="dreigmail.eml",
                content_type="message/rfc822",
                size=len(ATTACHMENT),
                uploaded_by="j.kokkelink@voorbeeld.example",
            )
        )
        mention = s.scalars(select(Mention).where(Mention.case_id == case_id)).first()
        s.add(Capture(mention_id=mention.id, url=mention.url, status="failed", error=FAILED, tool="test"))
        for _ in range(3):
            append_event(s, case_id, "viewed", "l.visscher@voorbeeld.example", {"action": "case.view"})


def test_report_carries_recorded_steps_statement_attachments_in_dutch(engine, pg, tmp_path: Path):
    sessions = emptied(engine)
    case_id = build_case(sessions)
    _record(sessions, case_id)
    with sessions() as s:
        path = export_bundle(
            s,
            case_id,
            "n.smits@voorbeeld.example",
            tmp_path / "zaak.zip",
            Settings(database_url=pg.url, data_dir=tmp_path),
        )
        s.commit()
    files = read_zip(path)
    assert files["bijlagen/01-dreigmail.eml"] == ATTACHMENT
    html = files[layout.REPORT_HTML].decode("utf-8")
    pdf = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(files[layout.REPORT_PDF])).pages))
    for text in (html, pdf):
        for expected in ("PL0900-2026-555", "VPT-77", "Registratienummer politie", "dreigmail.eml", "Bijlage A"):
            assert expected in text, expected
        assert "slaap ik slecht" in text
        assert "ophalen mislukt" in text and "fetch failed" not in text and "unavailable" not in text
        assert not re.search(r"\b(threat|failed|doxxing)\b", text)
    timeline = html.split("<h2>Tijdlijn", 1)[1].split("<h2>", 1)[0]
    appendix = html.split('id="bijlage-a"', 1)[1]
    assert "l.visscher@voorbeeld.example" not in timeline and appendix.count("l.visscher@voorbeeld.example") == 3
