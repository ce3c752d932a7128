"""One evaluation run comparing TF-IDF+LR, rules alone, the transformer and rule+transformer combinations on the
same validation data (templates and reply authors not trained on); picks the variant to ship and writes the report
into the model card.

Leak-free: the evaluation sets come from ``build_splits(leak_free=True)`` and every item that equals or
near-duplicates (training.dedupe) a text the model was trained or calibrated on is excluded and counted
(``results["excluded"]``). For a model trained before the dedupe existed (no ``leak_free`` in its training record)
those texts are the splits it was really trained on, rebuilt with ``build_splits(leak_free=False)``."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from itertools import product
from pathlib import Path
from typing import Any, TypeVar

from schildwacht.contracts import LABELS

from .data import Example, masked_labels
from .dedupe import NEAR_DUP_JACCARD, SHINGLE, DuplicateIndex, drop_seen
from .lexical_fit import fit_lexical_model
from .train import Splits, build_splits

CRITICISM_KINDS = {"neg:criticism"}
HARD_NEG_KINDS = {
    "neg:criticism",
    "neg:news",
    "neg:counter",
    "neg:profanity",
    "neg:idiom",
    "neg:neutral",
    "neg:othergroup",
    "neg:grouppos",
    "neg:group",
    "neg:profanity_weather",
    "neg:quote",
    "neg:sarcasm",
    "neg:counter_speech",
    "neg:game_sport_hunting",
    "neg:thing_not_person",
    "neg:own_contact_info",
}


def prf(preds: list[list[int]], labels: list[list[int]]) -> dict:
    out = {}
    for j, lab in enumerate(LABELS):
        tp = fp = fn = n = 0
        for p, y in zip(preds, labels):
            if y[j] < 0:
                continue
            n += 1
            tp += p[j] and y[j] == 1
            fp += p[j] and y[j] == 0
            fn += (not p[j]) and y[j] == 1
        prec = tp / (tp + fp) if tp + fp else float("nan") if tp + fp + fn == 0 else 0.0
        rec = tp / (tp + fn) if tp + fn else float("nan")
        f1 = (
            2 * prec * rec / (prec + rec)
            if prec == prec and rec == rec and prec + rec > 0
            else (0.0 if rec == rec else float("nan"))
        )
        out[lab] = {"p": prec, "r": rec, "f1": f1, "support": tp + fn, "n": n}
    return out


class Variants:
    """Scores (0..1, LABELS order) for every variant on a list of texts. The "model" probability is what ships: the
    transformer's, averaged with the lexical (TF-IDF + LR) model's where the model directory has one."""

    def __init__(self, model_dir: Path | None, splits: Splits) -> None:
        from classifiers.api import RuleClassifier

        self.rules = RuleClassifier()
        self.scorer = None
        if model_dir is not None and (Path(model_dir) / "config.json").exists():
            from classifiers.model import ModelScorer

            self.scorer = ModelScorer(model_dir)
        # the TF-IDF + LR baseline: the saved lexical model (fitted on the same training split), else fitted here
        self.tfidf = self.scorer.lexical if self.scorer and self.scorer.lexical else fit_lexical_model(splits.train)

    def rule_results(self, texts: list[str]) -> list[Any]:
        """The rule layer's result (scores, spans) for each of `texts`, as the classify path computes it."""
        from classifiers.api import ClassifyInput

        return [res for _, res, _ in self.rules._rule_pass([ClassifyInput(t) for t in texts])]

    def parts(self, texts: list[str]) -> dict:
        """Rule results, baseline and model probabilities for `texts` (computed once, combined many times)."""
        out: dict[str, Any] = {"ruled": self.rule_results(texts)}
        if self.scorer is not None:
            out["transformer"], out["lexical"] = self.scorer.predict_parts(texts)
            out["probs"] = (
                out["transformer"] if out["lexical"] is None else self.scorer.mix(out["transformer"], out["lexical"])
            )
        # the baseline is the saved lexical half when there is one: its scores are already computed
        out["tfidf"] = out["lexical"] if out.get("lexical") is not None else self.tfidf.predict(texts)
        return out

    @staticmethod
    def combined(
        parts: dict, damp: float = 1.0, gates: dict[str, float] | None = None, probs_key: str = "probs"
    ) -> list[list[float]]:
        from classifiers.api import combine_scores

        return [
            [combine_scores(res, p, "max", damp, gates)[lab] for lab in LABELS]
            for res, p in zip(parts["ruled"], parts[probs_key])
        ]

    def score(self, parts: dict) -> dict[str, list[list[float]]]:
        out: dict[str, list[list[float]]] = {"tfidf_lr": parts["tfidf"]}
        out["rules"] = [[res.scores[lab] for lab in LABELS] for res in parts["ruled"]]
        if self.scorer is not None:
            out["transformer"] = parts["transformer"]
            if parts["lexical"] is not None:
                out[MODEL] = parts["probs"]
                out[RULES_TRANSFORMER] = self.combined(parts, probs_key="transformer")
            out[RULES_MAX] = self.combined(parts)
            out[RULES_MAX_DAMP] = self.combined(parts, 0.5)
        return out


GATE_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
CONTRAST_LIMIT = 0.10  # MHC dev target: at most 10% of contrast cases flagged
CRITICISM_LIMIT = 0.05  # acceptance aim: at most 5% of legitimate criticism flagged
THREAT_PRECISION_AIM = 0.85  # acceptance aim: threat recall >= 0.90 at this precision on realistic replies


LEXICAL_WEIGHTS = (0.25, 0.5, 0.75)  # lexical (TF-IDF + LR) share of the model probability, searched with the gates


def with_lexical_weight(parts: dict, weight: float | None) -> dict:
    """`parts` with "probs" re-mixed at `weight` (unchanged when weight is None or there is no lexical half)."""
    if weight is None or parts.get("lexical") is None:
        return parts
    from classifiers.model import mix_probs

    return {**parts, "probs": mix_probs(parts["transformer"], parts["lexical"], weight)}


