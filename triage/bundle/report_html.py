"""rapport.html: the report as one self-contained HTML page (Jinja2, autoescaped, no external resources)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from schildwacht.vocabulary import CASE_STATUS_NL, LABEL_LONG_NL
from triage.bundle.dossier import CAPTURE_STATUS_NL, Dossier, dutch_reason
from triage.bundle.pif import APPENDIX_KINDS, KINDS_NL, Report, local_time, safe_link

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=False,
)
# What the reference of a Steunpakket step is, per step (the case screen asks for the same).
REFERENCE_NAMES = {
    "intern_gemeld": "Gemeld aan",
    "gemeld_bij_platform": "Referentie platform",
    "melding_aangifte": "Registratienummer politie",
    "gir_geregistreerd": "GIR-nummer",
}


def render_html(report: Report, dossier: Dossier) -> bytes:
    return (
        _ENV.get_template("rapport.html")
        .render(
            report=report,
            dossier=dossier,
            when=local_time,
            link=safe_link,
            kinds=KINDS_NL,
            labels=LABEL_LONG_NL,
            statuses=CASE_STATUS_NL,
            capture_status=CAPTURE_STATUS_NL,
            reason=dutch_reason,
            reference_names=REFERENCE_NAMES,
            appendix_kinds=APPENDIX_KINDS,
            viewed=[e for e in dossier.custody if e["kind"] in APPENDIX_KINDS],
        )
        .encode("utf-8")
    )
