"""The final report (training/final_report.py): the metric arithmetic against numbers computed by hand, the report of
the full classify path against the same classifier's per-post output counted here, the file checks, the rule-family
ablation, the model card section and `schildwacht evaluate --final`. Every test directory is written here; the
frozen test set itself is never read by a test (it is read once, by the integrator, for the final model)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schildwacht.app.cli import app
from schildwacht.contracts import LABELS
from training.final_report import (
    CARD_END,
    CARD_HEADING,
    CARD_START,
    HARD_NEGATIVE_PATTERNS,
    FinalReportError,
    Post,
    compare_models,
    final_report,
    found_and_flagged,
    keep_card_section,
    metrics,
    pattern_rates,
    read_test_dir,
    with_card_section,
    write_report,
)

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "schildwacht-nl-mini"

# Two small "authors" written for this test: (text, gold labels, pattern, style).
VILLAGE = [
    ("Als je zo doorgaat maak ik je af, wethouder.", {"threat"}, "explicit_threat", "facebook"),
    ("Ik weet waar je woont: Dorpsstraat 12, 1234 AB Ons Dorp. Wij komen eraan.", {"doxxing", "threat"},
     "doxxing_threat", "facebook"),
    ("Wat een domme trut ben jij, ga toch terug naar je keuken.", {"abuse", "gender"}, "gender_abuse", "brief"),
    ("Jij bent een waardeloze klootzak en een leugenaar.", {"abuse"}, "abuse", "facebook"),
    ("Die moslims zijn ratten die uitgeroeid moeten worden.", {"identity", "threat"}, "dehumanisation", "forum"),
    ("Het besluit over de parkeertarieven is slecht onderbouwd en duur.", set(), "criticism", "brief"),
    ("Politie onderzoekt bedreigingen aan het adres van de burgemeester.", set(), "news", "facebook"),
    ("Wie raadsleden bedreigt moet gewoon vervolgd worden, schandalig.", set(), "counter_speech", "facebook"),
    ("Dat hert is vanochtend geschoten door de jager bij de dijk.", set(), "game_sport_hunting", "facebook"),
    ("Mijn telefoonnummer voor de inloopavond is 06-12345678.", set(), "own_contact_info", "brief"),
    ("Wat een kutweer vandaag bij de markt.", set(), "profanity", "facebook"),
    ("Fijne feestdagen allemaal en tot bij de raadsvergadering.", set(), "neutral", "brief"),
]  # fmt: skip
YOUTH = [
    ("ik ga je kapotsteken als ik je zie fr", {"threat"}, "explicit_threat", "tiktok"),
    ("je zou maar eens iets overkomen onderweg naar huis he", {"threat"}, "veiled_threat", "snapchat"),
    ("die transjes zijn ziek in hun hoofd en horen nergens bij", {"identity", "abuse"}, "identity_abuse", "x"),
    ("hoer van een raadslid, hou je bek", {"abuse", "gender"}, "gender_abuse", "instagram"),
    ("k1k k4nk3r wethouder", {"abuse"}, "obfuscation", "discord"),
    ("Vandaag was de raad lang. Veel punten over de begroting. Ik ga je vermoorden als je dit doorzet. "
     "Verder was de koffie prima en de sfeer goed.", {"threat"}, "long_post", "telegram"),
    ("Vandaag was de raad lang. Veel punten over de begroting en de sportvelden. "
     "Verder was de koffie prima en de sfeer goed.", set(), "long_post", "telegram"),
    ("deze motie moet je echt afschieten man", set(), "thing_not_person", "x"),
    ("'ik maak je af' zei hij in de film, hilarisch", set(), "quote", "tiktok"),
    ("ik lig dood van het lachen om die raadsvergadering", set(), "idiom", "instagram"),
    ("slecht plan van de gemeente, stem ze weg bij de verkiezingen", set(), "criticism", "x"),
]  # fmt: skip


def write_set(folder: Path, files: dict[str, list[tuple[str, set[str], str, str]]]) -> dict[str, bytes]:
    """The five-label files in `folder`; returns the bytes written per file name."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, rows in files.items():
        lines = [
            json.dumps(
                {"text": t, "labels": {lab: lab in g for lab in LABELS}, "kind": k, "style": s}, ensure_ascii=False
            )
            for t, g, k, s in rows
        ]
        written[name] = ("\n".join(lines) + "\n").encode("utf-8")
        (folder / name).write_bytes(written[name])
    return written


