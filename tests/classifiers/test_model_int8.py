"""The transformer in int8 (classifiers.int8): a load-time step on the shipped float32 weights, on by default
where the CPU runs it faster (classifiers.model.INT8, classifiers.int8.fast_int8), switched by `int8` in
thresholds.json or the classifier's argument (its quality check: bench/classifier_equivalence.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from classifiers.api import DEFAULT_MODEL_DIR, CombinedClassifier
from classifiers.int8 import Int8Linear, fast_int8, int8_linears
from classifiers.model import ModelScorer

TEXTS = [
    "Ik weet waar je woont, wethouder. Pas maar op.",
    "Deze wethouder liegt over de cijfers, aftreden!",
    "Goedemorgen, de vergadering begint om acht uur.",
    "Jij vieze trut, ga terug naar de keuken.",
    "De raad vergadert donderdag over het nieuwe bestemmingsplan voor het centrum, en daarna over de begroting van "
    "volgend jaar, die volgens de oppositie veel te krap is voor de jeugdzorg.",
]


def plain_linears(model: torch.nn.Module) -> int:
    return sum(type(m) is torch.nn.Linear for m in model.modules())


class Attention(torch.nn.Module):
    """Three siblings reading one input (query, key, value) and one reading another (output)."""

    def __init__(self) -> None:
        super().__init__()
        self.query, self.key, self.value = (torch.nn.Linear(16, 16) for _ in range(3))
        self.output = torch.nn.Linear(16, 8)

    def forward(self, x: torch.Tensor, order: tuple[str, ...] = ("query", "key", "value")) -> torch.Tensor:
        parts = {name: getattr(self, name)(x) for name in order}
        return self.output(parts["query"] * parts["key"] + parts["value"])


@pytest.fixture()
def float_and_int8() -> tuple[Attention, Attention]:
    torch.manual_seed(0)
    plain = Attention().eval()
    quantised = Attention().eval()
    quantised.load_state_dict(plain.state_dict())
    return plain, int8_linears(quantised)


def test_a_row_gets_the_same_output_alone_as_in_any_batch(float_and_int8):
    """Activations are quantised per row: a row's output depends on that row only (a per-batch scale would make the
    small row's output depend on the large one)."""
    _, quantised = float_and_int8
    small, large = torch.randn(1, 16) * 0.1, torch.randn(5, 16) * 50
    with torch.inference_mode():
        alone = quantised(small)
        batched = quantised(torch.cat([large[:2], small, large[2:]]))
    assert torch.equal(batched[2:3], alone)


def test_int8_stays_near_float32_and_is_not_float32(float_and_int8):
    plain, quantised = float_and_int8
    x = torch.randn(64, 16)
    with torch.inference_mode():
        expected, got = plain(x), quantised(x)
    error = (expected - got).abs().max().item()
    assert 0 < error < 0.02 * expected.abs().max().item()


def test_siblings_share_one_quantised_product_in_any_order_and_recompute_for_a_new_input(float_and_int8):
    _, quantised = float_and_int8
    siblings = [quantised.query, quantised.key, quantised.value]
    assert all(isinstance(m, Int8Linear) for m in siblings) and quantised.output.group is None
    assert siblings[0].group is siblings[1].group is siblings[2].group is not None
    x, y = torch.randn(3, 16), torch.randn(3, 16)
    with torch.inference_mode():
        alone = [m.weights.apply(x) for m in siblings]
        assert torch.equal(quantised(x, order=("value", "query", "key")), quantised(x))
        # key asked for another input between query and value: each still gets the product of its own input
        first = siblings[0](x)
        other = siblings[1](y)
        third = siblings[2](x)
    assert torch.equal(first, alone[0]) and torch.equal(third, alone[2])
    assert torch.equal(other, siblings[1].weights.apply(y))


def test_the_model_in_int8_replaces_every_linear_layer_and_stays_near_float32():
    float32, int8 = ModelScorer(DEFAULT_MODEL_DIR, quantize=False), ModelScorer(DEFAULT_MODEL_DIR, quantize=True)
    quantised = sum(isinstance(m, Int8Linear) for m in int8.model.modules())
    assert plain_linears(float32.model) == quantised > 0
    assert plain_linears(int8.model) == 0
    before, after = float32.transformer_probs(TEXTS), int8.transformer_probs(TEXTS)
    differences = [abs(a - b) for row, other in zip(before, after) for a, b in zip(row, other)]
    assert 0 < max(differences) < 0.1  # int8 changes the numbers a little, never the order of magnitude


def test_a_post_scores_alone_exactly_as_in_a_batch_of_other_lengths():
    """int8 rows are quantised on their own and each text attends over its own tokens (classifiers.attention): a
    post's logits are the same numbers alone as in a padded batch (per-batch activation scales moved them by up to
    0.04)."""
    scorer = ModelScorer(DEFAULT_MODEL_DIR, quantize=True)
    lengths = {len(scorer.tokenizer(t)["input_ids"]) for t in TEXTS}
    assert len(lengths) >= 3  # lengths a padded batch would mix
    together = scorer.logits(TEXTS + TEXTS[:2])
    assert [scorer.logits([t])[0] for t in TEXTS] == together[: len(TEXTS)]
    assert together[len(TEXTS) :] == together[:2]


def test_thresholds_json_chooses_the_precision_at_load_time(tmp_path: Path):
    """`"int8": false` in thresholds.json: the float32 transformer; no key: the default, int8 where the CPU runs it
    faster (fast_int8); the argument wins over the file; the weights file stays as it was (the same bytes as the
    shipped one)."""
    for source in DEFAULT_MODEL_DIR.iterdir():
        if source.name != "thresholds.json":
            (tmp_path / source.name).symlink_to(source)
    config = json.loads((DEFAULT_MODEL_DIR / "thresholds.json").read_text(encoding="utf-8"))
    config.pop("int8", None)
    weights = (DEFAULT_MODEL_DIR / "model.safetensors").read_bytes()
    (tmp_path / "thresholds.json").write_text(json.dumps({**config, "int8": False}), encoding="utf-8")
    classifier = CombinedClassifier(tmp_path)
    assert classifier.int8 is False and plain_linears(classifier.scorer.model) > 0
    assert CombinedClassifier(tmp_path, int8=True).int8 is True
    (tmp_path / "thresholds.json").write_text(json.dumps(config), encoding="utf-8")
    default = ModelScorer(tmp_path)
    assert default.int8 is fast_int8() and (plain_linears(default.model) == 0) is fast_int8()
    assert (tmp_path / "model.safetensors").read_bytes() == weights


@pytest.mark.parametrize(
    ("capabilities", "expected"),
    [
        ({}, False),
        ({"avx2": True, "avx512_vnni": False}, False),
        ({"avx512_vnni": True}, True),
        ({"amx_int8": True}, True),
    ],
)
def test_the_default_is_int8_only_on_a_cpu_with_int8_dot_products(monkeypatch, capabilities, expected):
    """On an AVX2-only CPU torch._int_mm is some 30x slower than float32 (classifiers.int8): the default loads float32
    there and int8 with AVX-512 VNNI or AMX; an explicit quantize=True still forces int8."""
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: capabilities)
    assert fast_int8() is expected
    scorer = ModelScorer(DEFAULT_MODEL_DIR)
    assert scorer.int8 is expected and (plain_linears(scorer.model) == 0) is expected
    assert ModelScorer(DEFAULT_MODEL_DIR, quantize=True).int8 is True
