"""Demonstration of `schildwacht train --feedback` (issue #17, "Learning from staff decisions"): one independent
author, never trained on, plays the staff corrections; the shipped model is fine-tuned with them and compared with
itself before the fine-tune.

    .venv/bin/python scripts/feedback_demo.py [--basis models/schildwacht-nl-mini] [--werkmap /tmp/feedback-demo]
        [--eindtoets [MAP]]

1. `training/replies_pending/z_longdialect.jsonl` (the one five-label author left out of training for this demo:
   long posts, dialects, Dutch-English mixing, doxxing) becomes a feedback export (format schildwacht-feedback/3, as
   `schildwacht feedback export` writes it): every line a staff correction (label_source "correction") of a confirmed
   case, so the hard negatives keep their text too, with the five labels.
2. `schildwacht train --feedback EXPORT -o WORKDIR/model --basis BASE` runs as staff would run it (with its defaults;
   on a machine shared with other work, OMP_NUM_THREADS=1 is several times faster than two contended threads).
3. Base and fine-tuned model are scored on the realistic-reply validation authors (REPLIES_VAL_AUTHORS) and the
   probe test half, both as `schildwacht evaluate` computes them: the same sets (`build_splits` for the base's
   seed), the same exclusion of texts (near-)equal to what the base was trained or calibrated on, here also of the
   feedback texts, and the same metrics (`_metrics_for`) for the shipped combination of thresholds.json without
   searching it again (`evaluate(tune=False)`), beside the model probability alone (transformer + TF-IDF).
4. The same author split in two: the model fine-tuned on its even lines only (WORKDIR/even) against the base on its
   odd lines, never fine-tuned on: does learning from corrections carry over to new posts of the same kind?
5. The before/after table is printed as markdown (and written to WORKDIR/feedback_demo.md).
6. Only with `--eindtoets [DIR]` (after the final report, training/final_report.py; DIR defaults to the frozen test
   set): base and fine-tuned model on DIR through the full classify path, per label with `final_report`'s metrics,
   printed and written to WORKDIR/feedback_demo_eindtoets.md with the sha256 of every file read.

Without `--eindtoets` nothing here reads the frozen test set; the model in models/ is never written.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.api import ClassifyInput, RuleClassifier  # noqa: E402
from schildwacht.contracts import LABELS  # noqa: E402
from training.cli import training_seed  # noqa: E402
from training.data import Example, load_replies  # noqa: E402
from training.evaluate import (  # noqa: E402
    GATED,
    MODEL,
    PROBE,
    REPLIES,
    Variants,
    _metrics_for,
    _model_meta,
    exclude_seen,
    with_lexical_weight,
)
from training.feedback_data import FEEDBACK_FORMAT  # noqa: E402
from training.final_report import FROZEN_DIR, compare_models  # noqa: E402
from training.train import build_splits  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AUTHOR = ROOT / "training" / "replies_pending" / "z_longdialect.jsonl"
ORGANISATION = "demo-feedback"
ODD = f"{AUTHOR.stem} odd lines (fine-tuned on the even lines only)"


def write_export(author: Path, out: Path, even_only: bool = False) -> int:
    """The author's lines (with `even_only` its lines 0, 2, 4, ...) as feedback-export lines (module docstring,
    step 1); returns the number of lines."""
    lines = []
    for number, line in enumerate(author.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or (even_only and number % 2 == 0):
            continue
        row = json.loads(line)
        labels = {label: int(bool(row["labels"].get(label))) for label in LABELS}
        lines.append(
            json.dumps(
                {
                    "format": FEEDBACK_FORMAT,
                    "organisation_id": ORGANISATION,
                    "text": row["text"],
                    "labels": labels,
                    "label_source": "correction",
                    "decision": "confirmed",
                    "case_status": "afgerond",
                    "uid": f"{author.stem}:{number}",
                    "platform": row.get("style"),
                },
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def fine_tune_with_cli(export: Path, base: Path, model: Path) -> float:
    """Run `schildwacht train --feedback` as staff would; returns its wall-clock seconds."""
    t0 = time.time()
    cli = Path(sys.executable).with_name("schildwacht")
    subprocess.run(
        [str(cli), "train", "--feedback", str(export), "-o", str(model), "--basis", str(base)], check=True, cwd=ROOT
    )
    return time.time() - t0


def shipped_metrics(model: Path, sets: dict[str, list[Example]], ruled: dict[str, Any]) -> dict[str, dict]:
    """Per set: the metrics of the shipped combination (GATED, thresholds.json's gates, damping and lexical weight)
    and of the model probability alone (MODEL), as `evaluate(tune=False)` computes them."""
    from classifiers.model import ModelScorer
    from schildwacht.config import get_settings

    meta = _model_meta(model)
    thr = {label: 0.5 for label in LABELS}
    thr.update({k: float(v) for k, v in (meta.get("thresholds") or {}).items() if k in LABELS})
    thr.update(get_settings().thresholds())
    gates = {label: float((meta.get("model_gate") or {}).get(label, 0.5)) for label in LABELS}
    damp = float(meta.get("frame_damp", 1.0))
    scorer = ModelScorer(model)
    out = {}
    for name, exs in sets.items():
        transformer, lexical = scorer.predict_parts([e.text for e in exs])
        parts = {"ruled": ruled[name], "transformer": transformer, "lexical": lexical}
        parts["probs"] = transformer if lexical is None else scorer.mix(transformer, lexical)
        parts = with_lexical_weight(parts, meta.get("lexical_weight"))
        out[name] = {
            GATED: _metrics_for(exs, Variants.combined(parts, damp, gates), thr),
            MODEL: _metrics_for(exs, parts["probs"], thr),
        }
    return out


def _fmt(x: float | None) -> str:
    return "—" if x is None or x != x else f"{x:.3f}"


def table(before: dict[str, dict], after: dict[str, dict], sizes: dict[str, int]) -> str:
    """Markdown: per set, variant and label P / R / F1 before and after, and the flag rates on hard negatives."""
    lines = [
        "| set (scored) | variant | label | P before | P after | R before | R after | F1 before | F1 after | pos |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in before:
        for variant in (GATED, MODEL):
            b, a = before[name][variant], after[name][variant]
            for label in LABELS:
                mb, ma = b["metrics"][label], a["metrics"][label]
                if not mb["support"]:
                    continue
                lines.append(
                    f"| {name} ({sizes[name]}) | {variant} | {label} | {_fmt(mb['p'])} | {_fmt(ma['p'])} | "
                    f"{_fmt(mb['r'])} | {_fmt(ma['r'])} | {_fmt(mb['f1'])} | {_fmt(ma['f1'])} | {mb['support']} |"
                )
            lines.append(
                f"| {name} ({sizes[name]}) | {variant} | hard negatives flagged | | | | | "
                f"{_fmt(b['hard_negative_flag_rate'])} | {_fmt(a['hard_negative_flag_rate'])} | |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--basis", type=Path, default=ROOT / "models" / "schildwacht-nl-mini")
    parser.add_argument("--werkmap", type=Path, default=Path("/tmp/feedback-demo"))
    parser.add_argument(
        "--eindtoets",
        type=Path,
        nargs="?",
        const=FROZEN_DIR,
        default=None,
        metavar="MAP",
        help="ook basis- en bijgetraind model op deze vijf-label-testmap (standaard de bevroren testset; alleen na "
        "de eindtoets van het eindmodel)",
    )
    args = parser.parse_args()
    work: Path = args.werkmap
    work.mkdir(parents=True, exist_ok=True)
    runs = {
        "all": (work / f"{AUTHOR.stem}.feedback.jsonl", work / "model"),
        "even": (work / "even.jsonl", work / "even"),
    }
    seconds = {}
    for which, (export, model) in runs.items():
        n = write_export(AUTHOR, export, even_only=which == "even")
        print(f"feedbackexport: {n} regels uit {AUTHOR.name} -> {export}", flush=True)
        seconds[which] = fine_tune_with_cli(export, args.basis, model) if not model.exists() else float("nan")
        print(f"bijtrainen: {seconds[which]:.0f}s", flush=True)

    meta = _model_meta(args.basis)
    params: dict[str, Any] = {
        "seed": training_seed(args.basis),
        "n_per_template": int(meta["training"].get("n_per_template", 40)),
        "reply_weight": int(meta["training"]["replies"].get("train_weight", 3)),
    }
    splits = build_splits(**params)
    seen = splits if meta["training"].get("leak_free") else build_splits(**params, leak_free=False)
    odd = [e for i, e in enumerate(load_replies(AUTHOR.parent)[AUTHOR.stem]) if i % 2 == 1]
    sets, excluded = exclude_seen(
        {REPLIES: splits.val_replies, PROBE: splits.probe_test, ODD: odd}, seen.train + seen.calib
    )
    feedback = {which: _texts(export) for which, (export, _) in runs.items()}
    main_sets, excluded_fb = exclude_seen({REPLIES: sets[REPLIES], PROBE: sets[PROBE]}, feedback["all"])
    half, excluded_even = exclude_seen({ODD: sets[ODD]}, feedback["even"])
    sets = main_sets | half
    rules = RuleClassifier()
    ruled = {
        name: [res for _, res, _ in rules._rule_pass([ClassifyInput(e.text) for e in exs])]
        for name, exs in sets.items()
    }
    before = shipped_metrics(args.basis, sets, ruled)
    after = shipped_metrics(runs["all"][1], main_sets, ruled) | shipped_metrics(
        runs["even"][1], {ODD: sets[ODD]}, ruled
    )
    report = table(before, after, {name: len(exs) for name, exs in sets.items()})
    note = (
        "\nExcluded as (near-)equal to a training or calibration text of the base: "
        f"{ {name: x['exact'] + x['near'] for name, x in excluded.items()} }; as (near-)equal to a feedback text: "
        f"{ {name: x['exact'] + x['near'] for name, x in (excluded_fb | excluded_even).items()} }. "
        f"Fine-tune on all {AUTHOR.stem} lines: {seconds['all']:.0f} s; on its even lines: {seconds['even']:.0f} s.\n"
    )
    print(report + note)
    (work / "feedback_demo.md").write_text(report + "\n" + note, encoding="utf-8")
    (work / "feedback_demo.json").write_text(json.dumps({"before": before, "after": after}, default=float, indent=1))
    if args.eindtoets is not None:
        base_report, tuned_report = compare_models([args.basis, runs["all"][1]], args.eindtoets, log=lambda _: None)
        final = final_table(base_report, tuned_report)
        print(final)
        (work / "feedback_demo_eindtoets.md").write_text(final, encoding="utf-8")


def final_table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Markdown: base (`before`) and fine-tuned model (`after`) on the final test set, per label P / R / F1, and the
    flag rates on legitimate speech and all hard negatives, with the files read and their sha256."""
    files = ", ".join(f"{name} ({f['posts']}, sha256 {f['sha256']})" for name, f in before["test_files"].items())
    lines = [
        f"Final test set {before['test_dir']}: {files}; {before['date']}.",
        "",
        "| label | P before | P after | R before | R after | F1 before | F1 after | pos |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in LABELS:
        b, a = before["labels"][label], after["labels"][label]
        lines.append(
            f"| {label} | {_fmt(b['precision'])} | {_fmt(a['precision'])} | {_fmt(b['recall'])} | "
            f"{_fmt(a['recall'])} | {_fmt(b['f1'])} | {_fmt(a['f1'])} | {b['support']} |"
        )
    for key, name in (("legitimate_flagged", "criticism, news, counter-speech flagged"),
                      ("hard_negative_flagged", "hard negatives flagged")):  # fmt: skip
        lines.append(f"| {name} | | | | | {_fmt(before[key]['rate'])} | {_fmt(after[key]['rate'])} | |")
    return "\n".join(lines) + "\n"


def _texts(export: Path) -> list[Example]:
    """The texts of a feedback export, as examples to exclude from the evaluation sets."""
    lines = export.read_text(encoding="utf-8").splitlines()
    return [Example(json.loads(line)["text"], None, "feedback", "feedback", "feedback") for line in lines]


if __name__ == "__main__":
    main()
