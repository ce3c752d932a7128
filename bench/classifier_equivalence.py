"""Equal-quality check of the fast classify path: the same ~2,000 replies through the full path before (every word
of a reading occluded by the whole model, float32 transformer) and through the path as configured (candidate
occlusion, `occlusion_candidates`; the transformer's precision as thresholds.json sets it, int8 by default, or as
`--path N:int8` / `--path N:float32` asks), side by side.

    .venv/bin/python bench/classifier_equivalence.py [--model models/schildwacht-nl-mini] [--texts 2000]
        [--path N[:int8|:float32]]...

Texts: every k-th line of training/replies/*.jsonl and training/replies_pending/*.jsonl (never the frozen test set,
never the held-out sets), long dialect posts included, so that windows fire too. Prints: posts whose flags differ,
the largest score difference, and for every (post, label) with model evidence (spans of source "model") in the
path before: identical spans, spans sharing at least one word, and the mean overlap (Jaccard of the span sets);
plus the seconds each path took on these posts, in this run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.api import Classification, ClassifyInput, CombinedClassifier  # noqa: E402

SOURCES = ("training/replies", "training/replies_pending")


def replies(n: int) -> list[str]:
    """About `n` reply texts, every k-th line over all reply files in name order (deterministic)."""
    texts = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    texts.append(json.loads(line)["text"])
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def model_spans(result: Classification) -> dict[str, set[tuple[int, int]]]:
    out: dict[str, set[tuple[int, int]]] = {}
    for s in result.spans:
        if s.source == "model":
            out.setdefault(s.label, set()).add((s.start, s.end))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "models" / "schildwacht-nl-mini"))
    ap.add_argument("--texts", type=int, default=2000)
    ap.add_argument(
        "--path",
        action="append",
        metavar="N[:int8|:float32]",
        help="a path to compare with the one before: occlusion_candidates N, transformer precision (repeatable; "
        "default: the configured path)",
    )
    args = ap.parse_args()

    texts = replies(args.texts)
    items = [ClassifyInput(t) for t in texts]
    print(f"{len(texts)} replies, {sum(len(t) for t in texts) / len(texts):.0f} characters on average")
    paths = [CombinedClassifier(Path(args.model), occlusion_candidates=0, int8=False)]
    for spec in args.path or [""]:
        number, _, precision = spec.partition(":")
        candidates = int(number) if number else None
        paths.append(CombinedClassifier(Path(args.model), occlusion_candidates=candidates, int8=_int8(precision)))
    timings, results = [], []
    for clf in paths:
        clf.classify(items[:32])  # warm-up
        t0 = time.perf_counter()
        results.append([r for b in range(0, len(items), 32) for r in clf.classify(items[b : b + 32])])
        timings.append(time.perf_counter() - t0)
    for clf, new, seconds in zip(paths[1:], results[1:], timings[1:]):
        print(f"path occlusion_candidates={clf.occlusion_candidates}, int8={clf.int8}:")
        report(texts, results[0], new)
        print(f"  seconds, batch 32: before {timings[0]:.1f}, this path {seconds:.1f} ({timings[0] / seconds:.2f}x)")


def _int8(precision: str) -> bool | None:
    return {"": None, "int8": True, "float32": False}[precision]


def report(texts: list[str], old: list[Classification], new: list[Classification]) -> None:
    flags = sum(a.flags != b.flags for a, b in zip(old, new))
    score = max(abs(a.scores[lab] - b.scores[lab]) for a, b in zip(old, new) for lab in a.scores)
    pairs = same = shared = 0
    jaccard = 0.0
    for a, b in zip(old, new):
        sa, sb = model_spans(a), model_spans(b)
        for lab, spans in sa.items():
            if lab not in b.flags:
                continue  # the flag itself changed: counted above
            got = sb.get(lab, set())
            pairs += 1
            same += got == spans
            shared += bool(got & spans)
            jaccard += len(got & spans) / len(got | spans)
    print(f"  posts with other flags: {flags} ({100 * flags / len(texts):.2f}%); largest score difference {score:.4f}")
    if pairs:
        print(
            f"  (post, label) pairs with model evidence: {pairs}; identical spans {same} ({100 * same / pairs:.1f}%), "
            f"sharing a word {shared} ({100 * shared / pairs:.1f}%), mean overlap (Jaccard) {jaccard / pairs:.3f}"
        )


if __name__ == "__main__":
    main()
