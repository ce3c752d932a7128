"""Fitting the stacker (classifiers/stacking.py) of a finished model directory.

The stacker learns what each part's evidence is worth on posts that no part has seen: it is fitted only on the reply
authors of `training/replies/` that the model directory's transformer and lexical half did not train on
(thresholds.json `training.replies.authors_trained`) and that are not validation or test authors (`stack_authors`).
Its features come from `CombinedClassifier.stack_rows`, the same code `classify` runs, so fitted and shipped
features cannot drift apart. scikit-learn fits; the weights are written into thresholds.json under `stacker`.
"""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.api import STACKED
from schildwacht.contracts import LABELS

from .data import REPLIES_DIR, REPLIES_TEST_AUTHORS, REPLIES_VAL_AUTHORS, Example, load_replies, masked_labels

#: Inverse regularisation strength of the per-label logistic regressions (scikit-learn's default).
C = 1.0


def stack_authors(meta: dict, authors: list[str]) -> list[str]:
    """Of `authors`, those the stacker may be fitted on: not trained on by the model of `meta` (thresholds.json),
    not a validation or test author."""
    trained = set(((meta.get("training") or {}).get("replies") or {}).get("authors_trained") or [])
    held_out = set(REPLIES_VAL_AUTHORS) | set(REPLIES_TEST_AUTHORS)
    return sorted(a for a in authors if a not in trained and a not in held_out)


def stack_examples(meta: dict, directory: Path = REPLIES_DIR) -> tuple[list[str], list[Example]]:
    """(authors, their five-label examples) for fitting the stacker of the model `meta` describes."""
    replies = load_replies(directory)
    authors = stack_authors(meta, list(replies))
    examples = [e for a in authors for e in replies[a] if e.labels is not None and min(masked_labels(e)) >= 0]
    return authors, examples


def unstack(meta: dict) -> bool:
    """Send the labels that `meta` (thresholds.json) scores with the stacker back to the gated combination ("max")
    and drop their gates: that choice belonged to the weights being replaced, until `schildwacht evaluate` chooses
    again. True when anything changed."""
    combine = meta.get("combine", "max")
    if isinstance(combine, dict):
        meta["combine"] = {lab: "max" if m in STACKED else m for lab, m in combine.items()}
    elif combine in STACKED:
        meta["combine"] = "max"
    dropped = meta.pop("stack_gate", None) is not None
    return dropped or meta.get("combine", "max") != combine


def fit_stacker(model_dir: Path, log=print, directory: Path = REPLIES_DIR) -> dict:
    """Fit one logistic regression per label on the stacking authors' posts and write it into `model_dir`'s
    thresholds.json (`stacker`: features, weights, bias, authors, posts, and the gates, damping and weights it read
    the posts with, `fitted_with`: the classifier uses it only with those); returns that entry. Refuses to fit on
    fewer than 500 posts or where a label has fewer than 20 positives, before anything is written. `directory`
    holds the reply files (one per author)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from classifiers.api import ClassifyInput, CombinedClassifier
    from classifiers.stacking import FEATURES

    if not (Path(model_dir) / "config.json").is_file() or not (Path(model_dir) / "thresholds.json").is_file():
        raise ValueError(f"{model_dir} is geen af model (config.json of thresholds.json ontbreekt)")
    path = Path(model_dir) / "thresholds.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    authors, examples = stack_examples(meta, directory)
    if len(examples) < 500:
        raise ValueError(f"te weinig ongeziene berichten om de stapelaar te leren ({len(examples)} < 500)")
    log(f"stapelaar: {len(examples)} berichten van {', '.join(authors)}")
    clf = CombinedClassifier(Path(model_dir), combine="max")
    x = np.array(clf.stack_rows([ClassifyInput(e.text) for e in examples]))
    weights, bias = {}, {}
    for j, lab in enumerate(LABELS):
        y = np.array([masked_labels(e)[j] for e in examples])
        if y.sum() < 20:
            raise ValueError(f"te weinig positieve voorbeelden voor {lab} ({int(y.sum())} < 20)")
        lr = LogisticRegression(C=C, max_iter=5000).fit(x, y)
        weights[lab] = [round(float(w), 5) for w in lr.coef_[0]]
        bias[lab] = round(float(lr.intercept_[0]), 5)
    entry = {
        "features": list(FEATURES),
        "weights": weights,
        "bias": bias,
        "authors": authors,
        "posts": len(examples),
        "C": C,
        "fitted_with": clf.reading_settings(),
    }
    meta["stacker"] = entry
    if unstack(meta):
        log("stapelaar: de gekozen stapelaarlabels staan weer op 'max' tot schildwacht evaluate opnieuw kiest")
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return entry
