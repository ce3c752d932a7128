"""Where the full classify path spends its time: cProfile over the generated posts of bench/classifier.py at batch 32
(or `--long`: the long posts), summed per part of the path.

    .venv/bin/python bench/classifier_profile.py [--posts 256] [--long] [--candidates N] [--int8 | --float32]

Parts (cumulative time of the function that does each; occlusion contains its own tokenizer, transformer and TF-IDF
time, which the other rows count as well): rules (RuleEngine.analyze, incl. the rule layer's reading of a window's
context), splitter (Splitter.plan), tokenizer, transformer (the BERT forward pass), lexical TF-IDF
(LexicalModel.predict), occlusion (CombinedClassifier._model_spans), target resolution (resolve_target).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classifier import long_posts, posts  # noqa: E402
from classifiers.api import ClassifyInput, CombinedClassifier  # noqa: E402

#: Part name -> (file name ending, function name) of the function whose cumulative time is that part's.
PARTS = {
    "rules": ("rules/engine.py", "analyze"),
    "splitter": ("classifiers/windows.py", "plan"),
    "tokenizer": ("tokenization_utils_base.py", "__call__"),
    "transformer": ("modeling_bert.py", "forward"),
    "lexical TF-IDF": ("classifiers/lexical.py", "predict"),
    "occlusion": ("classifiers/api.py", "_model_spans"),
    "target resolution": ("classifiers/target.py", "resolve_target"),
}


def part_seconds(stats: pstats.Stats) -> dict[str, float]:
    """Per part the largest cumulative time among the matching functions (the outermost call: BERT's forward of the
    classification head contains the encoder's)."""
    out = dict.fromkeys(PARTS, 0.0)
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        for part, (ending, function) in PARTS.items():
            if name == function and filename.endswith(ending):
                out[part] = max(out[part], row[3])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "models" / "schildwacht-nl-mini"))
    ap.add_argument("--posts", type=int, default=256)
    ap.add_argument("--long", action="store_true", help="long posts (a generated post among 3-6 neutral ones)")
    ap.add_argument("--candidates", type=int, default=None, help="occlusion_candidates (0: every word)")
    precision = ap.add_mutually_exclusive_group()
    precision.add_argument("--int8", action="store_true", default=None)
    precision.add_argument("--float32", dest="int8", action="store_false")
    args = ap.parse_args()

    clf = CombinedClassifier(Path(args.model), occlusion_candidates=args.candidates, int8=args.int8)
    items = [ClassifyInput(t) for t in (long_posts(args.posts) if args.long else posts(args.posts))]
    clf.classify(items[:32])  # warm-up
    profile = cProfile.Profile()
    t0 = time.perf_counter()
    profile.enable()
    for b in range(0, len(items), 32):
        clf.classify(items[b : b + 32])
    profile.disable()
    total = time.perf_counter() - t0
    print(
        f"{len(items)} {'long' if args.long else 'generated'} posts, batch 32, occlusion_candidates="
        f"{clf.occlusion_candidates}, int8={clf.int8}: {total:.2f} s under the profiler "
        f"({len(items) / total:.0f} posts/s)"
    )
    for part, seconds in part_seconds(pstats.Stats(profile)).items():
        print(f"  {part:18s} {seconds:6.2f} s {100 * seconds / total:5.1f}%")


if __name__ == "__main__":
    main()
