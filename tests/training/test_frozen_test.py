"""The frozen test set and the five-label reply files: well formed, no frozen line duplicates or near-duplicates a
line the model could train or be tuned on, and no code names the frozen directory, so no choice can read it before
the final report (training/frozen_test/README.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from training.data import PATTERNS, PROBE_PATH, REPLIES_DIR
from training.dedupe import DuplicateIndex

ROOT = Path(__file__).resolve().parents[2]
FROZEN = ROOT / "training" / "frozen_test"
PENDING = ROOT / "training" / "replies_pending"
FIVE_LABELS = {"threat", "abuse", "gender", "identity", "doxxing"}
POSITIVE = {"explicit_threat", "veiled_threat", "dehumanisation", "identity_abuse", "gender_abuse", "abuse", "doxxing"}
NEGATIVE = {"criticism", "news", "counter_speech", "quote", "idiom", "game_sport_hunting", "thing_not_person"}
NEGATIVE |= {"own_contact_info", "profanity", "neutral"}


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def five_label_files() -> list[Path]:
    written = [*sorted(REPLIES_DIR.glob("*.jsonl")), *sorted(PENDING.glob("*.jsonl"))]
    return sorted(FROZEN.glob("*.jsonl")) + [p for p in written if "identity" in rows(p)[0]["labels"]]


def test_there_are_two_frozen_authors_and_thirty_three_five_label_reply_authors():
    assert len(list(FROZEN.glob("*.jsonl"))) == 2
    assert len(five_label_files()) == 35


@pytest.mark.parametrize("path", five_label_files(), ids=lambda p: p.stem)
def test_five_label_files_are_well_formed_and_their_labels_agree_with_their_pattern(path: Path):
    data = rows(path)
    assert len(data) >= 450
    for row in data:
        assert set(row) == {"text", "labels", "kind", "style"}, row
        assert set(row["labels"]) == FIVE_LABELS and all(isinstance(v, bool) for v in row["labels"].values())
        assert row["kind"] in PATTERNS and row["text"].strip() and row["style"].strip()
        if row["kind"] in POSITIVE:
            assert any(row["labels"].values()), row["text"]
        if row["kind"] in NEGATIVE:
            assert not any(row["labels"].values()), row["text"]
        if row["kind"] == "doxxing_threat":
            assert row["labels"]["doxxing"] and row["labels"]["threat"], row["text"]
    texts = [" ".join(r["text"].casefold().split()) for r in data]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("path", sorted(FROZEN.glob("*.jsonl")), ids=lambda p: p.stem)
def test_each_frozen_file_covers_every_pattern_and_label(path: Path):
    data = rows(path)
    per_pattern = {k: sum(r["kind"] == k for r in data) for k in PATTERNS}
    assert min(per_pattern.values()) >= 13, per_pattern  # 15 asked of the author; the leak check took up to two
    long_posts = [r for r in data if r["kind"] == "long_post"]
    assert sum(any(r["labels"].values()) for r in long_posts) >= 20
    assert all(sum(r["labels"][label] for r in data) >= 30 for label in FIVE_LABELS)


def test_no_frozen_line_duplicates_a_training_pending_probe_or_spent_line():
    index = DuplicateIndex()
    spent = sorted((ROOT / "training" / "spent_test").rglob("*.jsonl"))  # earlier frozen sets, free for choices now
    sources = [*sorted(REPLIES_DIR.glob("*.jsonl")), *sorted(PENDING.glob("*.jsonl")), PROBE_PATH, *spent]
    for source in sources:
        for i, row in enumerate(rows(source)):
            index.add(f"{source.name}:{i}", row["text"])
    assert len(index) > 9000
    leaks = [
        (p.name, i, m)
        for p in sorted(FROZEN.glob("*.jsonl"))
        for i, r in enumerate(rows(p))
        if (m := index.match(r["text"]))
    ]
    assert not leaks, leaks[:5]


def test_only_the_final_report_names_the_frozen_directory():
    """Nothing but the final evaluation (training/final_report.py) and this test may read the frozen set."""
    own = Path(__file__).resolve()
    names = re.compile(r"frozen_test")
    readers = [
        p.relative_to(ROOT)
        for folder in ("schildwacht", "collectors", "classifiers", "triage", "training", "scripts", "bench", "tests")
        for p in (ROOT / folder).rglob("*.py")
        if p.resolve() != own and names.search(p.read_text(encoding="utf-8"))
    ]
    assert readers == [Path("training/final_report.py")]
