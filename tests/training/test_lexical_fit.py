"""Fitting and saving the lexical half (training/lexical_fit.py) against loading it (classifiers/lexical.py): a fitted
model saved and loaded back scores the same, and the saved format is the one the shipped model is in."""

from __future__ import annotations

from pathlib import Path

from classifiers.api import DEFAULT_MODEL_DIR
from classifiers.lexical import VOCAB, WEIGHTS, LexicalModel
from training.data import REPLIES_VAL_AUTHORS, load_replies
from training.lexical_fit import fit_lexical_model, save_lexical_model


def test_lexical_roundtrip_and_learns_from_replies(tmp_path: Path):
    replies = load_replies()
    train = [e for author, exs in replies.items() if author not in REPLIES_VAL_AUTHORS for e in exs]
    model = fit_lexical_model(train)
    save_lexical_model(model, tmp_path)
    assert (tmp_path / WEIGHTS).exists() and (tmp_path / VOCAB).exists()
    loaded = LexicalModel.load(tmp_path)
    assert loaded is not None
    held = [e for author in REPLIES_VAL_AUTHORS for e in replies.get(author, [])]
    texts = [e.text for e in held]
    a, b = model.decision(texts), loaded.decision(texts)
    assert max(abs(x - y) for r, s in zip(a, b) for x, y in zip(r, s)) < 1e-4
    # fitted on other authors, it separates threats from criticism of the validation author far better than chance
    probs = loaded.predict(texts)
    threats = [p[0] for p, e in zip(probs, held) if e.labels and e.labels[0]]
    criticism = [p[0] for p, e in zip(probs, held) if e.kind == "neg:criticism"]
    assert sum(t > c for t in threats for c in criticism) / (len(threats) * len(criticism)) > 0.85


def test_saving_the_shipped_lexical_model_reproduces_its_files_byte_for_byte(tmp_path: Path):
    """The saved format did not change when fitting moved out of the runtime: the shipped files, loaded by the runtime
    and written by the training side, come out identical."""
    shipped = LexicalModel.load(DEFAULT_MODEL_DIR)
    assert shipped is not None
    save_lexical_model(shipped, tmp_path)
    for name in (WEIGHTS, VOCAB):
        assert (tmp_path / name).read_bytes() == (DEFAULT_MODEL_DIR / name).read_bytes(), name
