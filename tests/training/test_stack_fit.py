"""training/stack_fit.py: the stacker is fitted only on authors that no part of the model trained on and no choice
reads, and the shipped stacker says which those were."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from classifiers.api import DEFAULT_MODEL_DIR
from classifiers.stacking import FEATURES
from schildwacht.contracts import LABELS
from training.data import REPLIES_DIR, REPLIES_TEST_AUTHORS, REPLIES_VAL_AUTHORS, load_replies
from training.evaluate import GEN, PER_LABEL, STACKED, STACKED_RULES, apply_choice, stacked_scores
from training.stack_fit import fit_stacker, stack_authors, stack_examples, unstack

SHIPPED = json.loads((DEFAULT_MODEL_DIR / "thresholds.json").read_text(encoding="utf-8"))


def test_stack_authors_leave_out_trained_validation_and_test_authors():
    meta = {"training": {"replies": {"authors_trained": ["a_twitter", "x_identity"]}}}
    authors = ["a_twitter", "x_identity", "b_facebook", "o_instagram", "zz_new", "ad_villagers"]
    assert "b_facebook" in REPLIES_VAL_AUTHORS and "o_instagram" in REPLIES_TEST_AUTHORS
    assert stack_authors(meta, authors) == ["ad_villagers", "zz_new"]
    assert stack_authors({}, ["b_facebook", "zz_new"]) == ["zz_new"]


def test_the_shipped_stacker_was_fitted_on_unseen_authors_only():
    entry = SHIPPED["stacker"]
    trained = set(SHIPPED["training"]["replies"]["authors_trained"])
    assert entry["features"] == list(FEATURES)
    assert set(entry["weights"]) == set(entry["bias"]) == set(LABELS)
    assert all(len(w) == len(FEATURES) for w in entry["weights"].values())
    authors, examples = stack_examples(SHIPPED)
    assert entry["authors"] == authors and entry["posts"] == len(examples) >= 500
    assert not set(authors) & (trained | set(REPLIES_VAL_AUTHORS) | set(REPLIES_TEST_AUTHORS))
    assert set(authors) <= set(load_replies())


def test_too_few_unseen_posts_are_refused_before_anything_is_written(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").symlink_to(DEFAULT_MODEL_DIR / "config.json")
    (model / "thresholds.json").write_text(json.dumps({"training": {}}), encoding="utf-8")
    replies = tmp_path / "replies"
    replies.mkdir()
    shutil.copy(REPLIES_DIR / "ao_streams.jsonl", replies / "zz_one.jsonl")
    lines = (replies / "zz_one.jsonl").read_text(encoding="utf-8").splitlines()[:100]
    (replies / "zz_one.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = (model / "thresholds.json").read_bytes()
    with pytest.raises(ValueError, match="te weinig ongeziene berichten"):
        fit_stacker(model, log=lambda *_: None, directory=replies)
    assert (model / "thresholds.json").read_bytes() == before


def test_the_stack_examples_carry_all_five_labels():
    authors, examples = stack_examples(SHIPPED)
    assert examples and all(e.labels is not None and len(e.labels) == len(LABELS) for e in examples)
    assert all(min(e.labels) >= 0 for e in examples)
    assert len({e.source for e in examples}) == len(authors)


def test_the_command_refuses_a_directory_it_cannot_fit_with_a_dutch_message(tmp_path):
    from typer.testing import CliRunner

    from schildwacht.app.cli import app

    missing = CliRunner().invoke(app, ["fit-stacker", "-m", str(tmp_path / "geen-model")])
    assert missing.exit_code == 2 and "geen af model" in missing.output and "Traceback" not in missing.output
    (tmp_path / "thresholds.json").write_text(json.dumps({"training": {}}), encoding="utf-8")
    before = (tmp_path / "thresholds.json").read_bytes()
    res = CliRunner().invoke(app, ["fit-stacker", "-m", str(tmp_path)])  # thresholds.json but no model
    assert res.exit_code == 2 and "geen af model" in res.output and "Traceback" not in res.output
    assert (tmp_path / "thresholds.json").read_bytes() == before


def test_refitting_sends_stacked_labels_back_to_the_gated_combination():
    per_label = {"combine": {"threat": "max", "doxxing": "stack+rules", "identity": "stack"}, "stack_gate": {}}
    assert unstack(per_label) and per_label["combine"] == {"threat": "max", "doxxing": "max", "identity": "max"}
    assert "stack_gate" not in per_label
    whole = {"combine": "stack"}
    assert unstack(whole) and whole["combine"] == "max"
    plain = {"combine": "max", "model_gate": {"threat": 0.7}}
    assert not unstack(plain) and plain == {"combine": "max", "model_gate": {"threat": 0.7}}


def model_copy(directory: Path, **changes) -> Path:
    """The shipped model's files, linked, beside a copy of its thresholds.json with `changes`."""
    directory.mkdir()
    for source in DEFAULT_MODEL_DIR.iterdir():
        if source.name != "thresholds.json":
            (directory / source.name).symlink_to(source)
    (directory / "thresholds.json").write_text(json.dumps({**SHIPPED, **changes}), encoding="utf-8")
    return directory


def test_a_per_label_choice_with_stacked_labels_writes_a_thresholds_json_that_loads(tmp_path):
    from classifiers.api import CombinedClassifier

    model = model_copy(tmp_path / "model")
    fitted = SHIPPED["stacker"]["fitted_with"]
    gates = {lab: 0.6 for lab in LABELS}
    results = {
        "chosen": PER_LABEL,
        "per_label_choice": {
            "threat": "max",
            "abuse": "rules",
            "gender": "max",
            "doxxing": "stack+rules",
            "identity": "stack",
        },
        "model_gate": fitted["model_gate"],
        "gate_damp": fitted["frame_damp"],
        "lexical_weight": fitted["lexical_weight"],
        "stack_gate": {STACKED: {**gates, "identity": 0.9}, STACKED_RULES: gates},
    }
    apply_choice(model, results)
    written = json.loads((model / "thresholds.json").read_text(encoding="utf-8"))
    assert written["stack_gate"] == {"stack": {**gates, "identity": 0.9}, "stack+rules": gates}
    assert written["model_gate"] == fitted["model_gate"]  # every gate, the stacked labels' too
    classifier = CombinedClassifier(model)
    assert classifier.combine["identity"] == "stack" and classifier.stack_gates["stack"]["identity"] == 0.9


def test_evaluation_skips_a_stacker_fitted_with_other_gates(tmp_path):
    stale = {**SHIPPED, "model_gate": {**SHIPPED["model_gate"], "threat": 0.95}}
    model = model_copy(tmp_path / "model", model_gate=stale["model_gate"], combine="max")
    said: list[str] = []
    assert stacked_scores(model, stale, {GEN: []}, {GEN: {"ruled": []}}, {}, said.append) is None
    assert said == [
        "stapelaar overgeslagen: geleerd met andere poorten, demping of gewichten; eerst schildwacht fit-stacker"
    ]
