"""The transformer in int8 (classifiers.model.int8_linears): a load-time step on the shipped float32 weights, chosen
by `int8` in thresholds.json or the classifier's argument (its quality check: bench/classifier_equivalence.py)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from classifiers.api import DEFAULT_MODEL_DIR, CombinedClassifier
from classifiers.model import ModelScorer

TEXTS = [
    "Ik weet waar je woont, wethouder. Pas maar op.",
    "Deze wethouder liegt over de cijfers, aftreden!",
    "Goedemorgen, de vergadering begint om acht uur.",
    "Jij vieze trut, ga terug naar de keuken.",
]


def plain_linears(model: torch.nn.Module) -> int:
    return sum(type(m) is torch.nn.Linear for m in model.modules())


def test_int8_replaces_every_linear_layer_and_stays_near_float32():
    float32, int8 = ModelScorer(DEFAULT_MODEL_DIR), ModelScorer(DEFAULT_MODEL_DIR, quantize=True)
    quantized = sum(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in int8.model.modules())
    assert plain_linears(float32.model) == quantized > 0
    assert plain_linears(int8.model) == 0
    before, after = float32.transformer_probs(TEXTS), int8.transformer_probs(TEXTS)
    differences = [abs(a - b) for row, other in zip(before, after) for a, b in zip(row, other)]
    assert 0 < max(differences) < 0.1  # int8 changes the numbers a little, never the order of magnitude


def test_thresholds_json_int8_quantises_at_load_time(tmp_path: Path):
    """`"int8": true` in thresholds.json: the classifier runs the int8 transformer; the weights file stays as it
    was (the same bytes as the shipped one)."""
    for source in DEFAULT_MODEL_DIR.iterdir():
        if source.name != "thresholds.json":
            (tmp_path / source.name).symlink_to(source)
    config = json.loads((DEFAULT_MODEL_DIR / "thresholds.json").read_text(encoding="utf-8"))
    (tmp_path / "thresholds.json").write_text(json.dumps({**config, "int8": True}), encoding="utf-8")
    weights = (DEFAULT_MODEL_DIR / "model.safetensors").read_bytes()
    classifier = CombinedClassifier(tmp_path)
    assert classifier.int8 is True and plain_linears(classifier.scorer.model) == 0
    assert CombinedClassifier(tmp_path, int8=False).int8 is False
    assert (tmp_path / "model.safetensors").read_bytes() == weights
