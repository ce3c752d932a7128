"""Window scoring in `classifiers/api.py`: the strongest reading per label (`strongest`, by hand) and, with the real
shipped model, what it changes for long posts: a threat in the middle is found and its evidence points into its
sentence; harmless, negated and quoted long posts stay unflagged; windows of many posts share one model call."""

from __future__ import annotations

import copy
import math

import pytest

from classifiers import api
from classifiers.api import DEFAULT_MODEL_DIR, ClassifyInput, CombinedClassifier, strongest
from classifiers.textnorm import MODEL_CHAR_LIMIT
from classifiers.windows import Window
from schildwacht.contracts import LABELS

ORDINARY = [
    "Ik woon al twintig jaar in deze wijk en ken hier bijna iedereen.",
    "Op zaterdag is de markt op het plein weer gezellig druk.",
    "De speeltuin bij de basisschool is eindelijk opgeknapt.",
    "Volgende maand is er weer een informatieavond in het buurthuis.",
    "Mijn kleinkinderen spelen daar graag na school.",
    "Iedereen een fijne zondag gewenst.",
]
# a threat the rules do not read (the model alone flags it), so that what is tested is the model's windows
THREAT = "Als ik die Jansen tegenkom dan kan hij zijn tanden bij elkaar rapen."


def probs(**by_label: float) -> list[float]:
    return [by_label.get(lab, 0.0) for lab in LABELS]


def test_strongest_takes_the_highest_damped_reading_per_label():
    whole = probs(threat=0.3, abuse=0.6, gender=0.2, doxxing=0.1)
    windows = [(0, 10), (11, 30), (31, 50)]
    window_probs = [
        probs(threat=0.8, abuse=0.5, gender=0.2, doxxing=0.05),
        probs(threat=0.9, abuse=0.7, gender=0.1, doxxing=0.0),
        probs(threat=0.95, abuse=0.2, gender=0.2, doxxing=0.0),
    ]
    framed = [set(), {"abuse"}, {"threat"}]
    best = strongest(whole, {"threat"}, windows, window_probs, framed, 0.5)
    # threat: whole 0.3 * 0.5 = 0.15, windows 0.8, 0.9, 0.95 * 0.5 = 0.475 -> the second window, 0.9
    # abuse: whole 0.6, windows 0.5, 0.7 * 0.5 = 0.35, 0.2 -> the whole post
    # gender: whole 0.2, windows 0.2, 0.1, 0.2 -> a tie goes to the whole post
    # doxxing: whole 0.1 beats every window
    assert best.probs == pytest.approx([0.9, 0.6, 0.2, 0.1, 0.0])
    assert best.raw == pytest.approx([0.9, 0.6, 0.2, 0.1, 0.0])
    assert best.fired == [(11, 30), None, None, None, None]  # identity: 0 everywhere, the whole post
    damped = strongest(whole, set(), windows[2:], window_probs[2:], [{"threat", "abuse"}], 0.25)
    # threat: 0.95 * 0.25 = 0.2375 < 0.3 of the undamped whole post; the window's raw probability is kept apart
    assert damped.probs == pytest.approx([0.3, 0.6, 0.2, 0.1, 0.0]) and damped.fired == [None] * 5
    tie = strongest(probs(), set(), windows[:2], [probs(threat=0.4), probs(threat=0.4)], [set(), set()], 1.0)
    assert tie.fired[0] == (0, 10)  # between windows the earliest wins
    framed_max = strongest(probs(), set(), windows[:1], [probs(threat=0.8)], [{"threat"}], 0.5)
    assert (framed_max.probs[0], framed_max.raw[0]) == pytest.approx((0.4, 0.8)) and framed_max.fired[0] == (0, 10)
    alone = strongest(whole, {"abuse"}, [], [], [], 0.5)  # no windows: combine_scores' own damping of the whole post
    # a window gate of 0.9: a window counts from 0.9 on (damped value); the whole post always counts
    gated = strongest(whole, set(), windows, window_probs, framed, 0.5, window_gate=0.9)
    # threat: windows 0.8 (< 0.9), 0.9 (counts: exactly the gate), 0.475 -> the second window; abuse 0.6 whole
    assert gated.probs == pytest.approx([0.9, 0.6, 0.2, 0.1, 0.0]) and gated.fired == [(11, 30), None, None, None, None]
    above = strongest(probs(threat=0.1), set(), windows, window_probs, framed, 0.5, window_gate=0.95)
    # threat: no window reaches 0.95 after damping (0.95 * 0.5): the whole post's 0.1 stands
    assert above.probs[0] == pytest.approx(0.1) and above.fired[0] is None
    assert alone.probs == pytest.approx([0.3, 0.3, 0.2, 0.1, 0.0]) and alone.raw == pytest.approx(whole)


