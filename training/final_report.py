"""The final report on the frozen test set (issue 17): a finished model, scored once through the full classify path.

This is the one module that names the frozen directory (`FROZEN_DIR`; tests/training/test_frozen_test.py allows it
here and nowhere else). The rule of training/frozen_test/README.md holds: no choice reads the set before this report,
and after the report the set is spent for choices made afterwards.

Invariants:
- every test file is read once, as bytes; its sha256 is taken of exactly those bytes, so the report names what it
  scored (with the model's name and version and the date);
- a post is scored by `classifiers.api.load_classifier(model_dir).classify` (rules, windows, model, target, spans),
  a label counts as predicted when it is among the returned flags;
- the metrics are pure functions of (gold, predicted): `metrics` per label, `pattern_rates` per pattern;
- the rule-family ablation (classifiers.rules.FAMILIES) swaps only the rule engine (`RuleEngine(disabled_families=...)`)
  and keeps the loaded model, whose probabilities are memoised per text between runs (they do not depend on the rules).
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schildwacht.contracts import LABELS

from .data import PATTERNS

FROZEN_DIR = Path(__file__).with_name("frozen_test")
#: Patterns whose posts carry no label: a flag on them is a false alarm.
HARD_NEGATIVE_PATTERNS = (
    "criticism", "news", "counter_speech", "quote", "idiom", "game_sport_hunting", "thing_not_person",
    "own_contact_info", "profanity", "neutral",
)  # fmt: skip
#: "Legitimate criticism, news and counter-speech flagged" (one rate, a target of the issue).
LEGITIMATE_PATTERNS = ("criticism", "news", "counter_speech")
CARD_START = "<!-- FINAL:START -->"
CARD_END = "<!-- FINAL:END -->"
CARD_HEADING = "## Frozen test set (final report)"
RESULTS_KEY = "final_report"


class FinalReportError(ValueError):
    """A test directory or file that cannot be scored; the message is Dutch and names the file and line."""


@dataclass(frozen=True)
class Post:
    """One line of a five-label test file: the text, its gold labels, pattern, style and file (author)."""

    text: str
    gold: frozenset[str]
    kind: str
    style: str
    file: str


@dataclass(frozen=True)
class Target:
    """One target of the issue on this set: `value(report)` compared with `limit` (`at_least` or at most); `name`
    for the model card, `dutch` for the console."""

    name: str
    dutch: str
    at_least: bool
    limit: float
    value: Callable[[dict[str, Any]], float | None]


TARGETS = (
    Target("threat recall", "threat-recall", True, 0.92, lambda r: r["labels"]["threat"]["recall"]),
    Target("threat precision", "threat-precisie", True, 0.88, lambda r: r["labels"]["threat"]["precision"]),
    Target(
        "threat recall on long posts",
        "threat-recall op lange berichten",
        True,
        0.90,
        lambda r: r["long_post_threat_recall"]["rate"],
    ),
    Target("abuse F1", "abuse-F1", True, 0.85, lambda r: r["labels"]["abuse"]["f1"]),
    Target("gender F1", "gender-F1", True, 0.85, lambda r: r["labels"]["gender"]["f1"]),
    Target("identity F1", "identity-F1", True, 0.80, lambda r: r["labels"]["identity"]["f1"]),
    Target("doxxing F1", "doxxing-F1", True, 0.90, lambda r: r["labels"]["doxxing"]["f1"]),
    Target(
        "criticism, news and counter-speech flagged",
        "kritiek, nieuws en tegenspraak gemarkeerd",
        False,
        0.04,
        lambda r: r["legitimate_flagged"]["rate"],
    ),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_test_dir(test_dir: Path) -> tuple[list[Post], dict[str, dict[str, Any]]]:
    """Every `*.jsonl` file of `test_dir` (sorted by name) as posts, and per file its sha256 and line count.

    Each non-empty line must hold `text` (non-empty), `labels` (exactly the five labels, booleans), `kind` (one of
    PATTERNS) and `style`; anything else stops with a FinalReportError naming file and line, before any scoring."""
    test_dir = Path(test_dir)
    if not test_dir.is_dir():
        raise FinalReportError(f"testmap {test_dir} bestaat niet")
    paths = sorted(test_dir.glob("*.jsonl"))
    if not paths:
        raise FinalReportError(f"testmap {test_dir} bevat geen .jsonl-bestanden")
    posts: list[Post] = []
    files: dict[str, dict[str, Any]] = {}
    for path in paths:
        data = path.read_bytes()
        rows = [_post(line, path.name, number) for number, line in _lines(data, path.name)]
        posts += rows
        files[path.name] = {"sha256": sha256(data), "posts": len(rows)}
    return posts, files


def _lines(data: bytes, name: str) -> list[tuple[int, str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FinalReportError(f"{name}: geen geldige UTF-8 ({exc.reason} op byte {exc.start})") from exc
    return [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _post(line: str, name: str, number: int) -> Post:
    where = f"{name} regel {number}"
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise FinalReportError(f"{where}: geen geldige JSON ({exc})") from exc
    if not isinstance(row, dict):
        raise FinalReportError(f"{where}: verwacht een JSON-object")
    labels, text, kind = row.get("labels"), row.get("text"), row.get("kind")
    if not isinstance(labels, dict) or set(labels) != set(LABELS):
        raise FinalReportError(f"{where}: 'labels' moet precies {', '.join(LABELS)} bevatten")
    if not all(isinstance(v, bool) for v in labels.values()):
        raise FinalReportError(f"{where}: elk label moet true of false zijn")
    if not isinstance(text, str) or not text.strip():
        raise FinalReportError(f"{where}: 'text' ontbreekt of is leeg")
    if kind not in PATTERNS:
        raise FinalReportError(f"{where}: onbekend patroon {kind!r}")
    style = row.get("style")
    return Post(text, frozenset(k for k, v in labels.items() if v), kind, str(style or "—"), name)


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def metrics(gold: Sequence[Collection[str]], predicted: Sequence[Collection[str]]) -> dict[str, dict[str, Any]]:
    """Per label: true / false positives, false negatives, true negatives, support (gold positives), precision,
    recall and F1 = 2TP / (2TP + FP + FN). Precision is None without predicted positives, recall None without gold
    positives, F1 None with neither."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    out: dict[str, dict[str, Any]] = {}
    for label in LABELS:
        tp = sum(label in g and label in p for g, p in zip(gold, predicted))
        fp = sum(label not in g and label in p for g, p in zip(gold, predicted))
        fn = sum(label in g and label not in p for g, p in zip(gold, predicted))
        precision, recall, f1 = _rate(tp, tp + fp), _rate(tp, tp + fn), _rate(2 * tp, 2 * tp + fp + fn)
        out[label] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": len(gold) - tp - fp - fn,
            "support": tp + fn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    return out


