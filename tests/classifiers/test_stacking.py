"""The stacker (classifiers/stacking.py): its features, its arithmetic, how thresholds.json configures it, and that
`classify` scores with exactly the features `stack_rows` gives (what training/stack_fit.py fits on)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from classifiers.api import DEFAULT_MODEL_DIR, ClassifyInput, CombinedClassifier, gate, hostile_identity
from classifiers.stacking import FEATURES, PARTS, Stacker, features, logit
from schildwacht.contracts import LABELS


def test_features_are_logits_rule_scores_frames_and_the_gated_score_per_label_in_order():
    row = features(
        transformer=[0.9, 0.1, 0.5, 0.0, 1.0],
        lexical=[0.2, 0.3, 0.4, 0.6, 0.7],
        strongest=[0.95, 0.2, 0.5, 0.3, 0.8],
        rules={"threat": 0.85, "gender": 0.6},
        framed={"abuse"},
        gated={"threat": 0.85, "identity": 0.4},
    )
    n = len(PARTS)
    assert len(row) == len(FEATURES) == len(LABELS) * n == 30
    threat, abuse = row[:n], row[n : 2 * n]
    assert threat == pytest.approx([math.log(9), math.log(0.25), math.log(19), 0.85, 0.0, 0.85])
    assert abuse[3:] == [0.0, 1.0, 0.0]  # no rule score, framed, no gated score
    assert row[3 * n] == pytest.approx(logit(0.0)) == pytest.approx(math.log(1e-4 / (1 - 1e-4)))  # clipped, finite
    assert row[4 * n] == pytest.approx(-logit(0.0)) and row[5 * n - 1] == 0.4
    assert FEATURES[:n] == tuple(f"{part}:threat" for part in PARTS)


def test_the_stacker_is_a_logistic_regression_per_label():
    weights = {lab: [0.0] * len(FEATURES) for lab in LABELS}
    weights["threat"][FEATURES.index("transformer:threat")] = 2.0
    weights["doxxing"][FEATURES.index("rules:doxxing")] = 4.0
    stacker = Stacker(weights=weights, bias={**{lab: 0.0 for lab in LABELS}, "doxxing": -2.0})
    row = [0.0] * len(FEATURES)
    row[FEATURES.index("transformer:threat")], row[FEATURES.index("rules:doxxing")] = 1.5, 0.25
    probs = stacker.probs(row)
    assert probs["threat"] == pytest.approx(1 / (1 + math.exp(-3.0)))
    assert probs["doxxing"] == pytest.approx(1 / (1 + math.exp(1.0)))
    assert probs["abuse"] == 0.5
    row[0] = 1e6  # an extreme input saturates instead of overflowing
    assert stacker.probs(row)["threat"] == pytest.approx(1.0)


def test_thresholds_json_gives_no_stacker_without_an_entry_and_refuses_other_features_or_shapes():
    assert Stacker.from_config(None) is None and Stacker.from_config({}) is None
    weights = {lab: [0.1] * len(FEATURES) for lab in LABELS}
    entry = {"features": list(FEATURES), "weights": weights, "bias": {lab: 0 for lab in LABELS}}
    assert Stacker.from_config(entry).weights["gender"] == [0.1] * len(FEATURES)
    with pytest.raises(ValueError, match="kenmerken"):
        Stacker.from_config({**entry, "features": list(reversed(FEATURES))})
    with pytest.raises(ValueError, match="gewichten en een bias"):
        Stacker.from_config({**entry, "weights": {**weights, "identity": [0.1] * (len(FEATURES) - 5)}})
    with pytest.raises(ValueError, match="gewichten en een bias"):
        Stacker.from_config({**entry, "bias": {lab: 0 for lab in LABELS if lab != "doxxing"}})


@pytest.fixture(scope="module")
def stacked_copy(tmp_path_factory) -> Path:
    """The shipped model's files, linked, with a thresholds.json that combines with a stacker of this test's own:
    threat follows the transformer's threat logit, doxxing the rule score, the other labels stay below 0.5."""
    directory = tmp_path_factory.mktemp("stacked")
    for source in DEFAULT_MODEL_DIR.iterdir():
        if source.name != "thresholds.json":
            (directory / source.name).symlink_to(source)
    config = json.loads((DEFAULT_MODEL_DIR / "thresholds.json").read_text(encoding="utf-8"))
    weights = {lab: [0.0] * len(FEATURES) for lab in LABELS}
    weights["threat"][FEATURES.index("transformer:threat")] = 1.0
    weights["doxxing"][FEATURES.index("rules:doxxing")] = 6.0
    bias = {lab: -3.0 for lab in LABELS}
    config.pop("stacker", None)
    (directory / "thresholds.json").write_text(json.dumps(config), encoding="utf-8")
    fitted_with = CombinedClassifier(directory, combine="max").reading_settings()
    stacker = {"features": list(FEATURES), "weights": weights, "bias": bias, "fitted_with": fitted_with}
    config.update(combine="stack", stacker=stacker)
    config.pop("stack_gate", None)
    (directory / "thresholds.json").write_text(json.dumps(config), encoding="utf-8")
    return directory


