"""What the registry's pages need besides the web app: the privacy notice (docs/privacy/), the names and filters
its templates use, and the official's export as a standalone HTML document for the CLI.

The pages themselves are served by the web app (triage/web/registry_staff.py, registry_official.py) from
triage/web/templates/registry/; `template_globals` and `FILTERS` are installed in its one Jinja environment.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from schildwacht.config import REPO_ROOT
from schildwacht.vocabulary import (
    CASE_STATUS_FOR_OFFICIAL_NL,
    LABEL_NL,
    META_ACCOUNT_STATUS_NL,
    OFFICIAL_STATUS_NL,
    amsterdam_time,
)

WEB_TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates"
PRIVACY_DIR = REPO_ROOT / "docs" / "privacy"
NOTICE_FILE = PRIVACY_DIR / "privacyverklaring.md"
GENDER_NL = {"v": "vrouw", "m": "man", "x": "anders / zeg ik liever zelf", None: "niet opgegeven"}


def date_nl(value: Any) -> str:
    """Dutch local time, as the rest of the web app shows it; "—" for none."""
    return "—" if value is None else amsterdam_time(value)


FILTERS = {"datum": date_nl}


def template_globals() -> dict[str, Any]:
    """Names the registry templates use (statuses and cases as the official reads them)."""
    return {
        "OFFICIAL_STATUS_NL": OFFICIAL_STATUS_NL,
        "GENDER_NL": GENDER_NL,
        "CASE_STATUS_FOR_OFFICIAL_NL": CASE_STATUS_FOR_OFFICIAL_NL,
        "LABEL_NL": LABEL_NL,
        "META_ACCOUNT_STATUS_NL": META_ACCOUNT_STATUS_NL,
    }


@lru_cache
def _document_env() -> Environment:
    e = Environment(loader=FileSystemLoader(WEB_TEMPLATES), autoescape=select_autoescape(default=True))
    e.filters.update(FILTERS)
    e.globals.update(template_globals())
    return e


def export_document(data: dict[str, Any]) -> str:
    """The official's export (triage.registry.export) as one standalone HTML file, autoescaped."""
    return _document_env().get_template("registry/export_document.html").render(data=data)


def notice_version(text: str | None = None) -> str:
    """The version line of the privacy notice: `Versie: <version>`."""
    text = NOTICE_FILE.read_text(encoding="utf-8") if text is None else text
    match = re.search(r"^\*{0,2}Versie:?\*{0,2}:?\s*`?([\w.-]+)`?", text, re.MULTILINE)
    if not match:
        raise ValueError(f"no 'Versie:' line in {NOTICE_FILE}")
    return match.group(1)


@lru_cache
def notice_html() -> Markup:
    """The privacy notice as HTML (raw HTML in the Markdown is not passed through)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return Markup(md.render(NOTICE_FILE.read_text(encoding="utf-8")))
