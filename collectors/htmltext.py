"""Plain text from the small HTML fragments platforms serve (Mastodon content, feed summaries)."""

from __future__ import annotations

import re

from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p\s*>\s*<p[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def html_to_text(fragment: str) -> str:
    """Visible text: <br> and paragraph breaks become newlines, scripts and styles are dropped."""
    text = remove_tags_with_content(fragment, which_ones=("script", "style"))
    text = _PARAGRAPH.sub("\n\n", _BREAK.sub("\n", text))
    text = _SPACES.sub(" ", replace_entities(remove_tags(text)))
    return _BLANK_LINES.sub("\n\n", text).strip()
