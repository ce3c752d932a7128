"""Every relative link in README.md and docs/ points at a file that exists, and an anchor into a Markdown file at one
of its headings (GitHub's heading ids).

Links inside fenced code blocks and inline code are not links; absolute URLs (http, https, mailto) are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")  # the text may wrap onto the next line
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def documents() -> list[Path]:
    """The Markdown files whose links are checked: the README and everything under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def prose_lines(text: str, keep_code: bool = False) -> list[str]:
    """The lines of `text` outside fenced code blocks, with inline code removed unless `keep_code`."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line if keep_code else INLINE_CODE.sub("", line))
    return lines


def links(path: Path) -> list[str]:
    """Every link target written in `path`'s prose."""
    prose = "\n".join(prose_lines(path.read_text(encoding="utf-8")))
    return [m.group(1) for m in LINK.finditer(prose)]


def slug(heading: str) -> str:
    """GitHub's id for a heading: its text lower-cased, markup and punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading counts by its text
    text = text.replace("`", "").replace("*", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The heading ids of a Markdown file (a repeated heading gets -1, -2, ... as on GitHub)."""
    seen: dict[str, int] = {}
    ids = set()
    for line in prose_lines(path.read_text(encoding="utf-8"), keep_code=True):
        m = HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        ids.add(base if n == 0 else f"{base}-{n}")
    return ids


def broken(path: Path, root: Path = ROOT) -> list[str]:
    """The links of `path` that point at nothing: a missing file, or an anchor no heading of the target has."""
    found = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            found.append(f"{path.relative_to(root)}: {target} (geen bestand)")
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            found.append(f"{path.relative_to(root)}: {target} (geen kop met dit anker)")
    return found


def test_every_relative_link_in_readme_and_docs_resolves():
    checked = [p for p in documents() if links(p)]
    assert ROOT / "README.md" in checked  # the README links to docs/: a checker that finds no links is broken
    assert [b for p in documents() for b in broken(p)] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zie [x](missing.md)\n", ["missing.md (geen bestand)"]),
        ("# Kop één\n[x](#kop-een)\n", ["#kop-een (geen kop met dit anker)"]),
        ("# Commando's voor medewerkers\n[x](#commandos-voor-medewerkers)\n", []),
        ("```\n[x](missing.md)\n```\n`[x](missing.md)` and [x](https://example.org/nope)\n", []),
        ("[x](other.md#production-apache-kafka-and-postgresql-compose)\n", []),
        ("[x](other.md#troubleshooting)\n", ["other.md#troubleshooting (geen kop met dit anker)"]),
        ("see [a link that\nwraps](missing.md)\n", ["missing.md (geen bestand)"]),
        ("## Throughput (`bench/pipeline.py`)\n[x](#throughput-benchpipelinepy)\n", []),
    ],
)
def test_the_checker_finds_what_is_broken_and_only_that(tmp_path, text, expected):
    """The oracle for the checker itself: hand-written documents with known broken and valid links."""
    (tmp_path / "other.md").write_text("# Production: Apache Kafka and PostgreSQL (compose)\n", encoding="utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    assert [b.removeprefix("doc.md: ") for b in broken(doc, tmp_path)] == expected
