"""TF-IDF + logistic regression over word 1-2-grams and character 2-5-grams: the lexical half of the model, runtime
side (loading and predicting only; fitting and saving live in training/lexical_fit.py).

The saved format: plain arrays (`lexical.safetensors`: word_idf, char_idf, coef, intercept) and term lists in column
order plus the Platt calibration (`lexical_vocab.json`), so loading never unpickles anything. The vectoriser settings
in ANALYZERS are part of that format: a model is predicted with exactly the analyzers it was fitted with.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from schildwacht.contracts import LABELS

from .textnorm import model_text

WEIGHTS = "lexical.safetensors"
VOCAB = "lexical_vocab.json"
#: Vectoriser settings per feature block, in the column order of `coef` (word block first, then char block).
ANALYZERS: dict[str, dict[str, Any]] = {
    "word": {"analyzer": "word", "ngram_range": (1, 2)},
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5)},
}


# The logit of a label a model has no output for (a model of an older version): probability ~0 after platt().
ABSENT_LOGIT = -50.0


def platt(logits: list[list[float]], calibration: dict[str, tuple[float, float]]) -> list[list[float]]:
    """Per-label Platt scaling: p = sigmoid(a * z + b) for each logit row in LABELS order (a label without
    calibration keeps a = 1, b = 0)."""
    ab = [calibration.get(lab, (1.0, 0.0)) for lab in LABELS]
    return [[1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, a * z + b)))) for (a, b), z in zip(ab, row)] for row in logits]


def prepare_texts(texts: Sequence[str]) -> list[str]:
    """What the vectorisers read, in fitting and in predicting alike: the model text, lowercased."""
    return [model_text(t).lower() for t in texts]


class LexicalModel:
    """Two TF-IDF vectorisers and one logistic regression per label; ``predict`` gives calibrated probabilities."""

    def __init__(self, word, char, coef, intercept, calibration: dict[str, tuple[float, float]] | None = None) -> None:
        self.word, self.char = word, char
        self.coef, self.intercept = coef, intercept  # numpy arrays: (labels, features), (labels,)
        self.calibration = calibration or {lab: (1.0, 0.0) for lab in LABELS}

    def decision(self, texts: Sequence[str]) -> list[list[float]]:
        """Per-label decision values (logits), LABELS order. A model fitted before a label existed (fewer rows than
        LABELS) gives ABSENT_LOGIT for the labels after its own: it has no evidence for them."""
        from scipy.sparse import hstack

        t = prepare_texts(texts)
        x = hstack([self.word.transform(t), self.char.transform(t)]).tocsr()
        z = x @ self.coef.T + self.intercept
        missing = [ABSENT_LOGIT] * (len(LABELS) - z.shape[1])
        return [row + missing for row in z.tolist()]

    def predict(self, texts: Sequence[str]) -> list[list[float]]:
        return platt(self.decision(texts), self.calibration)

    @classmethod
    def load(cls, model_dir: Path) -> LexicalModel | None:
        """The lexical model saved in `model_dir`, or None when the directory has none (e.g. a plain RobBERT)."""
        from safetensors.numpy import load_file
        from sklearn.feature_extraction.text import TfidfVectorizer

        model_dir = Path(model_dir)
        if not (model_dir / WEIGHTS).exists() or not (model_dir / VOCAB).exists():
            return None
        arrays = load_file(str(model_dir / WEIGHTS))
        vocab = json.loads((model_dir / VOCAB).read_text(encoding="utf-8"))
        vecs = []
        for name, settings in ANALYZERS.items():
            vec = TfidfVectorizer(sublinear_tf=True, vocabulary=vocab[name], **settings)
            vec.idf_ = arrays[f"{name}_idf"]
            vecs.append(vec)
        cal = {lab: (float(a), float(b)) for lab, (a, b) in vocab.get("calibration", {}).items()}
        return cls(vecs[0], vecs[1], arrays["coef"], arrays["intercept"], cal or None)
