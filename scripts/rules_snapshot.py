"""Snapshot the rule layer's output (classifiers.rules.RuleEngine.analyze) on a fixed corpus, one JSON line per text.

Run it before and after a change that must not alter the rule layer (for example moving word lists into data
files) and compare the two files byte for byte:

    PYTHONHASHSEED=0 python scripts/rules_snapshot.py /tmp/rules_before.jsonl

The corpus, in this order: training/replies/*.jsonl, training/replies_pending/*.jsonl, training/probe_replies.jsonl,
the MHC Dutch dev set (column test_case) and posts from training/generator.py (fixed seed; each is analysed once
without and once with official terms). The frozen test set is never read. Each line holds the source, the text,
the official terms and the full RuleResult: scores, spans, hits, suppressed hits, the truncation flag and the
identity mentions.
`--disable FAMILY` switches a rule family off (for example `--disable identity` to compare with a snapshot taken
before that family existed).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # training/ is in the checkout, not installed

from classifiers.rules import FAMILIES, RuleEngine, RuleResult  # noqa: E402
from training.data import DATA_DIR  # noqa: E402
from training.generator import generate  # noqa: E402

#: Official terms passed with the generated posts on their second pass (exercises the official-name paths).
OFFICIAL_TERMS = ["burgemeester", "wethouder", "de Vries", "Bakker"]


def _jsonl_texts(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)["text"]


def corpus(per_template: int, seed: int) -> Iterator[tuple[str, str, list[str] | None]]:
    """(source, text, official terms) for every text of the snapshot corpus, in a fixed order."""
    training = ROOT / "training"
    for folder in ("replies", "replies_pending"):
        for path in sorted((training / folder).glob("*.jsonl")):
            for text in _jsonl_texts(path):
                yield f"{folder}/{path.name}", text, None
    for text in _jsonl_texts(training / "probe_replies.jsonl"):
        yield "probe_replies.jsonl", text, None
    with (DATA_DIR / "mhc_dutch" / "mhc_dutch_dev.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield "mhc_dutch_dev.csv", row["test_case"], None
    for post in generate(n_per_template=per_template, seed=seed):
        yield f"generator/{post.template}", post.text, None
        yield f"generator/{post.template}", post.text, OFFICIAL_TERMS


def record(source: str, text: str, terms: list[str] | None, res: RuleResult) -> str:
    """One snapshot line; keys sorted so that equal results give equal bytes."""
    row = {
        "source": source,
        "text": text,
        "official_terms": terms,
        "scores": res.scores,
        "spans": [s.model_dump() for s in res.spans],
        "hits": [asdict(h) for h in res.hits],
        "suppressed": [asdict(h) for h in res.suppressed],
        "truncated": res.truncated,
        "mentions": [s.model_dump() for s in res.mentions],
    }
    return json.dumps(row, ensure_ascii=False, sort_keys=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="JSONL file to write")
    parser.add_argument("--per-template", type=int, default=10, help="generated posts per template (default 10)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument(
        "--disable", action="append", default=[], choices=FAMILIES, help="switch a rule family off (repeatable)"
    )
    args = parser.parse_args()
    engine = RuleEngine(disabled_families=frozenset(args.disable))
    n = 0
    with args.out.open("w", encoding="utf-8") as out:
        for source, text, terms in corpus(args.per_template, args.seed):
            out.write(record(source, text, terms, engine.analyze(text, terms)) + "\n")
            n += 1
    print(f"{n} results -> {args.out}")


if __name__ == "__main__":
    main()
