"""`classifiers/api.py` arithmetic and configuration: clipping, the `>=` cut-off, threshold overrides, the model
gate, every combine mode, reading thresholds.json, choosing the model directory.

Expected numbers are computed by hand from the formulas in the docstrings (written out next to each assert). The
combined classifier runs the real shipped transformer, from a copy of its directory with a thresholds.json of the
test's own.
"""

from __future__ import annotations

import copy
import json
import logging
import math
from pathlib import Path

import pytest

from classifiers import api
from classifiers.api import (
    DEFAULT_MODEL_DIR,
    ENV_MODEL_PATH,
    MAX_BATCH,
    ClassifyInput,
    CombinedClassifier,
    OfficialRef,
    RuleClassifier,
    _clip,
    _read_json,
    combine_scores,
    gate,
    load_classifier,
    resolve_model_path,
)
from classifiers.int8 import fast_int8
from classifiers.rules import Hit, RuleResult
from schildwacht.config import Settings
from schildwacht.contracts import LABELS

NEUTRAL = "Goedemorgen, de vergadering begint om acht uur."


def rule_result(scores: dict[str, float], framed: tuple[str, ...] = ()) -> RuleResult:
    return RuleResult(
        scores={lab: scores.get(lab, 0.0) for lab in LABELS},
        spans=[],
        suppressed=[Hit(start=0, end=1, label=lab, rule="test", score=0.9) for lab in framed],
    )


def probs(**by_label: float) -> list[float]:
    return [by_label.get(lab, 0.0) for lab in LABELS]


@pytest.mark.parametrize(
    "value, clipped", [(0.25, 0.25), (-0.1, 0.0), (1.7, 1.0), (math.nan, 0.0), ("0.75", 0.75), (1, 1.0), (0, 0.0)]
)
def test_clip_keeps_scores_in_zero_to_one(value, clipped):
    assert _clip(value) == clipped


@pytest.fixture(scope="module")
def rules() -> RuleClassifier:
    return RuleClassifier()


def test_flag_at_exactly_the_threshold_not_below(rules):
    rules.thresholds = {"threat": 0.6, "abuse": 0.5, "gender": 0.9, "doxxing": 0.3, "identity": 0.7}
    try:
        result = rules._finish(
            {"threat": 0.6, "abuse": 0.49995, "gender": 0.89999, "doxxing": 0.30004, "identity": 0.69994}, [], "off-1"
        )
    finally:
        rules.thresholds = dict(api.DEFAULT_THRESHOLDS)
    # rounded to 4 decimals first: 0.49995 -> 0.5 (flagged), 0.89999 -> 0.9 (flagged), 0.30004 -> 0.3 (flagged),
    # 0.69994 -> 0.6999 (not flagged at 0.7)
    assert result.scores == {"threat": 0.6, "abuse": 0.5, "gender": 0.9, "doxxing": 0.3, "identity": 0.6999}
    assert result.flags == ["threat", "abuse", "gender", "doxxing"]  # LABELS order
    assert result.target == "off-1" and result.spans == []
    below = RuleClassifier._finish(rules, {"threat": 0.59994, "abuse": 1.4, "doxxing": -2}, [], None)
    assert below.scores == {"threat": 0.5999, "abuse": 1.0, "gender": 0.0, "doxxing": 0.0, "identity": 0.0}
    assert below.flags == ["threat", "abuse"]  # default 0.5 thresholds are back


def test_threshold_overrides_merge_with_the_defaults():
    assert RuleClassifier({"threat": 0.8}).thresholds == {
        "threat": 0.8,
        "abuse": 0.5,
        "gender": 0.5,
        "doxxing": 0.5,
        "identity": 0.5,
    }
    assert RuleClassifier().thresholds == api.DEFAULT_THRESHOLDS


def test_rule_classifier_reads_every_input_kind(rules):
    items = [ClassifyInput(text=None), ClassifyInput(text="x\ud800y"), ClassifyInput(text=12)]
    same = [ClassifyInput(text=""), ClassifyInput(text="x\ufffdy"), ClassifyInput(text="12")]
    assert rules.classify(items) == rules.classify(same)  # None is empty, a lone surrogate U+FFFD, a number text


