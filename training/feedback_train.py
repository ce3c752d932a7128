"""`schildwacht train --feedback`: fine-tune a trained model directory on staff feedback (training/feedback_data.py).

Invariants of the model directory it writes:
- the transformer starts from the base's weights and keeps the base's tokenizer (copied byte for byte; no new
  tokenizer, no masked-LM step); it is fine-tuned on the feedback examples (each with `feedback_weight - 1` copies
  with spelling noise, as training replies are) mixed with a replay sample of the base's training split, so it does
  not forget what it learned;
- the lexical half is refitted with the same code as `train` on the base's training split plus the feedback (and its
  copies);
- both Platt calibrations are refitted on the base's calibration split only, never on the feedback or an evaluation
  set; the base's combination (thresholds, combine, model_gate, frame_damp, lexical_weight) is kept as it is;
- thresholds.json → "feedback" records the base and every feedback file (sha256 and counts), the model card says the
  same; the version becomes "<base version>+feedback.<digest of the feedback files>";
- the directory appears whole or not at all: everything is written into a temporary directory beside it first.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from classifiers.model import MAX_LENGTH, set_threads
from classifiers.textnorm import model_text
from schildwacht.contracts import LABELS

from .data import Example
from .feedback_data import Feedback, FeedbackError
from .generator import add_noise
from .train import (
    Splits,
    _batches,
    build_splits,
    fit_calibration,
    fit_lexical,
    mapped_labels,
    masked_bce,
    predict_logits,
    train_step,
    warmup_then_linear,
)

#: Files of the base's tokenizer that are copied unchanged (those present).
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")
#: Files of the model directory that SHA256SUMS does not list (they change when the model is evaluated again).
UNSUMMED = ("README.md", "SHA256SUMS", "thresholds.json", "eval_results.json")


@dataclass(frozen=True)
class FineTuning:
    """How the transformer is fine-tuned: a low learning rate, few epochs, `replay` examples of the base's training
    split beside the feedback."""

    epochs: int = 3
    lr: float = 1e-4
    replay: int = 3000
    feedback_weight: int = 3
    batch_size: int = 32
    seed: int = 0
    device: str = "cpu"


def check_base(base: Path) -> dict[str, Any]:
    """The base's thresholds.json; FeedbackError when `base` is not a trained model directory with the model labels."""
    base = Path(base)
    if not (base / "config.json").is_file() or not (base / "thresholds.json").is_file():
        raise FeedbackError(f"{base}: geen modelmap (config.json en thresholds.json ontbreken).")
    config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    names = set((config.get("id2label") or {}).values())
    if not set(LABELS) <= names:
        raise FeedbackError(f"{base}: het model heeft niet de labels {', '.join(LABELS)}.")
    meta: dict[str, Any] = json.loads((base / "thresholds.json").read_text(encoding="utf-8"))
    return meta


def check_output(output: Path, base: Path) -> None:
    """FeedbackError when `output` is the base or already holds something: a fine-tune never overwrites a model."""
    output, base = Path(output), Path(base)
    if output.resolve() == base.resolve():
        raise FeedbackError(f"{output}: dat is het basismodel zelf; kies met -o een nieuwe uitvoermap.")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise FeedbackError(f"{output}: bestaat al en is niet leeg; kies met -o een nieuwe uitvoermap.")


def base_splits(meta: dict[str, Any]) -> Splits:
    """The splits the base was trained and calibrated on, rebuilt from its training record (seed, examples per
    template, MHC, reply weight, the reply authors it trained on, and whether the splits were leak-free)."""
    training = meta.get("training") or {}
    replies = training.get("replies") or {}
    return build_splits(
        seed=int(training.get("seed", 0)),
        n_per_template=int(training.get("n_per_template", 40)),
        use_mhc=bool(training.get("use_mhc", True)),
        reply_weight=int(replies.get("train_weight", 3)),
        leak_free=bool(training.get("leak_free")),
        reply_authors=replies.get("authors_trained"),
    )


