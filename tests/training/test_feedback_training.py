"""`schildwacht train --feedback`: a small real fine-tune of the shipped model on CPU (a dozen feedback posts, a tiny
replay sample, one epoch), and the refusals of input that cannot be trained on.

Oracles: the base model's own probabilities on the feedback texts (the direction each corrected label must move),
the base's files as committed (thresholds, calibration, tokenizer), a Platt fit with scikit-learn of the output's
own logits through the runtime loader, hashlib on the input files, and counts of the lines this test writes."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

from schildwacht.app.cli import app
from schildwacht.config import REPO_ROOT
from schildwacht.contracts import LABELS
from training.feedback_data import FEEDBACK_FORMAT

BASE = REPO_ROOT / "models" / "schildwacht-nl-mini"
AUTHOR = REPO_ROOT / "training" / "replies_pending" / "z_longdialect.jsonl"  # never trained on
N_FEEDBACK = 12
N_DISMISSED = 2


def export_line(text: str | None, labels: dict[str, int], org: str = "org-a", **extra: object) -> str:
    """One line as `schildwacht feedback export` writes it."""
    row = {
        "format": FEEDBACK_FORMAT,
        "organisation_id": org,
        "text": text,
        "labels": labels,
        "label_source": "correction" if text else "decision",
        "decision": "confirmed" if text else "false_positive",
        **extra,
    }
    return json.dumps(row, ensure_ascii=False)


def four(row: dict) -> dict[str, int]:
    return {label: int(bool(row["labels"].get(label))) for label in LABELS}


@pytest.fixture(scope="module")
def base_scorer():
    from classifiers.model import ModelScorer

    return ModelScorer(BASE)


@pytest.fixture(scope="module")
def corrections(base_scorer) -> list[dict]:
    """The first N_FEEDBACK lines of a never-trained-on author on which the base model is wrong for some label."""
    rows = [json.loads(line) for line in AUTHOR.read_text(encoding="utf-8").splitlines()[:120] if line.strip()]
    probs = base_scorer.predict([r["text"] for r in rows])
    wrong = [r for r, p in zip(rows, probs) if any((p[j] >= 0.5) != bool(four(r)[lab]) for j, lab in enumerate(LABELS))]
    assert len(wrong) >= N_FEEDBACK
    return wrong[:N_FEEDBACK]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, corrections: list[dict]) -> Path:
    path = tmp_path_factory.mktemp("feedback") / "export.jsonl"
    lines = [export_line(r["text"], four(r)) for r in corrections]
    lines += [export_line(None, {label: 0 for label in LABELS}) for _ in range(N_DISMISSED)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def splits():
    from training.feedback_train import base_splits, check_base

    return base_splits(check_base(BASE))


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory, export: Path, splits) -> Path:
    """The shipped model fine-tuned on the export: 1 epoch, 64 replay examples; the lexical half is refitted on a
    1,000-example sample of the base's training split (the whole split takes minutes) plus the feedback."""
    from training.feedback_data import read_feedback
    from training.feedback_train import FineTuning, fine_tune

    out = tmp_path_factory.mktemp("tuned") / "model"
    small = replace(splits, train=random.Random(1).sample(splits.train, 1000))
    settings = FineTuning(epochs=1, replay=64, lr=3e-4, batch_size=16, seed=0)
    fine_tune(BASE, read_feedback([export]), out, settings, splits=small, log=lambda *_: None)
    return out


def test_the_output_is_a_complete_model_directory_that_classifies(tuned: Path) -> None:
    from classifiers.api import ClassifyInput, CombinedClassifier, load_classifier

    clf = load_classifier(tuned)
    assert isinstance(clf, CombinedClassifier)
    base_version = json.loads((BASE / "thresholds.json").read_text())["version"]
    assert clf.version.startswith(base_version + "+feedback.")
    [result] = clf.classify([ClassifyInput("Ik weet waar je woont en ik kom je vanavond afmaken, wethouder.")])
    assert set(result.scores) == set(LABELS)
    assert "threat" in result.flags
    lines = (tuned / "SHA256SUMS").read_text().splitlines()
    sums = {name: digest for digest, name in (line.split(maxsplit=1) for line in lines)}
    assert {"model.safetensors", "lexical.safetensors", "tokenizer.json", "config.json"} <= set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((tuned / name).read_bytes()).hexdigest() == digest


def test_the_feedback_moves_its_own_labels_away_from_the_base(tuned: Path, base_scorer, corrections) -> None:
    """Each label on which the base was wrong moves towards the staff's label in the model probability; the
    transformer half, on its own, moves towards the feedback over all labels taken together."""
    from classifiers.model import ModelScorer

    texts = [r["text"] for r in corrections]
    before_t, before_l = base_scorer.predict_parts(texts)
    after_scorer = ModelScorer(tuned)
    after_t, after_l = after_scorer.predict_parts(texts)
    assert before_l is not None and after_l is not None  # both directories have a lexical half
    before, after = base_scorer.mix(before_t, before_l), after_scorer.mix(after_t, after_l)
    corrected = wrong_way = 0
    towards = 0.0
    for r, b, a, bt, at in zip(corrections, before, after, before_t, after_t):
        for j, label in enumerate(LABELS):
            sign = 1 if four(r)[label] else -1
            towards += sign * (at[j] - bt[j])
            if (b[j] >= 0.5) != bool(four(r)[label]):
                corrected += 1
                wrong_way += sign * (a[j] - b[j]) <= 0
    assert corrected >= N_FEEDBACK
    assert wrong_way == 0
    assert towards > 0