def by_hand(rows: list[tuple[str, set[str], str, str]], flags: list[list[str]]) -> dict[str, tuple[int, int, int]]:
    """(tp, fp, fn) per label, counted from gold labels and flags."""
    out = {}
    for lab in LABELS:
        tp = fp = fn = 0
        for (_, gold, _, _), flagged in zip(rows, flags):
            tp += lab in gold and lab in flagged
            fp += lab not in gold and lab in flagged
            fn += lab in gold and lab not in flagged
        out[lab] = (tp, fp, fn)
    return out


def test_metrics_against_numbers_computed_by_hand():
    gold = [{"threat"}, {"threat", "abuse"}, {"abuse"}, set(), set(), {"doxxing"}]
    predicted = [{"threat"}, {"abuse"}, {"threat"}, {"threat", "abuse"}, set(), set()]
    m = metrics(gold, predicted)
    # threat: TP post 0; FP posts 2, 3; FN post 1 -> P 1/3, R 1/2, F1 2*(1/3)(1/2)/(5/6) = 0.4
    assert (m["threat"]["tp"], m["threat"]["fp"], m["threat"]["fn"], m["threat"]["tn"]) == (1, 2, 1, 2)
    assert m["threat"]["precision"] == pytest.approx(1 / 3) and m["threat"]["recall"] == pytest.approx(0.5)
    assert m["threat"]["f1"] == pytest.approx(0.4)
    # abuse: TP post 1; FP post 3; FN post 2 -> P = R = F1 = 0.5
    assert (m["abuse"]["tp"], m["abuse"]["fp"], m["abuse"]["fn"]) == (1, 1, 1) and m["abuse"]["f1"] == 0.5
    # doxxing: one positive, never predicted -> no precision, recall 0, F1 0; gender: nothing at all -> no F1
    assert m["doxxing"]["precision"] is None and m["doxxing"]["recall"] == 0.0 and m["doxxing"]["f1"] == 0.0
    assert m["gender"]["support"] == 0 and m["gender"]["recall"] is None and m["gender"]["f1"] is None
    assert m["gender"]["tn"] == 6
    # a label predicted only wrongly: P 0, R 0 -> F1 0
    assert metrics([{"abuse"}], [{"gender"}])["abuse"]["f1"] == 0.0


def test_found_and_flagged_and_per_pattern_by_hand():
    gold = [{"threat", "doxxing"}, {"threat"}, set(), set(), set()]
    predicted = [{"threat"}, {"threat", "abuse"}, {"abuse"}, set(), set()]
    r = found_and_flagged(gold, predicted)
    # positives: post 0 misses doxxing, post 1 has threat (extra labels do not matter): 1 of 2
    assert (r["positives"], r["all_found"], r["all_found_rate"]) == (2, 1, 0.5)
    assert (r["negatives"], r["flagged"], r["flagged_rate"]) == (3, 1, pytest.approx(1 / 3))
    posts = [Post("x", frozenset(g), kind, "s", "f") for g, kind in zip(gold, ["long_post", "long_post", "news"] * 2)]
    per = pattern_rates(posts, predicted)
    assert list(per) == ["long_post", "news"]  # PATTERNS order
    # long_post: posts 0, 1 (positives, 1 all found), 3, 4 (negatives, not flagged); news: post 2, flagged
    assert (per["long_post"]["n"], per["long_post"]["all_found"], per["long_post"]["flagged"]) == (4, 1, 0)
    assert (per["news"]["negatives"], per["news"]["flagged"]) == (1, 1)


