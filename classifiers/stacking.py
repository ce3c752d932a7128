"""The stacker: one logistic regression per label over everything the classifier already reads of a post.

Per label it weighs, for all five labels, the transformer's probability of the whole post, the lexical (TF-IDF)
model's, the strongest reading (whole post or window, frame-damped: `classifiers.api.strongest`), the rule score,
whether the rules framed a would-be hit of that label (negation, quote, news, counter-speech, idiom) and the score of
the gated combination of rules and model (what ships without a stacker). A threat the
transformer sees and TF-IDF does not, or a rule hit the transformer doubts, is weighed by what such evidence was
worth on posts none of the parts had seen, instead of by a fixed average and a per-label gate.

Invariant: the weights are fitted (`training/stack_fit.py`) only on reply authors that neither the transformer nor the
lexical model trained on and that no choice reads (not the validation, test or frozen authors); thresholds.json
names them under `stacker.authors`. Plain arithmetic on purpose: 30 weights and a bias per label need no library at
run time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from schildwacht.contracts import LABELS

#: What is read of each label, in this order, for every label in LABELS order.
PARTS = ("transformer", "lexical", "strongest", "rules", "framed", "gated")
FEATURES = tuple(f"{part}:{lab}" for lab in LABELS for part in PARTS)
_EPS = 1e-4


def logit(p: float) -> float:
    p = min(max(float(p), _EPS), 1.0 - _EPS)
    return math.log(p / (1.0 - p))


def features(
    transformer: Sequence[float],
    lexical: Sequence[float],
    strongest: Sequence[float],
    rules: dict[str, float],
    framed: set[str],
    gated: dict[str, float],
) -> list[float]:
    """The FEATURES of one post: probabilities as logits, the rule score and the gated combination's score
    (`classifiers.api.combine_scores` with the model gates) as they are (0..1), framed as 0/1."""
    out: list[float] = []
    for j, lab in enumerate(LABELS):
        out += [
            logit(transformer[j]),
            logit(lexical[j]),
            logit(strongest[j]),
            float(rules.get(lab, 0.0)),
            1.0 if lab in framed else 0.0,
            float(gated.get(lab, 0.0)),
        ]
    return out


@dataclass(frozen=True)
class Stacker:
    """Per label, weights over FEATURES and a bias; `probs` is the logistic of their sum."""

    weights: dict[str, list[float]]
    bias: dict[str, float]

    @classmethod
    def from_config(cls, cfg: dict | None) -> Stacker | None:
        """The stacker of a thresholds.json `stacker` entry; None without one. Refuses (ValueError) an entry whose
        feature list is not this module's FEATURES (a model fitted on other features would be read wrongly), or that
        lacks a label's bias or a weight per feature."""
        if not cfg:
            return None
        if list(cfg.get("features") or []) != list(FEATURES):
            raise ValueError("stacker: de kenmerken in thresholds.json horen niet bij deze versie van classifiers")
        weights, bias = cfg.get("weights") or {}, cfg.get("bias") or {}
        if any(lab not in bias or len(weights.get(lab) or []) != len(FEATURES) for lab in LABELS):
            raise ValueError(f"stacker: thresholds.json moet per label {len(FEATURES)} gewichten en een bias hebben")
        return cls(
            weights={lab: [float(w) for w in weights[lab]] for lab in LABELS},
            bias={lab: float(bias[lab]) for lab in LABELS},
        )

    def probs(self, row: Sequence[float]) -> dict[str, float]:
        out = {}
        for lab in LABELS:
            z = self.bias[lab] + sum(w * x for w, x in zip(self.weights[lab], row))
            out[lab] = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
        return out