def tune_combination(
    parts: dict[str, dict], sets: dict[str, list[Example]], thr: dict[str, float]
) -> tuple[dict[str, float], float, float | None]:
    """Per-label model gates, frame damping and the lexical weight for max(rules, model): exhaustive search over
    GATE_GRID per label, damping 1.0 / 0.5 and LEXICAL_WEIGHTS (when the model has a lexical half) on the choice
    sets for the best _variant_score (mean label score with MHC contrast flags above CONTRAST_LIMIT and criticism
    flags above CRITICISM_LIMIT heavily penalised). Returns (gates, damp, lexical weight or None).

    Exact and fast: a label's metrics depend only on its own gate, so they are computed once per gate value; only the
    any-label flag rates (contrast, criticism) depend on the whole combination, and those are an OR of per-label
    flag vectors (`_combo_metrics`). With five labels the 6^5 combinations are scored in seconds, as the 6^4 were
    when every combination was recounted in full."""
    names = [st for st, _ in CHOICE_SETS if st in sets]
    weights = LEXICAL_WEIGHTS if all(parts[st].get("lexical") is not None for st in names) else (None,)
    best: tuple[dict[str, float], float, float | None, float] = ({lab: 0.5 for lab in LABELS}, 1.0, None, -1e9)
    for weight in weights:
        mixed = {st: with_lexical_weight(parts[st], weight) for st in names}
        for damp in (1.0, 0.5):
            # a label's combined score depends only on its own gate: one scoring per gate value gives every column
            per_gate = {
                st: {
                    g: _GateColumns(sets[st], Variants.combined(mixed[st], damp, {lab: g for lab in LABELS}), thr)
                    for g in GATE_GRID
                }
                for st in names
            }
            for combo in product(GATE_GRID, repeat=len(LABELS)):
                res = {st: {GATED: _combo_metrics(per_gate[st], combo)} for st in names}
                score = _variant_score(res, GATED)
                if score > best[3] + 1e-9:
                    best = (dict(zip(LABELS, combo)), damp, weight, score)
    return best[0], best[1], best[2]


#: a column key of `_combo_metrics`: a gate (tune_combination) or a mode (choose_per_label)
_Key = TypeVar("_Key", float, str)


class _GateColumns:
    """The metrics of one set when every label has the same gate (`_metrics_for`), and per label its flags on the
    MHC contrast cases and on the criticism posts, as bit masks (bit i = the i-th such post), for `_combo_metrics`."""

    def __init__(self, exs: list[Example], scores: list[list[float]], thr: dict[str, float]) -> None:
        self.full = _metrics_for(exs, scores, thr)
        contrast = [k for k, e in enumerate(exs) if e.source == "mhc:contrast"]
        crit = [k for k, e in enumerate(exs) if e.kind in CRITICISM_KINDS]
        self.n_contrast, self.n_crit = len(contrast), len(crit)

        def mask(rows: list[int], j: int, lab: str) -> int:
            return sum(1 << i for i, k in enumerate(rows) if scores[k][j] >= thr[lab])

        self.contrast = [mask(contrast, j, lab) for j, lab in enumerate(LABELS)]
        self.crit = [mask(crit, j, lab) for j, lab in enumerate(LABELS)]


def _combo_metrics(columns: dict[_Key, _GateColumns], combo: tuple[_Key, ...]) -> dict:
    """What `_metrics_for` gives for the gates or modes `combo` (LABELS order; the keys of `columns`), as far as
    `_variant_score` reads it: each label's metrics and flag rates from its own column, the any-label contrast and
    criticism flag rates from the OR of the labels' masks."""
    cols = [columns[g] for g in combo]
    contrast = crit = 0
    for j, col in enumerate(cols):
        contrast |= col.contrast[j]
        crit |= col.crit[j]
    n_contrast, n_crit = cols[0].n_contrast, cols[0].n_crit
    return {
        "metrics": {lab: col.full["metrics"][lab] for lab, col in zip(LABELS, cols)},
        "label_flag_rates": {lab: col.full["label_flag_rates"][lab] for lab, col in zip(LABELS, cols)},
        "contrast_flag_rate": contrast.bit_count() / n_contrast if n_contrast else None,
        "criticism_flag_rate": crit.bit_count() / n_crit if n_crit else None,
    }


def _metrics_for(exs, sc, thr) -> dict:
    labels = [masked_labels(e) for e in exs]
    preds = [[int(x[j] >= thr[lab]) for j, lab in enumerate(LABELS)] for x in sc]
    m = prf(preds, labels)
    flag = [any(p) for p in preds]
    kinds: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e, f in zip(exs, flag):
        kinds[e.kind][0] += f
        kinds[e.kind][1] += 1
    contrast = [f for e, f in zip(exs, flag) if e.source == "mhc:contrast"]
    crit = [f for e, f in zip(exs, flag) if e.kind in CRITICISM_KINDS]
    hard = [f for e, f in zip(exs, flag) if e.kind in HARD_NEG_KINDS]
    lab_rates = {}
    for j, lab in enumerate(LABELS):
        cr = [p[j] for e, p in zip(exs, preds) if e.kind in CRITICISM_KINDS]
        co = [p[j] for e, p in zip(exs, preds) if e.source == "mhc:contrast"]
        lab_rates[lab] = {
            "criticism": (sum(cr) / len(cr)) if cr else 0.0,
            "contrast": (sum(co) / len(co)) if co else 0.0,
        }
    return {
        "metrics": m,
        "label_flag_rates": lab_rates,
        "flag_rate_by_kind": {k: round(a / b, 4) for k, (a, b) in sorted(kinds.items())},
        "contrast_flag_rate": (sum(contrast) / len(contrast)) if contrast else None,
        "criticism_flag_rate": (sum(crit) / len(crit)) if crit else None,
        "hard_negative_flag_rate": (sum(hard) / len(hard)) if hard else None,
        "n": len(exs),
    }