def test_model_evidence_jobs_are_grouped_by_the_reading_that_fired():
    best = api.Strongest(probs=[0.9] * 4, raw=[0.9] * 4, fired=[(5, 9), None, (5, 9), (12, 20)])
    assert api._group_by_reading(best, ["threat", "abuse", "gender", "doxxing"]) == [
        ((5, 9), ["threat", "gender"]),
        (None, ["abuse"]),
        ((12, 20), ["doxxing"]),
    ]
    assert api._group_by_reading(best, ["doxxing"]) == [((12, 20), ["doxxing"])]
    assert api._group_by_reading(best, []) == []


@pytest.fixture(scope="module")
def classifier() -> CombinedClassifier:
    return CombinedClassifier(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="module")
def whole_only(classifier) -> CombinedClassifier:
    """The same classifier reading whole posts only (what `windows=False` builds), sharing the loaded model."""
    reader = copy.copy(classifier)
    reader.splitter = None
    return reader


def long_post(middle: str, at: int = 3) -> str:
    return " ".join(ORDINARY[:at] + [middle] + ORDINARY[at:5])


def test_a_threat_in_sentence_four_of_six_is_flagged_with_its_span_in_sentence_four(classifier, whole_only):
    text = long_post(THREAT)
    start = text.index(THREAT)
    (result,) = classifier.classify([ClassifyInput(text)])
    assert "threat" in result.flags
    spans = [s for s in result.spans if s.label == "threat"]
    assert spans and all(start <= s.start < s.end <= start + len(THREAT) for s in spans)
    assert all(text[s.start : s.end] == s.text for s in spans)
    # read whole, the five ordinary sentences dilute it below the threshold: the windows found it
    assert "threat" not in whole_only.classify([ClassifyInput(text)])[0].flags


def test_the_window_gate_decides_whether_a_window_counts(classifier):
    """The threat of sentence four is flagged only through a window (the test above). A window gate equal to that
    window's probability lets it count (from the gate on); the next float above it leaves the whole post, which
    does not flag it."""
    text = long_post(THREAT)
    j = LABELS.index("threat")
    (reading,) = classifier._read(classifier._rule_pass([ClassifyInput(text)]), [[]])
    best = reading.best
    assert best.fired[j] is not None and best.probs[j] >= 0.5  # a window gave the strongest reading
    reader = copy.copy(classifier)
    reader.window_gate = best.probs[j]
    assert "threat" in reader.classify([ClassifyInput(text)])[0].flags
    reader.window_gate = math.nextafter(best.probs[j], 2.0)
    assert "threat" not in reader.classify([ClassifyInput(text)])[0].flags


def test_a_threat_at_the_end_of_a_post_far_beyond_the_model_tokens_is_found(classifier, whole_only):
    filler = " ".join(ORDINARY[k % 5] for k in range(40))  # 2,400 characters, about 600 tokens
    text = f"{filler} {THREAT}"
    assert len(text) < MODEL_CHAR_LIMIT
    (result,) = classifier.classify([ClassifyInput(text)])
    assert "threat" in result.flags
    assert all(s.start >= len(filler) for s in result.spans if s.label == "threat")
    assert "threat" not in whole_only.classify([ClassifyInput(text)])[0].flags


def test_harmless_long_posts_stay_unflagged(classifier):
    posts = [
        " ".join(ORDINARY),
        " ".join(reversed(ORDINARY)),
        long_post("De gemeenteraad heeft gisteren het plan voor de nieuwe fietsbrug helaas weer uitgesteld."),
        long_post("Ik vind het beleid van deze wethouder echt slecht en ik stem de volgende keer anders."),
    ]
    assert [r.flags for r in classifier.classify([ClassifyInput(t) for t in posts])] == [[]] * len(posts)


