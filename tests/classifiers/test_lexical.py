"""The lexical half (TF-IDF + LR) at runtime: a directory without one loads none; the shipped model directory averages
it with the transformer (fitting and saving: tests/training/test_lexical_fit.py)."""

from __future__ import annotations

from pathlib import Path

from classifiers.api import DEFAULT_MODEL_DIR
from classifiers.lexical import LexicalModel
from classifiers.model import ModelScorer


def test_directory_without_lexical_model_loads_none(tmp_path: Path):
    assert LexicalModel.load(tmp_path) is None


def test_shipped_model_averages_both_halves():
    scorer = ModelScorer(DEFAULT_MODEL_DIR)
    assert scorer.lexical is not None
    texts = ["Ik weet waar je woont, wethouder. Pas maar op.", "Deze wethouder liegt over de cijfers, aftreden!"]
    transformer, lexical = scorer.predict_parts(texts)
    w = scorer.lexical_weight
    for row, t, x in zip(scorer.predict(texts), transformer, lexical):
        assert all(abs(p - ((1 - w) * a + w * b)) < 1e-9 for p, a, b in zip(row, t, x))


def test_model_only_spans_are_the_words_that_move_the_model():
    from classifiers.api import OCCLUSION_MIN, load_classifier

    clf = load_classifier()
    texts = [
        "als ik die wethouder tegenkom in de stad dan moet ie zelf een ambulance bellen",
        "Geniet nog maar even van je mooie huis aan de dijk, burgemeester. Het duurt niet lang meer.",
    ]
    probs = clf.scorer.predict(texts)
    results = clf._model_spans([(text, 0, len(text), ["threat"], row) for text, row in zip(texts, probs)])
    assert len(results) == len(texts)
    for text, row, spans in zip(texts, probs, results):
        assert spans and all(s.source == "model" and s.label == "threat" for s in spans)
        assert all(text[s.start : s.end] == s.text for s in spans)
        if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(text):
            continue  # no single word moved the model enough: the post itself is the evidence
        for s in spans:
            without = clf.scorer.predict([text[: s.start] + text[s.end :]])[0][0]
            assert row[0] - without >= OCCLUSION_MIN - 1e-9