# The choice sets: rules, gates and variants were chosen on them, so they are validation sets, not held-out ones.
GEN = "generator_val (validation templates)"
MHC_B = "mhc_dev_half_B (validation: rules and gates tuned on it)"
REPLIES = "replies_val (validation authors)"
MHC_A = "mhc_dev_half_A (seen in training)"
# names up to model 0.4.0's first evaluation, for the before/after table
PREVIOUS_NAMES = {
    "generator_val (held-out templates)": GEN,
    "mhc_dev_half_B (held-out templates)": MHC_B,
    "replies_val (held-out author)": REPLIES,
}
# validation sets the choices are made on, with their weight: realistic replies are what the service meets
CHOICE_SETS = ((GEN, 0.5), (MHC_B, 0.5), (REPLIES, 3.0))
MODEL = "transformer+tfidf"  # the shipped model probability when the directory has a lexical model
RULES_TRANSFORMER = "rules+transformer(max)"  # reported beside RULES_MAX when the model has a lexical half
RULES_MAX = "rules+model(max)"
RULES_MAX_DAMP = "rules+model(max,frame_damp=0.5)"
PER_LABEL = "rules+model(per-label)"
# baselines and parts that are reported but never shipped on their own
REPORT_ONLY = {"tfidf_lr", "transformer", RULES_TRANSFORMER}
PROBE = "probe_replies test half (hand-written by another author, never inspected)"
REPLIES_TEST = "replies_test (held-out authors, never used for a choice)"
PROBE_DEV = "probe_replies dev half (hand-written by another author; rule errors read)"
GATED = "rules+model(max,gated)"
STACKED = "rules+model(stack)"  # classifiers.stacking, fitted by training/stack_fit.py
STACKED_RULES = "rules+model(stack,max rules)"
STACKED_MAX = "rules+model(stack,max gated)"  # the stacker or the gated max of rules and model (GATED)
#: thresholds.json's stacked `combine` modes (classifiers.api.STACKED) and their variants here
STACKED_VARIANTS = {"stack": STACKED, "stack+rules": STACKED_RULES, "stack+max": STACKED_MAX}


def evaluate(
    model_dir: Path | None,
    thresholds: dict[str, float] | None = None,
    seed: int = 0,
    use_mhc: bool = True,
    log=print,
    splits: Splits | None = None,
    tune: bool = True,
) -> dict:
    """Score every variant on every evaluation set (leak-free, see the module docstring) and choose one.

    Thresholds: 0.5 per label, then the model's thresholds.json, then ``thresholds`` per label (by default the
    SCHILDWACHT_THRESHOLD_* settings overrides); a label is flagged when its score is >= its threshold. ``splits``
    replaces the data built from the project's sources (its train + calibration texts are then what is excluded
    from the other sets). ``tune=False`` keeps the model's shipped gates, frame damping and lexical weight instead of
    searching them on the choice sets."""
    t0 = time.time()
    meta = _model_meta(model_dir)
    thr = model_thresholds(meta, thresholds)
    splits, sets, excluded = evaluation_sets(meta, seed, use_mhc, splits)
    v = Variants(model_dir, splits)
    results: dict = {"thresholds": thr, "sets": {}, "variants": []}
    results["leak_free"] = {
        "near_dup_jaccard": NEAR_DUP_JACCARD,
        "shingle": SHINGLE,
        "model_trained_leak_free": bool((meta.get("training") or {}).get("leak_free")),
        "excluded": excluded,
        "dropped_between_splits": _leak_counts(splits),
    }
    parts = {name: v.parts([e.text for e in exs]) for name, exs in sets.items()}
    if v.scorer is not None:
        if tune:
            gates, damp, weight = tune_combination(parts, sets, thr)
        else:
            gates = {lab: float((meta.get("model_gate") or {}).get(lab, 0.5)) for lab in LABELS}
            damp, weight = float(meta.get("frame_damp", 1.0)), meta.get("lexical_weight")
        results["model_gate"], results["gate_damp"], results["lexical_weight"] = gates, damp, weight
        results["tuned"] = tune
        from .rule_ablation import family_ablation

        results["rule_families"] = family_ablation(v, parts, sets, thr, log)
        parts = {name: with_lexical_weight(p, weight) for name, p in parts.items()}
    scores = {name: v.score(parts[name]) for name in sets}
    if v.scorer is not None:
        for name in sets:
            scores[name][GATED] = v.combined(parts[name], damp, gates)
    fitted = (meta.get("stacker") or {}).get("fitted_with") or {}
    # the stacker reads the gated combination: its labels only with the gates, damping and weight it was fitted with,
    # else the thresholds.json written would not load (CombinedClassifier refuses it)
    same = (
        v.scorer is not None
        and fitted.get("model_gate") == {lab: gates[lab] for lab in LABELS}
        and (
            fitted.get("frame_damp"),
            fitted.get("lexical_weight"),
        )
        == (damp, weight)
    )
    regate = None
    if v.scorer is not None and model_dir is not None and meta.get("stacker"):
        gated = {n: scores[n][GATED] for n in sets} if same else None
        found = stacked_scores(Path(model_dir), meta, sets, parts, thr, log, gated)
        if found is not None:
            stacked, results["stack_gate"], regate = found
            for name in sets:
                scores[name].update(stacked[name])
    for name, exs in sets.items():
        results["sets"][name] = {var: _metrics_for(exs, sc, thr) for var, sc in scores[name].items()}
    results["variants"] = list(scores[GEN])
    # per-label source: for each label rules alone, the gated max(rules, model) or a stacked mode, the combination
    # with the best validation score (choose_per_label). NB: gates and choices are made on
    # the same validation sets that are reported (never the probe), so those rows are optimistic by construction.
    if "transformer" in scores[GEN]:
        model = MODEL if MODEL in scores[GEN] else "transformer"
        results["report_only"] = sorted(REPORT_ONLY if model == MODEL else {"tfidf_lr"})
        sources = {"rules": "rules", "max": GATED}
        if STACKED in scores[GEN] and same:
            sources.update(STACKED_VARIANTS)
        sources = {m: v for m, v in sources.items() if v in scores[GEN]}
        choice = choose_per_label(sets, scores, sources, thr)
        if regate is not None:
            choice, moved = refine_stack_gates(sets, scores, sources, choice, thr, results["stack_gate"], regate)
            for mode, labs in moved.items():  # the stacked variant is reported and shipped with the refined gates
                var = STACKED_VARIANTS[mode]
                results["stack_gate"][var].update(labs)
                for name, exs in sets.items():
                    scores[name][var] = regate(name, results["stack_gate"][var], var)
                    results["sets"][name][var] = _metrics_for(exs, scores[name][var], thr)
            results["stack_gate_refined"] = moved
        results["per_label_choice"] = choice
        for name, exs in sets.items():
            sc = scores[name]
            merged = [[sc[sources[choice[lab]]][k][j] for j, lab in enumerate(LABELS)] for k in range(len(exs))]
            results["sets"][name][PER_LABEL] = _metrics_for(exs, merged, thr)
        results["variants"].append(PER_LABEL)
    results["seconds"] = round(time.time() - t0)
    results["chosen"] = choose(results)
    return results


