"""Precision and recall of the rule layer's `identity` family on the five-label reply files (issue #17).

Reads every reply file under training/replies/ and training/replies_pending/ whose lines carry an `identity` label
(the five-label files of the second data round); the four-label files have no identity truth and are skipped. A text
counts as flagged when the family leaves at least one unsuppressed hit. Prints, per file and in total, the counts
and precision / recall; `--show` lists the misses and false alarms.

    python scripts/identity_rules_eval.py [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.rules import RuleEngine  # noqa: E402


def five_label_files() -> list[Path]:
    """The reply files whose first line has an `identity` label, in folder and name order."""
    found = []
    for folder in ("replies", "replies_pending"):
        for path in sorted((ROOT / "training" / folder).glob("*.jsonl")):
            first = next((ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()), "")
            if first and "identity" in json.loads(first)["labels"]:
                found.append(path)
    return found


def flagged(engine: RuleEngine, text: str) -> bool:
    """The identity family leaves an unsuppressed hit on `text`."""
    return any(h.label == "identity" for h in engine.analyze(text).hits)


def counts(engine: RuleEngine, rows: list[dict], show: bool) -> tuple[int, int, int, int]:
    """(true positives, false positives, false negatives, true negatives) of the family over the rows."""
    tp = fp = fn = tn = 0
    for row in rows:
        truth, pred = bool(row["labels"]["identity"]), flagged(engine, row["text"])
        tp += truth and pred
        fp += pred and not truth
        fn += truth and not pred
        tn += not truth and not pred
        if show and truth != pred:
            print(f"  {'MISS' if truth else 'FALSE'} [{row['kind']}] {row['text'][:160]!r}")
    return tp, fp, fn, tn


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    engine = RuleEngine(disabled_families=frozenset({"threat", "abuse", "gender", "doxxing"}))
    total = [0, 0, 0, 0]
    for path in five_label_files():
        rows = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        tp, fp, fn, tn = counts(engine, rows, args.show)
        total = [a + b for a, b in zip(total, (tp, fp, fn, tn), strict=True)]
        print(
            f"{path.parent.name}/{path.name}: n={len(rows)} positives={tp + fn} tp={tp} fp={fp} fn={fn} "
            f"precision={_ratio(tp, tp + fp)} recall={_ratio(tp, tp + fn)}"
        )
    tp, fp, fn, _ = total
    print(f"total: tp={tp} fp={fp} fn={fn} precision={_ratio(tp, tp + fp)} recall={_ratio(tp, tp + fn)}")


if __name__ == "__main__":
    main()