def fine_tune(
    base: Path,
    feedback: Feedback,
    output: Path,
    settings: FineTuning = FineTuning(),
    splits: Splits | None = None,
    log: Callable[[str], object] = print,
) -> dict[str, Any]:
    """Fine-tune `base` on `feedback` into `output` (module docstring); returns the written thresholds.json.
    `splits` replaces the base's splits rebuilt from its training record (tests pass a smaller training split)."""
    set_threads()
    t0 = time.time()
    base, output = Path(base), Path(output)
    meta = check_base(base)
    check_output(output, base)
    splits = splits or base_splits(meta)
    log(f"basis {base}: trainingsdeel {len(splits.train)}, kalibratiedeel {len(splits.calib)} voorbeelden")
    rng = random.Random(settings.seed)
    extra = feedback.examples + [
        Example(add_noise(e.text, rng), e.labels, e.group, e.source, e.kind)
        for _ in range(settings.feedback_weight - 1)
        for e in feedback.examples
    ]
    replay = rng.sample(splits.train, min(settings.replay, len(splits.train)))
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        model, tokenizer, index = _load_base(base)
        steps = _train(model, tokenizer, index, replay + extra, settings, log)
        model.to("cpu").eval()
        logits = predict_logits(model, tokenizer, [e.text for e in splits.calib])
        calibration = fit_calibration([[row[i] for i in index] for row in logits], mapped_labels(splits.calib))
        log(f"transformer bijgetraind ({steps} stappen) en gekalibreerd, {time.time() - t0:.0f}s")
        model.save_pretrained(str(work), safe_serialization=True)
        for name in TOKENIZER_FILES:
            if (base / name).is_file():
                shutil.copy2(base / name, work / name)
        fit_lexical(replace(splits, train=splits.train + extra), work)
        log(f"lexicale helft opnieuw gefit, {time.time() - t0:.0f}s")
        written = _thresholds(meta, base, feedback, settings, calibration, len(replay), steps, round(time.time() - t0))
        (work / "thresholds.json").write_text(json.dumps(written, indent=2, ensure_ascii=False), encoding="utf-8")
        _write_card(work, written)
        _write_sums(work)
        if output.exists():
            output.rmdir()  # check_output: an empty directory
        work.rename(output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    log(f"klaar: {output} ({time.time() - t0:.0f}s)")
    return written


def _load_base(base: Path) -> tuple[Any, Any, list[int]]:
    """The base's transformer and tokenizer, and for each label in LABELS order its output index."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForSequenceClassification.from_pretrained(str(base))
    inverse = {name: int(i) for i, name in model.config.id2label.items()}
    return model, tokenizer, [inverse[label] for label in LABELS]


def _train(model: Any, tokenizer: Any, index: list[int], examples: list[Example], settings: FineTuning, log) -> int:
    """Fine-tune `model` in place on `examples` (masked BCE as in train_model, warm-up then linear decay of the
    learning rate); returns the number of steps."""
    import torch

    torch.manual_seed(settings.seed)  # dropout
    model.to(settings.device)
    ids = tokenizer([model_text(e.text) or "." for e in examples], truncation=True, max_length=MAX_LENGTH)["input_ids"]
    labels = torch.tensor(mapped_labels(examples), dtype=torch.float32)
    lengths = [len(x) for x in ids]
    lossf = masked_bce(labels, settings.device)
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=0.01)
    sched = warmup_then_linear(opt, math.ceil(len(ids) / settings.batch_size) * settings.epochs)
    r = random.Random(settings.seed)
    step = 0
    for epoch in range(settings.epochs):
        model.train()
        run = 0.0
        for b in _batches(len(ids), lengths, settings.batch_size, r):
            loss = train_step(model, opt, sched, lossf, ids, lengths, labels, b, settings.device, index)
            step += 1
            run = 0.9 * run + 0.1 * loss if step > 1 else loss
        log(f"epoch {epoch + 1}/{settings.epochs}: loss {run:.4f}")
    return step


def feedback_digest(feedback: Feedback) -> str:
    """A short digest of the feedback files (their sha256 in order): the version suffix of the fine-tuned model."""
    return hashlib.sha256("".join(f.sha256 for f in feedback.files).encode()).hexdigest()[:12]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _thresholds(
    meta: dict[str, Any],
    base: Path,
    feedback: Feedback,
    settings: FineTuning,
    calibration: dict,
    replay: int,
    steps: int,
    seconds: int,
) -> dict[str, Any]:
    """The base's thresholds.json with the new calibration, the new version and the feedback record."""
    record: dict[str, Any] = {
        "base": {
            "path": str(base),
            "name": meta.get("name"),
            "version": meta.get("version"),
            "model_sha256": _sha256(base / "model.safetensors") if (base / "model.safetensors").is_file() else None,
        },
        "organisation_id": feedback.organisation_id,
        "files": [f.record() for f in feedback.files],
        "examples": len(feedback.examples),
        "skipped_without_text": sum(f.skipped_without_text for f in feedback.files),
        "feedback_weight": settings.feedback_weight,
        "replay": replay,
        "epochs": settings.epochs,
        "lr": settings.lr,
        "batch_size": settings.batch_size,
        "steps": steps,
        "seed": settings.seed,
        "device": settings.device,
        "calibration": "base calibration split",
        "seconds": seconds,
    }
    if meta.get("feedback"):
        record["base"]["feedback"] = meta["feedback"]
    version = str(meta.get("version", "0")).split("+")[0]
    return {
        **meta,
        "version": f"{version}+feedback.{feedback_digest(feedback)}",
        "calibration": calibration,
        "feedback": record,
    }


def _write_card(model_dir: Path, meta: dict[str, Any]) -> None:
    """The model card of the base kind (training.card) plus a section on the fine-tuning."""
    from .card import write_card

    write_card(model_dir)
    fb = meta["feedback"]
    rows = "\n".join(
        f"| `{f['name']}` | `{f['sha256']}` | {f['lines']} | {f['with_text']} | {f['skipped_without_text']} | "
        + ", ".join(f"{lab} {n}" for lab, n in f["positives"].items())
        + " |"
        for f in fb["files"]
    )
    section = f"""
## Fine-tuned on staff feedback

Version `{meta["version"]}`: `schildwacht train --feedback` fine-tuned base `{fb["base"]["name"]}`
{fb["base"]["version"]} (`{fb["base"]["path"]}`, model.safetensors sha256 `{fb["base"]["model_sha256"]}`) on the
feedback of organisation `{fb["organisation_id"]}`: {fb["examples"]} examples with text (each with
{fb["feedback_weight"] - 1} spelling-noise copies) mixed with a replay sample of {fb["replay"]} examples of the base's
training split; {fb["epochs"]} epochs, lr {fb["lr"]}, {fb["steps"]} steps, {fb["seconds"]} s on {fb["device"]}.
Tokenizer and architecture are the base's; the lexical half was refitted on the base's training split plus the
feedback; both calibrations were refitted on the base's calibration split; thresholds, combination, gates and lexical
weight are the base's. This run evaluated nothing: measure the model before it replaces another (the base's figures
do not carry over; `scripts/feedback_demo.py` compares a fine-tune with its base). The lexical vocabulary
(`lexical_vocab.json`) keeps word and character n-grams that occur in at least two training texts, and each feedback
post is trained with its copies: fragments of the feedback posts can be in it. Treat this directory as derived from
the organisation's data: keep it inside the organisation and delete it with the export (`delete_by`).

| file | sha256 | lines | with text | skipped (no text) | positives |
|---|---|---|---|---|---|
{rows}
"""
    card = model_dir / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + section, encoding="utf-8")


def _write_sums(model_dir: Path) -> None:
    """SHA256SUMS of the weights, tokenizer and config files, in the format of the shipped model's."""
    names = sorted(p.name for p in model_dir.iterdir() if p.is_file() and p.name not in UNSUMMED)
    lines = [f"{_sha256(model_dir / name)}  {name}" for name in names]
    (model_dir / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
