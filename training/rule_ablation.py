"""Which rule families pay, decided on the validation (choice) sets only; part of every `schildwacht evaluate` run of
a model (`results["rule_families"]`, a table in the model card).

Per family of `classifiers.rules.FAMILIES` the rule layer runs again with that family switched off
(`RuleEngine(disabled_families=...)`); the model's probabilities are computed once and shared. Each variant gets the
gates, frame damping and lexical weight searched again as shipping would (`evaluate.tune_combination`), and is
scored as the evaluation chooses: per label `evaluate._label_score`, as a whole `evaluate._variant_score`. A family
*pays* when switching it off lowers the whole score by more than `PAYS_MARGIN`. The base (all families on) is
searched the same way, also in an evaluation run with `tune=False`: the comparison is always between searched
combinations.

Invariants: only `evaluate.CHOICE_SETS` are read (the frozen test set never: `training.final_report` reports the
families' effect on it after the choice); the comparison is between equals (every variant is tuned the same way on
the same texts). Bias to keep in mind: the rules were written and tuned on these same validation sets (MHC half B,
the generator's validation templates, the validation authors), so this test favours keeping a family."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schildwacht.contracts import LABELS

from .data import Example
from .evaluate import (
    CHOICE_SETS,
    GATED,
    Variants,
    _label_score,
    _metrics_for,
    _variant_score,
    tune_combination,
    with_lexical_weight,
)

#: A family pays when the whole validation score with it off is lower by more than this (the score is a mean of
#: F1-like numbers; 0.002 is about one post in the smallest choice set).
PAYS_MARGIN = 0.002


def tuned_choice(parts: dict[str, dict], sets: dict[str, list[Example]], thr: dict[str, float]) -> dict[str, Any]:
    """The shipped combination searched on `parts` and its validation scores: gates, frame damping, lexical weight,
    the whole score, each label's score and, per set, F1 per label and the criticism / contrast flag rates."""
    gates, damp, weight = tune_combination(parts, sets, thr)
    res = {
        st: {GATED: _metrics_for(exs, Variants.combined(with_lexical_weight(parts[st], weight), damp, gates), thr)}
        for st, exs in sets.items()
    }
    return {
        "gates": gates,
        "frame_damp": damp,
        "lexical_weight": weight,
        "score": _variant_score(res, GATED),
        "label_scores": {lab: _label_score(res, GATED, lab) for lab in LABELS},
        "sets": {
            st: {
                "f1": {lab: r[GATED]["metrics"][lab]["f1"] for lab in LABELS},
                "criticism_flag_rate": r[GATED]["criticism_flag_rate"],
                "contrast_flag_rate": r[GATED]["contrast_flag_rate"],
            }
            for st, r in res.items()
        },
    }


def family_ablation(
    variants: Variants,
    parts: dict[str, dict],
    sets: dict[str, list[Example]],
    thr: dict[str, float],
    log: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """All families on, then each family off in turn, on the choice sets among `sets` (their `parts` as
    `variants.parts` computed them: the model's probabilities are reused, only the rule layer runs again); per family
    the deltas of the whole and per-label scores and whether it pays."""
    from classifiers.rules import FAMILIES, RuleEngine

    names = [st for st, _ in CHOICE_SETS if st in sets]
    choice = {st: sets[st] for st in names}
    base = tuned_choice({st: parts[st] for st in names}, choice, thr)
    families: dict[str, Any] = {}
    engine = variants.rules.rules
    try:
        for family in FAMILIES:
            log(f"regelfamilie {family} uit")
            variants.rules.rules = RuleEngine(disabled_families=frozenset({family}))
            off_parts = {
                st: {**parts[st], "ruled": variants.rule_results([e.text for e in choice[st]])} for st in names
            }
            off = tuned_choice(off_parts, choice, thr)
            delta = off["score"] - base["score"]
            families[family] = off | {
                "delta": delta,
                "label_deltas": {lab: off["label_scores"][lab] - base["label_scores"][lab] for lab in LABELS},
                "pays": delta < -PAYS_MARGIN,
            }
    finally:
        variants.rules.rules = engine
    return {
        "choice_sets": {st: len(exs) for st, exs in choice.items()},
        "base": base,
        "families": families,
        "pays_margin": PAYS_MARGIN,
    }


def markdown(report: dict[str, Any]) -> str:
    """The table for the model card (English): per family the whole-score delta, the per-label deltas, the verdict."""
    head = "| family off | whole score (delta) | " + " | ".join(LABELS) + " | pays |"
    lines = [
        f"Choice sets: {', '.join(f'{st} ({n})' for st, n in report['choice_sets'].items())}. "
        f"All families on: whole score {report['base']['score']:.4f}. A family pays when switching it off lowers the "
        f"whole score by more than {report['pays_margin']}.",
        "",
        head,
        "|" + "---|" * (len(LABELS) + 3),
    ]
    for family, row in report["families"].items():
        cells = " | ".join(f"{row['label_deltas'][lab]:+.4f}" for lab in LABELS)
        lines.append(
            f"| {family} | {row['score']:.4f} ({row['delta']:+.4f}) | {cells} | {'yes' if row['pays'] else 'no'} |"
        )
    return "\n".join(lines)


def render(report: dict[str, Any], console: Any) -> None:
    """The ablation as a Dutch table on a rich console."""
    from rich.table import Table

    t = Table(title="Regelfamilies op de validatiesets: verschil in keuzescore met de familie uit")
    for col in ("familie uit", "totaal", *LABELS, "levert op"):
        t.add_column(col, justify="left" if col in ("familie uit", "levert op") else "right", no_wrap=True)
    for family, row in report["families"].items():
        t.add_row(
            family,
            f"{row['delta']:+.4f}",
            *(f"{row['label_deltas'][lab]:+.4f}" for lab in LABELS),
            "ja" if row["pays"] else "nee",
        )
    console.print(t)
