"""classifiers/windows.py: sentences, units and windows of a long post, checked against offsets and counts worked out
by hand from the texts below (no model involved)."""

from __future__ import annotations

import pytest

from classifiers.textnorm import MODEL_CHAR_LIMIT
from classifiers.windows import WINDOW_CHARS, Splitter, Window

ORDINARY = [
    "Ik woon al twintig jaar in deze wijk en ken hier bijna iedereen.",
    "Op zaterdag is de markt op het plein weer gezellig druk.",
    "De speeltuin bij de basisschool is eindelijk opgeknapt.",
    "Volgende maand is er weer een informatieavond in het buurthuis.",
    "Mijn kleinkinderen spelen daar graag na school.",
    "Iedereen een fijne zondag gewenst.",
]


@pytest.fixture(scope="module")
def splitter() -> Splitter:
    return Splitter()


def texts(text: str, spans: list[Window]) -> list[str]:
    return [text[w.start : w.end] for w in spans]


def test_sentences_keep_abbreviations_and_end_at_line_breaks(splitter):
    text = "Dhr. Jansen zei o.a. dat het niet kan.  Echt niet!!\nNieuwe regel zonder punt\n\n  Slot?"
    assert texts(text, splitter.sentences(text)) == [
        "Dhr. Jansen zei o.a. dat het niet kan.",
        "Echt niet!!",
        "Nieuwe regel zonder punt",
        "Slot?",
    ]
    assert splitter.sentences("") == [] and splitter.sentences(" \n ") == []


def test_a_sentence_longer_than_the_budget_is_cut_at_clause_marks_then_between_words(splitter):
    text = "Eerst dit stuk, dan een tweede stuk; en tot slot een derde stuk dat langer is dan de rest."
    assert texts(text, splitter.units(text, max_chars=40)) == [
        "Eerst dit stuk, dan een tweede stuk;",  # the last clause mark within 40 characters
        "en tot slot een derde stuk dat langer is",  # no clause mark: the last space within 40 characters
        "dan de rest.",
    ]
    assert texts("x" * 25, splitter.units("x" * 25, max_chars=10)) == ["x" * 10, "x" * 10, "x" * 5]  # one long word


def test_a_post_that_fits_one_window_gets_none(splitter):
    assert splitter.plan("") == []
    assert splitter.plan(" ".join(ORDINARY[:2])) == []  # two sentences, 121 characters
    one_long = "woord " * 60  # one sentence of 359 characters: three units, so windows
    assert splitter.plan(one_long) != []


def test_three_sentences_give_every_sentence_alone_and_every_neighbouring_pair(splitter):
    text = " ".join(ORDINARY[:3])
    a, b, c = ORDINARY[:3]
    assert texts(text, splitter.plan(text)) == [a, b, f"{a} {b}", c, f"{b} {c}"]


def test_windows_cover_a_long_post_end_to_end_within_the_budget(splitter):
    sentences = [f"Zin nummer {k} gaat over de gemeenteraad en de begroting van dit jaar." for k in range(120)]
    text = " ".join(sentences)  # about 8,500 characters: beyond MODEL_CHAR_LIMIT
    plan = splitter.plan(text)
    covered = [False] * len(text)
    for w in plan:
        assert 0 <= w.start < w.end <= MODEL_CHAR_LIMIT and w.end - w.start <= WINDOW_CHARS
        assert w.context_start <= w.start and w.end <= w.context_end
        covered[w.start : w.end] = [True] * (w.end - w.start)
    assert all(covered[k] for k in range(MODEL_CHAR_LIMIT) if not text[k].isspace())
    assert not any(covered[MODEL_CHAR_LIMIT:])
    last_whole = max(k for k, s in enumerate(sentences) if text.index(s) + len(s) <= MODEL_CHAR_LIMIT)
    assert f"Zin nummer {last_whole} " in text[plan[-1].start : plan[-1].end]


def test_a_window_keeps_the_frame_of_the_previous_clause(splitter):
    framed = "Ik zou nooit zeggen, ook niet als grap, dat iemand de wethouder moet vermoorden."
    text = f"{ORDINARY[0]} {framed} {ORDINARY[1]}"
    start = text.index(framed)
    clause = text.index("dat iemand")
    plan = splitter.plan(text, max_chars=90)  # the sentence (81 characters) fits: one unit, frame and all
    holding = [w for w in plan if w.start <= clause < w.end]
    assert holding and all(w.start <= start for w in holding)
    plan = splitter.plan(text, max_chars=70)  # cut after "ook niet als grap,": the clause is a unit of its own
    assert clause in [w.start for w in splitter.units(text, max_chars=70)]
    holding = [w for w in plan if w.start <= clause < w.end]
    # no window starts at the clause: each reaches back into the frame, as far as the 70 characters allow
    assert holding and all(w.start < clause and "niet als grap, dat" in text[w.start : w.end] for w in holding)
    # a whole sentence with a word of saying frames only itself: the next sentence stands alone in a window
    said = f"{ORDINARY[0]} Mijn buurvrouw zegt dat de bus vaak te laat is. {ORDINARY[1]}"
    assert ORDINARY[1] in texts(said, splitter.plan(said))


def test_a_window_never_starts_inside_a_quotation(splitter):
    quoted = 'Iemand schreef onder mijn foto: "Ik weet waar je woont. Ik kom je vanavond halen." Walgelijk.'
    text = f"{ORDINARY[0]} {ORDINARY[1]} {quoted} {ORDINARY[2]}"
    opening = text.index("Iemand schreef")
    inside = text.index("Ik kom je")
    holding = [w for w in splitter.plan(text) if w.start <= inside < w.end]
    assert holding and all(w.start <= opening for w in holding)


def test_offsets_point_into_the_original_text_despite_html_and_surrogates(splitter):
    text = "<b>Eerste zin.</b> Tweede\ud800 zin. Derde zin. Vierde zin."
    plan = splitter.plan(text)
    assert texts(text, plan)[0] == "Eerste zin."  # the tags are blanked, not removed: offsets unchanged
    assert "Tweede\ud800 zin." in texts(text, plan)