def found_and_flagged(gold: Sequence[Collection[str]], predicted: Sequence[Collection[str]]) -> dict[str, Any]:
    """Positives (posts with a gold label): how many had every gold label predicted; negatives (no gold label): how
    many were flagged at all; both with their rates (None when there are none)."""
    positives = [(g, p) for g, p in zip(gold, predicted) if g]
    negatives = [p for g, p in zip(gold, predicted) if not g]
    found = sum(set(g) <= set(p) for g, p in positives)
    flagged = sum(bool(p) for p in negatives)
    return {
        "n": len(gold),
        "positives": len(positives),
        "all_found": found,
        "all_found_rate": _rate(found, len(positives)),
        "negatives": len(negatives),
        "flagged": flagged,
        "flagged_rate": _rate(flagged, len(negatives)),
    }


def pattern_rates(posts: Sequence[Post], predicted: Sequence[Collection[str]]) -> dict[str, dict[str, Any]]:
    """`found_and_flagged` per pattern, in PATTERNS order (patterns without posts are left out)."""
    groups = _grouped(posts, predicted, lambda post: post.kind)
    return {kind: found_and_flagged(*groups[kind]) for kind in PATTERNS if kind in groups}


def _grouped(
    posts: Sequence[Post], predicted: Sequence[Collection[str]], key: Callable[[Post], str]
) -> dict[str, tuple[list[frozenset[str]], list[Collection[str]]]]:
    groups: dict[str, tuple[list[frozenset[str]], list[Collection[str]]]] = defaultdict(lambda: ([], []))
    for post, pred in zip(posts, predicted):
        groups[key(post)][0].append(post.gold)
        groups[key(post)][1].append(pred)
    return dict(groups)


