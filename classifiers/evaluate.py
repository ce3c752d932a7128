"""One evaluation run comparing TF-IDF+LR, rules alone, the transformer and rule+transformer combinations on the
same template-held-out validation data; picks the variant to ship and writes the report into the model card."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

from schildwacht.contracts import LABELS

from .data import Example, load_probe
from .train import Splits, build_splits

CRITICISM_KINDS = {"neg:criticism"}
HARD_NEG_KINDS = {"neg:criticism", "neg:news", "neg:counter", "neg:profanity", "neg:idiom", "neg:neutral",
                  "neg:othergroup", "neg:grouppos", "neg:group", "neg:profanity_weather"}


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
        f1 = 2 * prec * rec / (prec + rec) if prec == prec and rec == rec and prec + rec > 0 else (
            0.0 if rec == rec else float("nan"))
        out[lab] = {"p": prec, "r": rec, "f1": f1, "support": tp + fn, "n": n}
    return out


def _mask(e: Example) -> list[int]:
    lab = list(e.labels)
    if e.source == "mhc:other":
        lab = [0, -1, 0, 0]
    if e.source == "rtp:insult":
        lab = [-1, 1, -1, -1]
    return lab


class Variants:
    """Scores (0..1, LABELS order) for every variant on a list of texts."""

    def __init__(self, model_dir: Path | None, splits: Splits) -> None:
        from .api import RuleClassifier

        self.rules = RuleClassifier()
        self.scorer = None
        if model_dir is not None and (Path(model_dir) / "config.json").exists():
            from .model import ModelScorer

            self.scorer = ModelScorer(model_dir)
        self.tfidf = _fit_tfidf(splits.train)

    gates: dict[str, float] = {}

    def fit_gates(self, calib: list[Example]) -> dict[str, float]:
        """Per-label model gate g (the model alone flags only at p >= g) chosen on the calibration split (generator
        templates in neither train nor validation + UD negatives): best F1 of max(rules, gated model), with a
        penalty for flags on hard negatives."""
        from .api import ClassifyInput

        if self.scorer is None:
            return {}
        texts = [e.text for e in calib]
        ruled = self.rules._rule_pass([ClassifyInput(t) for t in texts])
        probs = self.scorer.predict(texts)
        labels = [_mask(e) for e in calib]
        hard = [e.kind in HARD_NEG_KINDS or e.kind == "ud_sentence" for e in calib]
        gates = {}
        for j, lab in enumerate(LABELS):
            best, best_s = 0.5, -1e9
            for g in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.995):
                pred = [[int(res.scores[lab] >= 0.5 or p[j] >= g)] for (_, res, _), p in zip(ruled, probs)]
                m = prf([[x[0]] * 4 for x in pred], labels)[lab]
                fr = sum(x[0] for x, h in zip(pred, hard) if h) / max(1, sum(hard))
                sc = _nz(m["f1"]) - 4 * max(0.0, fr - 0.01)
                if sc > best_s + 1e-9:
                    best, best_s = g, sc
            gates[lab] = best
        self.gates = gates
        return gates

    def score(self, texts: list[str]) -> dict[str, list[list[float]]]:
        from .api import ClassifyInput, combine_scores

        ruled = self.rules._rule_pass([ClassifyInput(t) for t in texts])
        out: dict[str, list[list[float]]] = {"tfidf_lr": self.tfidf(texts)}
        out["rules"] = [[res.scores[lab] for lab in LABELS] for _, res, _ in ruled]
        if self.scorer is not None:
            probs = self.scorer.predict(texts)
            out["transformer"] = probs
            for mode, damp in (("max", 1.0), ("max", 0.5)):
                key = f"rules+transformer({mode}{'' if damp == 1.0 else ',frame_damp=0.5'})"
                out[key] = [[combine_scores(res, p, mode, damp)[lab] for lab in LABELS]
                            for (_, res, _), p in zip(ruled, probs)]
            if self.gates:
                out[GATED] = [[combine_scores(res, p, "max", 1.0, self.gates)[lab] for lab in LABELS]
                              for (_, res, _), p in zip(ruled, probs)]
        return out


def _fit_tfidf(train: list[Example]):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from .textnorm import model_text

    texts = [model_text(e.text).lower() for e in train]
    wv = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=60000)
    cv = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=120000)
    x = hstack([wv.fit_transform(texts), cv.fit_transform(texts)]).tocsr()
    models = []
    for j in range(len(LABELS)):
        rows = [i for i, e in enumerate(train) if e.labels[j] >= 0]
        y = [train[i].labels[j] for i in rows]
        models.append(LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(x[rows], y))

    def predict(ts: list[str]) -> list[list[float]]:
        t = [model_text(s).lower() for s in ts]
        xt = hstack([wv.transform(t), cv.transform(t)]).tocsr()
        cols = [m.predict_proba(xt)[:, 1] for m in models]
        return [[float(c[i]) for c in cols] for i in range(len(ts))]

    return predict


def _metrics_for(exs, sc, thr) -> dict:
    labels = [_mask(e) for e in exs]
    preds = [[int(x[j] >= thr[lab]) for j, lab in enumerate(LABELS)] for x in sc]
    m = prf(preds, labels)
    flag = [any(p) for p in preds]
    kinds = defaultdict(lambda: [0, 0])
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
        lab_rates[lab] = {"criticism": (sum(cr) / len(cr)) if cr else 0.0,
                          "contrast": (sum(co) / len(co)) if co else 0.0}
    return {"metrics": m, "label_flag_rates": lab_rates,
            "flag_rate_by_kind": {k: round(a / b, 4) for k, (a, b) in sorted(kinds.items())},
            "contrast_flag_rate": (sum(contrast) / len(contrast)) if contrast else None,
            "criticism_flag_rate": (sum(crit) / len(crit)) if crit else None,
            "hard_negative_flag_rate": (sum(hard) / len(hard)) if hard else None,
            "n": len(exs)}


GEN = "generator_val (held-out templates)"
MHC_B = "mhc_dev_half_B (held-out templates)"
PER_LABEL = "rules+transformer(per-label)"
PROBE = "probe_replies test half (hand-written by another author, never inspected)"
PROBE_DEV = "probe_replies dev half (hand-written by another author; rule errors read)"
GATED = "rules+transformer(max,gated)"


def evaluate(model_dir: Path | None, thresholds: dict[str, float] | None = None, seed: int = 0,
             use_mhc: bool = True, log=print) -> dict:
    t0 = time.time()
    thr = {lab: 0.5 for lab in LABELS}
    if thresholds:
        thr.update(thresholds)
    elif model_dir is not None and (Path(model_dir) / "thresholds.json").exists():
        thr.update(json.loads((Path(model_dir) / "thresholds.json").read_text()).get("thresholds", {}))
    splits = build_splits(seed=seed, use_mhc=use_mhc)
    v = Variants(model_dir, splits)
    results_gates = v.fit_gates(splits.calib)
    sets = {GEN: splits.val_gen, MHC_B: splits.val_mhc, "rtp_lx_val": splits.val_rtp}
    # MHC half A was used for training: reported separately, never used for choices
    b_groups = {x.group for x in splits.val_mhc}
    sets["mhc_dev_half_A (seen in training)"] = [e for e in splits.mhc_all if e.group not in b_groups]
    for name, half in ((PROBE_DEV, "dev"), (PROBE, "test")):
        probe = load_probe(half)
        if probe:  # reported only, never used for choices
            sets[name] = probe
    results: dict = {"thresholds": thr, "sets": {}, "variants": [], "model_gate": results_gates}
    scores = {name: v.score([e.text for e in exs]) for name, exs in sets.items()}
    for name, exs in sets.items():
        results["sets"][name] = {var: _metrics_for(exs, sc, thr) for var, sc in scores[name].items()}
    results["variants"] = list(scores[GEN])
    # per-label source: for each label the component (rules / transformer / max / gated) with the best held-out F1,
    # penalised for that label's flags on criticism (generator) and MHC contrast cases. NB: chosen on the same
    # held-out sets that are reported, so the per-label row is optimistic by construction.
    if "transformer" in scores[GEN]:
        comps = ["rules", "transformer", "rules+transformer(max)"] + ([GATED] if GATED in scores[GEN] else [])
        choice = {}
        for j, lab in enumerate(LABELS):
            best, best_f = "rules", -1.0
            for c in comps:
                fs = [results["sets"][st][c]["metrics"][lab]["f1"] for st in (GEN, MHC_B)
                      if results["sets"][st][c]["metrics"][lab]["support"] > 0]
                f = sum(_nz(x) for x in fs) / len(fs) if fs else 0.0
                f -= 2 * max(0.0, results["sets"][GEN][c]["label_flag_rates"][lab]["criticism"] - 0.02)
                f -= 2 * max(0.0, results["sets"][MHC_B][c]["label_flag_rates"][lab]["contrast"] - 0.04)
                if f > best_f + 1e-9:
                    best, best_f = c, f
            choice[lab] = {"rules": "rules", "transformer": "model", "rules+transformer(max)": "max",
                           GATED: "gated"}[best]
        results["per_label_choice"] = choice
        for name, exs in sets.items():
            sc = scores[name]
            merged = []
            for k in range(len(exs)):
                row = []
                for j, lab in enumerate(LABELS):
                    src = {"rules": "rules", "model": "transformer", "max": "rules+transformer(max)",
                           "gated": GATED}[choice[lab]]
                    row.append(sc[src][k][j])
                merged.append(row)
            results["sets"][name][PER_LABEL] = _metrics_for(exs, merged, thr)
        results["variants"].append(PER_LABEL)
    results["seconds"] = round(time.time() - t0)
    results["chosen"] = choose(results)
    return results


def apply_choice(model_dir: Path, results: dict) -> None:
    """Record the chosen combination in thresholds.json (read by load_classifier)."""
    p = Path(model_dir) / "thresholds.json"
    meta = json.loads(p.read_text()) if p.exists() else {}
    chosen = results["chosen"]
    meta["model_gate"] = {}
    if chosen == PER_LABEL:
        ch = dict(results["per_label_choice"])
        for lab, mode in ch.items():
            if mode == "gated":
                ch[lab] = "max"
                meta["model_gate"][lab] = results["model_gate"][lab]
        meta["combine"] = ch
    elif chosen == GATED:
        meta["combine"] = "max"
        meta["model_gate"] = results["model_gate"]
    elif chosen == "rules":
        meta["combine"] = "rules"
    elif chosen == "transformer":
        meta["combine"] = "model"
    elif chosen.startswith("rules+transformer(max"):
        meta["combine"] = "max"
        meta["frame_damp"] = 0.5 if "frame_damp" in chosen else 1.0
    else:  # tfidf_lr is a baseline only and is never shipped; fall back to the best shipped variant
        meta["combine"] = results.get("per_label_choice", "max")
    meta["evaluation"] = {"chosen": chosen, "selection_score": results.get("selection_score")}
    p.write_text(json.dumps(meta, indent=2, ensure_ascii=False))


def _nz(x):
    return 0.0 if x is None or x != x else x


def choose(results: dict) -> str:
    """Pick the variant with the best mean F1 over the held-out generator + MHC sets, penalising flags on
    criticism (generator) and MHC contrast cases."""
    best, best_score = None, -1e9
    g = results["sets"][GEN]
    mh = results["sets"][MHC_B]
    for var in g:
        if var == "tfidf_lr":
            continue  # baseline, not a shippable variant
        f1s = [_nz(g[var]["metrics"][lab]["f1"]) for lab in LABELS]
        f1s += [_nz(mh[var]["metrics"][lab]["f1"]) for lab in ("threat", "gender")]
        score = sum(f1s) / len(f1s) - 2 * max(0.0, _nz(g[var]["criticism_flag_rate"]) - 0.05) \
            - 2 * max(0.0, _nz(mh[var]["contrast_flag_rate"]) - 0.10)
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
    chosen = results.get("chosen")
    mh = results["sets"].get(MHC_B, {}).get(chosen)
    if mh:
        t = Table(title=f"MHC helft B per functionaliteit — aandeel gemarkeerd ({chosen})")
        t.add_column("functionaliteit")
        t.add_column("gemarkeerd", justify="right")
        for k, val in mh["flag_rate_by_kind"].items():
            t.add_row(k, f"{val:.3f}")
        console.print(t)


def _fmt(x) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:.3f}"


def markdown_report(results: dict) -> str:
    lines = [f"Thresholds: `{json.dumps(results['thresholds'])}`. Chosen variant: **{results['chosen']}** "
             f"(selection score {json.dumps(results.get('selection_score', {}))}).", ""]
    for set_name, per in results["sets"].items():
        lines.append(f"#### {set_name}")
        lines.append("")
        lines.append("| variant | " + " | ".join(f"{lab} P / R / F1 (pos)" for lab in LABELS) +
                     " | contrast flagged | criticism flagged | hard negatives flagged |")
        lines.append("|---" * (len(LABELS) + 4) + "|")
        for var, r in per.items():
            cells = []
            for lab in LABELS:
                m = r["metrics"][lab]
                cells.append(f"{_fmt(m['p'])} / {_fmt(m['r'])} / {_fmt(m['f1'])} ({m['support']})")
            lines.append(f"| {var} | " + " | ".join(cells) + f" | {_fmt(r['contrast_flag_rate'])} | "
                         f"{_fmt(r['criticism_flag_rate'])} | {_fmt(r['hard_negative_flag_rate'])} |")
        lines.append("")
    chosen = results["chosen"]
    for set_name in (MHC_B, GEN, PROBE):
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
    return "\n".join(lines)


REPORT_START = "<!-- EVAL:START -->"
REPORT_END = "<!-- EVAL:END -->"


def write_report_into_card(model_dir: Path, results: dict) -> None:
    card = Path(model_dir) / "README.md"
    text = card.read_text(encoding="utf-8") if card.exists() else f"# schildwacht-nl-mini\n\n{REPORT_START}\n{REPORT_END}\n"
    if REPORT_START not in text:
        text += f"\n## Evaluation\n\n{REPORT_START}\n{REPORT_END}\n"
    head, rest = text.split(REPORT_START, 1)
    _, tail = rest.split(REPORT_END, 1) if REPORT_END in rest else ("", rest)
    body = f"{REPORT_START}\n_Generated by `schildwacht evaluate` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}._\n\n" \
           + markdown_report(results) + f"\n{REPORT_END}"
    card.write_text(head + body + tail, encoding="utf-8")
    (Path(model_dir) / "eval_results.json").write_text(json.dumps(results, indent=1, default=float))