def test_a_negated_or_quoted_threat_in_a_long_post_stays_unflagged(classifier):
    negated = long_post(
        "Ik zou nooit zeggen dat iemand de wethouder moet vermoorden, want geweld is nooit een oplossing."
    )
    quoted = long_post(
        'Iemand schreef gisteren onder mijn foto: "Ik weet waar je woont. Ik kom je vanavond halen." Walgelijk dat '
        "mensen zo iets durven.",
        at=2,
    )
    results = classifier.classify([ClassifyInput(negated), ClassifyInput(quoted)])
    assert [r.flags for r in results] == [[], []]
    # the second sentence of the quotation, read on its own, is a threat to the model: the windows keep its frame
    assert classifier.scorer.predict(['Ik kom je vanavond halen."'])[0][LABELS.index("threat")] >= 0.5


def test_windows_of_a_batch_share_one_model_call_and_match_one_by_one(classifier, monkeypatch):
    posts = [long_post(THREAT), ORDINARY[0], long_post(THREAT, at=1), " ".join(ORDINARY)]
    alone = [classifier.classify([ClassifyInput(t)])[0] for t in posts]
    calls: list[int] = []
    predict_parts = classifier.scorer.predict_parts

    def counting(texts):
        calls.append(len(texts))
        return predict_parts(texts)

    monkeypatch.setattr(classifier.scorer, "predict_parts", counting)
    together = classifier.classify([ClassifyInput(t) for t in posts])
    windows = sum(len(classifier.splitter.plan(t)) for t in posts)
    assert calls[0] == len(posts) + windows  # whole posts and every window: one call (occlusion may follow)
    assert classifier.splitter.plan(ORDINARY[0]) == []  # a post that fits one window is read whole only
    assert [(r.scores, r.flags, r.spans) for r in together] == [(r.scores, r.flags, r.spans) for r in alone]


def test_windows_false_builds_no_splitter(classifier):
    assert classifier.splitter is not None
    assert CombinedClassifier(DEFAULT_MODEL_DIR, windows=False).splitter is None


RULE_THREAT = "Die wethouder moeten ze gewoon een keer flink in elkaar trappen."


def test_a_frame_of_the_whole_post_that_does_not_hold_near_the_window_does_not_damp_it(classifier, whole_only):
    """A strong news word far away ("politie" in the first sentence) makes the rule layer read the whole post as news
    and suppress the threat in sentence four; read with its neighbours only, the threat stands, so the window is not
    damped. (Two weak news words far apart no longer frame a long post: tests/classifiers/test_rules.py.)"""
    text = " ".join(["De politie stond weer bij de markt.", *ORDINARY[1:3], RULE_THREAT, ORDINARY[3]])
    text += " Vandaag is het gelukkig rustiger."
    whole = classifier.rules.analyze(text)
    assert [h.label for h in whole.suppressed] == ["threat"] and not whole.hits
    assert not any(h.label == "threat" for h in classifier.rules.analyze(RULE_THREAT).suppressed)
    (result,) = classifier.classify([ClassifyInput(text)])
    assert "threat" in result.flags
    start = text.index(RULE_THREAT)
    assert all(start <= s.start < s.end <= start + len(RULE_THREAT) for s in result.spans if s.label == "threat")
    assert "threat" not in whole_only.classify([ClassifyInput(text)])[0].flags


def test_framed_in_counts_a_suppressed_hit_only_where_it_overlaps_the_window(classifier):
    negated = "Ik zou nooit zeggen dat iemand de wethouder moet vermoorden, want geweld is nooit een oplossing."
    text = long_post(negated)
    res = classifier.rules.analyze(text)
    (hit,) = [h for h in res.suppressed if h.label == "threat"]
    context = (0, len(text))

    def framed(start: int, end: int) -> set[str]:
        return classifier._framed_in(text, Window(start, end, *context), res, [])

    assert framed(hit.start, hit.end) == {"threat"}
    assert framed(hit.end - 1, hit.end + 5) == {"threat"}  # the last character of the hit is inside
    assert framed(hit.start - 5, hit.start + 1) == {"threat"}  # the first character of the hit is inside
    assert framed(hit.end, hit.end + 20) == set()  # the window starts right after the hit
    assert framed(hit.start - 20, hit.start) == set()  # the window ends right before it
    # the local read is shifted by the context's start: a context starting at the sentence gives the same verdict
    sentence = text.index(negated)
    local = Window(hit.start, hit.end, sentence, sentence + len(negated))
    assert classifier._framed_in(text, local, res, []) == {"threat"}
    outside = Window(hit.start, hit.end, 0, sentence)  # a context without the hit finds no frame for it
    assert classifier._framed_in(text, outside, res, []) == set()
