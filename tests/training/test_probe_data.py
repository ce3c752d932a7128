"""The hand-written probe replies load into both halves with valid labels and every kind the evaluation reports."""

from __future__ import annotations

from schildwacht.contracts import LABELS
from training.data import PROBE_PATH, load_probe


def test_probe_halves_partition_the_file():
    lines = [ln for ln in PROBE_PATH.read_text(encoding="utf-8").splitlines() if ln.strip()]
    dev, test = load_probe("dev"), load_probe("test")
    assert len(dev) + len(test) == len(lines)
    assert not {e.text for e in dev} & {e.text for e in test}
    for half in (dev, test):
        kinds = {e.kind for e in half}
        assert {"probe:threat", "probe:veiled_threat", "neg:criticism"} <= kinds
        assert all(len(e.labels) == len(LABELS) and set(e.labels[:4]) <= {0, 1} for e in half)
        # identity: given in five-label files, else 0 on a negative kind and unknown (-1) on a positive one
        assert all(e.labels[4] in ({0, 1} if e.kind.startswith("neg:") else {-1, 0, 1}) for e in half)
        # negatives carry no label, positives at least one
        assert all(not any(e.labels) for e in half if e.kind.startswith("neg:"))