def choose_per_label(
    sets: dict[str, list[Example]], scores: dict[str, dict], sources: dict[str, str], thr: dict[str, float]
) -> dict[str, str]:
    """The mode per label (a key of `sources`: its variant in `scores`) whose combination has the best
    `_variant_score` on the choice sets. Every combination is scored exactly, not label by label: the any-label
    targets (MHC contrast cases and criticism flagged) depend on the union of the labels' flags, so the best mode of
    each label alone can together miss a target that another combination meets. Ties go to the earlier mode in
    `sources` order, label by label."""
    modes = list(sources)
    columns = {
        name: {m: _GateColumns(sets[name], scores[name][sources[m]], thr) for m in modes}
        for name, _ in CHOICE_SETS
        if name in sets
    }
    best, best_f = tuple(modes[0] for _ in LABELS), -1e18
    for combo in product(modes, repeat=len(LABELS)):
        f = _variant_score(
            {name: {PER_LABEL: _combo_metrics(cols, combo)} for name, cols in columns.items()}, PER_LABEL
        )
        if f > best_f + 1e-9:
            best, best_f = combo, f
    return dict(zip(LABELS, best))


#: scores of one set (name) for a stacked variant with the given per-label stacker gates (stacked_scores)
Regate = Callable[[str, dict[str, float], str], list[list[float]]]


def refine_stack_gates(
    sets: dict[str, list[Example]],
    scores: dict[str, dict],
    sources: dict[str, str],
    choice: dict[str, str],
    thr: dict[str, float],
    stack_gate: dict[str, dict[str, float]],
    regate: Regate,
) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """`choose_per_label`'s choice refined, label by label, over the stacked modes at every GATE_GRID gate: each
    stacked mode's gate per label was chosen alone (`_label_score`), which cannot see the any-label targets, so a mode
    whose best gate alone flags too many MHC contrast cases beside the other labels lost to "max" although a higher
    gate would have won. Coordinate ascent from `choice`; a change is kept only where it raises `_variant_score`.
    Every combination is scored as it would ship: a stacked mode's columns come from `regate` with all of that mode's
    gates as the combination sets them (identity reads the mode's threat and abuse through hostile_identity), so the
    refined choice never scores below `choice`. Returns the choice and, per stacked mode (thresholds.json name), the
    labels whose gate moved."""
    stacked = {mode: var for mode, var in STACKED_VARIANTS.items() if var in sources.values()}
    choice_sets = [name for name, _ in CHOICE_SETS if name in sets]
    plain = {
        name: {m: _GateColumns(sets[name], scores[name][var], thr) for m, var in sources.items() if m not in stacked}
        for name in choice_sets
    }
    cache: dict[tuple[str, tuple[float, ...]], dict[str, _GateColumns]] = {}

    def mode_columns(mode: str, gates: dict[str, float]) -> dict[str, _GateColumns]:
        key = (mode, tuple(gates[lab] for lab in LABELS))
        if key not in cache:
            cache[key] = {
                name: _GateColumns(sets[name], regate(name, gates, stacked[mode]), thr) for name in choice_sets
            }
        return cache[key]

    Option = tuple[str, float | None]  # a mode, with the label's stacker gate for a stacked one

    def gates_of(combo: tuple[Option, ...]) -> dict[str, dict[str, float]]:
        gates = {mode: dict(stack_gate[var]) for mode, var in stacked.items()}
        for lab, (mode, g) in zip(LABELS, combo):
            if g is not None:
                gates[mode][lab] = g
        return gates

    def score(combo: tuple[Option, ...]) -> float:
        gates = gates_of(combo)
        per_set = {}
        for name in choice_sets:
            cols = {
                lab: mode_columns(mode, gates[mode])[name] if mode in stacked else plain[name][mode]
                for lab, (mode, _) in zip(LABELS, combo)
            }
            per_set[name] = {PER_LABEL: _combo_metrics(cols, tuple(LABELS))}
        return _variant_score(per_set, PER_LABEL)

    options: list[Option] = [(m, None) for m in sources if m not in stacked]
    options += [(m, g) for m in stacked for g in GATE_GRID]
    combo: tuple[Option, ...] = tuple(
        (choice[lab], stack_gate[stacked[choice[lab]]][lab] if choice[lab] in stacked else None) for lab in LABELS
    )
    best = score(combo)
    improved = True
    while improved:
        improved = False
        for j in range(len(LABELS)):
            for option in options:
                trial = combo[:j] + (option,) + combo[j + 1 :]
                if trial != combo and (f := score(trial)) > best + 1e-9:
                    combo, best, improved = trial, f, True
    moved: dict[str, dict[str, float]] = {}
    for lab, (mode, g) in zip(LABELS, combo):
        if g is not None and g != stack_gate[stacked[mode]][lab]:
            moved.setdefault(mode, {})[lab] = g
    return {lab: mode for lab, (mode, _) in zip(LABELS, combo)}, moved