def test_the_report_counts_what_the_classifier_flags_post_by_post(tmp_path: Path, rules):
    """Rule layer only (no model in the directory): the report's counts equal those counted here from the rule
    classifier's own output, post by post; files, posts and positives come from the input."""
    written = write_set(tmp_path / "set", {"village.jsonl": VILLAGE, "youth.jsonl": YOUTH})
    report = final_report(tmp_path / "no-model", tmp_path / "set", ablation=False, log=lambda _: None)
    rows = VILLAGE + YOUTH
    from classifiers.api import ClassifyInput

    flags = [rules.classify([ClassifyInput(text)])[0].flags for text, _, _, _ in rows]
    expected = by_hand(rows, flags)
    for lab in LABELS:
        m = report["labels"][lab]
        assert (m["tp"], m["fp"], m["fn"]) == expected[lab], lab
        assert m["support"] == sum(lab in gold for _, gold, _, _ in rows)
    assert report["model"]["name"] == "schildwacht-rules" and report["n"] == len(rows)
    assert report["test_files"] == {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "posts": n}
        for (name, data), n in zip(written.items(), (len(VILLAGE), len(YOUTH)))
    }
    legit = [f for (_, _, kind, _), f in zip(rows, flags) if kind in ("criticism", "news", "counter_speech")]
    assert report["legitimate_flagged"]["of"] == 4 and report["legitimate_flagged"]["hits"] == sum(map(bool, legit))
    long_threat = [("threat" in f) for (_, gold, kind, _), f in zip(rows, flags) if kind == "long_post" and gold]
    assert report["long_post_threat_recall"]["of"] == 1
    assert report["long_post_threat_recall"]["hits"] == sum(long_threat)
    assert set(report["per_style"]) == {s for _, _, _, s in rows} and report["per_style"]["telegram"]["n"] == 2
    for kind in {k for _, _, k, _ in rows}:
        mine = [(set(g), set(f)) for (_, g, k, _), f in zip(rows, flags) if k == kind]
        got = report["patterns"][kind]
        assert got["all_found"] == sum(bool(g) and g <= f for g, f in mine), kind
        assert got["flagged"] == sum(not g and bool(f) for g, f in mine), kind
    targets = {t["name"]: t for t in report["targets"]}
    tp, _, fn = expected["threat"]
    assert targets["threat recall"]["value"] == pytest.approx(tp / (tp + fn))
    assert targets["threat recall"]["reached"] == (tp / (tp + fn) >= 0.92)
    legit_rate = sum(map(bool, legit)) / 4
    assert targets["criticism, news and counter-speech flagged"]["reached"] == (legit_rate <= 0.04)


def test_the_shipped_model_through_the_full_classify_path(tmp_path: Path):
    """The shipped model on 23 posts: the report's counts equal those of the same classifier asked post by post."""
    from classifiers.api import ClassifyInput, load_classifier

    write_set(tmp_path / "set", {"village.jsonl": VILLAGE, "youth.jsonl": YOUTH})
    report = final_report(MODEL, tmp_path / "set", ablation=False, log=lambda _: None)
    classifier = load_classifier(MODEL)
    rows = VILLAGE + YOUTH
    flags = [classifier.classify([ClassifyInput(text)])[0].flags for text, _, _, _ in rows]
    expected = by_hand(rows, flags)
    assert {lab: (m["tp"], m["fp"], m["fn"]) for lab, m in report["labels"].items()} == expected
    assert report["model"]["version"] == json.loads((MODEL / "thresholds.json").read_text())["version"]
    hard = [bool(f) for (_, _, kind, _), f in zip(rows, flags) if kind in HARD_NEGATIVE_PATTERNS]
    assert len(hard) == 7 + 4  # every row without labels but the harmless long post
    assert (report["hard_negative_flagged"]["hits"], report["hard_negative_flagged"]["of"]) == (sum(hard), 11)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{not json", "geen geldige JSON"),
        (json.dumps({"text": "x", "labels": {"threat": True}, "kind": "abuse", "style": "x"}), "precies"),
        (json.dumps({"text": "x", "labels": {lab: "ja" for lab in LABELS}, "kind": "abuse", "style": "x"}), "true"),
        (json.dumps({"text": " ", "labels": {lab: False for lab in LABELS}, "kind": "news", "style": "x"}), "leeg"),
        (
            json.dumps({"text": "x", "labels": {lab: False for lab in LABELS}, "kind": "roddel", "style": "x"}),
            "patroon",
        ),
    ],
)
def test_a_bad_line_stops_with_its_file_and_line_number(tmp_path: Path, line: str, says: str):
    write_set(tmp_path, {"a.jsonl": VILLAGE[:2]})
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "goed", "labels": dict.fromkeys(LABELS, False),
                                                  "kind": "neutral", "style": "x"}) + "\n\n" + line + "\n")  # fmt: skip
    with pytest.raises(FinalReportError) as err:
        read_test_dir(tmp_path)
    assert "b.jsonl regel 3" in str(err.value) and says in str(err.value)


