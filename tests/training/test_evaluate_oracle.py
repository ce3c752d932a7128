"""`evaluate()` end to end on a small fixture, checked against metrics computed by hand; the `>=` cut-off, threshold
overrides (argument and SCHILDWACHT_THRESHOLD_* settings), the label masking and `prf` itself."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from classifiers.rules import FAMILIES, RuleEngine
from schildwacht.contracts import LABELS
from training.data import Example
from training.evaluate import (
    GATED,
    GEN,
    MHC_B,
    Variants,
    _model_meta,
    evaluate,
    evaluation_sets,
    markdown_report,
    model_thresholds,
    prf,
)
from training.rule_ablation import PAYS_MARGIN, tuned_choice
from training.train import Splits

# (text, labels, source, kind): the rule layer's verdict on each text is the premise, checked by test_premise
VAL_GEN = [
    ("ik ga je vermoorden, wethouder", [1, 0, 0, 0, 0], "t"),  # threat TP
    ("Ik steek je neer als ik je op de markt zie", [1, 0, 0, 0, 0], "t"),  # threat TP
    ("Fijne dag allemaal, tot morgen in de raad", [1, 0, 0, 0, 0], "t"),  # threat FN (labelled threat, rules silent)
    ("ik schiet je dood als je nog 1x over de windmolens begint", [0, 0, 0, 0, 0], "neg:criticism"),  # threat FP
    ("De wethouder heeft slecht werk geleverd met die begroting", [0, 0, 0, 0, 0], "neg:criticism"),
    ("vuile hoer, ga terug naar de keuken", [0, 1, 1, 0, 0], "ag"),  # abuse TP, gender TP
    ("Hij woont op de Dorpsstraat 12, 1234 AB Zwolle", [0, 0, 0, 1, 0], "d"),  # doxxing TP
    ("Mooi weer vandaag in Zwolle", [0, 0, 0, 0, 0], "neg:neutral"),
    # leaks: equal to a training text after normalisation / a near-duplicate of one; labelled so that keeping them
    # would change the figures (one more threat FN, one more unflagged criticism post)
    ("WAT een prachtige opening van de bibliotheek!! 🎉", [1, 0, 0, 0, 0], "t"),
    ("Dank voor de heldere uitleg in de commissie vanavond", [0, 0, 0, 0, 0], "neg:criticism"),
]
RULE_FLAGS = {  # what the rule layer flags at 0.5 for each fixture text (LABELS order)
    "ik ga je vermoorden, wethouder": [1, 0, 0, 0, 0],
    "Ik steek je neer als ik je op de markt zie": [1, 0, 0, 0, 0],
    "Fijne dag allemaal, tot morgen in de raad": [0, 0, 0, 0, 0],
    "ik schiet je dood als je nog 1x over de windmolens begint": [1, 0, 0, 0, 0],
    "De wethouder heeft slecht werk geleverd met die begroting": [0, 0, 0, 0, 0],
    "vuile hoer, ga terug naar de keuken": [0, 1, 1, 0, 0],
    "Hij woont op de Dorpsstraat 12, 1234 AB Zwolle": [0, 0, 0, 1, 0],
    "Mooi weer vandaag in Zwolle": [0, 0, 0, 0, 0],
    "Ik haat je, vuile kankerlijer": [0, 1, 0, 0, 0],
    "Wat een goed idee van de gemeenteraad": [0, 0, 0, 0, 0],
}
TRAIN = [
    ("ik maak je af, raadslid", [1, 0, 0, 0, 0]),
    ("ik sla je kop in, burgemeester", [1, 0, 0, 0, 0]),
    ("domme trut, ga koken", [0, 1, 1, 0, 0]),
    ("vuile slet, ga koken", [0, 1, 1, 0, 0]),
    ("hij woont op de Kerkstraat 3 in Ede", [0, 0, 0, 1, 0]),
    ("ze woont op de Molenweg 8 in Ede", [0, 0, 0, 1, 0]),
    ("wat een prachtige opening van de bibliotheek", [0, 0, 0, 0, 0]),
    ("Dank voor de heldere uitleg in de commissie", [0, 0, 0, 0, 0]),
    ("de raad vergadert morgen over de begroting", [0, 0, 0, 0, 0]),
    ("de raad vergadert vanavond over de haven", [0, 0, 0, 0, 0]),
]
CALIB = [("Goedemorgen, de vergadering begint om negen uur", [0, 0, 0, 0, 0])]


def _ex(text, labels, source="gen:val", kind="x", group="g"):
    return Example(text, list(labels), group, source, kind)


@pytest.fixture(scope="module")
def fixture_splits() -> Splits:
    val_mhc = [
        _ex("Ik haat je, vuile kankerlijer", [0, 1, 0, 0, 0], "mhc:positive", "target_indiv_nh", "mhc:1"),
        # hate towards a non-women group: abuse is masked (unknown), so its abuse flag is neither TP nor FP
        _ex("Ik haat je, vuile kankerlijer", [0, 0, 0, 0, 0], "mhc:other", "derog_neg_emote_h", "mhc:2"),
        _ex("Wat een goed idee van de gemeenteraad", [0, 0, 0, 0, 0], "mhc:contrast", "ident_pos_nh", "mhc:3"),
    ]
    val_rtp = [
        _ex("Mooi weer vandaag in Zwolle", [0, 0, 0, 0, 0], "rtp:benign", "rtp_benign"),
        _ex("goedemorgen. De vergadering begint om negen uur!", [0, 0, 0, 0, 0], "rtp:benign", "rtp_benign"),  # = CALIB
    ]
    return Splits(
        train=[_ex(t, y, "gen:train", "x") for t, y in TRAIN],
        calib=[_ex(t, y, "gen:calib", "x") for t, y in CALIB],
        val_gen=[_ex(t, y, "gen:val", k) for t, y, k in VAL_GEN],
        val_mhc=val_mhc,
        val_rtp=val_rtp,
        val_replies=[],
        mhc_all=val_mhc,
        info={},
        test_replies=[],
    )


def test_premise_rule_flags(rules):
    """The hand-computed figures below rest on these rule verdicts; a second path checks them directly."""
    from classifiers.api import ClassifyInput

    texts = list(RULE_FLAGS)
    got = rules.classify([ClassifyInput(t) for t in texts])
    assert {t: [int(lab in c.flags) for lab in LABELS] for t, c in zip(texts, got)} == (RULE_FLAGS)


def test_evaluate_matches_hand_computed_metrics(fixture_splits):
    res = evaluate(None, thresholds={}, splits=fixture_splits)
    gen = res["sets"][GEN]["rules"]
    # threat: TP 2, FP 1, FN 1 over the 8 items left after the 2 leaks are excluded
    assert gen["metrics"]["threat"] == pytest.approx({"p": 2 / 3, "r": 2 / 3, "f1": 2 / 3, "support": 3, "n": 8})
    for lab in ("abuse", "gender", "doxxing"):
        assert gen["metrics"][lab] == pytest.approx({"p": 1.0, "r": 1.0, "f1": 1.0, "support": 1, "n": 8})
    assert gen["criticism_flag_rate"] == pytest.approx(1 / 2)  # the threat FP among two criticism posts
    assert gen["hard_negative_flag_rate"] == pytest.approx(1 / 3)  # criticism x2 + neutral
    assert gen["label_flag_rates"]["threat"]["criticism"] == pytest.approx(1 / 2)
    assert gen["label_flag_rates"]["abuse"]["criticism"] == 0.0
    assert gen["flag_rate_by_kind"] == {"ag": 1.0, "d": 1.0, "neg:criticism": 0.5, "neg:neutral": 0.0, "t": 0.6667}
    assert gen["contrast_flag_rate"] is None and gen["n"] == 8
    # MHC: the mhc:other case is masked for abuse, so abuse precision stays 1 (unmasked it would be 1/2)
    mhc = res["sets"][MHC_B]["rules"]
    assert mhc["metrics"]["abuse"] == pytest.approx({"p": 1.0, "r": 1.0, "f1": 1.0, "support": 1, "n": 2})
    assert mhc["contrast_flag_rate"] == 0.0
    # the leaks were counted, not scored: one equal and one near-duplicate of training texts, one equal to calibration
    excluded = res["leak_free"]["excluded"]
    assert {k: excluded[GEN][k] for k in ("n_before", "exact", "near")} == {"n_before": 10, "exact": 1, "near": 1}
    assert {k: excluded["rtp_lx_val"][k] for k in ("n_before", "exact", "near")} == {
        "n_before": 2,
        "exact": 1,
        "near": 0,
    }
    assert res["sets"]["rtp_lx_val"]["rules"]["n"] == 1
    assert res["chosen"] == "rules"


def test_threshold_cut_off_is_inclusive(fixture_splits, rules):
    """A score equal to the threshold flags; the next float above it does not."""
    from classifiers.api import ClassifyInput

    score = rules.classify([ClassifyInput("ik ga je vermoorden, wethouder")])[0].scores["threat"]
    at = evaluate(None, thresholds={"threat": score}, splits=fixture_splits)
    above = evaluate(None, thresholds={"threat": math.nextafter(score, 1.0)}, splits=fixture_splits)
    assert at["thresholds"]["threat"] == score
    assert at["sets"][GEN]["rules"]["metrics"]["threat"]["p"] == pytest.approx(2 / 3)  # same 3 flags as at 0.5
    # all three rule threats score the same, so just above it nothing is flagged: no TP, recall 0
    assert above["sets"][GEN]["rules"]["metrics"]["threat"]["r"] == 0.0
    assert above["sets"][GEN]["rules"]["criticism_flag_rate"] == 0.0


def test_threshold_overrides_from_settings(fixture_splits, monkeypatch):
    from schildwacht.config import get_settings

    monkeypatch.setenv("SCHILDWACHT_THRESHOLD_THREAT", "0.95")
    get_settings.cache_clear()
    try:
        res = evaluate(None, splits=fixture_splits)
    finally:
        monkeypatch.delenv("SCHILDWACHT_THRESHOLD_THREAT")
        get_settings.cache_clear()
    assert res["thresholds"] == {"threat": 0.95, "abuse": 0.5, "gender": 0.5, "doxxing": 0.5, "identity": 0.5}
    assert res["sets"][GEN]["rules"]["metrics"]["threat"]["support"] == 3
    assert res["sets"][GEN]["rules"]["metrics"]["threat"]["r"] == 0.0  # rule threats score 0.9 < 0.95
    assert res["sets"][GEN]["rules"]["metrics"]["abuse"]["r"] == 1.0  # other labels keep 0.5


def test_prf_by_hand():
    preds = [[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0]]
    labels = [[1, 1, 0, -1, 0], [0, 1, 0, -1, 0], [1, -1, 0, -1, 0], [1, 0, 0, -1, 0], [1, 0, 0, -1, 0]]
    m = prf(preds, labels)
    # threat: TP rows 0 and 4, FP row 1, FN rows 2 and 3
    assert m["threat"] == pytest.approx(
        {"p": 2 / 3, "r": 2 / 4, "f1": 2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2), "support": 4, "n": 5}
    )
    # abuse: row 2 masked; TP row 1, FN row 0, no FP
    assert m["abuse"] == pytest.approx({"p": 1.0, "r": 0.5, "f1": 2 / 3, "support": 2, "n": 4})
    # gender: no positives and no flags -> undefined (NaN) precision, recall and F1
    assert all(math.isnan(m["gender"][k]) for k in ("p", "r", "f1")) and m["gender"]["support"] == 0
    # doxxing: every row masked
    assert m["doxxing"]["n"] == 0 and m["doxxing"]["support"] == 0
    # positives but no flags: precision 0, recall 0, F1 0
    z = prf([[0, 0, 0, 0, 0]], [[1, 0, 0, 0, 0]])["threat"]
    assert (z["p"], z["r"], z["f1"]) == (0.0, 0.0, 0.0)
    # flags but no positives: precision 0, recall undefined
    fp = prf([[1, 0, 0, 0, 0]], [[0, 0, 0, 0, 0]])["threat"]
    assert fp["p"] == 0.0 and math.isnan(fp["r"])


def test_choice_sets_are_called_validation_never_held_out():
    """Rules and gates were tuned on the choice sets (MHC half B among them): output and card call them validation."""
    from training.evaluate import CHOICE_SETS

    for name, _ in CHOICE_SETS:
        assert "validation" in name and "held-out" not in name
    card = (Path(__file__).resolve().parents[2] / "models" / "schildwacht-nl-mini" / "README.md").read_text()
    assert "half B is held out" not in card and "mhc_dev_half_B (held-out" not in card
    report = markdown_report(
        {"thresholds": {}, "chosen": "rules", "sets": {MHC_B: {"rules": _metrics_stub()}}, "leak_free": None}
    )
    assert "#### mhc_dev_half_B (validation" in report


def _metrics_stub() -> dict:
    m = {"p": 1.0, "r": 1.0, "f1": 1.0, "support": 1, "n": 1}
    return {
        "metrics": {lab: dict(m) for lab in LABELS},
        "contrast_flag_rate": None,
        "criticism_flag_rate": None,
        "hard_negative_flag_rate": None,
        "flag_rate_by_kind": {},
    }


MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "schildwacht-nl-mini"


@pytest.fixture(scope="module")
def with_model(fixture_splits) -> dict:
    """`evaluate()` of the shipped model on the fixture, gates searched: the run that also weighs the rule families."""
    return evaluate(MODEL_DIR, thresholds={}, splits=fixture_splits)


def test_rule_family_ablation_starts_from_the_shipped_search(with_model):
    """All families on, the ablation's own gate search lands where `evaluate`'s does, with the same choice score."""
    families = with_model["rule_families"]
    assert families["base"]["gates"] == with_model["model_gate"]
    assert families["base"]["lexical_weight"] == with_model["lexical_weight"]
    assert families["base"]["score"] == pytest.approx(with_model["selection_score"][GATED], abs=1e-4)
    assert set(families["families"]) == set(FAMILIES)
    assert families["choice_sets"] == {GEN: 8, MHC_B: 3}  # the fixture's choice sets, leaks excluded


def test_a_rule_family_that_fires_on_no_choice_text_does_not_pay(with_model, fixture_splits):
    """Premise: the identity family changes no rule result on the fixture's choice texts. Then switching it off can
    change nothing: same gates, same score, delta exactly 0, and it does not pay."""
    on, off = RuleEngine(), RuleEngine(disabled_families=frozenset({"identity"}))
    texts = [e.text for e in fixture_splits.val_gen + fixture_splits.val_mhc]
    assert [on.analyze(t, []).scores for t in texts] == [off.analyze(t, []).scores for t in texts]
    row = with_model["rule_families"]["families"]["identity"]
    assert row["delta"] == 0.0 and row["pays"] is False
    assert row["gates"] == with_model["rule_families"]["base"]["gates"]


def test_a_rule_family_that_changes_rule_results_is_weighed(with_model, fixture_splits):
    """With the threat family off, the ablation's row is what the gate search gives on the model's probabilities and
    the rule layer run without that family, recomputed here with a RuleEngine of its own; the premise: that engine
    changes the rule threat score of a choice text."""
    meta = _model_meta(MODEL_DIR)
    _, sets, _ = evaluation_sets(meta, splits=fixture_splits)
    choice = {GEN: sets[GEN], MHC_B: sets[MHC_B]}
    variants = Variants(MODEL_DIR, fixture_splits)
    parts = {st: variants.parts([e.text for e in exs]) for st, exs in choice.items()}
    off = RuleEngine(disabled_families=frozenset({"threat"}))
    for st, exs in choice.items():
        parts[st]["ruled"] = [off.analyze(e.text, []) for e in exs]
    texts = [e.text for e in choice[GEN]]
    on = RuleEngine()
    assert any(on.analyze(t, []).scores["threat"] > off.analyze(t, []).scores["threat"] for t in texts)
    expected = tuned_choice(parts, choice, model_thresholds(meta, {}))
    row = with_model["rule_families"]["families"]["threat"]
    assert (row["gates"], row["frame_damp"], row["lexical_weight"]) == (
        expected["gates"],
        expected["frame_damp"],
        expected["lexical_weight"],
    )
    assert row["score"] == pytest.approx(expected["score"]) and row["label_scores"] == pytest.approx(
        expected["label_scores"]
    )
    assert row["pays"] is (row["score"] < with_model["rule_families"]["base"]["score"] - PAYS_MARGIN)


def test_the_card_section_lists_every_family(with_model):
    report = markdown_report(with_model)
    assert "#### Rule families on the validation sets (which pay)" in report
    for family in FAMILIES:
        assert f"\n| {family} | " in report