def test_rule_classifier_keeps_the_rule_spans_and_the_resolved_target(rules):
    """Oracle: the phrases of the text itself (found with `str.index`) and the official named in it."""
    text = "Jansen, ik weet waar je woont en ik kom je halen."
    official = OfficialRef(id="off-1", names=["Jansen"])
    (named, anonymous) = rules.classify([ClassifyInput(text, [official]), ClassifyInput(text)])
    where, come = text.index("weet waar je woont"), text.index("ik kom je halen")
    expected = {
        ("doxxing", where, where + len("weet waar je woont")),
        ("threat", where, where + len("weet waar je woont")),
        ("threat", come, come + len("ik kom je halen")),
    }
    assert {(s.label, s.start, s.end) for s in named.spans} == expected
    assert all(text[s.start : s.end] == s.text and s.source.startswith("rule:") for s in named.spans)
    assert (named.target, anonymous.target) == ("off-1", None) and anonymous.spans == named.spans
    # the official's name makes a bare insult personal (the rules take the names), a reply names its official; an
    # insult predicated of a name ("Piet Jansen is een idioot") is personal without it (tests/classifiers/test_rules.py)
    insult = "Piet Jansen? Een idioot."
    piet = OfficialRef(id="off-2", names=["Piet Jansen"])
    about, unnamed, reply = rules.classify(
        [ClassifyInput(insult, [piet]), ClassifyInput(insult), ClassifyInput("Jij bent een idioot.", [], "off-9")]
    )
    assert (about.flags, about.target, unnamed.flags, unnamed.target) == (["abuse"], "off-2", [], None)
    assert [(s.label, s.text) for s in about.spans] == [("abuse", "idioot")]
    assert (reply.flags, reply.target) == (["abuse"], "off-9")


@pytest.mark.parametrize(
    "p, g, expected",
    [
        (0.35, 0.7, 0.25),  # below the gate: 0.35 * 0.5 / 0.7
        (0.7, 0.7, 0.5),  # the gate itself maps to 0.5
        (0.85, 0.7, 0.75),  # above: 0.5 + (0.85 - 0.7) * 0.5 / 0.3
        (1.0, 0.7, 1.0),
        (0.3, 0.5, 0.3),  # a gate of 0.5 or less leaves p alone
        (0.3, 0.2, 0.3),
        (0.3, 1.0, 0.3),  # so does a gate of 1 or more
    ],
)
def test_gate_sends_the_gate_to_one_half(p, g, expected):
    assert gate(p, g) == pytest.approx(expected)


def test_combine_modes_by_hand():
    res = rule_result({"threat": 0.8, "abuse": 0.2, "gender": 0.6, "doxxing": 0.0, "identity": 0.3})
    p = probs(threat=0.4, abuse=0.6, gender=0.1, doxxing=0.9, identity=0.7)
    assert combine_scores(res, None, "max") == res.scores
    assert combine_scores(res, p, "rules") == res.scores
    assert combine_scores(res, p, "model") == pytest.approx(dict(zip(LABELS, p)))
    assert combine_scores(res, p, "max") == pytest.approx(
        {"threat": 0.8, "abuse": 0.6, "gender": 0.6, "doxxing": 0.9, "identity": 0.7}
    )
    # mean: r >= 0.5 -> max(r, (m + r) / 2); r < 0.5 -> (m + r) / 2 + m (1 - r) / 2
    assert combine_scores(res, p, "mean") == pytest.approx(
        {
            "threat": 0.8,  # max(0.8, 0.6)
            "abuse": 0.4 + 0.5 * 0.6 * 0.8,  # 0.64
            "gender": 0.6,  # max(0.6, 0.35)
            "doxxing": 0.45 + 0.5 * 0.9,  # 0.9
            "identity": 0.5 + 0.5 * 0.7 * 0.7,  # 0.745
        }
    )
    per_label = {"threat": "model", "abuse": "rules", "doxxing": "mean"}  # gender: max by default
    assert combine_scores(res, p, per_label) == pytest.approx(
        {"threat": 0.4, "abuse": 0.2, "gender": 0.6, "doxxing": 0.9, "identity": 0.7}
    )