POSTS = [
    "Ik weet waar je woont, Dorpsstraat 12, en ik kom je vanavond halen.",
    "Goedemorgen, de vergadering begint om acht uur.",
    "Die wethouder is een rat en moet het land uit, vuile moslim.",
    "Je bent niet onsterfelijk, denk daar maar eens over na.\n\nDe begroting is een schande. Volgende week meer.",
]


def test_classify_scores_the_features_of_stack_rows_with_the_stacker(stacked_copy):
    classifier = CombinedClassifier(stacked_copy)
    assert classifier.combine == "stack" and classifier.stacker is not None
    items = [ClassifyInput(t) for t in POSTS]
    results = classifier.classify(items)
    rows = classifier.stack_rows(items)
    for text, result, row in zip(POSTS, results, rows):
        res = classifier.rules.analyze(text)
        expected = hostile_identity(classifier.stacker.probs(row), res)
        assert result.scores == {lab: round(expected[lab], 4) for lab in LABELS}, text
        assert result.flags == [lab for lab in LABELS if result.scores[lab] >= 0.5], text
        # the transformer's threat logit is the first feature: the stacker read the whole post's transformer half
        (whole,), _ = classifier.scorer.predict_parts([text])
        assert row[FEATURES.index("transformer:threat")] == pytest.approx(logit(whole[0]))
    doxxed = results[0]
    assert "doxxing" in doxxed.flags and any(
        s.label == "doxxing" and s.source.startswith("rule:") for s in doxxed.spans
    )
    assert results[1].flags == []


def test_with_rules_a_rule_score_above_the_stacker_counts(stacked_copy):
    plain = CombinedClassifier(stacked_copy)
    with_rules = CombinedClassifier(stacked_copy, combine="stack+rules")
    items = [ClassifyInput(t) for t in POSTS]
    for text, a, b in zip(POSTS, plain.classify(items), with_rules.classify(items)):
        rules = plain.rules.analyze(text).scores
        for lab in LABELS:
            assert b.scores[lab] >= a.scores[lab]
            assert b.scores[lab] >= round(min(1.0, max(0.0, rules[lab])), 4)