def stacked_scores(
    model_dir: Path,
    meta: dict,
    sets: dict[str, list[Example]],
    parts: dict[str, dict],
    thr: dict[str, float],
    log=print,
    gated: dict[str, list[list[float]]] | None = None,
) -> tuple[dict[str, dict[str, list[list[float]]]], dict[str, dict[str, float]], Regate] | None:
    """Per set, the scores of the model directory's stacker (STACKED), of the stacker with the rule scores counting
    as well (STACKED_RULES) and, where `gated` gives per set the GATED variant's scores, of the stacker beside those
    (STACKED_MAX), read exactly as `classify` reads them (windows, the shipped frame damping and
    lexical weight: the settings the stacker was fitted with); and per variant the stacker's gate per label, chosen
    like the model gates: from GATE_GRID, the best `_label_score` on the choice sets (a label's score depends only
    on its own gate, but for identity, which hostile_identity lifts to the variant's threat and abuse scores), and a
    function that scores a set for a variant with other gates (`refine_stack_gates`). None,
    with a logged reason, where the stacker no longer fits the directory: other features, or other gates, damping,
    lexical weight or window gate than it was fitted with (then `schildwacht fit-stacker` first)."""
    from classifiers.api import ClassifyInput, CombinedClassifier, gate, hostile_identity
    from classifiers.stacking import Stacker

    clf = CombinedClassifier(model_dir, combine="max")
    try:
        stacker = Stacker.from_config(meta["stacker"])
    except ValueError as exc:
        log(f"stapelaar overgeslagen: {exc}; eerst schildwacht fit-stacker")
        return None
    if stacker is None or meta["stacker"].get("fitted_with") != clf.reading_settings():
        log("stapelaar overgeslagen: geleerd met andere poorten, demping of gewichten; eerst schildwacht fit-stacker")
        return None
    probs = {
        name: [stacker.probs(row) for row in clf.stack_rows([ClassifyInput(e.text) for e in exs])]
        for name, exs in sets.items()
    }

    def scored(name: str, gates: dict[str, float], var: str) -> list[list[float]]:
        out = []
        for k, (p, res) in enumerate(zip(probs[name], parts[name]["ruled"])):
            g = {lab: gate(p[lab], gates[lab]) for lab in LABELS}
            if var == STACKED_RULES:
                g = {lab: max(g[lab], res.scores[lab]) for lab in LABELS}
            elif var == STACKED_MAX:
                assert gated is not None
                g = {lab: max(g[lab], gated[name][k][j]) for j, lab in enumerate(LABELS)}
            out.append([hostile_identity(g, res)[lab] for lab in LABELS])
        return out

    choice = [st for st, _ in CHOICE_SETS if st in sets]
    scores: dict[str, dict[str, list[list[float]]]] = {name: {} for name in sets}
    chosen_gates: dict[str, dict[str, float]] = {}
    for var in (STACKED, STACKED_RULES) + ((STACKED_MAX,) if gated is not None else ()):
        per_gate = {
            g: {st: {var: _metrics_for(sets[st], scored(st, {lab: g for lab in LABELS}, var), thr)} for st in choice}
            for g in GATE_GRID
        }
        chosen_gates[var] = {lab: max(GATE_GRID, key=lambda g: _label_score(per_gate[g], var, lab)) for lab in LABELS}
        for name in sets:
            scores[name][var] = scored(name, chosen_gates[var], var)
    return scores, chosen_gates, scored


