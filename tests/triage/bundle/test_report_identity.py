"""The police report of an identity-hate case (issue 17): the label in Dutch and its offence suggestions (137c, 137d
and 266/267 Sr), in rapport.html and rapport.pdf (the report follows the PIF's 7 W's), never the English label code."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

from schildwacht.config import Settings
from schildwacht.models import Case
from tests.triage.bundle.bundlecase import add_mention, emptied, open_case, read_zip
from triage.bundle import layout
from triage.bundle.export import export_bundle

TEXT = "Zoetelief, mensen zoals jij met jouw geloof horen niet in het college. Rot op naar je moskee."
# Written here by hand (the oracle), not read from schildwacht/vocabulary.py.
IDENTITY_LONG = (
    "Haat gericht op identiteit (afkomst, geloof, huidskleur, seksuele oriëntatie, genderidentiteit of beperking)"
)


def test_report_names_identity_hate_in_dutch_with_its_offences(engine, pg, tmp_path: Path):
    sessions = emptied(engine)
    with sessions() as s:
        case_id = open_case(s)
        case = s.get_one(Case, case_id)
        case.labels, case.severity = ["identity", "abuse"], 3
        add_mention(s, "911", TEXT, flags=("identity", "abuse"), case_id=case_id, thread_id="t-1")
        s.commit()
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
    html = re.sub(r"\s+", " ", files[layout.REPORT_HTML].decode("utf-8"))
    pdf = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(files[layout.REPORT_PDF])).pages))
    for name, text in (("html", html), ("pdf", pdf)):
        assert IDENTITY_LONG in text, name
        for article in ("137c Sr", "137d Sr", "266/267 Sr"):
            assert article in text, (name, article)
        assert text.index("137c Sr") < text.index("137d Sr") < text.index("266/267 Sr"), name
        assert "285 Sr" not in text and "285d Sr" not in text, name  # no threat or doxxing advice
        assert not re.search(r"\bidentity\b", text), name
    assert "groepsbelediging" in html.lower() and "groepsbelediging" in pdf.lower()
