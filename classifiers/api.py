"""Public interface used by the Kafka worker: ``load_classifier(...).classify([ClassifyInput(...), ...])``.

Importing this module is cheap (no torch); the transformer is imported only when a model directory is loaded.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from schildwacht.config import REPO_ROOT
from schildwacht.contracts import LABELS, Span

from .textnorm import scrub_surrogates

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "schildwacht-nl-mini"
ENV_MODEL_PATH = "SCHILDWACHT_MODEL_PATH"
DEFAULT_THRESHOLDS = {"threat": 0.5, "abuse": 0.5, "gender": 0.5, "doxxing": 0.5}
MAX_BATCH = 64


@dataclass
class OfficialRef:
    """A registered official the post was matched to."""

    id: str
    names: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    # Where the collector found this official in the text (character offsets); None when unknown (CLI, data sets):
    # target resolution then looks for `names` and `handles` itself.
    found_at: list[tuple[int, int]] | None = None


@dataclass
class ClassifyInput:
    text: str
    officials: list[OfficialRef] = field(default_factory=list)
    reply_to_official: str | None = None


@dataclass
class Classification:
    scores: dict[str, float]
    flags: list[str]
    spans: list[Span]
    target: str | None


@runtime_checkable
class Classifier(Protocol):
    name: str
    version: str

    def classify(self, items: Sequence[ClassifyInput]) -> list[Classification]: ...


def _clip(x: float) -> float:
    x = float(x)
    if x != x:  # NaN
        return 0.0
    return min(1.0, max(0.0, x))


class RuleClassifier:
    """The spaCy rule layer alone (used when no model directory exists)."""

    name = "schildwacht-rules"
    version = "1.0"

    def __init__(self, thresholds: dict[str, float] | None = None) -> None:
        from .rules import RuleEngine

        self.rules = RuleEngine()
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}

    def _rule_pass(self, items: Sequence[ClassifyInput]):
        from .target import official_terms, resolve_target

        out = []
        for it in items:
            text = it.text if isinstance(it.text, str) else ("" if it.text is None else str(it.text))
            text = scrub_surrogates(text)  # lone surrogates -> U+FFFD, one for one (offsets unchanged)
            terms = [t for o in (it.officials or []) for t in official_terms(o)]
            res = self.rules.analyze(text, terms)
            tgt = resolve_target(text, it.officials or [], it.reply_to_official)
            out.append((text, res, tgt))
        return out

    def _finish(self, scores: dict[str, float], spans: list[Span], target: str | None) -> Classification:
        scores = {lab: round(_clip(scores.get(lab, 0.0)), 4) for lab in LABELS}
        flags = [lab for lab in LABELS if scores[lab] >= self.thresholds[lab]]
        return Classification(scores=scores, flags=flags, spans=spans, target=target)

    def classify(self, items: Sequence[ClassifyInput]) -> list[Classification]:
        out: list[Classification] = []
        for _text, res, tgt in self._rule_pass(items):
            out.append(self._finish(res.scores, res.spans, tgt))
        return out


WORD = re.compile(r"\w+")
OCCLUSION_CHARS, OCCLUSION_WORDS, OCCLUSION_MIN = 2000, 80, 0.05


class CombinedClassifier(RuleClassifier):
    """Rules + transformer; ``combine`` is read from thresholds.json ("max", "model", "rules" or per label)."""

    def __init__(self, model_dir: Path, thresholds: dict[str, float] | None = None, combine: str | None = None) -> None:
        from .model import ModelScorer

        cfg = _read_json(model_dir / "thresholds.json")
        file_thr = {k: float(v) for k, v in (cfg.get("thresholds") or {}).items() if k in LABELS}
        super().__init__({**file_thr, **(thresholds or {})})
        self.combine = combine or cfg.get("combine", "max")
        self.frame_damp = float(cfg.get("frame_damp", 1.0))
        self.gates = {k: float(v) for k, v in (cfg.get("model_gate") or {}).items()}
        self.scorer = ModelScorer(model_dir)
        self.name = cfg.get("name") or model_dir.name
        self.version = str(cfg.get("version") or "0")
        self._lock = threading.Lock()

    def classify(self, items: Sequence[ClassifyInput]) -> list[Classification]:
        out: list[Classification] = []
        for b in range(0, len(items), MAX_BATCH):
            batch = items[b : b + MAX_BATCH]
            ruled = self._rule_pass(batch)
            with self._lock:
                probs = self.scorer.predict([t for t, _, _ in ruled]) if self.combine != "rules" else None
            done, jobs = [], []
            for k, (text, res, tgt) in enumerate(ruled):
                scores = combine_scores(
                    res, None if probs is None else probs[k], self.combine, self.frame_damp, self.gates
                )
                spans = list(res.spans)
                if probs is not None and text:
                    model_only = [
                        lab
                        for lab in LABELS
                        if scores[lab] >= self.thresholds[lab]
                        and probs[k][LABELS.index(lab)] >= self.gates.get(lab, 0.5)
                        and not any(s.label == lab for s in spans)
                    ]
                    if model_only:
                        jobs.append((k, text, model_only, probs[k]))
                done.append((scores, spans, tgt))
            for (k, *_), extra in zip(jobs, self._model_spans([job[1:] for job in jobs])):
                done[k][1].extend(extra)
            out += [self._finish(scores, spans, tgt) for scores, spans, tgt in done]
        return out

    def _model_spans(self, jobs: list[tuple[str, list[str], list[float]]]) -> list[list[Span]]:
        """Evidence where the model flagged without a rule hit, per job (text, labels, model probabilities): per label
        the (at most 3) words whose removal lowers the model probability most, by at least OCCLUSION_MIN; the start
        of the post if no word does. All occluded variants of a batch go through the model in one call."""
        words = [list(WORD.finditer(text[:OCCLUSION_CHARS]))[:OCCLUSION_WORDS] for text, _, _ in jobs]
        variants = [text[: w.start()] + text[w.end() :] for (text, _, _), ws in zip(jobs, words) for w in ws]
        with self._lock:
            occluded = iter(self.scorer.predict(variants) if variants else [])
        out = []
        for (text, labels, probs), ws in zip(jobs, words):
            rows = [next(occluded) for _ in ws]
            spans: list[Span] = []
            for lab in labels:
                j = LABELS.index(lab)
                drops = sorted(((probs[j] - row[j], w) for row, w in zip(rows, ws)), key=lambda d: -d[0])
                found = [
                    Span(start=w.start(), end=w.end(), label=lab, text=w.group(0), source="model")
                    for d, w in drops[:3]
                    if d >= OCCLUSION_MIN
                ]
                if not found:
                    shown = text[:280]
                    found = [Span(start=0, end=len(shown), label=lab, text=shown, source="model")]
                spans += sorted(found, key=lambda sp: sp.start)
            out.append(spans)
        return out


def gate(p: float, g: float) -> float:
    """Monotone map sending model probability g to 0.5, so that with threshold 0.5 the model alone must reach g."""
    if g <= 0.5 or g >= 1.0:
        return p
    return p * 0.5 / g if p < g else 0.5 + (p - g) * 0.5 / (1.0 - g)


def combine_scores(res, probs, mode, frame_damp: float = 1.0, gates: dict | None = None) -> dict[str, float]:
    """Combine rule scores and model probabilities (LABELS order) into final scores.

    mode: "max" | "model" | "rules" | "mean", or a dict label -> one of those (per-label choice). A label's model
    probability is multiplied by frame_damp when the rules found a would-be hit of that label inside a frame
    (negation, quote, news, counter-speech, idiom): a suppressed gender-role phrase does not damp a threat."""
    if probs is None or mode == "rules":
        return dict(res.scores)
    framed_labels = {h.label for h in res.suppressed}
    out = {}
    for i, lab in enumerate(LABELS):
        damp = frame_damp if lab in framed_labels else 1.0
        m = gate(float(probs[i]) * damp, float((gates or {}).get(lab, 0.5)))
        r = res.scores[lab]
        lab_mode = mode.get(lab, "max") if isinstance(mode, dict) else mode
        if lab_mode == "rules":
            out[lab] = r
        elif lab_mode == "model":
            out[lab] = m
        elif lab_mode == "mean":
            out[lab] = max(r, 0.5 * (m + r)) if r >= 0.5 else 0.5 * (m + r) + 0.5 * m * (1 - r)
        else:  # max
            out[lab] = max(m, r)
    return out


def _read_json(p: Path) -> dict:
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def resolve_model_path(model_path: str | Path | None = None) -> Path:
    if model_path is not None:
        return Path(model_path)
    env = os.environ.get(ENV_MODEL_PATH)
    if env:
        return Path(env)
    return DEFAULT_MODEL_DIR


def load_classifier(model_path: str | Path | None = None, thresholds: dict[str, float] | None = None) -> Classifier:
    """None -> the shipped default models/schildwacht-nl-mini (or $SCHILDWACHT_MODEL_PATH); falls back to the
    rule layer alone (name 'schildwacht-rules') with a logged warning when no model directory exists."""
    path = resolve_model_path(model_path)
    if path.is_dir() and (path / "config.json").exists():
        return CombinedClassifier(path, thresholds)
    log.warning("geen modelmap gevonden op %s; alleen de regellaag (schildwacht-rules) wordt gebruikt", path)
    return RuleClassifier(thresholds)