def model_thresholds(meta: dict, overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Per label 0.5, then the model's thresholds.json (`meta`), then `overrides` (by default the
    SCHILDWACHT_THRESHOLD_* settings)."""
    thr = {lab: 0.5 for lab in LABELS}
    thr.update({k: float(v) for k, v in (meta.get("thresholds") or {}).items() if k in LABELS})
    if overrides is None:
        from schildwacht.config import get_settings

        overrides = get_settings().thresholds()
    thr.update(overrides)
    return thr


def evaluation_sets(
    meta: dict, seed: int = 0, use_mhc: bool = True, splits: Splits | None = None
) -> tuple[Splits, dict[str, list[Example]], dict]:
    """(splits, the named evaluation sets in report order, the items excluded per set) for a model with training
    record `meta` (its model directory's meta.json; {} for none): the validation (choice) sets, the sets reported
    only, and MHC half A. Leak-free as the module docstring says; ``splits`` replaces the data built from the
    project's sources (its train + calibration texts are then what is excluded from the other sets)."""
    training = meta.get("training") or {}
    if splits is None:
        params: dict[str, Any] = {
            "seed": seed,
            "use_mhc": use_mhc,
            "n_per_template": int(training.get("n_per_template", 40)),
            "reply_weight": int((training.get("replies") or {}).get("train_weight", 3)),
        }
        splits = build_splits(**params)
        # a model trained before the dedupe saw the splits as they were then: those texts are what must be excluded
        seen = splits if training.get("leak_free") or not meta else build_splits(**params, leak_free=False)
    else:
        seen = splits
    sets = {GEN: splits.val_gen, MHC_B: splits.val_mhc, "rtp_lx_val": splits.val_rtp}
    if splits.val_replies:
        sets[REPLIES] = splits.val_replies
    if splits.test_replies:  # reported only, never used for choices
        sets[REPLIES_TEST] = splits.test_replies
    for name, probe in ((PROBE_DEV, splits.probe_dev), (PROBE, splits.probe_test)):
        if probe:  # reported only, never used for choices
            sets[name] = probe
    excluded: dict = {}
    if not (seen is splits and splits.info.get("leak_free")):  # leak-free splits share no text by construction
        sets, excluded = exclude_seen(sets, seen.train + seen.calib)
    # MHC half A was used for training: reported separately (after the validation sets), never used for choices
    b_groups = {x.group for x in splits.val_mhc}
    half_a = [e for e in splits.mhc_all if e.group not in b_groups]
    if half_a:
        sets[MHC_A] = half_a
    order = [GEN, MHC_B, "rtp_lx_val", REPLIES, MHC_A, REPLIES_TEST, PROBE_DEV, PROBE]
    return splits, {name: sets[name] for name in order if name in sets}, excluded


def _model_meta(model_dir: Path | None) -> dict:
    """The model's thresholds.json ({} without a model or file)."""
    p = Path(model_dir) / "thresholds.json" if model_dir is not None else None
    return json.loads(p.read_text()) if p is not None and p.exists() else {}


def exclude_seen(sets: dict[str, list[Example]], seen: list[Example]) -> tuple[dict[str, list[Example]], dict]:
    """Each set without the items that equal or near-duplicate a text of ``seen`` (what the model was trained or
    calibrated on), and per set the count before, the exact and near-duplicate exclusions and a few examples."""
    index = DuplicateIndex()
    for e in seen:
        index.add(e.source, e.text)
    kept, excluded = {}, {}
    for name, exs in sets.items():
        kept[name], leaks = drop_seen(exs, index, name)
        excluded[name] = {
            "n_before": len(exs),
            "exact": sum(leak.how == "exact" for leak in leaks),
            "near": sum(leak.how == "near" for leak in leaks),
            "examples": [
                {"text": leak.text, "seen": leak.matched_text, "source": leak.matched_split, "jaccard": leak.similarity}
                for leak in leaks
            ],
        }
    return kept, excluded


def _leak_counts(splits: Splits) -> dict[str, int]:
    """Texts build_splits dropped from one split because a higher-priority split has them, per "split < matched"."""
    counts: dict[str, int] = defaultdict(int)
    for leak in splits.leaks:
        counts[f"{leak.split} < {leak.matched_split}"] += 1
    return dict(sorted(counts.items()))


def apply_choice(model_dir: Path, results: dict) -> None:
    """Record the chosen combination in thresholds.json (read by load_classifier)."""
    p = Path(model_dir) / "thresholds.json"
    meta = json.loads(p.read_text()) if p.exists() else {}
    chosen = results["chosen"]
    by_mode = {mode: var for mode, var in STACKED_VARIANTS.items() if var in (results.get("stack_gate") or {})}
    if chosen in by_mode.values():  # fitted with the shipped gates, damping and lexical weight: those stay
        meta["combine"] = next(mode for mode, var in by_mode.items() if var == chosen)
        meta["stack_gate"] = {mode: dict(results["stack_gate"][var]) for mode, var in by_mode.items()}
        meta["evaluation"] = {"chosen": chosen, "selection_score": results.get("selection_score")}
        p.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
        return
    meta["model_gate"], meta["frame_damp"] = {}, 1.0
    meta.pop("stack_gate", None)
    if chosen == PER_LABEL:  # stacked labels only where the gates, damping and lexical weight are the fitted ones
        meta["combine"] = dict(results["per_label_choice"])
        if any(m in by_mode for m in meta["combine"].values()):  # every label's gate per mode: identity reads them
            meta["stack_gate"] = {mode: dict(results["stack_gate"][var]) for mode, var in by_mode.items()}
        # every gate, also of labels that do not combine by "max": the stacker reads the gated combination
        meta["model_gate"] = dict(results["model_gate"])
        meta["frame_damp"] = results["gate_damp"]
    elif chosen == GATED:
        meta["combine"] = "max"
        meta["model_gate"], meta["frame_damp"] = results["model_gate"], results["gate_damp"]
    elif chosen == "rules":
        meta["combine"] = "rules"
    elif chosen in (MODEL, "transformer"):
        meta["combine"] = "model"
    else:  # RULES_MAX or RULES_MAX_DAMP
        meta["combine"] = "max"
        meta["frame_damp"] = 0.5 if chosen == RULES_MAX_DAMP else 1.0
    if results.get("lexical_weight") is not None:
        meta["lexical_weight"] = results["lexical_weight"]
    meta["evaluation"] = {"chosen": chosen, "selection_score": results.get("selection_score")}
    p.write_text(json.dumps(meta, indent=2, ensure_ascii=False))


def _nz(x):
    return 0.0 if x is None or x != x else x


def _label_score(sets: dict, var: str, lab: str) -> float:
    """Weighted mean validation F1 of one label (CHOICE_SETS; for threat on the replies: recall, penalised below
    THREAT_PRECISION_AIM precision), minus penalties for that label's flags on criticism (generator, replies) and on
    MHC contrast cases."""
    num = den = 0.0
    for st, w in CHOICE_SETS:
        if st in sets and sets[st][var]["metrics"][lab]["support"] > 0:
            m = sets[st][var]["metrics"][lab]
            if st == REPLIES and lab == "threat":  # the acceptance aim: recall at precision >= THREAT_PRECISION_AIM
                num += w * (_nz(m["r"]) - 3 * max(0.0, THREAT_PRECISION_AIM - _nz(m["p"])))
            else:
                num += w * _nz(m["f1"])
            den += w
    f = num / den if den else 0.0
    for st in (GEN, REPLIES):
        if st in sets:
            f -= 2 * max(0.0, sets[st][var]["label_flag_rates"][lab]["criticism"] - 0.02)
    return f - 2 * max(0.0, sets[MHC_B][var]["label_flag_rates"][lab]["contrast"] - 0.04)


def _variant_score(sets: dict, var: str) -> float:
    """Mean per-label score (_label_score), minus heavy penalties for missing the issue's hard targets: MHC contrast
    flags <= CONTRAST_LIMIT, MHC threat recall >= 0.95 and gender F1 >= 0.90, criticism flags <= CRITICISM_LIMIT."""
    f = sum(_label_score(sets, var, lab) for lab in LABELS) / len(LABELS)
    for st, _ in CHOICE_SETS:
        if st in sets:
            f -= _miss(_nz(sets[st][var]["contrast_flag_rate"]) - CONTRAST_LIMIT)
            f -= _miss(_nz(sets[st][var]["criticism_flag_rate"]) - CRITICISM_LIMIT)
    if MHC_B in sets:
        m = sets[MHC_B][var]["metrics"]
        f -= _miss(0.95 - _nz(m["threat"]["r"])) + _miss(0.90 - _nz(m["gender"]["f1"]))
    return f


def _miss(excess: float) -> float:
    """Penalty for missing a hard target by `excess` (> 0): a step, so no gain elsewhere buys a miss, plus a slope."""
    return 1.0 + 10 * excess if excess > 1e-12 else 0.0


def choose(results: dict) -> str | None:
    """Pick the shippable variant with the best _variant_score over the validation (choice) sets (None when no
    variant is shippable)."""
    best, best_score = None, -1e9
    for var in results["sets"][GEN]:
        if var in results.get("report_only", ["tfidf_lr"]):
            continue  # a baseline or a part, not a shippable variant
        score = _variant_score(results["sets"], var)
        results.setdefault("selection_score", {})[var] = round(score, 4)
        if score > best_score:
            best, best_score = var, score
    return best


def render_table(results: dict, console=None):
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    for set_name, per in results["sets"].items():
        t = Table(title=f"{set_name}", show_lines=False)
        for col in ("variant", "label", "P", "R", "F1", "pos"):
            t.add_column(col, justify="left" if col in ("variant", "label") else "right", no_wrap=True)
        for var, r in per.items():
            mark = " *" if var == results.get("chosen") else ""
            for lab in LABELS:
                m = r["metrics"][lab]
                if m["support"] == 0 and m["n"] and m["p"] != m["p"]:
                    continue
                t.add_row(var + mark, lab, _fmt(m["p"]), _fmt(m["r"]), _fmt(m["f1"]), str(m["support"]))
            extra = []
            if r["contrast_flag_rate"] is not None:
                extra.append(f"contrast gemarkeerd {_fmt(r['contrast_flag_rate'])}")
            if r["criticism_flag_rate"] is not None:
                extra.append(f"kritiek gemarkeerd {_fmt(r['criticism_flag_rate'])}")
            if r["hard_negative_flag_rate"] is not None:
                extra.append(f"lastige negatieven {_fmt(r['hard_negative_flag_rate'])}")
            if extra:
                t.add_row(var + mark, "[dim]" + ", ".join(extra) + "[/dim]", "", "", "", "")
            t.add_section()
        console.print(t)
    excluded = (results.get("leak_free") or {}).get("excluded") or {}
    if excluded:
        n = sum(x["exact"] + x["near"] for x in excluded.values())
        console.print(f"uitgesloten omdat de tekst (bijna) gelijk is aan een trainingstekst: {n} items")
    chosen = results.get("chosen")
    mh = results["sets"].get(MHC_B, {}).get(chosen)
    if mh:
        t = Table(title=f"MHC helft B per functionaliteit — aandeel gemarkeerd ({chosen})")
        t.add_column("functionaliteit")
        t.add_column("gemarkeerd", justify="right")
        for k, val in mh["flag_rate_by_kind"].items():
            t.add_row(k, f"{val:.3f}")
        console.print(t)
    if results.get("rule_families"):
        from .rule_ablation import render

        render(results["rule_families"], console)


def _fmt(x) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:.3f}"


