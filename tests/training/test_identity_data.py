"""The fifth label `identity` in training: how every source maps to it, continuing from a model that predates it
(`train --verder-van`, model_build.load_basis), and the runtime reading of such an older model.

Oracles: the label definitions of docs/classifier.md written out by hand per case, and an older four-output model's
own logits (computed here with transformers directly) for the rows load_basis copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

from classifiers.model import ModelScorer
from schildwacht.contracts import LABELS
from training.data import _labels, load_replies, mhc_label
from training.generator import generate
from training.model_build import load_basis, train_tokenizer

OLD_LABELS = ("threat", "abuse", "gender", "doxxing")


def test_identity_is_the_last_model_output():
    """A head of an older model keeps its rows: identity comes after the four labels of 0.4.x."""
    assert LABELS[:4] == OLD_LABELS and LABELS[4] == "identity"


@pytest.mark.parametrize(
    ("functionality", "gold", "target", "labels", "role"),
    [
        ("derog_neg_emote_h", "hateful", "Muslims", [0, 0, 0, 0, 1], "identity"),
        ("derog_dehum_h", "hateful", "gay people", [0, 0, 0, 0, 1], "identity"),
        ("derog_neg_emote_h", "hateful", "women", [0, 0, 1, 0, 0], "positive"),
        ("threat_dir_h", "hateful", "trans people", [1, 0, 0, 0, 1], "positive"),
        ("threat_dir_h", "hateful", "women", [1, 0, 1, 0, 0], "positive"),
        ("counter_quote_nh", "non-hateful", "Muslims", [0, 0, 0, 0, 0], "contrast"),
        ("target_indiv_nh", "non-hateful", "individual", [0, 1, 0, 0, 0], "positive"),
        ("slur_reclaimed_nh", "non-hateful", "gay people", [0, 0, 0, 0, 0], "other"),
    ],
)
def test_mhc_hate_against_a_group_other_than_women_is_identity(functionality, gold, target, labels, role):
    assert mhc_label(functionality, gold, target) == (labels, role)


def test_a_four_label_reply_is_identity_free_only_where_it_is_a_negative():
    four = {"threat": False, "abuse": True, "gender": False, "doxxing": False}
    assert _labels({"labels": four, "kind": "abuse"}) == [0, 1, 0, 0, -1]  # identity-based or not: unknown
    assert _labels({"labels": dict.fromkeys(four, False), "kind": "criticism"}) == [0, 0, 0, 0, 0]
    five = {**four, "identity": True}
    assert _labels({"labels": five, "kind": "identity_abuse"}) == [0, 1, 0, 0, 1]


def test_five_label_files_take_negative_from_the_labels_not_the_kind():
    replies = load_replies()
    trained_five = ("x_identity", "y_dehuman", "aa_groups", "ab_dialects", "ac_mixed")
    five = [author for author in replies if author in trained_five]
    assert sorted(five) == sorted(trained_five)
    for author in five:
        raw = [json.loads(line) for line in (Path("training/replies") / f"{author}.jsonl").read_text().splitlines()]
        for row, example in zip(raw, replies[author]):
            assert example.kind.startswith("neg:") == (not any(row["labels"].values()))
            assert example.labels == [int(row["labels"][label]) for label in LABELS]


def test_generated_group_hate_is_gender_for_women_and_identity_for_other_groups():
    posts = [p for p in generate(6, seed=5) if p.kind in ("gender:group", "identity:group", "threat:group")]
    assert {p.kind for p in posts} >= {"gender:group", "identity:group"}
    for p in posts:
        assert len(p.labels) == len(LABELS)
        assert p.labels[2] + p.labels[4] == 1  # women -> gender, every other group -> identity, never both


@pytest.fixture(scope="module")
def old_model(tmp_path_factory) -> Path:
    """A tiny four-output model of the 0.4.x kind (id2label without identity), saved as a model directory."""
    out = tmp_path_factory.mktemp("old")
    tok: PreTrainedTokenizerFast = train_tokenizer(
        ["de wethouder is een sukkel", "ik weet waar je woont", "fijne dag allemaal"] * 20, out, vocab_size=120
    )
    torch.manual_seed(1)
    cfg = BertConfig(  # type: ignore[call-arg]
        vocab_size=tok.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=4,
        id2label=dict(enumerate(OLD_LABELS)),
        label2id={lab: i for i, lab in enumerate(OLD_LABELS)},
    )
    BertForSequenceClassification(cfg).save_pretrained(str(out))
    return out


TEXTS = ["de wethouder is een sukkel", "ik weet waar je woont", "fijne dag"]


def _logits(model, directory: Path) -> torch.Tensor:
    tok = PreTrainedTokenizerFast.from_pretrained(str(directory))
    enc = tok(TEXTS, padding=True, return_tensors="pt")
    enc.pop("token_type_ids", None)
    model.eval()
    with torch.inference_mode():
        return model(**enc).logits


def test_load_basis_keeps_the_old_rows_and_adds_an_identity_output(old_model: Path):
    old = BertForSequenceClassification.from_pretrained(str(old_model))
    new = load_basis(old_model)
    assert [new.config.id2label[i] for i in range(len(LABELS))] == list(LABELS)
    before, after = _logits(old, old_model), _logits(new, old_model)
    assert torch.allclose(after[:, :4], before, atol=1e-5)
    head = old.classifier
    expected = (head(new.bert(**_enc(old_model)).pooler_output)).mean(1)  # mean row = mean of the old outputs
    assert torch.allclose(after[:, 4], expected.detach(), atol=1e-5)


def _enc(directory: Path) -> dict:
    enc = PreTrainedTokenizerFast.from_pretrained(str(directory))(TEXTS, padding=True, return_tensors="pt")
    enc.pop("token_type_ids", None)
    return dict(enc)


def test_an_older_model_gives_identity_no_evidence_and_its_own_labels_unchanged(old_model: Path):
    scorer = ModelScorer(old_model, quantize=False)  # float32, to compare with the float32 model itself
    probs = scorer.transformer_probs(TEXTS)
    raw = torch.sigmoid(_logits(BertForSequenceClassification.from_pretrained(str(old_model)), old_model))
    for row, own in zip(probs, raw.tolist()):
        assert len(row) == len(LABELS) and row[4] < 1e-9
        assert row[:4] == pytest.approx(own, abs=1e-5)