def test_frame_damps_only_the_framed_label_and_gates_apply_per_label():
    res = rule_result({}, framed=("gender",))
    p = probs(threat=0.6, gender=0.6, doxxing=0.85)
    out = combine_scores(res, p, "model", frame_damp=0.5, gates={"doxxing": 0.7})
    assert out == pytest.approx({"threat": 0.6, "abuse": 0.0, "gender": 0.3, "doxxing": 0.75, "identity": 0.0})


def test_read_json_gives_nothing_for_a_missing_or_broken_file(tmp_path):
    (tmp_path / "kapot.json").write_text("{niet af", encoding="utf-8")
    (tmp_path / "goed.json").write_text('{"a": 1}', encoding="utf-8")
    assert _read_json(tmp_path / "weg.json") == {} and _read_json(tmp_path / "kapot.json") == {}
    assert _read_json(tmp_path / "goed.json") == {"a": 1}


def test_model_path_from_argument_then_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_MODEL_PATH, str(tmp_path / "uit-env"))
    assert resolve_model_path(tmp_path / "expliciet") == tmp_path / "expliciet"
    assert resolve_model_path(str(tmp_path / "tekst")) == tmp_path / "tekst"
    assert resolve_model_path() == tmp_path / "uit-env"
    monkeypatch.setenv(ENV_MODEL_PATH, "")
    assert resolve_model_path() == DEFAULT_MODEL_DIR
    monkeypatch.delenv(ENV_MODEL_PATH)
    assert resolve_model_path() == DEFAULT_MODEL_DIR
    assert DEFAULT_MODEL_DIR == Path(api.__file__).resolve().parents[1] / "models" / "schildwacht-nl-mini"


def test_without_a_model_directory_the_rules_alone_with_a_warning(tmp_path, caplog):
    (tmp_path / "leeg").mkdir()
    with caplog.at_level(logging.WARNING, logger="classifiers.api"):
        classifier = load_classifier(tmp_path / "leeg", {"abuse": 0.7})
    assert type(classifier) is RuleClassifier and classifier.name == "schildwacht-rules"
    assert classifier.thresholds["abuse"] == 0.7
    assert caplog.messages == [
        f"geen modelmap gevonden op {tmp_path / 'leeg'}; alleen de regellaag (schildwacht-rules) wordt gebruikt"
    ]


