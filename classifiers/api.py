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
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from schildwacht.config import REPO_ROOT
from schildwacht.contracts import LABELS, Span

from .textnorm import blank_html, scrub_surrogates

if TYPE_CHECKING:
    from .rules import RuleResult
    from .windows import Window

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "schildwacht-nl-mini"
ENV_MODEL_PATH = "SCHILDWACHT_MODEL_PATH"
DEFAULT_THRESHOLDS = {label: 0.5 for label in LABELS}
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


def _shown(score: float) -> float:
    """A score as it is returned and compared with its threshold: clipped to 0..1, rounded to 4 decimals."""
    return round(_clip(score), 4)


class RuleClassifier:
    """The spaCy rule layer alone (used when no model directory exists)."""

    name = "schildwacht-rules"
    version = "1.0"

    def __init__(self, thresholds: dict[str, float] | None = None) -> None:
        from .rules import RuleEngine

        self.rules = RuleEngine()
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}

    def _rule_pass(self, items: Sequence[ClassifyInput]):
        from .target import resolve_target

        out = []
        for it in items:
            text = it.text if isinstance(it.text, str) else ("" if it.text is None else str(it.text))
            text = scrub_surrogates(text)  # lone surrogates -> U+FFFD, one for one (offsets unchanged)
            res = self.rules.analyze(text, _terms(it))
            tgt = resolve_target(text, it.officials or [], it.reply_to_official)
            out.append((text, res, tgt))
        return out

    def _finish(self, scores: dict[str, float], spans: list[Span], target: str | None) -> Classification:
        scores = {lab: _shown(scores.get(lab, 0.0)) for lab in LABELS}
        flags = [lab for lab in LABELS if scores[lab] >= self.thresholds[lab]]
        return Classification(scores=scores, flags=flags, spans=spans, target=target)

    def _spans(self, res: RuleResult, scores: dict[str, float]) -> list[Span]:
        """The rule spans, plus the identity mentions where `identity` is flagged without an identity rule span (the
        flag came from hostile_identity: the mention is its evidence)."""
        spans = list(res.spans)
        if _shown(scores["identity"]) >= self.thresholds["identity"] and not any(s.label == "identity" for s in spans):
            spans += res.mentions
        return spans

    def classify(self, items: Sequence[ClassifyInput]) -> list[Classification]:
        out: list[Classification] = []
        for _text, res, tgt in self._rule_pass(items):
            scores = hostile_identity(res.scores, res)
            out.append(self._finish(scores, self._spans(res, scores), tgt))
        return out


WORD = re.compile(r"\w+")
#: A window counts for a label from this probability on (thresholds.json `window_gate` overrides it); chosen on the
#: long-post validation posts of scripts/eval_long_posts.py (model card, "Long posts").
WINDOW_GATE = 0.9
OCCLUSION_CHARS, OCCLUSION_WORDS, OCCLUSION_MIN = 2000, 80, 0.05
#: Per flagged label, only this many candidate words of a reading go through the transformer occluded: those whose
#: removal lowers the lexical half's probability most (bench/classifier_equivalence.py measures what this changes);
#: thresholds.json `occlusion_candidates` overrides it, 0 occludes every word with the whole model.
OCCLUSION_CANDIDATES = 4


@dataclass
class Strongest:
    """Per label, the strongest model reading of a post: the whole post or one of its windows (classifiers.windows).

    `probs` are the frame-damped probabilities (LABELS order) that enter `combine_scores`; `raw` the undamped ones of
    the reading that gave each maximum; `fired` that reading's (start, end) in the post, None for the whole post."""

    probs: list[float]
    raw: list[float]
    fired: list[tuple[int, int] | None]