def _share(posts: Sequence[Post], predicted: Sequence[Collection[str]], keep: Callable[[Post], bool], hit) -> dict:
    chosen = [(post, pred) for post, pred in zip(posts, predicted) if keep(post)]
    hits = sum(bool(hit(post, pred)) for post, pred in chosen)
    return {"hits": hits, "of": len(chosen), "rate": _rate(hits, len(chosen))}


def score_posts(posts: Sequence[Post], predicted: Sequence[Collection[str]]) -> dict[str, Any]:
    """Every number of the report for these predictions: per label, long-post threat recall, the legitimate-speech
    and hard-negative flag rates, per pattern, per style and per file, and the targets."""
    gold = [post.gold for post in posts]
    report: dict[str, Any] = {
        "n": len(posts),
        "labels": metrics(gold, predicted),
        "long_post_threat_recall": _share(
            posts, predicted, lambda p: p.kind == "long_post" and "threat" in p.gold, lambda _, pred: "threat" in pred
        ),
        "legitimate_flagged": _share(posts, predicted, lambda p: p.kind in LEGITIMATE_PATTERNS, lambda _, pred: pred),
        "hard_negative_flagged": _share(
            posts, predicted, lambda p: p.kind in HARD_NEGATIVE_PATTERNS, lambda _, pred: pred
        ),
        "patterns": pattern_rates(posts, predicted),
    }
    for name, key in (("per_style", lambda p: p.style), ("per_file", lambda p: p.file)):
        groups = _grouped(posts, predicted, key)
        report[name] = {
            group: {**found_and_flagged(g, p), "labels": metrics(g, p)} for group, (g, p) in sorted(groups.items())
        }
    report["targets"] = [check_target(target, report) for target in TARGETS]
    return report


def check_target(target: Target, report: dict[str, Any]) -> dict[str, Any]:
    """The target's value on `report` and whether it is reached (a missing value is not reached)."""
    value = target.value(report)
    reached = value is not None and (value >= target.limit if target.at_least else value <= target.limit)
    return {
        "name": target.name,
        "dutch": target.dutch,
        "value": value,
        "limit": target.limit,
        "at_least": target.at_least,
        "reached": reached,
    }


class MemoScorer:
    """A model scorer whose `predict` and `predict_parts` remember each text's probabilities: the ablation runs score
    the same texts (and the same occlusion variants) through the same model, which the rules do not change."""

    def __init__(self, scorer: Any) -> None:
        self.scorer = scorer
        self.memo: dict[str, list[float]] = {}
        self.parts: dict[str, tuple[list[float], list[float] | None]] = {}

    def predict(self, texts: list[str]) -> list[list[float]]:
        todo = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if todo:
            self.memo.update(zip(todo, self.scorer.predict(todo)))
        return [self.memo[t] for t in texts]

    def predict_parts(self, texts: list[str]) -> tuple[list[list[float]], list[list[float]] | None]:
        todo = list(dict.fromkeys(t for t in texts if t not in self.parts))
        if todo:
            transformer, lexical = self.scorer.predict_parts(todo)
            self.parts.update(zip(todo, zip(transformer, lexical if lexical is not None else [None] * len(todo))))
        rows = [self.parts[t] for t in texts]
        lexical = [lx for _, lx in rows]
        return [tr for tr, _ in rows], (None if any(lx is None for lx in lexical) else lexical)  # type: ignore[misc]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.scorer, name)


def without_families(classifier: Any, families: Collection[str]) -> Any:
    """A copy of `classifier` whose rule engine has `families` switched off; model and thresholds are shared."""
    from classifiers.rules import FAMILIES, RuleEngine

    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        raise FinalReportError(f"onbekende regelfamilie(s): {', '.join(unknown)}; bekend: {', '.join(FAMILIES)}")
    variant = copy.copy(classifier)
    variant.rules = RuleEngine(disabled_families=frozenset(families))
    return variant


def predict(classifier: Any, posts: Sequence[Post], log: Callable[[str], Any] = print) -> list[frozenset[str]]:
    """The flags of the full classify path for every post, in order."""
    from classifiers.api import ClassifyInput

    out: list[frozenset[str]] = []
    for start in range(0, len(posts), 256):
        batch = posts[start : start + 256]
        out += [frozenset(c.flags) for c in classifier.classify([ClassifyInput(post.text) for post in batch])]
        log(f"{len(out)}/{len(posts)} berichten gescoord")
    return out


