"""Training building blocks on a tiny model: the time-bounded MLM step and batched prediction."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch  # a pinned dependency (torch==2.13.0): never skipped

from schildwacht.contracts import LABELS
from training.model_build import build_model, train_tokenizer
from training.train import mlm_pretrain, predict_logits

TEXTS = [f"De wethouder van gemeente {i} opent vandaag de nieuwe bibliotheek aan de Kerkstraat." for i in range(40)] + [
    f"Raadslid {i} stelt vragen over de begroting en het zwembad in de wijk." for i in range(40)
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    tok = train_tokenizer(TEXTS, Path(tmp_path_factory.mktemp("tok")), vocab_size=300)
    return tok, build_model(tok.vocab_size, layers=1, hidden=32, heads=2, intermediate=64, seed=0)


def test_mlm_pretrain_updates_the_encoder_and_counts_steps(tiny) -> None:
    tok, model = tiny
    before = {k: v.clone() for k, v in model.bert.state_dict().items()}
    steps = mlm_pretrain(model, tok, TEXTS, seconds=2, batch_size=8, progress=False, log=lambda *_: None, device="cpu")
    after = model.bert.state_dict()
    assert steps > 0
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert any("encoder.layer.0" in k for k in changed)
    assert all(v.device.type == "cpu" for v in after.values())


def test_mlm_pretrain_with_a_step_budget_takes_exactly_that_many_steps(tiny) -> None:
    tok, model = tiny
    assert (
        mlm_pretrain(model, tok, TEXTS, seconds=0, max_steps=3, batch_size=4, progress=False, log=lambda *_: None) == 3
    )
    assert mlm_pretrain(model, tok, TEXTS, seconds=0, progress=False, log=lambda *_: None) == 0


def test_evaluate_defaults_to_the_training_seed(tmp_path: Path) -> None:
    from training.cli import training_seed

    assert training_seed(tmp_path) == 0
    (tmp_path / "thresholds.json").write_text('{"training": {"seed": 3}}')
    assert training_seed(tmp_path) == 3


def test_predict_logits_keeps_input_order(tiny) -> None:
    tok, model = tiny
    texts = ["kort", TEXTS[0], "iets langer dan kort maar korter dan de rest", ""]
    batched = predict_logits(model, tok, texts, bs=2)
    single = [predict_logits(model, tok, [t], bs=1)[0] for t in texts]
    assert len(batched) == 4 and all(len(row) == len(LABELS) for row in batched)
    for a, b in zip(batched, single):
        assert a == pytest.approx(b, abs=1e-4)


def test_train_refuses_an_unusable_device_before_any_work(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from schildwacht.app.cli import app

    res = CliRunner().invoke(app, ["train", "--apparaat", "tpu", "-o", str(tmp_path / "m"), "--niet-evalueren"])
    assert res.exit_code == 2
    assert "geen bruikbare GPU" in res.output
    assert not (tmp_path / "m").exists()