def strongest(
    whole: Sequence[float],
    whole_framed: set[str],
    windows: Sequence[tuple[int, int]],
    window_probs: Sequence[Sequence[float]],
    window_framed: Sequence[set[str]],
    frame_damp: float,
    window_gate: float = 0.0,
) -> Strongest:
    """The highest probability per label over the whole post and its windows, each reading's probability of a label
    multiplied by `frame_damp` when that label is framed in it (`*_framed`: the labels of which the rules suppressed
    a would-be hit there). A window counts for a label only from `window_gate` on (after damping): read alone, an
    ordinary sentence sometimes scores high. Without windows this is `combine_scores`' own damping of the whole post.
    Ties go to the whole post, then to the earliest window."""
    readings: list[tuple[tuple[int, int] | None, Sequence[float], set[str]]] = [(None, whole, whole_framed)]
    readings += list(zip(windows, window_probs, window_framed))
    best = Strongest(probs=[0.0] * len(LABELS), raw=[0.0] * len(LABELS), fired=[None] * len(LABELS))
    for j, lab in enumerate(LABELS):
        top = -1.0
        for where, p, framed in readings:
            value = float(p[j]) * (frame_damp if lab in framed else 1.0)
            if value > top and (where is None or value >= window_gate):
                top, best.probs[j], best.raw[j], best.fired[j] = value, value, float(p[j]), where
    return best


@dataclass
class Reading:
    """What the model read of one post: the strongest reading per label, and the transformer's and the lexical
    half's probabilities of the whole post (the transformer's twice where the directory has no lexical half)."""

    best: Strongest
    transformer: list[float]
    lexical: list[float]


def _terms(item: ClassifyInput) -> list[str]:
    """The names and handles of the officials `item` was matched to, as the rule layer reads them."""
    from .target import official_terms

    return [t for o in (item.officials or []) for t in official_terms(o)]


def _framed(res: RuleResult) -> set[str]:
    """The labels of which the rules suppressed a would-be hit somewhere in the post (negation, quote, news, ...)."""
    return {h.label for h in res.suppressed}


#: `combine` values that score with the stacker (classifiers.stacking): alone, with rule scores counting as well, or
#: beside the gated max of rules and model ("max"), so that the stacker adds flags and never drops one a window or a
#: rule gave (a threat in the middle of a long post that only one window reads).
STACK, STACK_AND_RULES, STACK_AND_MAX = "stack", "stack+rules", "stack+max"
STACKED = (STACK, STACK_AND_RULES, STACK_AND_MAX)


def _stack_gates(entry: object) -> dict[str, dict[str, float]]:
    """thresholds.json `stack_gate`: per stacked mode, per label the stacker's gate; {} without one."""
    if not entry:
        return {}
    if not isinstance(entry, dict) or not all(m in STACKED and isinstance(g, dict) for m, g in entry.items()):
        raise ValueError(f"thresholds.json: stack_gate geeft per modus ({', '.join(STACKED)}) per label een poort")
    return {mode: {lab: float(g) for lab, g in gates.items()} for mode, gates in entry.items()}


def stacked_modes(combine: str | dict[str, str]) -> set[str]:
    """The stacked modes (STACKED) that `combine`, one mode or one per label, uses."""
    modes = set(combine.values()) if isinstance(combine, dict) else {combine}
    return modes & set(STACKED)


