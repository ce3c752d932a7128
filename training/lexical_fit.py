"""Fitting and saving the lexical half of the model (classifiers/lexical.py loads and predicts it).

Label masking as in the transformer's training: a label is fitted only on examples that annotate it (label >= 0).
The saved files are exactly what `classifiers.lexical.LexicalModel.load` reads (format described there).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from classifiers.lexical import ABSENT_LOGIT, ANALYZERS, VOCAB, WEIGHTS, LexicalModel, prepare_texts
from schildwacht.contracts import LABELS

from .data import Example

#: Vocabulary limits applied only while fitting: a term must occur in `min_df` texts; the `max_features` most
#: frequent terms are kept. They shape the saved vocabulary and are not needed to load it.
FIT_LIMITS: dict[str, dict[str, Any]] = {
    "word": {"min_df": 2, "max_features": 60000},
    "char": {"min_df": 3, "max_features": 120000},
}


def fit_lexical_model(examples: Sequence[Example], c: float = 4.0) -> LexicalModel:
    """Fit both vectorisers on `examples` and one balanced logistic regression per label (uncalibrated); a label
    whose annotated examples are all of one value gets no weights and a fixed logit (ABSENT_LOGIT when all 0)."""
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = prepare_texts([e.text for e in examples])
    word, char = (
        TfidfVectorizer(sublinear_tf=True, **ANALYZERS[name], **FIT_LIMITS[name]) for name in ("word", "char")
    )
    x = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    coef = np.zeros((len(LABELS), x.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    for j in range(len(LABELS)):
        annotated = [(i, e.labels[j]) for i, e in enumerate(examples) if e.labels is not None and e.labels[j] >= 0]
        rows, y = [i for i, _ in annotated], [value for _, value in annotated]
        if len(set(y)) < 2:  # nothing to tell apart: no evidence either way, the label stays at its one value
            intercept[j] = -ABSENT_LOGIT if y and y[0] else ABSENT_LOGIT
            continue
        lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x[rows], y)
        coef[j], intercept[j] = lr.coef_[0], lr.intercept_[0]
    return LexicalModel(word, char, coef, intercept)


def save_lexical_model(model: LexicalModel, model_dir: Path) -> None:
    """Write `model` into `model_dir` as WEIGHTS (arrays) and VOCAB (term lists in column order, calibration)."""
    import numpy as np
    from safetensors.numpy import save_file

    model_dir = Path(model_dir)
    save_file(
        {
            "word_idf": model.word.idf_.astype(np.float32),
            "char_idf": model.char.idf_.astype(np.float32),
            "coef": model.coef,
            "intercept": model.intercept,
        },
        str(model_dir / WEIGHTS),
    )
    vocab: dict[str, Any] = {
        name: sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        for name, vec in (("word", model.word), ("char", model.char))
    }
    vocab["calibration"] = {lab: list(ab) for lab, ab in model.calibration.items()}
    (model_dir / VOCAB).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
