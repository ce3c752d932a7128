"""Throughput benchmark: posts/s at batch 1 and batch 32 on CPU for the shipped model and, side by side through
the same code path, a BERT-base-sized reference (BertConfig defaults: 12 layers, hidden 768; random weights,
built locally, nothing downloaded). Prints the ratio.

    .venv/bin/python bench/classifier.py [--model models/schildwacht-nl-mini] [--posts 256] [--no-reference]

Measures the transformer forward pass incl. tokenisation (ModelScorer.transformer_probs, the path the reference
runs too; int8 as shipped and float32), the model probability (transformer + TF-IDF half, ModelScorer.predict) and
the full classifier as shipped (rules + window scoring + int8 model + target resolution + evidence spans by candidate
occlusion), beside it the full path before the speed-up (every word occluded, float32), with the float32 transformer
(thresholds.json `"int8": false`) and with window scoring off (the path before windows), on the generated posts and
on long posts (a generated post among 3-6 generated neutral ones), where the windows do their work. The reference is
float32, as it was measured before int8 shipped; a row gives it in int8 too. Prints the full path's ratios to the path
before the speed-up, to the float32 path and to the reference. Run it with OMP_NUM_THREADS set and trust only the
ratios of one run on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.generator import generate  # noqa: E402

T = TypeVar("T")


def posts(n: int) -> list[str]:
    ps = generate(n_per_template=2, seed=123)
    texts = [p.text for p in ps]
    return (texts * (n // len(texts) + 1))[:n]


def long_posts(n: int, seed: int = 5) -> list[str]:
    """Generated posts, each at a random place among 3-6 generated neutral posts: long posts for the windows."""
    import random

    ps = generate(n_per_template=2, seed=123)
    neutral = [p.text for p in ps if p.kind == "neg:neutral"]
    r = random.Random(seed)
    out = []
    for p in ps[:n]:
        around = r.sample(neutral, r.randint(3, 6))
        around.insert(r.randint(0, len(around)), p.text)
        out.append(" ".join(around))
    return out


def rate(fn: Callable[[list[T]], object], texts: list[T], batch: int, min_seconds: float = 3.0) -> float:
    fn(texts[:batch])  # warm-up
    done, t0 = 0, time.perf_counter()
    while True:
        for b in range(0, len(texts), batch):
            fn(texts[b : b + batch])
            done += len(texts[b : b + batch])
        el = time.perf_counter() - t0
        if el >= min_seconds:
            return done / el


def build_reference(tokenizer_dir: Path, out: Path) -> Path:
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from schildwacht.contracts import LABELS

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    # num_labels is a PretrainedConfig keyword that BertConfig's typed signature leaves out
    cfg = BertConfig(  # type: ignore[call-arg]
        vocab_size=tok.vocab_size,
        num_labels=len(LABELS),
        problem_type="multi_label_classification",
        id2label={i: lab for i, lab in enumerate(LABELS)},
        label2id={lab: i for i, lab in enumerate(LABELS)},
    )
    torch.manual_seed(0)
    BertForSequenceClassification(cfg).save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(Path(__file__).resolve().parent.parent / "models" / "schildwacht-nl-mini"))
    ap.add_argument("--posts", type=int, default=256)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--no-reference", action="store_true")
    args = ap.parse_args()

    import torch

    from classifiers.api import Classifier, ClassifyInput, load_classifier
    from classifiers.int8 import fast_int8
    from classifiers.model import ModelScorer

    texts = posts(args.posts)
    small = ModelScorer(args.model)
    print(
        f"CPU: {os.cpu_count()} cores, torch threads {torch.get_num_threads()}, torch {torch.__version__}, "
        f"{len(texts)} generated posts (mean {sum(map(len, texts)) / len(texts):.0f} chars), "
        f"int8 {'faster here' if fast_int8() else 'slower here (no AVX-512 VNNI or AMX): float32 ships'}"
    )
    rows = []
    float32 = ModelScorer(args.model, quantize=False)
    nparams = sum(p.numel() for p in float32.model.parameters())  # int8 layers hold their weights as buffers
    r1 = rate(small.transformer_probs, texts[:64], 1, args.seconds)
    r32 = rate(small.transformer_probs, texts, 32, args.seconds)
    rows.append((f"schildwacht-nl-mini (transformer, {'int8' if small.int8 else 'float32'})", nparams, r1, r32))
    rows.append(
        (
            "schildwacht-nl-mini (transformer, float32)",
            nparams,
            rate(float32.transformer_probs, texts[:64], 1, args.seconds),
            rate(float32.transformer_probs, texts, 32, args.seconds),
        )
    )
    if small.lexical is not None:
        m1 = rate(small.predict, texts[:64], 1, args.seconds)
        m32 = rate(small.predict, texts, 32, args.seconds)
        rows.append(("schildwacht-nl-mini (transformer + TF-IDF)", nparams, m1, m32))
    from classifiers.api import CombinedClassifier

    items = [ClassifyInput(t) for t in texts]
    long_items = [ClassifyInput(t) for t in long_posts(128)]
    clf = load_classifier(args.model)
    comb = getattr(clf, "combine", "rules")
    combos: list[tuple[str, Classifier, list[ClassifyInput]]] = [
        (f"full classify, shipped combine={'per-label' if isinstance(comb, dict) else comb}", clf, items)
    ]
    before = CombinedClassifier(Path(args.model), occlusion_candidates=0, int8=False)
    combos.append(("full classify, before speed-up (all words)", before, items))
    combos.append(("full classify, float32 transformer", CombinedClassifier(Path(args.model), int8=False), items))
    if getattr(clf, "combine", None) != "max":
        combos.append(
            ("full classify, combine=max (rules+model)", CombinedClassifier(Path(args.model), combine="max"), items)
        )
    whole_only = CombinedClassifier(Path(args.model), windows=False)
    combos.append(("full classify, windows off (before)", whole_only, items))
    combos.append(("long posts: full classify, windows on", clf, long_items))
    combos.append(("long posts: full classify, windows off", whole_only, long_items))
    for label, c, xs in combos:
        c1 = rate(c.classify, xs[:64], 1, args.seconds)
        c32 = rate(c.classify, xs, 32, args.seconds)
        rows.append((label, nparams, c1, c32))
    full = next(row for row in rows if row[0].startswith("full classify, shipped"))
    slow = next(row for row in rows if row[0].startswith("full classify, before"))
    unquantised = next(row for row in rows if row[0].startswith("full classify, float32"))
    ref = None
    if not args.no_reference:
        with tempfile.TemporaryDirectory() as td:
            build_reference(Path(args.model), Path(td) / "bert-base-random")
            bparams = 0
            # int8 only where it is faster (classifiers.int8.fast_int8): elsewhere a BERT-base int8 row takes minutes
            for quantise in (False, True) if fast_int8() else (False,):
                big = ModelScorer(Path(td) / "bert-base-random", quantize=quantise)
                bparams = bparams or sum(p.numel() for p in big.model.parameters())  # the float32 one's
                b1 = rate(big.transformer_probs, texts[:32], 1, args.seconds)
                b32 = rate(big.transformer_probs, texts[:128], 32, args.seconds)
                precision = "int8" if quantise else "float32"
                rows.append((f"BERT-base reference (12x768, random, {precision})", bparams, b1, b32))
            ref = next(row for row in rows if row[0].startswith("BERT-base reference") and "float32" in row[0])
    print(f"{'model':50s} {'params':>11s} {'posts/s b=1':>12s} {'posts/s b=32':>13s}")
    for name, n, a, b in rows:
        print(f"{name:50s} {n:11,d} {a:12.1f} {b:13.1f}")
    print(
        f"ratio full classify/before speed-up: batch 1 = {full[2] / slow[2]:.2f}x, batch 32 = {full[3] / slow[3]:.2f}x"
    )
    print(
        f"ratio full classify/float32 transformer: batch 1 = {full[2] / unquantised[2]:.2f}x, "
        f"batch 32 = {full[3] / unquantised[3]:.2f}x"
    )
    if ref:
        print(f"ratio mini/base: batch 1 = {rows[0][2] / ref[2]:.1f}x, batch 32 = {rows[0][3] / ref[3]:.1f}x")
        if small.lexical is not None:
            print(
                f"ratio mini+TF-IDF/base: batch 1 = {rows[2][2] / ref[2]:.1f}x, batch 32 = {rows[2][3] / ref[3]:.1f}x"
            )
        print(
            f"ratio full classify (windows on)/base: batch 1 = {full[2] / ref[2]:.1f}x, "
            f"batch 32 = {full[3] / ref[3]:.1f}x"
        )


if __name__ == "__main__":
    main()