class CombinedClassifier(RuleClassifier):
    """Rules + transformer; ``combine`` is read from thresholds.json ("max", "model", "rules" or per label).

    The model reads every post whole and, where it does not fit in one window, also sentence by sentence
    (classifiers.windows): per label the strongest reading counts (`strongest`), and model evidence points into the
    window that gave it. ``windows=False`` reads whole posts only (the behaviour before windows, for comparisons)."""

    def __init__(
        self,
        model_dir: Path,
        thresholds: dict[str, float] | None = None,
        combine: str | None = None,
        windows: bool = True,
        occlusion_candidates: int | None = None,
        int8: bool | None = None,
    ) -> None:
        from .model import ModelScorer
        from .stacking import Stacker
        from .windows import Splitter

        cfg = _read_json(model_dir / "thresholds.json")
        file_thr = {k: float(v) for k, v in (cfg.get("thresholds") or {}).items() if k in LABELS}
        super().__init__({**file_thr, **(thresholds or {})})
        self.combine = combine or cfg.get("combine", "max")
        self.frame_damp = float(cfg.get("frame_damp", 1.0))
        self.gates = {k: float(v) for k, v in (cfg.get("model_gate") or {}).items()}
        self.scorer = ModelScorer(model_dir, quantize=int8)
        self.int8 = self.scorer.int8
        self.splitter = Splitter() if windows else None
        self.window_gate = float(cfg.get("window_gate", WINDOW_GATE))
        self.stacker = Stacker.from_config(cfg.get("stacker")) if stacked_modes(self.combine) else None
        self.stack_gates = _stack_gates(cfg.get("stack_gate"))
        if stacked_modes(self.combine) and self.stacker is None:
            raise ValueError(f"thresholds.json: combine {self.combine!r} zonder stacker")
        if self.stacker is not None and (cfg.get("stacker") or {}).get("fitted_with") != self.reading_settings():
            raise ValueError("thresholds.json: de stacker is geleerd met andere poorten, demping of vensterpoort")
        if occlusion_candidates is None:
            occlusion_candidates = int(cfg.get("occlusion_candidates", OCCLUSION_CANDIDATES))
        self.occlusion_candidates = occlusion_candidates
        self.name = cfg.get("name") or model_dir.name
        self.version = str(cfg.get("version") or "0")
        self._lock = threading.Lock()

    def classify(self, items: Sequence[ClassifyInput]) -> list[Classification]:
        out: list[Classification] = []
        for b in range(0, len(items), MAX_BATCH):
            batch = items[b : b + MAX_BATCH]
            ruled = self._rule_pass(batch)
            terms = [_terms(it) for it in batch]
            readings = self._read(ruled, terms) if self.combine != "rules" else None
            done, jobs = [], []
            for k, (text, res, tgt) in enumerate(ruled):
                reading = None if readings is None else readings[k]
                best = None if reading is None else reading.best
                scores = combine_scores(res, None if best is None else best.probs, self.combine, 1.0, self.gates)
                if reading is not None and self.stacker is not None:
                    scores = self._stacked(res, reading, scores)
                spans = self._spans(res, scores)
                if best is not None and text:
                    model_only = [
                        lab
                        for lab in LABELS
                        if _shown(scores[lab]) >= self.thresholds[lab]  # flagged exactly as _finish flags it
                        and (self._mode(lab) in STACKED or best.raw[LABELS.index(lab)] >= self.gates.get(lab, 0.5))
                        and not any(s.label == lab for s in spans)
                    ]
                    for where, labels in _group_by_reading(best, model_only):
                        a, z = where if where is not None else (0, len(text))
                        jobs.append((k, text, a, z, labels, best.raw))
                done.append((scores, spans, tgt))
            for (k, *_), extra in zip(jobs, self._model_spans([job[1:] for job in jobs])):
                done[k][1].extend(extra)
            out += [self._finish(scores, spans, tgt) for scores, spans, tgt in done]
        return out

    def reading_settings(self) -> dict:
        """The settings that shape the stacker's features: a stacker is used only with the ones it was fitted with."""
        return {
            "model_gate": {lab: self.gates.get(lab, 0.5) for lab in LABELS},
            "frame_damp": self.frame_damp,
            "lexical_weight": self.scorer.lexical_weight if self.scorer.lexical is not None else None,
            "window_gate": self.window_gate,
        }

    def stack_rows(self, items: Sequence[ClassifyInput]) -> list[list[float]]:
        """The stacker's features (classifiers.stacking.FEATURES) of each item, exactly as `classify` weighs them:
        what training/stack_fit.py fits on and training/evaluate.py scores."""
        rows: list[list[float]] = []
        for b in range(0, len(items), MAX_BATCH):
            batch = items[b : b + MAX_BATCH]
            ruled = self._rule_pass(batch)
            terms = [_terms(it) for it in batch]
            for (_, res, _), r in zip(ruled, self._read(ruled, terms)):
                rows.append(self._features(res, r))
        return rows

    def _features(self, res: RuleResult, reading: Reading) -> list[float]:
        from .stacking import features

        gated = combine_scores(res, reading.best.probs, "max", 1.0, self.gates)
        return features(reading.transformer, reading.lexical, reading.best.probs, res.scores, _framed(res), gated)

    def _mode(self, label: str) -> str:
        return self.combine.get(label, "max") if isinstance(self.combine, dict) else self.combine

    def _stacked(self, res: RuleResult, reading: Reading, combined: dict[str, float]) -> dict[str, float]:
        """`combined` (combine_scores' result) with the labels whose mode is a stacked one scored by the stacker:
        "stack" its probability sent through that mode's gate for the label (`stack_gate`, per mode and label;
        `gate`), "stack+rules" the larger of that and the rule score, "stack+max" the larger of that and the label's
        "max" score in `combined`; each as that variant scores the whole post, `hostile_identity` included (what
        training/evaluate.py's per-label choice measures)."""
        assert self.stacker is not None
        row = self._features(res, reading)
        probs = self.stacker.probs(row)
        alone, ruled, beside = (
            {lab: gate(p, self.stack_gates.get(mode, {}).get(lab, 0.5)) for lab, p in probs.items()} for mode in STACKED
        )
        variants = {
            STACK: hostile_identity(alone, res),
            STACK_AND_RULES: hostile_identity({lab: max(ruled[lab], res.scores[lab]) for lab in LABELS}, res),
            STACK_AND_MAX: hostile_identity({lab: max(beside[lab], combined[lab]) for lab in LABELS}, res),
        }
        return {lab: variants[self._mode(lab)][lab] if self._mode(lab) in STACKED else combined[lab] for lab in LABELS}

    def _read(self, ruled: list[tuple[str, RuleResult, str | None]], terms: list[list[str]]) -> list[Reading]:
        """Every post whole and its windows, all through the model in one call; the strongest reading per label, and
        the two halves' probabilities of the whole post."""
        plans = [self.splitter.plan(text) if self.splitter is not None and text else [] for text, _, _ in ruled]
        views = [blank_html(text) for text, _, _ in ruled]
        texts = [text for text, _, _ in ruled]
        texts += [view[w.start : w.end] for view, plan in zip(views, plans) for w in plan]
        with self._lock:
            transformer, lexical = self.scorer.predict_parts(texts)
        probs = transformer if lexical is None else self.scorer.mix(transformer, lexical)
        rest = iter(probs[len(ruled) :])
        out = []
        for k, ((_, res, _), plan) in enumerate(zip(ruled, plans)):
            framed = [self._framed_in(views[k], w, res, terms[k]) for w in plan]
            windows = [(w.start, w.end) for w in plan]
            window_probs = [next(rest) for _ in plan]
            best = strongest(probs[k], _framed(res), windows, window_probs, framed, self.frame_damp, self.window_gate)
            whole = transformer[k]
            out.append(Reading(best=best, transformer=whole, lexical=whole if lexical is None else lexical[k]))
        return out

    def _framed_in(self, view: str, window: Window, res: RuleResult, terms: list[str]) -> set[str]:
        """The labels framed in `window`: the rules suppressed a would-be hit of the label inside the window both
        when reading the whole post (`res`) and when reading the window with its neighbouring units, so a frame
        elsewhere in a long post (two news words in different sentences) does not damp it."""
        inside = {h.label for h in res.suppressed if h.start < window.end and h.end > window.start}
        if not inside:
            return set()
        near = self.rules.analyze(view[window.context_start : window.context_end], terms)
        shift = window.context_start
        return {
            h.label
            for h in near.suppressed
            if h.label in inside and h.start + shift < window.end and h.end + shift > window.start
        }

    def _model_spans(self, jobs: list[tuple[str, int, int, list[str], list[float]]]) -> list[list[Span]]:
        """Evidence where the model flagged without a rule hit, per job (post, start and end of the reading that
        fired, labels, that reading's model probabilities): per label the (at most 3) words of the reading whose
        removal lowers its model probability most, by at least OCCLUSION_MIN; the start of the reading if no word
        does. Only the reading's candidate words are weighed (`_occlude`: per label of the job, those that lower the
        lexical half most); all occluded variants of a batch go through the model in one call."""
        readings = [(text, a, blank_html(text)[a:z]) for text, a, z, _, _ in jobs]
        words = [list(WORD.finditer(part[:OCCLUSION_CHARS]))[:OCCLUSION_WORDS] for _, _, part in readings]
        variants = [[part[: w.start()] + part[w.end() :] for w in ws] for (_, _, part), ws in zip(readings, words)]
        with self._lock:
            occluded = self._occlude(variants, [job[3] for job in jobs])
        out = []
        for (text, a, part), (_, _, _, labels, probs), ws, rows in zip(readings, jobs, words, occluded):
            spans: list[Span] = []
            for lab in labels:
                j = LABELS.index(lab)
                weighed = [(probs[j] - row[j], w) for row, w in zip(rows, ws) if row is not None]
                drops = sorted(weighed, key=lambda d: -d[0])
                found = [
                    Span(
                        start=a + w.start(),
                        end=a + w.end(),
                        label=lab,
                        text=text[a + w.start() : a + w.end()],
                        source="model",
                    )
                    for d, w in drops[:3]
                    if d >= OCCLUSION_MIN
                ]
                if not found:
                    end = a + min(len(part), 280)
                    found = [Span(start=a, end=end, label=lab, text=text[a:end], source="model")]
                spans += sorted(found, key=lambda sp: sp.start)
            out.append(spans)
        return out

    def _occlude(self, variants: list[list[str]], labels: list[list[str]]) -> list[list[list[float] | None]]:
        """Model probabilities of the occluded variants of each job, None for a variant not weighed. Without a
        lexical half or with `occlusion_candidates` 0 every variant is weighed by the whole model. Otherwise the
        lexical half reads every variant (it is cheap) and the transformer only the candidates: per label of the job
        the `occlusion_candidates` variants with the lowest lexical probability (all of them in a reading of at most
        that many words); their probability is mixed from the two halves exactly as `ModelScorer.predict` mixes
        it."""
        scorer, k = self.scorer, self.occlusion_candidates
        flat = [v for vs in variants for v in vs]
        if scorer.lexical is None or k <= 0:
            rows = iter(scorer.predict(flat) if flat else [])
            return [[next(rows) for _ in vs] for vs in variants]
        lexical = iter(scorer.lexical.predict(flat) if flat else [])
        per_job = [[next(lexical) for _ in vs] for vs in variants]
        chosen = [_candidates(rows, labs, k) for rows, labs in zip(per_job, labels)]
        picked = [(vs[i], rows[i]) for vs, rows, keep in zip(variants, per_job, chosen) for i in sorted(keep)]
        transformer = scorer.transformer_probs([v for v, _ in picked]) if picked else []
        mixed = iter(scorer.mix(transformer, [row for _, row in picked]))
        return [[next(mixed) if i in keep else None for i in range(len(vs))] for vs, keep in zip(variants, chosen)]