def markdown_report(results: dict, before: dict | None = None) -> str:
    """The card's evaluation section: settings, the leak exclusions, per set the table of every variant, the
    before/after table of the chosen variant (when ``before`` holds an earlier run's figures), flag rates per kind."""
    searched = "Searched with the gates" if results.get("tuned", True) else "Shipped gates (not searched again)"
    lines = [
        f"Thresholds: `{json.dumps(results['thresholds'])}`. Chosen variant: **{results['chosen']}** "
        f"(selection score {json.dumps(results.get('selection_score', {}))}). {searched}: "
        f"lexical_weight {results.get('lexical_weight')}, model_gate {json.dumps(results.get('model_gate'))}, "
        f"frame_damp {results.get('gate_damp')}.",
        "",
    ]
    lines += leak_report(results)
    if before:
        lines += comparison_report(before, results)
    for set_name, per in results["sets"].items():
        lines.append(f"#### {set_name}")
        lines.append("")
        lines.append(
            "| variant | "
            + " | ".join(f"{lab} P / R / F1 (pos)" for lab in LABELS)
            + " | contrast flagged | criticism flagged | hard negatives flagged |"
        )
        lines.append("|---" * (len(LABELS) + 4) + "|")
        for var, r in per.items():
            cells = []
            for lab in LABELS:
                m = r["metrics"][lab]
                cells.append(f"{_fmt(m['p'])} / {_fmt(m['r'])} / {_fmt(m['f1'])} ({m['support']})")
            lines.append(
                f"| {var} | " + " | ".join(cells) + f" | {_fmt(r['contrast_flag_rate'])} | "
                f"{_fmt(r['criticism_flag_rate'])} | {_fmt(r['hard_negative_flag_rate'])} |"
            )
        lines.append("")
    chosen = results["chosen"]
    for set_name in (MHC_B, GEN, REPLIES, REPLIES_TEST, PROBE):
        if set_name not in results["sets"]:
            continue
        r = results["sets"][set_name][chosen]
        lines.append(f"#### Flag rate per functionality / kind — {set_name}, {chosen}")
        lines.append("")
        lines.append("| functionality / kind | flagged |")
        lines.append("|---|---|")
        for k, val in r["flag_rate_by_kind"].items():
            lines.append(f"| {k} | {val:.3f} |")
        lines.append("")
    if results.get("rule_families"):
        from .rule_ablation import markdown as families_markdown

        lines += [
            "#### Rule families on the validation sets (which pay)",
            "",
            families_markdown(results["rule_families"]),
            "",
        ]
    return "\n".join(lines)


