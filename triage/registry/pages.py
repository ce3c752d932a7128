"""HTML for the registry pages (Jinja2, autoescaped) and the privacy notice from docs/privacy/."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from schildwacht.config import REPO_ROOT

TZ = ZoneInfo("Europe/Amsterdam")
TEMPLATES = Path(__file__).resolve().parent / "templates"
PRIVACY_DIR = REPO_ROOT / "docs" / "privacy"
NOTICE_FILE = PRIVACY_DIR / "privacyverklaring.md"
STATUS_NL = {"invited": "uitgenodigd", "active": "actief", "paused": "gepauzeerd", "withdrawn": "ingetrokken"}
GENDER_NL = {"v": "vrouw", "m": "man", "x": "anders / zeg ik liever zelf", None: "niet opgegeven"}
CASE_STATUS_NL = {
    "nieuw": "nieuw",
    "in_behandeling": "in behandeling",
    "wacht_op_betrokkene": "wacht op u",
    "afgerond": "afgerond",
    "geen_actie": "geen actie",
}


def date_nl(value: Any) -> str:
    """Dutch local time, as the rest of the web app shows it."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(TZ).strftime("%d-%m-%Y %H:%M")


@lru_cache
def env() -> Environment:
    e = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    e.filters["datum"] = date_nl
    e.globals.update(STATUS_NL=STATUS_NL, GENDER_NL=GENDER_NL, CASE_STATUS_NL=CASE_STATUS_NL)
    return e


def render(template: str, **context: Any) -> str:
    return env().get_template(template).render(**context)


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