def _candidates(lexical_rows: list[list[float]], labels: list[str], k: int) -> set[int]:
    """Indexes of the (at most) `k` rows with the lowest probability per label, together; all rows when at most k."""
    if len(lexical_rows) <= k:
        return set(range(len(lexical_rows)))
    keep: set[int] = set()
    for lab in labels:
        j = LABELS.index(lab)
        keep.update(sorted(range(len(lexical_rows)), key=lambda i: lexical_rows[i][j])[:k])
    return keep


def _group_by_reading(best: Strongest, labels: list[str]) -> list[tuple[tuple[int, int] | None, list[str]]]:
    """`labels` grouped by the reading that fired them, in order of first appearance."""
    groups: dict[tuple[int, int] | None, list[str]] = {}
    for lab in labels:
        groups.setdefault(best.fired[LABELS.index(lab)], []).append(lab)
    return list(groups.items())


def gate(p: float, g: float) -> float:
    """Monotone map sending model probability g to 0.5, so that with threshold 0.5 the model alone must reach g."""
    if g <= 0.5 or g >= 1.0:
        return p
    return p * 0.5 / g if p < g else 0.5 + (p - g) * 0.5 / (1.0 - g)


def combine_scores(res, probs, mode, frame_damp: float = 1.0, gates: dict | None = None) -> dict[str, float]:
    """Combine rule scores and model probabilities (LABELS order) into final scores.

    mode: "max" | "model" | "rules" | "mean", or a dict label -> one of those (per-label choice). A label's model
    probability is multiplied by frame_damp when the rules found a would-be hit of that label inside a frame
    (negation, quote, news, counter-speech, idiom): a suppressed gender-role phrase does not damp a threat. A label
    in a stacked mode (STACKED) is combined as "max" here; `CombinedClassifier._stacked` replaces it."""
    if probs is None or mode == "rules":
        return hostile_identity(res.scores, res)
    framed_labels = _framed(res)
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
    return hostile_identity(out, res)


def hostile_identity(scores: dict[str, float], res: RuleResult) -> dict[str, float]:
    """A post that names someone's origin, religion, colour, orientation, gender identity or disability outside a
    frame (`res.mentions`) and is abuse or a threat is identity-based hate: `identity` scores at least the stronger
    of the two ("Die Marokkaanse wethouder moeten we het land uitschoppen"). Without a mention, `scores` as given."""
    if not res.mentions:
        return dict(scores)
    return {**scores, "identity": max(scores["identity"], scores["abuse"], scores["threat"])}


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