def test_the_combination_is_the_base_and_the_calibration_is_fitted_on_the_base_calibration_split(
    tuned: Path, splits
) -> None:
    from classifiers.lexical import LexicalModel
    from classifiers.model import ModelScorer

    base, out = (json.loads((d / "thresholds.json").read_text()) for d in (BASE, tuned))
    for key in ("thresholds", "combine", "model_gate", "frame_damp", "lexical_weight", "training"):
        assert out[key] == base[key], key
    assert out["calibration"] != base["calibration"]  # the weights changed, so the fit changed
    texts = [e.text for e in splits.calib]
    # the split rebuilt from the base's training record is its calibration split: the base's own lexical half,
    # Platt-fitted on it, gives exactly the calibration committed with the base
    base_lexical = LexicalModel.load(BASE)
    assert base_lexical is not None
    committed = json.loads((BASE / "lexical_vocab.json").read_text())["calibration"]
    for (label, ab), fitted in zip(committed.items(), _platt(base_lexical.decision(texts), splits.calib)):
        assert fitted == pytest.approx(ab, abs=2e-3), label
    # the output's transformer calibration is the Platt fit of its own float32 logits (runtime loader; training
    # fits on float32, the int8 default moves a logit by ~0.01) on that split
    logits = ModelScorer(tuned, quantize=False).logits(texts)
    for label, fitted in zip(LABELS, _platt(logits, splits.calib)):
        assert fitted == pytest.approx([out["calibration"][label]["a"], out["calibration"][label]["b"]], abs=2e-3)


def _platt(logits: list[list[float]], examples) -> list[list[float]]:
    """Per label [a, b] of a logistic regression of the label on its logit (the calibration's definition), over
    the examples that annotate the label (label -1 = unknown is left out)."""
    fits = []
    for j in range(len(LABELS)):
        known = [(row[j], e.labels[j]) for row, e in zip(logits, examples) if e.labels[j] >= 0]
        z = np.array([[logit] for logit, _ in known])
        y = np.array([label for _, label in known])
        lr = LogisticRegression(C=10.0).fit(z, y)
        fits.append([float(lr.coef_[0][0]), float(lr.intercept_[0])])
    return fits


def test_the_output_records_its_base_and_every_feedback_file(tuned: Path, export: Path) -> None:
    meta = json.loads((tuned / "thresholds.json").read_text())
    fb = meta["feedback"]
    digest = hashlib.sha256(export.read_bytes()).hexdigest()
    assert fb["base"]["version"] == json.loads((BASE / "thresholds.json").read_text())["version"]
    assert fb["base"]["model_sha256"] == hashlib.sha256((BASE / "model.safetensors").read_bytes()).hexdigest()
    [record] = fb["files"]
    assert record["sha256"] == digest
    assert (record["lines"], record["with_text"], record["skipped_without_text"]) == (
        N_FEEDBACK + N_DISMISSED,
        N_FEEDBACK,
        N_DISMISSED,
    )
    assert fb["examples"] == N_FEEDBACK and fb["skipped_without_text"] == N_DISMISSED
    assert fb["replay"] == 64
    assert (tuned / "tokenizer.json").read_bytes() == (BASE / "tokenizer.json").read_bytes()
    assert digest in (tuned / "README.md").read_text(encoding="utf-8")


LABELS_ZERO = {label: 0 for label in LABELS}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([[json.dumps({"format": "schildwacht-feedback/2", "organisation_id": "a", "text": "x"})]], "formaat"),
        ([["een gewone tekstregel"]], "geen geldige JSON"),
        ([[export_line("a", LABELS_ZERO, "org-a"), export_line("b", LABELS_ZERO, "org-b")]], "één organisatie"),
        ([[export_line("a", LABELS_ZERO, "org-a")], [export_line("b", LABELS_ZERO, "org-b")]], "één organisatie"),
        ([[]], "leeg"),
        ([[export_line("a", {**LABELS_ZERO, "spam": 1})]], "onbekend label spam"),
        ([[export_line("a", {k: v for k, v in LABELS_ZERO.items() if k != "threat"})]], "ontbreekt"),
        ([[export_line("a", {**LABELS_ZERO, "abuse": 2})]], "alleen 0 of 1"),
        ([[export_line(None, LABELS_ZERO)]], "niets om op te trainen"),
    ],
)
def test_input_that_cannot_be_trained_on_is_refused_and_nothing_is_written(
    tmp_path: Path, files: list[list[str]], message: str
) -> None:
    paths = []
    for i, lines in enumerate(files):
        path = tmp_path / f"export{i}.jsonl"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        paths.append(path)
    out = tmp_path / "model"
    args = ["train", "-o", str(out)] + [arg for path in paths for arg in ("--feedback", str(path))]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_the_base_and_an_existing_directory_are_never_overwritten(tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    export.write_text(export_line("Je bent een sukkel.", {**LABELS_ZERO, "abuse": 1}) + "\n", encoding="utf-8")
    before = hashlib.sha256((BASE / "model.safetensors").read_bytes()).hexdigest()
    res = CliRunner().invoke(app, ["train", "--feedback", str(export)])  # -o defaults to the shipped model
    assert res.exit_code == 2 and "basismodel zelf" in res.output
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("x")
    res = CliRunner().invoke(app, ["train", "--feedback", str(export), "-o", str(taken)])
    assert res.exit_code == 2 and "niet leeg" in res.output
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    assert hashlib.sha256((BASE / "model.safetensors").read_bytes()).hexdigest() == before
