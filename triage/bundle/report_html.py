"""rapport.html: the report as one self-contained HTML page (Jinja2, autoescaped, no external resources)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from triage.bundle.dossier import Dossier
from triage.bundle.pif import KINDS_NL, Report, local_time, safe_link

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=False,
)


def render_html(report: Report, dossier: Dossier) -> bytes:
    return (
        _ENV.get_template("rapport.html")
        .render(report=report, dossier=dossier, when=local_time, link=safe_link, kinds=KINDS_NL)
        .encode("utf-8")
    )