def leak_report(results: dict) -> list[str]:
    """Markdown: how many items of each evaluation set were excluded as seen in training, and what build_splits
    dropped between splits."""
    info = results.get("leak_free")
    if not info:
        return []
    excluded = info.get("excluded") or {}
    total = sum(x["exact"] + x["near"] for x in excluded.values())
    lines = [
        "#### Leak-free evaluation sets",
        "",
        f"Every evaluation item that equals a text the model was trained or calibrated on (compared after lower-casing "
        f"and removing diacritics, punctuation, emoji and extra whitespace) or near-duplicates one (Jaccard similarity "
        f">= {info['near_dup_jaccard']} of their character {info['shingle']}-gram sets) is left out of the tables "
        f"below: **{total} items in all**"
        + ("" if info.get("model_trained_leak_free") else " (this model was trained before the dedupe existed)")
        + ".",
        "",
    ]
    if excluded:
        lines += ["| set | items | excluded: equal | excluded: near-duplicate | scored |", "|---|---|---|---|---|"]
        for name, x in excluded.items():
            scored = x["n_before"] - x["exact"] - x["near"]
            lines.append(f"| {name} | {x['n_before']} | {x['exact']} | {x['near']} | {scored} |")
        lines.append("")
    dropped = info.get("dropped_between_splits") or {}
    if dropped:
        pairs = ", ".join(f"{k}: {n}" for k, n in dropped.items())
        lines += [
            "Texts the training code (`build_splits`) now drops from a lower-priority split because a higher one "
            f"(test, then validation, then calibration, then training) has them: {pairs}.",
            "",
        ]
    return lines


def comparison_report(before: dict, results: dict) -> list[str]:
    """Markdown: the chosen variant's figures from ``before`` (an earlier evaluation, e.g. before the leak fixes)
    beside this run's, per set and label, and the flag rates."""
    chosen = results["chosen"]
    old_sets = {PREVIOUS_NAMES.get(name, name): per for name, per in before.get("sets", {}).items()}
    var = before.get("chosen", chosen)
    lines = [
        f"#### Before and after the leak fixes — {chosen}",
        "",
        f"Before: {before.get('note', 'the earlier evaluation')} (variant {var}). After: this run.",
        "",
        "| set | label | P before | P after | R before | R after | F1 before | F1 after | pos before | pos after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    rates = []
    for name, per in results["sets"].items():
        old = (old_sets.get(name) or {}).get(var)
        new = per[chosen]
        for lab in LABELS:
            m, o = new["metrics"][lab], (old or {}).get("metrics", {}).get(lab, {})
            if not m["support"] and not o.get("support"):
                continue
            lines.append(
                f"| {name} | {lab} | {_fmt(o.get('p'))} | {_fmt(m['p'])} | {_fmt(o.get('r'))} | {_fmt(m['r'])} | "
                f"{_fmt(o.get('f1'))} | {_fmt(m['f1'])} | {o.get('support', '—')} | {m['support']} |"
            )
        for key, label in (
            ("contrast_flag_rate", "contrast"),
            ("criticism_flag_rate", "criticism"),
            ("hard_negative_flag_rate", "hard negatives"),
        ):
            if new[key] is not None or (old or {}).get(key) is not None:
                rates.append(f"| {name} | {label} | {_fmt((old or {}).get(key))} | {_fmt(new[key])} |")
    lines += ["", "| set | flagged share of | before | after |", "|---|---|---|---|", *rates, ""]
    return lines


REPORT_START = "<!-- EVAL:START -->"
REPORT_END = "<!-- EVAL:END -->"
# the chosen variant's figures of model 0.4.0's evaluation before the leak fixes, kept for the before/after table
BEFORE_FILE = "eval_results_before_leak_fixes.json"


def write_report_into_card(model_dir: Path, results: dict) -> None:
    card = Path(model_dir) / "README.md"
    text = (
        card.read_text(encoding="utf-8")
        if card.exists()
        else f"# schildwacht-nl-mini\n\n{REPORT_START}\n{REPORT_END}\n"
    )
    if REPORT_START not in text:
        text += f"\n## Evaluation\n\n{REPORT_START}\n{REPORT_END}\n"
    head, rest = text.split(REPORT_START, 1)
    _, tail = rest.split(REPORT_END, 1) if REPORT_END in rest else ("", rest)
    before_path = Path(model_dir) / BEFORE_FILE
    before = json.loads(before_path.read_text(encoding="utf-8")) if before_path.exists() else None
    body = (
        f"{REPORT_START}\n_Generated by `schildwacht evaluate` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}._\n\n"
        + markdown_report(results, before)
        + f"\n{REPORT_END}"
    )
    card.write_text(head + body + tail, encoding="utf-8")
    results_path = Path(model_dir) / "eval_results.json"
    earlier = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    if "final_report" in earlier:  # written by `evaluate --final` (training/final_report.py): kept
        results = {**results, "final_report": earlier["final_report"]}
    results_path.write_text(json.dumps(results, indent=1, default=float))
