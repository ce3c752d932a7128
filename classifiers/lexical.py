"""TF-IDF + logistic regression over word 1-2-grams and character 2-5-grams: the lexical half of the model.

Fitted on the same training split as the transformer; saved beside it as plain arrays (`lexical.safetensors`) and
term lists (`lexical_vocab.json`), so loading never unpickles anything. Label masking as in training: a label is
fitted only on examples that annotate it (label >= 0).
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
_WORD = {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "max_features": 60000}
_CHAR = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 3, "max_features": 120000}


def platt(logits: list[list[float]], calibration: dict[str, tuple[float, float]]) -> list[list[float]]:
    """Per-label Platt scaling: p = sigmoid(a * z + b) for each logit row in LABELS order."""
    return [
        [
            1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, calibration[lab][0] * z + calibration[lab][1]))))
            for lab, z in zip(LABELS, row)
        ]
        for row in logits
    ]


def _prep(texts: Sequence[str]) -> list[str]:
    return [model_text(t).lower() for t in texts]


class LexicalModel:
    """Two TF-IDF vectorisers and one logistic regression per label; ``predict`` gives calibrated probabilities."""

    def __init__(self, word, char, coef, intercept, calibration: dict[str, tuple[float, float]] | None = None) -> None:
        self.word, self.char = word, char
        self.coef, self.intercept = coef, intercept  # numpy arrays: (labels, features), (labels,)
        self.calibration = calibration or {lab: (1.0, 0.0) for lab in LABELS}

    @classmethod
    def fit(cls, examples: Sequence, c: float = 4.0) -> LexicalModel:
        import numpy as np
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts = _prep([e.text for e in examples])
        word = TfidfVectorizer(sublinear_tf=True, **_WORD)
        char = TfidfVectorizer(sublinear_tf=True, **_CHAR)
        x = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
        coef = np.zeros((len(LABELS), x.shape[1]), dtype=np.float32)
        intercept = np.zeros(len(LABELS), dtype=np.float32)
        for j in range(len(LABELS)):
            rows = [i for i, e in enumerate(examples) if e.labels[j] >= 0]
            y = [examples[i].labels[j] for i in rows]
            lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x[rows], y)
            coef[j], intercept[j] = lr.coef_[0], lr.intercept_[0]
        return cls(word, char, coef, intercept)

    def decision(self, texts: Sequence[str]) -> list[list[float]]:
        """Per-label decision values (logits), LABELS order."""
        from scipy.sparse import hstack

        t = _prep(texts)
        x = hstack([self.word.transform(t), self.char.transform(t)]).tocsr()
        z = x @ self.coef.T + self.intercept
        return z.tolist()

    def predict(self, texts: Sequence[str]) -> list[list[float]]:
        return platt(self.decision(texts), self.calibration)

    def save(self, model_dir: Path) -> None:
        import numpy as np
        from safetensors.numpy import save_file

        model_dir = Path(model_dir)
        save_file(
            {
                "word_idf": self.word.idf_.astype(np.float32),
                "char_idf": self.char.idf_.astype(np.float32),
                "coef": self.coef,
                "intercept": self.intercept,
            },
            str(model_dir / WEIGHTS),
        )
        vocab: dict[str, Any] = {
            name: sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            for name, vec in (("word", self.word), ("char", self.char))
        }
        vocab["calibration"] = {lab: list(ab) for lab, ab in self.calibration.items()}
        (model_dir / VOCAB).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

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
        for name, params in (("word", _WORD), ("char", _CHAR)):
            settings = {k: v for k, v in params.items() if k not in ("min_df", "max_features")}
            vec = TfidfVectorizer(sublinear_tf=True, vocabulary=vocab[name], **settings)
            vec.idf_ = arrays[f"{name}_idf"]
            vecs.append(vec)
        cal = {lab: (float(a), float(b)) for lab, (a, b) in vocab.get("calibration", {}).items()}
        return cls(vecs[0], vecs[1], arrays["coef"], arrays["intercept"], cal or None)