def final_report(
    model_dir: Path,
    test_dir: Path = FROZEN_DIR,
    disabled_families: Collection[str] = frozenset(),
    ablation: bool = True,
    log: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Read `test_dir` once and score it with `load_classifier(model_dir)` (with the rule families in
    `disabled_families` switched off); every number per label, pattern, style and file, the targets, and with
    `ablation` the same per-label F1 and hard-negative flag rate with each rule family off in turn, with the deltas
    to the run with all families on. The report records model, date and each file's sha256."""
    from classifiers.api import load_classifier

    posts, files = read_test_dir(test_dir)
    classifier: Any = load_classifier(model_dir)
    if getattr(classifier, "scorer", None) is not None:
        classifier.scorer = MemoScorer(classifier.scorer)
    scored = without_families(classifier, disabled_families) if disabled_families else classifier
    report = provenance(model_dir, classifier, test_dir, files, disabled_families)
    log(f"{len(posts)} berichten uit {len(files)} bestand(en); model {classifier.name} {classifier.version}")
    report |= score_posts(posts, predict(scored, posts, log))
    if ablation:
        report["ablation"] = run_ablation(classifier, posts, report, disabled_families, log)
    return report


def compare_models(
    model_dirs: Sequence[Path], test_dir: Path = FROZEN_DIR, log: Callable[[str], Any] = print
) -> list[dict[str, Any]]:
    """Read `test_dir` once and score it with each model in turn (full classify path, all rule families on, no
    ablation): one report per model, as `final_report` makes it."""
    from classifiers.api import load_classifier

    posts, files = read_test_dir(test_dir)
    reports = []
    for model_dir in model_dirs:
        classifier = load_classifier(model_dir)
        log(f"{len(posts)} berichten; model {classifier.name} {classifier.version} ({model_dir})")
        reports.append(
            provenance(model_dir, classifier, test_dir, files) | score_posts(posts, predict(classifier, posts, log))
        )
    return reports


def provenance(
    model_dir: Path, classifier: Any, test_dir: Path, files: dict[str, Any], disabled: Collection[str] = frozenset()
) -> dict[str, Any]:
    """What a report was made of: the model (directory, name, version), the date, the test files with their sha256
    and the rule families switched off."""
    return {
        "model": {"dir": str(model_dir), "name": classifier.name, "version": classifier.version},
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "test_dir": str(test_dir),
        "test_files": files,
        "disabled_families": sorted(disabled),
    }


def run_ablation(
    classifier: Any,
    posts: Sequence[Post],
    base: dict[str, Any],
    disabled: Collection[str] = frozenset(),
    log: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Per rule family (besides those already `disabled`): per-label F1 and the hard-negative flag rate with it off,
    and the deltas to `base`."""
    from classifiers.rules import FAMILIES

    out: dict[str, Any] = {}
    for family in FAMILIES:
        if family in disabled:
            continue
        log(f"ablatie: regelfamilie {family} uit")
        scored = score_posts(posts, predict(without_families(classifier, {*disabled, family}), posts, log))
        out[family] = ablation_row(base, scored)
    return {"families": out}


def ablation_row(base: dict[str, Any], off: dict[str, Any]) -> dict[str, Any]:
    """Per-label F1 and the hard-negative flag rate of `off`, each with its delta to `base` (None where either
    value is None)."""

    def pair(new: float | None, old: float | None) -> dict[str, float | None]:
        return {"value": new, "delta": None if new is None or old is None else new - old}

    return {
        "f1": {label: pair(off["labels"][label]["f1"], base["labels"][label]["f1"]) for label in LABELS},
        "hard_negative_flagged": pair(off["hard_negative_flagged"]["rate"], base["hard_negative_flagged"]["rate"]),
    }


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _delta(x: float | None) -> str:
    return "—" if x is None else f"{x:+.3f}"


def markdown(report: dict[str, Any]) -> str:
    """The model card section (English): provenance, targets, per label, per pattern, per file and style, ablation."""
    model = report["model"]
    lines = [
        f"_Generated by `schildwacht evaluate --final` on {report['date']} for model {model['name']} "
        f"{model['version']}; the set was read once for this report and is spent for choices made afterwards._",
        "",
        "| file | posts | sha256 |",
        "|---|---|---|",
        *(f"| {name} | {f['posts']} | `{f['sha256']}` |" for name, f in report["test_files"].items()),
        "",
    ]
    if report["disabled_families"]:
        lines += [f"Rule families switched off: {', '.join(report['disabled_families'])}.", ""]
    lines += ["#### Targets", "", "| target | value | aim | reached |", "|---|---|---|---|"]
    for t in report["targets"]:
        aim = f"{'>=' if t['at_least'] else '<='} {t['limit']:.2f}"
        lines.append(f"| {t['name']} | {_fmt(t['value'])} | {aim} | {'yes' if t['reached'] else '**no**'} |")
    lines += [
        "",
        "#### Per label",
        "",
        "| label | P | R | F1 | TP | FP | FN | positives |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, m in report["labels"].items():
        lines.append(
            f"| {label} | {_fmt(m['precision'])} | {_fmt(m['recall'])} | {_fmt(m['f1'])} | {m['tp']} | {m['fp']} | "
            f"{m['fn']} | {m['support']} |"
        )
    long_posts, legit = report["long_post_threat_recall"], report["legitimate_flagged"]
    hard = report["hard_negative_flagged"]
    lines += [
        "",
        f"Threat recall on long posts: {_fmt(long_posts['rate'])} ({long_posts['hits']} of {long_posts['of']}). "
        f"Criticism, news and counter-speech flagged: {_fmt(legit['rate'])} ({legit['hits']} of {legit['of']}). "
        f"All hard negatives flagged: {_fmt(hard['rate'])} ({hard['hits']} of {hard['of']}).",
        "",
        "#### Per pattern",
        "",
        "| pattern | posts | positives: all gold labels found | negatives: flagged |",
        "|---|---|---|---|",
    ]
    for kind, r in report["patterns"].items():
        lines.append(f"| {kind} | {r['n']} | {_found(r)} | {_flagged(r)} |")
    for title, key in (("Per file (author)", "per_file"), ("Per style", "per_style")):
        lines += ["", f"#### {title}", "", f"| {key[4:]} | posts | " + " | ".join(f"{lab} F1" for lab in LABELS)]
        lines[-1] += " | positives: all found | negatives: flagged |"
        lines.append("|---" * (len(LABELS) + 4) + "|")
        for name, r in report[key].items():
            f1s = " | ".join(_fmt(r["labels"][lab]["f1"]) for lab in LABELS)
            lines.append(f"| {name} | {r['n']} | {f1s} | {_found(r)} | {_flagged(r)} |")
    lines += ["", "#### Rule-family ablation", ""]
    ablation = report.get("ablation")
    if ablation is None:
        lines.append("Not run.")
    else:
        lines += [
            "Each rule family switched off in turn, everything else as above; delta to all families on.",
            "",
            "| family off | " + " | ".join(f"{lab} F1 (Δ)" for lab in LABELS) + " | hard negatives flagged (Δ) |",
            "|---" * (len(LABELS) + 2) + "|",
        ]
        for family, row in ablation["families"].items():
            cells = [f"{_fmt(row['f1'][lab]['value'])} ({_delta(row['f1'][lab]['delta'])})" for lab in LABELS]
            hn = row["hard_negative_flagged"]
            lines.append(f"| {family} | " + " | ".join(cells) + f" | {_fmt(hn['value'])} ({_delta(hn['delta'])}) |")
    return "\n".join(lines) + "\n"


def _found(r: dict[str, Any]) -> str:
    return f"{_fmt(r['all_found_rate'])} ({r['all_found']}/{r['positives']})" if r["positives"] else "—"


def _flagged(r: dict[str, Any]) -> str:
    return f"{_fmt(r['flagged_rate'])} ({r['flagged']}/{r['negatives']})" if r["negatives"] else "—"


def with_card_section(card: str, section: str) -> str:
    """`card` with its final-report section (between CARD_START and CARD_END) replaced by `section`; without one,
    the section goes in under CARD_HEADING before "## Known failure modes" (else at the end). The rest is kept."""
    block = f"{CARD_START}\n{section.rstrip()}\n{CARD_END}"
    if CARD_START in card and CARD_END in card.split(CARD_START, 1)[1]:
        head, rest = card.split(CARD_START, 1)
        return head + block + rest.split(CARD_END, 1)[1]
    new = f"{CARD_HEADING}\n\n{block}\n\n"
    anchor = "## Known failure modes"
    if anchor in card:
        head, tail = card.split(anchor, 1)
        return head + new + anchor + tail
    return card.rstrip("\n") + "\n\n" + new


def card_section(card: str) -> str | None:
    """The final-report section of `card` (without markers), None when it has none."""
    if CARD_START not in card or CARD_END not in card.split(CARD_START, 1)[1]:
        return None
    return card.split(CARD_START, 1)[1].split(CARD_END, 1)[0].strip("\n")


def keep_card_section(old_card: str, new_card: str) -> str:
    """`new_card` (a regenerated model card) with the final-report section of `old_card`, when it had one."""
    section = card_section(old_card)
    return new_card if section is None else with_card_section(new_card, section)


def write_report(model_dir: Path, report: Mapping[str, Any]) -> None:
    """The report into the model card README.md (its final-report section replaced, the rest kept) and into
    eval_results.json under RESULTS_KEY (other keys kept)."""
    card = Path(model_dir) / "README.md"
    old = card.read_text(encoding="utf-8") if card.exists() else "# schildwacht-nl-mini\n"
    card.write_text(with_card_section(old, markdown(dict(report))), encoding="utf-8")
    results_path = Path(model_dir) / "eval_results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    results[RESULTS_KEY] = report
    results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=float), encoding="utf-8")


def render(report: dict[str, Any], console: Any = None) -> None:
    """The report as rich tables (Dutch headers), as `schildwacht evaluate` prints its own."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    model = report["model"]
    console.print(
        f"[bold]Eindtoets[/bold] {report['test_dir']} — model {model['name']} {model['version']}, {report['date']}"
    )
    for name, f in report["test_files"].items():
        console.print(f"  {name}: {f['posts']} berichten, sha256 {f['sha256']}")
    t = Table(title="Per label")
    for col in ("label", "P", "R", "F1", "TP", "FP", "FN", "positief"):
        t.add_column(col, justify="left" if col == "label" else "right")
    for label, m in report["labels"].items():
        t.add_row(
            label,
            _fmt(m["precision"]),
            _fmt(m["recall"]),
            _fmt(m["f1"]),
            *map(str, (m["tp"], m["fp"], m["fn"], m["support"])),
        )
    console.print(t)
    t = Table(title="Doelen van het issue")
    for col in ("doel", "waarde", "grens", "gehaald"):
        t.add_column(col)
    for target in report["targets"]:
        limit = f"{'≥' if target['at_least'] else '≤'} {target['limit']:.2f}"
        t.add_row(target["dutch"], _fmt(target["value"]), limit, "ja" if target["reached"] else "[red]nee[/red]")
    console.print(t)
    t = Table(title="Per patroon")
    for col in ("patroon", "berichten", "positief: alle labels gevonden", "negatief: gemarkeerd"):
        t.add_column(col, justify="left" if col == "patroon" else "right")
    for kind, r in report["patterns"].items():
        t.add_row(kind, str(r["n"]), _found(r), _flagged(r))
    console.print(t)
    for title, key, first in (("Per bestand (auteur)", "per_file", "bestand"), ("Per stijl", "per_style", "stijl")):
        t = Table(title=title)
        for col in (first, "berichten", *(f"{lab} F1" for lab in LABELS), "positief gevonden", "negatief gemarkeerd"):
            t.add_column(col, justify="left" if col == first else "right")
        for name, r in report[key].items():
            t.add_row(name, str(r["n"]), *(_fmt(r["labels"][lab]["f1"]) for lab in LABELS), _found(r), _flagged(r))
        console.print(t)
    ablation = report.get("ablation")
    if ablation is not None:
        t = Table(title="Ablatie per regelfamilie (verschil met alle families aan)")
        for col in ("familie uit", *(f"{lab} F1" for lab in LABELS), "lastige negatieven gemarkeerd"):
            t.add_column(col, justify="left" if col == "familie uit" else "right")
        for family, row in ablation["families"].items():
            cells = [f"{_fmt(row['f1'][lab]['value'])} ({_delta(row['f1'][lab]['delta'])})" for lab in LABELS]
            hn = row["hard_negative_flagged"]
            t.add_row(family, *cells, f"{_fmt(hn['value'])} ({_delta(hn['delta'])})")
        console.print(t)
