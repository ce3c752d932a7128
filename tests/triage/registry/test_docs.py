"""docs/privacy stays in step with the code: retention defaults, privacy notice version, DPIA sections."""

from __future__ import annotations

import re

from schildwacht.config import Settings
from triage.registry import pages

DOCS = pages.PRIVACY_DIR


def _retention_rows() -> dict[str, int]:
    rows = {}
    for line in (DOCS / "bewaartermijnen.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3:
            setting = re.fullmatch(r"`(\w+)`", cells[1])
            if setting:
                rows[setting.group(1)] = int(cells[2])
    return rows


def test_retention_table_matches_settings_defaults():
    rows = _retention_rows()
    windows = {name for name in Settings.model_fields if name.startswith("retain_") and name.endswith("_days")}
    windows |= {"invite_valid_days", "manage_link_valid_days"}
    assert set(rows) == windows, "every retention window in Settings has a row in bewaartermijnen.md"
    for name, days in rows.items():
        assert Settings.model_fields[name].default == days, name


def test_privacy_notice_version_is_the_recorded_version():
    assert pages.notice_version() == Settings.model_fields["privacy_notice_version"].default
    assert pages.notice_version("# X\n\n**Versie:** `2030-2`\n") == "2030-2"


def test_notice_and_dpia_cover_what_they_must():
    notice = (DOCS / "privacyverklaring.md").read_text(encoding="utf-8")
    for word in ("intrekken", "Autoriteit Persoonsgegevens", "artikel 10", "UAVG artikel 33"):
        assert word.lower() in notice.lower(), word
    dpia = (DOCS / "dpia.md").read_text(encoding="utf-8").lower()
    for section in (
        "doel",
        "grondslag",
        "6 lid 1 onder e",
        "6 lid 1 onder f",
        "artikel 10",
        "artikel 33 uavg",
        "noodzaak",
        "proportionaliteit",
        "subsidiariteit",
        "risico",
        "maatregelen",
        "bewaartermijn",
    ):
        assert section in dpia, section
    assert str(pages.notice_html()).startswith("<h1>")