def test_a_missing_or_empty_directory_is_refused(tmp_path: Path):
    with pytest.raises(FinalReportError, match="bestaat niet"):
        read_test_dir(tmp_path / "nergens")
    with pytest.raises(FinalReportError, match="geen .jsonl"):
        read_test_dir(tmp_path)


def test_rule_family_ablation(tmp_path: Path):
    """One row per rule family; its F1 and delta equal a run counted here with that family off."""
    from classifiers.api import ClassifyInput, RuleClassifier
    from classifiers.rules import FAMILIES, RuleEngine

    write_set(tmp_path / "set", {"village.jsonl": VILLAGE, "youth.jsonl": YOUTH})
    report = final_report(tmp_path / "no-model", tmp_path / "set", log=lambda _: None)
    assert list(report["ablation"]["families"]) == list(FAMILIES)
    family = "threat"
    off = RuleClassifier()
    off.rules = RuleEngine(disabled_families=frozenset({family}))
    rows = VILLAGE + YOUTH
    counts = by_hand(rows, [off.classify([ClassifyInput(t)])[0].flags for t, _, _, _ in rows])
    row = report["ablation"]["families"][family]
    for lab, (tp, fp, fn) in counts.items():
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
        assert row["f1"][lab]["value"] == (None if f1 is None else pytest.approx(f1)), lab
        base = report["labels"][lab]["f1"]
        assert row["f1"][lab]["delta"] == (None if f1 is None or base is None else pytest.approx(f1 - base)), lab
    with pytest.raises(FinalReportError, match="onbekende regelfamilie"):
        final_report(tmp_path / "no-model", tmp_path / "set", disabled_families={"kritiek"}, log=lambda _: None)


def test_the_card_section_is_replaced_and_the_rest_kept(tmp_path: Path):
    card = "# m\n\n## Evaluation\nrest A\n\n## Known failure modes\n- rest B\n"
    first = with_card_section(card, "first report")
    assert first.index(CARD_HEADING) < first.index("## Known failure modes") and "rest A" in first
    second = with_card_section(first, "second report")
    assert "first report" not in second and second.count(CARD_HEADING) == 1 and second.count(CARD_START) == 1
    assert second.replace(f"{CARD_HEADING}\n\n{CARD_START}\nsecond report\n{CARD_END}\n\n", "") == card
    regenerated = keep_card_section(second, card.replace("rest A", "rest A2"))
    assert "second report" in regenerated and "rest A2" in regenerated
    assert with_card_section("# m\n", "r").endswith(f"{CARD_START}\nr\n{CARD_END}\n\n")


def test_writing_keeps_the_other_results(tmp_path: Path):
    (tmp_path / "README.md").write_text("# m\n\n## Known failure modes\n- x\n", encoding="utf-8")
    (tmp_path / "eval_results.json").write_text(json.dumps({"chosen": "rules"}))
    write_set(tmp_path / "set", {"v.jsonl": VILLAGE})
    report = final_report(tmp_path / "no-model", tmp_path / "set", ablation=False, log=lambda _: None)
    write_report(tmp_path, report)
    results = json.loads((tmp_path / "eval_results.json").read_text())
    assert results["chosen"] == "rules" and results["final_report"]["n"] == len(VILLAGE)
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert report["test_files"]["v.jsonl"]["sha256"] in card and "- x" in card and "| threat |" in card


