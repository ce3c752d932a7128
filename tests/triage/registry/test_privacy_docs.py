"""docs/privacy stays in step with the code (issue 24 point 9): the hour and review windows match Settings, and
every test the DPIA's "claim -> test" table names exists."""

from __future__ import annotations

import re

from schildwacht.config import REPO_ROOT, Settings
from triage.registry import pages

DOCS = pages.PRIVACY_DIR
UNITS = {"uren": "_hours", "dagen": "_days"}


def test_hours_and_review_rows_match_settings():
    rows = {}
    for line in (DOCS / "bewaartermijnen.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`(\w+)` \((uren|dagen)\)", cells[1]) if len(cells) >= 3 else None
        if match:
            assert match.group(1).endswith(UNITS[match.group(2)]), line  # the unit the setting is named in
            rows[match.group(1)] = int(cells[2])
    expected = {"kafka_topic_retention_hours", "kafka_dead_letter_retention_hours", "legal_hold_review_days"}
    assert set(rows) == expected
    for name, value in rows.items():
        assert Settings.model_fields[name].default == value, name


def test_every_test_the_dpia_names_exists():
    dpia = (DOCS / "dpia.md").read_text(encoding="utf-8")
    table = dpia[dpia.index("## 12.") :]
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", table)
    assert len(named) >= 20, "the claim -> test table lists the tests"
    for path, name in named:
        source = (REPO_ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{path}::{name}"


def test_dpia_names_what_issue_24_asked_for():
    dpia = (DOCS / "dpia.md").read_text(encoding="utf-8").lower()
    for phrase in (
        "gemeentewet artikel 160",  # the statutory task for 6(1)(e)
        "[fg: beoordelen of artikel 33 lid 2 onder b uavg",  # flagged for the FG, not asserted
        "lokale tijdlijn",  # proportionality: timelines read every post
        "tijdstempeldienst",  # transfers
        "webhook",
        "plaintext",  # Kafka without encryption
        "procedure voor verzoeken van auteurs",
        "modelverbetering",
    ):
        assert phrase in dpia, phrase