@pytest.fixture(scope="module")
def model_copy(tmp_path_factory) -> Path:
    """The shipped model's files, linked, beside a thresholds.json of this test's own."""
    directory = tmp_path_factory.mktemp("model")
    for source in DEFAULT_MODEL_DIR.iterdir():
        if source.name != "thresholds.json":
            (directory / source.name).symlink_to(source)
    config = json.loads((DEFAULT_MODEL_DIR / "thresholds.json").read_text(encoding="utf-8"))
    config.update(
        thresholds={"threat": 0.7, "abuse": 0.6, "onbekend": 0.1},
        combine="rules",
        frame_damp=0.25,
        model_gate={"doxxing": 0.8},
        window_gate=0.95,
        occlusion_candidates=3,
        name="testmodel",
        version=7,
    )
    (directory / "thresholds.json").write_text(json.dumps(config), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def max_copy(model_copy) -> CombinedClassifier:
    """The copy's classifier with `combine="max"` given explicitly (it wins over the file's "rules"), loaded once."""
    return CombinedClassifier(model_copy, combine="max")


def test_combined_classifier_takes_thresholds_json_and_overrides(model_copy, max_copy):
    classifier = load_classifier(model_copy, {"abuse": 0.55})
    assert type(classifier) is CombinedClassifier
    assert classifier.thresholds == {"threat": 0.7, "abuse": 0.55, "gender": 0.5, "doxxing": 0.5, "identity": 0.5}
    assert (classifier.combine, classifier.frame_damp, classifier.gates) == ("rules", 0.25, {"doxxing": 0.8})
    assert (classifier.name, classifier.version, classifier.window_gate) == ("testmodel", "7", 0.95)
    assert (classifier.occlusion_candidates, classifier.int8) == (3, fast_int8())
    assert max_copy.combine == "max"
    assert CombinedClassifier(model_copy, occlusion_candidates=0).occlusion_candidates == 0


def test_a_thresholds_json_without_settings_gives_the_documented_defaults(tmp_path):
    """An empty thresholds.json: combine "max", no frame damping, no model gates, the WINDOW_GATE, 4 occlusion
    candidates, an int8 transformer where the CPU runs it faster, thresholds 0.5, the directory's name and
    version "0"."""
    directory = tmp_path / "kaal-model"
    directory.mkdir()
    for source in DEFAULT_MODEL_DIR.iterdir():
        if source.name != "thresholds.json":
            (directory / source.name).symlink_to(source)
    (directory / "thresholds.json").write_text("{}", encoding="utf-8")
    bare = CombinedClassifier(directory, windows=False)
    assert (bare.combine, bare.frame_damp, bare.gates, bare.window_gate) == ("max", 1.0, {}, 0.9)
    assert (bare.occlusion_candidates, bare.int8) == (4, fast_int8())
    assert (bare.name, bare.version, bare.thresholds) == ("kaal-model", "0", api.DEFAULT_THRESHOLDS)


def test_combined_classifier_in_rules_mode_equals_the_rule_layer_in_batches(model_copy, rules, monkeypatch):
    """In "rules" mode the model is not asked at all (its file's "combine"), and the results are the rule layer's."""
    classifier = CombinedClassifier(model_copy, thresholds=dict(api.DEFAULT_THRESHOLDS))
    texts = [NEUTRAL, "Wethouder, ik weet waar je woont en ik kom je halen.", ""] * ((MAX_BATCH // 3) + 1)
    items = [ClassifyInput(text=t) for t in texts]
    asked: list[int] = []
    for method in ("predict", "predict_parts", "transformer_probs"):
        real = getattr(classifier.scorer, method)
        monkeypatch.setattr(classifier.scorer, method, lambda batch, real=real: asked.append(len(batch)) or real(batch))
    combined, alone = classifier.classify(items), rules.classify(items)
    assert asked == []
    assert classifier.scorer.predict_parts([NEUTRAL]) and asked[:1] == [1]  # the counting reaches the model
    assert len(combined) == len(texts) > MAX_BATCH
    assert [c.scores for c in combined] == [r.scores for r in alone]
    assert [c.flags for c in combined] == [r.flags for r in alone]


THREAT = "Ik weet waar je woont, pas maar op want vannacht kom ik langs met benzine."


def expected_model_spans(
    classifier: CombinedClassifier, text: str, label: str, p: list[float], job_labels: tuple[str, ...] = ()
) -> list[tuple]:
    """The documented rule, computed here through the model directly on every occluded variant: the candidates are,
    per label of the job (`job_labels`, default `label` alone), the `occlusion_candidates` words whose removal lowers
    the lexical half's probability of that label most (every word with 0); of all candidates, the (at most 3) whose
    removal lowers the model probability of `label` most, by at least OCCLUSION_MIN, in text order; else the start
    of the post."""
    j = LABELS.index(label)
    words = list(api.WORD.finditer(text[: api.OCCLUSION_CHARS]))[: api.OCCLUSION_WORDS]
    variants = [text[: w.start()] + text[w.end() :] for w in words]
    rows = classifier.scorer.predict(variants)
    assert classifier.scorer.lexical is not None  # the shipped model has a lexical half
    lexical = classifier.scorer.lexical.predict(variants)
    candidates = {
        i
        for lab in job_labels or (label,)
        for i in sorted(range(len(words)), key=lambda i: lexical[i][LABELS.index(lab)])[
            : classifier.occlusion_candidates or None
        ]
    }
    drops = sorted(((p[j] - rows[i][j], words[i]) for i in sorted(candidates)), key=lambda d: -d[0])
    found = [(w.start(), w.end(), w.group(0)) for d, w in drops[:3] if d >= api.OCCLUSION_MIN]
    return sorted(found) or [(0, min(len(text), 280), text[:280])]


def test_model_evidence_is_the_words_whose_removal_lowers_the_score_most(max_copy):
    classifier = max_copy
    certain = [1.0] * len(LABELS)  # every occluded variant scores lower: the three biggest drops are the evidence
    unsure = [0.0] * len(LABELS)  # no variant scores lower: the start of the post stands in
    long_text = THREAT + " " + "bla " * 100
    jobs = [(THREAT, 0, len(THREAT), ["threat", "doxxing"], certain), (long_text, 0, len(long_text), ["abuse"], unsure)]
    spans = classifier._model_spans(jobs)
    by_label = [(s.label, s.start, s.end, s.text, s.source) for s in spans[0]]
    both = ("threat", "doxxing")
    expected = [("threat", *w, "model") for w in expected_model_spans(classifier, THREAT, "threat", certain, both)]
    expected += [("doxxing", *w, "model") for w in expected_model_spans(classifier, THREAT, "doxxing", certain, both)]
    assert by_label == expected
    assert any(end - start < len(THREAT) for _, start, end, *_ in by_label)  # some evidence is single words
    assert [(s.label, s.start, s.end, s.text) for s in spans[1]] == [("abuse", 0, 280, long_text[:280])]
    assert classifier._model_spans([]) == []


@pytest.mark.parametrize("candidates", [0, 2, 30])
def test_model_evidence_weighs_the_candidates_or_every_word(max_copy, monkeypatch, candidates):
    """With 0 candidates every word of the reading is weighed by the whole model; else the transformer reads only the
    candidate variants (at most `candidates` per label: two labels here), and a reading of at most that many words
    (THREAT has 15) gets every word weighed, as with 0."""
    monkeypatch.setattr(max_copy, "occlusion_candidates", candidates)
    asked: list[int] = []
    transformer = max_copy.scorer.transformer_probs
    monkeypatch.setattr(max_copy.scorer, "transformer_probs", lambda b: asked.append(len(b)) or transformer(b))
    certain = [1.0] * len(LABELS)
    (spans,) = max_copy._model_spans([(THREAT, 0, len(THREAT), ["threat", "gender"], certain)])
    both = ("threat", "gender")
    expected = [("threat", *w) for w in expected_model_spans(max_copy, THREAT, "threat", certain, both)]
    expected += [("gender", *w) for w in expected_model_spans(max_copy, THREAT, "gender", certain, both)]
    assert [(s.label, s.start, s.end, s.text) for s in spans] == expected
    words = len(api.WORD.findall(THREAT))
    assert words == 15
    assert (asked[0] == words) if candidates in (0, 30) else (candidates <= asked[0] <= 2 * candidates)


def test_model_evidence_of_a_window_points_into_that_window(max_copy):
    """A window's evidence: the same rule applied to the window's text, shifted by the window's start; without a
    word that lowers the score enough, the window itself (at most 280 characters) from its start."""
    classifier = max_copy
    before = "Goedemorgen allemaal. "
    post = before + THREAT + " " + "bla " * 100
    a, z = len(before), len(before) + len(THREAT)
    certain, unsure = [1.0] * len(LABELS), [0.0] * len(LABELS)
    found, fallback = classifier._model_spans(
        [(post, a, z, ["threat"], certain), (post, a, len(post), ["gender"], unsure)]
    )
    expected = [(a + s, a + e, w) for s, e, w in expected_model_spans(classifier, THREAT, "threat", certain)]
    assert [(s.start, s.end, s.text) for s in found] == expected
    assert all(post[s.start : s.end] == s.text for s in found)
    assert [(s.label, s.start, s.end, s.text) for s in fallback] == [("gender", a, a + 280, post[a : a + 280])]


def test_combined_scores_spans_and_batches_follow_the_documented_rules(max_copy, rules, monkeypatch):
    """Scores: the rule layer and the model combined by `combine_scores` (tested by hand above) with the directory's
    frame damping and gates, rounded and clipped; flags at the thresholds; spans: the rules' spans, plus model
    evidence for a label flagged by the model without a rule span."""
    monkeypatch.setattr(api, "MAX_BATCH", 2)  # six items: three batches
    classifier = max_copy
    texts = [
        THREAT,
        NEUTRAL,
        "",
        "Jij vieze trut, ga terug naar de keuken.",
        "Zoetelief woont op Dorpsstraat 12.",
        "Wat ben jij een walgelijk figuur zeg, rot toch op",  # abuse by the model alone (0.6.0: 0.93)
    ]
    items = [ClassifyInput(text=t) for t in texts]
    got = classifier.classify(items)
    probabilities = classifier.scorer.predict(texts)
    assert len(got) == len(texts)
    for item, result, p in zip(items, got, probabilities):
        ((text, res, target),) = rules._rule_pass([item])
        combined = combine_scores(res, p, "max", 0.25, {"doxxing": 0.8})
        scores = {lab: round(_clip(combined[lab]), 4) for lab in LABELS}
        assert result.scores == scores and result.target == target
        assert result.flags == [lab for lab in LABELS if scores[lab] >= classifier.thresholds[lab]]
        model_only = [
            lab
            for lab in LABELS
            if text
            and scores[lab] >= classifier.thresholds[lab]
            and p[LABELS.index(lab)] >= {"doxxing": 0.8}.get(lab, 0.5)
            and not any(s.label == lab for s in res.spans)
        ]
        expected = [(s.start, s.end, s.label, s.source) for s in res.spans]
        for lab in model_only:
            spans = expected_model_spans(classifier, text, lab, p, tuple(model_only))  # short posts: one reading
            expected += [(a, b, lab, "model") for a, b, _ in spans]
        assert [(s.start, s.end, s.label, s.source) for s in result.spans] == expected
    assert any(s.source == "model" for result in got for s in result.spans)  # the model-evidence path ran


def test_combined_classifier_reads_every_input_kind(max_copy):
    """With the model the text itself counts (no neutral stand-in would give the same probabilities): None reads as
    the empty text, a number as its digits, a lone surrogate as U+FFFD."""
    items = [ClassifyInput(text=None), ClassifyInput(text=12), ClassifyInput(text="Jij \ud800 idioot")]
    same = [ClassifyInput(text=""), ClassifyInput(text="12"), ClassifyInput(text="Jij \ufffd idioot")]
    got, expected = max_copy.classify(items), max_copy.classify(same)
    assert [(c.scores, c.flags, c.spans) for c in got] == [(c.scores, c.flags, c.spans) for c in expected]
    assert got[0].scores != got[1].scores  # the empty text and "12" are told apart: the comparison can fail
    piet = OfficialRef(id="off-2", names=["Piet Jansen"])
    named, reply = max_copy.classify(
        [ClassifyInput("Piet Jansen is een idioot.", [piet]), ClassifyInput("Jij bent een idioot.", [], "off-9")]
    )
    assert (named.target, reply.target) == ("off-2", "off-9")


def test_the_classifier_combines_in_its_own_mode(max_copy):
    """The same post in "max" and in "model" mode (the copy's frame damping 0.25, no gender gate): the framed gender
    label keeps the rule score with "max" and takes the damped model probability alone with "model"."""
    (p,) = max_copy.scorer.predict([FRAMED_GENDER])
    rule_score = max_copy.rules.analyze(FRAMED_GENDER).scores["gender"]
    model_reader = copy.copy(max_copy)
    model_reader.combine = "model"
    (by_max,) = max_copy.classify([ClassifyInput(FRAMED_GENDER)])
    (by_model,) = model_reader.classify([ClassifyInput(FRAMED_GENDER)])
    damped = p[LABELS.index("gender")] * 0.25
    assert by_max.scores["gender"] == round(max(damped, rule_score), 4) == rule_score
    assert by_model.scores["gender"] == round(damped, 4) != rule_score


def test_mean_lifts_a_confident_rule_toward_a_stronger_model_and_damping_defaults_to_none():
    res = rule_result({"threat": 0.6, "abuse": 0.5}, framed=("threat",))
    p = probs(threat=0.9, abuse=0.9)
    # r >= 0.5: max(r, (m + r) / 2): threat max(0.6, 0.75), abuse (exactly 0.5) max(0.5, 0.7)
    assert combine_scores(res, p, "mean") == pytest.approx(
        {"threat": 0.75, "abuse": 0.7, "gender": 0.0, "doxxing": 0.0, "identity": 0.0}
    )
    assert combine_scores(res, p, "model")["threat"] == pytest.approx(0.9)  # no frame_damp given: undamped


# --- the shipped models/schildwacht-nl-mini/thresholds.json, by hand ----------------------------------------------

#: Read off the shipped thresholds.json by hand: "combine" "max" per label but threat and doxxing ("stack+max": the
#: larger of the gated combination and the stacker's gated probability, tests/classifiers/test_stacking.py),
#: "frame_damp": 0.5, "model_gate" per label, all thresholds 0.5, no "window_gate" (so WINDOW_GATE, 0.9).
SHIPPED_COMBINE = {"threat": "stack+max", "abuse": "max", "gender": "max", "doxxing": "stack+max", "identity": "max"}
SHIPPED_STACK_GATES = {
    "stack": {"threat": 0.6, "abuse": 0.9, "gender": 0.7, "doxxing": 0.5, "identity": 0.95},
    "stack+rules": {"threat": 0.6, "abuse": 0.9, "gender": 0.8, "doxxing": 0.5, "identity": 0.95},
    "stack+max": {"threat": 0.7, "abuse": 0.95, "gender": 0.95, "doxxing": 0.5, "identity": 0.95},
}
SHIPPED_GATES = {"threat": 0.7, "abuse": 0.5, "gender": 0.6, "doxxing": 0.5, "identity": 0.9}
SHIPPED_DAMP = 0.5
MODEL_ONLY_ABUSE = "Wat ben jij een walgelijk figuur zeg, rot toch op"  # no rule hit: model evidence
FRAMED_GENDER = "Vrouwen horen niet in de politiek."  # the rules suppress a gender-role phrase: gender is damped
DOXXING = "Zijn privénummer is 06-12345678, bel hem maar eens op"  # the stacker scores doxxing above 0.5


@pytest.fixture(scope="module")
def shipped() -> CombinedClassifier:
    return CombinedClassifier(DEFAULT_MODEL_DIR)


def by_hand(p: float, r: float, gate_at: float, framed: bool) -> float:
    """The documented combination written out: damp a framed label, send the model's gate to 0.5 (linear below and
    above it), take the larger of model and rules, round to 4 decimals."""
    m = p * (SHIPPED_DAMP if framed else 1.0)
    if 0.5 < gate_at < 1.0:
        m = m * 0.5 / gate_at if m < gate_at else 0.5 + (m - gate_at) * 0.5 / (1.0 - gate_at)
    return round(max(m, r), 4)


def test_shipped_thresholds_json_is_read_as_written(shipped):
    assert (shipped.combine, shipped.frame_damp, shipped.gates) == (SHIPPED_COMBINE, SHIPPED_DAMP, SHIPPED_GATES)
    assert shipped.stacker is not None and shipped.stack_gates == SHIPPED_STACK_GATES
    assert shipped.thresholds == {"threat": 0.5, "abuse": 0.5, "gender": 0.5, "doxxing": 0.5, "identity": 0.5}
    assert shipped.window_gate == api.WINDOW_GATE == 0.9 and shipped.name == "schildwacht-nl-mini"


def test_shipped_scores_are_the_documented_combination_of_rules_and_model(shipped):
    """Short posts (one window each): the model's probability of the whole post (the input of the arithmetic, read
    from the scorer) and the rule layer's scores and frames, combined by hand with the shipped constants."""
    texts = [MODEL_ONLY_ABUSE, FRAMED_GENDER, "Jij vieze trut, ga terug naar de keuken.", NEUTRAL, DOXXING]
    results = shipped.classify([ClassifyInput(t) for t in texts])
    rows = shipped.stack_rows([ClassifyInput(t) for t in texts])
    for text, result, p, row in zip(texts, results, shipped.scorer.predict(texts), rows):
        rules_alone = shipped.rules.analyze(text)
        framed = {h.label for h in rules_alone.suppressed}
        expected = {
            lab: by_hand(p[j], rules_alone.scores[lab], SHIPPED_GATES[lab], lab in framed)
            for j, lab in enumerate(LABELS)
        }
        # threat and doxxing: also the stacker's probability through its "stack+max" gate (0.7; 0.5 leaves it as is)
        stacked = shipped.stacker.probs(row)
        expected["threat"] = max(expected["threat"], round(gate(stacked["threat"], 0.7), 4))
        expected["doxxing"] = max(expected["doxxing"], round(stacked["doxxing"], 4))
        assert result.scores == expected, text
        assert result.flags == [lab for lab in LABELS if expected[lab] >= 0.5], text
    assert "gender" in {h.label for h in shipped.rules.analyze(FRAMED_GENDER).suppressed}  # the damped case ran


def test_thresholds_from_settings_override_the_file_and_flag_from_exactly_the_threshold(shipped):
    """`Settings.threshold_*` reach the classifier the way the worker passes them (`load_classifier(path,
    settings.thresholds())`); a score equal to its threshold flags, 0.0001 less does not. Model evidence follows the
    flag: a label the model flags without a rule span gets spans of source "model" only while it is flagged."""
    (baseline,) = shipped.classify([ClassifyInput(MODEL_ONLY_ABUSE)])
    score = baseline.scores["abuse"]
    assert "abuse" in baseline.flags and {s.source for s in baseline.spans if s.label == "abuse"} == {"model"}
    settings = Settings(threshold_abuse=score, threshold_gender=0.99)
    classifier = load_classifier(DEFAULT_MODEL_DIR, settings.thresholds())
    assert classifier.thresholds == {"threat": 0.5, "abuse": score, "gender": 0.99, "doxxing": 0.5, "identity": 0.5}
    (at,) = classifier.classify([ClassifyInput(MODEL_ONLY_ABUSE)])
    assert at.scores == baseline.scores and "abuse" in at.flags
    assert [s for s in at.spans if s.label == "abuse"] == [s for s in baseline.spans if s.label == "abuse"]
    classifier.thresholds["abuse"] = round(score + 0.0001, 4)
    (above,) = classifier.classify([ClassifyInput(MODEL_ONLY_ABUSE)])
    assert "abuse" not in above.flags and not any(s.label == "abuse" for s in above.spans)


def test_model_evidence_from_exactly_the_model_gate(shipped):
    """A model gate equal to the post's probability maps it to exactly 0.5: flagged at threshold 0.5, with model
    evidence (the gate is reached); a gate just above it gives no evidence, even where a lower threshold flags."""
    (p,) = shipped.scorer.predict([MODEL_ONLY_ABUSE])
    reader = copy.copy(shipped)
    reader.gates = {**SHIPPED_GATES, "abuse": float(p[LABELS.index("abuse")])}
    (at,) = reader.classify([ClassifyInput(MODEL_ONLY_ABUSE)])
    assert at.scores["abuse"] == 0.5 and "abuse" in at.flags
    assert {s.source for s in at.spans if s.label == "abuse"} == {"model"}
    reader.gates = {**SHIPPED_GATES, "abuse": float(p[LABELS.index("abuse")]) + 1e-6}
    reader.thresholds = {**shipped.thresholds, "abuse": 0.3}  # still flagged (0.4999...), the gate not reached
    (below,) = reader.classify([ClassifyInput(MODEL_ONLY_ABUSE)])
    assert "abuse" in below.flags and not any(s.label == "abuse" for s in below.spans)


def test_hostile_identity_lifts_identity_to_the_abuse_or_threat_score_only_with_a_mention():
    from classifiers.rules import RuleResult
    from schildwacht.contracts import Span

    scores = {"threat": 0.8, "abuse": 0.6, "gender": 0.02, "doxxing": 0.02, "identity": 0.1}
    mention = Span(start=4, end=15, label="identity", text="Marokkaanse", source="rule:identity_mention")
    plain = RuleResult(scores=scores, spans=[])
    named = RuleResult(scores=scores, spans=[], mentions=[mention])
    assert api.hostile_identity(scores, plain) == scores
    assert api.hostile_identity(scores, named) == {**scores, "identity": 0.8}
    assert api.hostile_identity({**scores, "identity": 0.9}, named)["identity"] == 0.9
    # combine_scores applies it in every mode
    assert api.combine_scores(named, None, "rules")["identity"] == 0.8
    assert api.combine_scores(named, [0.0] * 5, "max", 1.0, {})["identity"] == 0.8


@pytest.mark.parametrize(
    ("text", "flags", "evidence"),
    [
        ("Die Marokkaanse wethouder is een klootzak.", {"abuse", "identity"}, "Marokkaanse"),
        ("Die wethouder is een klootzak.", {"abuse"}, None),
        ("De Marokkaanse wethouder opende vandaag het buurthuis.", set(), None),
    ],
)
def test_an_identity_mention_in_an_abusive_post_flags_identity_with_the_mention_as_evidence(
    rules, text, flags, evidence
):
    (res,) = rules.classify([ClassifyInput(text)])
    assert set(res.flags) == flags
    shown = [s.text for s in res.spans if s.label == "identity"]
    assert shown == ([evidence] if evidence else [])