def test_cli_help_and_exit_codes(tmp_path: Path):
    runner = CliRunner()
    res = runner.invoke(app, ["evaluate", "--help"], terminal_width=200)
    assert res.exit_code == 0 and "--final" in res.output and "[MAP]" in res.output and "Eindtoets" in res.output
    res = runner.invoke(app, ["evaluate", "--final", "--model", str(tmp_path), "--niet-schrijven"])
    assert res.exit_code == 2 and "geen modelmap" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["evaluate", "--final", str(tmp_path / "x"), "--model", str(MODEL)])
    assert res.exit_code == 2 and "bestaat niet" in res.output
    res = runner.invoke(app, ["evaluate", str(tmp_path), "--niet-schrijven"])  # a test directory without --final
    assert res.exit_code == 2 and "alleen bij --final" in res.output


def _without_section(card: str) -> str:
    """The card less its final-report section (heading to end marker), if it has one."""
    if CARD_HEADING not in card:
        return card
    return card.replace(card[card.index(CARD_HEADING) : card.index(CARD_END) + len(CARD_END) + 2], "")


def test_cli_final_report_writes_into_a_copy_of_the_model(tmp_path: Path):
    model = tmp_path / "model"
    shutil.copytree(MODEL, model)
    card_before = (model / "README.md").read_text(encoding="utf-8")
    written = write_set(tmp_path / "set", {"youth.jsonl": YOUTH})
    args = ["evaluate", "--final", str(tmp_path / "set"), "--model", str(model), "--write"]
    res = CliRunner().invoke(app, args, terminal_width=250)
    assert res.exit_code == 0, res.output
    digest = hashlib.sha256(written["youth.jsonl"]).hexdigest()
    assert digest in res.output and "Per patroon" in res.output
    card = (model / "README.md").read_text(encoding="utf-8")
    assert digest in card and card.count(CARD_HEADING) == 1
    assert _without_section(card) == _without_section(card_before)  # the rest of the card is kept as it was
    results = json.loads((model / "eval_results.json").read_text())
    assert results["final_report"]["n"] == len(YOUTH) and "sets" in results  # the evaluation's results are kept
    from training.card import write_card

    section = card[card.index(CARD_START) : card.index(CARD_END)]
    write_card(model)  # the card regenerated (as `schildwacht train` / `evaluate --schrijf` do) keeps the section
    assert section in (model / "README.md").read_text(encoding="utf-8")


def test_feedback_demo_final_table_compares_two_models_on_one_reading(tmp_path: Path, rules):
    """scripts/feedback_demo.py --eindtoets: both reports come from one reading of the set (same sha256) and the
    table shows each model's per-label numbers; here two rule-only "models", so the rows agree with the rules'
    own output counted here."""
    import importlib.util

    from classifiers.api import ClassifyInput

    spec = importlib.util.spec_from_file_location("feedback_demo", ROOT / "scripts" / "feedback_demo.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    written = write_set(tmp_path / "set", {"youth.jsonl": YOUTH})
    before, after = compare_models([tmp_path / "a", tmp_path / "b"], tmp_path / "set", log=lambda _: None)
    assert before["test_files"] is after["test_files"]
    assert before["model"]["dir"] == str(tmp_path / "a") and after["model"]["dir"] == str(tmp_path / "b")
    table = demo.final_table(before, after)
    assert hashlib.sha256(written["youth.jsonl"]).hexdigest() in table
    counts = by_hand(YOUTH, [rules.classify([ClassifyInput(t)])[0].flags for t, _, _, _ in YOUTH])
    tp, fp, fn = counts["threat"]
    f1 = f"{2 * tp / (2 * tp + fp + fn):.3f}"
    assert f"| {f1} | {f1} | {tp + fn} |" in next(line for line in table.splitlines() if line.startswith("| threat"))