def test_beside_max_the_stacker_only_adds_to_the_gated_combination(stacked_copy):
    """combine "stack+max": per label the larger of the gated max of rules and model ("max", windows included) and the
    stacker's gated probability, so a flag a window or a rule gave is never dropped by the stacker."""
    beside = CombinedClassifier(stacked_copy, combine="stack+max")
    beside.stack_gates = {"stack+max": {lab: 0.5 for lab in LABELS}}
    gated_max = CombinedClassifier(stacked_copy, combine="max")
    items = [ClassifyInput(t) for t in POSTS]
    rows = beside.stack_rows(items)
    for text, row, a, b in zip(POSTS, rows, gated_max.classify(items), beside.classify(items)):
        res = beside.rules.analyze(text)
        stacked = beside.stacker.probs(row)
        expected = hostile_identity({lab: max(a.scores[lab], stacked[lab]) for lab in LABELS}, res)
        for lab in LABELS:
            assert b.scores[lab] == pytest.approx(expected[lab], abs=1e-4), (text, lab)
        assert set(a.flags) <= set(b.flags), text
    # a stacker that is sure of every label (bias +3: 0.95) flags every label of every post, also the greeting
    beside.stacker = Stacker(weights={lab: [0.0] * len(FEATURES) for lab in LABELS}, bias={lab: 3.0 for lab in LABELS})
    assert [r.flags for r in beside.classify(items)] == [list(LABELS)] * len(POSTS)
    assert gated_max.classify(items)[1].flags == []


def test_a_stack_combination_without_a_stacker_is_refused(tmp_path):
    for source in DEFAULT_MODEL_DIR.iterdir():
        if source.name != "thresholds.json":
            (tmp_path / source.name).symlink_to(source)
    config = json.loads((DEFAULT_MODEL_DIR / "thresholds.json").read_text(encoding="utf-8"))
    config.pop("stacker", None)
    (tmp_path / "thresholds.json").write_text(json.dumps({**config, "combine": "stack"}), encoding="utf-8")
    with pytest.raises(ValueError, match="zonder stacker"):
        CombinedClassifier(tmp_path)


def test_a_stack_gate_sends_the_stacker_probability_through_gate(stacked_copy):
    """thresholds.json `stack_gate` (per mode, per label) maps a label's stacker probability as `model_gate` maps the
    model's: the gate goes to 0.5; labels without one keep the probability."""
    plain = CombinedClassifier(stacked_copy)
    gated = CombinedClassifier(stacked_copy)
    gated.stack_gates = {"stack": {"doxxing": 0.9}, "stack+rules": {"doxxing": 0.2}}  # combine "stack": the first
    items = [ClassifyInput(t) for t in POSTS]
    for text, row, a, b in zip(POSTS, plain.stack_rows(items), plain.classify(items), gated.classify(items)):
        p = plain.stacker.probs(row)["doxxing"]
        assert b.scores["doxxing"] == round(gate(p, 0.9), 4), text
        assert b.scores["threat"] == a.scores["threat"]


def test_a_stacker_is_refused_with_other_gates_damping_or_window_gate_than_it_was_fitted_with(stacked_copy, tmp_path):
    config = json.loads((stacked_copy / "thresholds.json").read_text(encoding="utf-8"))
    for source in stacked_copy.iterdir():
        if source.name != "thresholds.json":
            (tmp_path / source.name).symlink_to(source.resolve())
    for change in (
        {"frame_damp": 0.25},
        {"window_gate": 0.8},
        {"model_gate": {**config["model_gate"], "threat": 0.95}},
    ):
        (tmp_path / "thresholds.json").write_text(json.dumps({**config, **change}), encoding="utf-8")
        with pytest.raises(ValueError, match="andere poorten"):
            CombinedClassifier(tmp_path)
    (tmp_path / "thresholds.json").write_text(json.dumps(config), encoding="utf-8")
    assert CombinedClassifier(tmp_path).stacker is not None


def test_a_stack_gate_not_given_per_mode_is_refused(stacked_copy, tmp_path):
    config = json.loads((stacked_copy / "thresholds.json").read_text(encoding="utf-8"))
    for source in stacked_copy.iterdir():
        if source.name != "thresholds.json":
            (tmp_path / source.name).symlink_to(source.resolve())
    (tmp_path / "thresholds.json").write_text(json.dumps({**config, "stack_gate": {"doxxing": 0.5}}), encoding="utf-8")
    with pytest.raises(ValueError, match="per modus"):
        CombinedClassifier(tmp_path)
