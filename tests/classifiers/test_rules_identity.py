"""The rule layer's `identity` family (issue #17): identity-based hate aimed at the official (origin, religion, skin
colour, sexual orientation, gender identity, disability), with the negation / quote / news / counter-speech frames.

Oracles: hand-written texts with the rule and the words each must flag (or must not), and the labels of the
five-label reply files for precision and recall against floors derived from those files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.rules import RuleEngine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine()


@pytest.fixture(scope="module")
def identity_only() -> RuleEngine:
    return RuleEngine(disabled_families=frozenset({"threat", "abuse", "gender", "doxxing"}))


POSITIVES = [
    ("Vuile syriër, ga terug naar je eigen land.", "identity_slur_modified", "Vuile syriër"),
    ("Vuile syriër, ga terug naar je eigen land.", "identity_go_back", "terug naar je eigen land"),
    ("Moslims zoals jij horen niet in de gemeenteraad.", "identity_like_you", "Moslims zoals jij"),
    ("@wethouder_wiersma jij bent gewoon een autist", "identity_you_are", "jij bent gewoon een autist"),
    ("Geitenneuker", "identity_slur", "Geitenneuker"),
    ("Je bent en blijft een man, ook in een jurk.", "identity_misgender", "blijft een man"),
    # fourth data round: a slur that is also an ordinary word, said of someone and ending its phrase; more slurs
    ("Raadslid Sjoerdsma is een pot. Dat verklaart alles.", "identity_slur", "pot"),
    ("Wethouder Doekhie is gewoon een koelie die onze banen pikt", "identity_slur", "koelie"),
    ("kijk die wethouder weer praten 🐒", "identity_slur", "🐒"),
    ("@raadslid_fernandes ga terug naar je tropische eiland", "identity_go_back", "terug naar je tropische eiland"),
    ("Die burgemeester moet gewoon terug het schip op.", "identity_go_back", "terug het schip op"),
    ("@wethouder_sahin hoofddoek af of opzouten", "identity_symbol", "hoofddoek af of"),
    # "niks te zeggen hebben" is having a say: no speech frame around the hit
    (
        "Ga terug naar je eigen land @wethouder_Benali, hier heb jij niks te zeggen",
        "identity_go_back",
        "terug naar je eigen land",
    ),
]

NEGATIVES = [
    "Discriminatie van moslims is onacceptabel.",  # counter-speech naming the group
    "Wethouder El Amrani opent vrijdag de nieuwe moskee in Gouda.",
    "Gemeenteraad neemt motie aan tegen moslimhaat na bedreigingen aan raadslid Bouzid",  # news
    "Flikker toch op met je parkeerbeleid, wethouder.",  # the verb: abuse, not a slur
    "Ik ben zelf moslim en trots op mijn geloof.",  # the official about their own identity
    "De burgemeester zette een pot koffie voor de insprekers.",  # the word, not the slur: the phrase goes on
    "Mijn nicht zit ook in de raad, ze is wethouder in Zwolle.",  # a relative: no aiming word
    "De wethouder ging na het werkbezoek terug naar het eiland.",  # Texel: no possessive, no identity
    "Na de vergadering ging de burgemeester terug naar zijn eiland.",  # his own island
    "De wethouder gaat met zijn familie naar Turkije op vakantie.",
    "De vissers moeten terug hun boot in, zegt de burgemeester.",
    "Thuis doet mijn moeder haar hoofddoek af.",
    "De wethouder zette een pot op tafel.",
    "De wethouder heeft een nicht die in Zwolle woont.",
    "Mijn Turkse nicht komt morgen op bezoek bij de wethouder.",
    "Wethouder, onze kat Zwartje is al drie dagen zoek.",
]

FRAMED = [
    # a quotation reported with indignation, and counter-speech about a slur: kept as suppressed hits
    ("'Ga terug naar je eigen land' kreeg wethouder Youssef gisteren in zijn DM's. Schandalig.", "identity_go_back"),
    ("Iemand 'vuile syriër' noemen is racisme en dat is walgelijk.", "identity_slur_modified"),
    # the same words in praise
    ("Homoseksuelen zoals jij zijn geweldig.", "identity_like_you"),
]


@pytest.mark.parametrize(("text", "rule", "words"), POSITIVES)
def test_identity_hate_is_flagged_on_the_words_that_carry_it(engine, text, rule, words):
    res = engine.analyze(text)
    hits = [h for h in res.hits if h.rule == rule and h.label == "identity"]
    assert words in [text[h.start : h.end] for h in hits]
    assert res.scores["identity"] >= 0.7
    # the spans shown to moderators point at the text and cover the flagged words
    spans = [s for s in res.spans if s.label == "identity"]
    assert spans and all(s.text == text[s.start : s.end] for s in spans)
    start = text.index(words)
    assert any(s.start <= start and start + len(words) <= s.end for s in spans)


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_identity_hit_where_there_is_no_identity_hate(engine, text):
    res = engine.analyze(text)
    assert [h for h in res.hits if h.label == "identity"] == []
    assert res.scores["identity"] <= 0.1


@pytest.mark.parametrize(("text", "rule"), FRAMED)
def test_quoted_counter_and_supportive_speech_is_suppressed(engine, text, rule):
    res = engine.analyze(text)
    assert [h for h in res.hits if h.label == "identity"] == []
    assert rule in {h.rule for h in res.suppressed if h.label == "identity"}
    assert res.scores["identity"] == 0.1


def test_every_identity_family_hit_carries_the_identity_label_and_an_aimed_slur_also_abuse(identity_only):
    texts = [t for t, _, _ in POSITIVES] + NEGATIVES + [t for t, _ in FRAMED]
    slurs = 0
    for text in texts:
        res = identity_only.analyze(text)
        assert all(h.rule.startswith("identity_") or h.rule == "demeaning" for h in res.hits + res.suppressed)
        assert {h.label for h in res.hits + res.suppressed} <= {"identity", "abuse"}
        for found in (res.hits, res.suppressed):  # abuse only as the twin of an identity slur, in the same frame
            identity = {(h.start, h.end, h.rule) for h in found if h.label == "identity"}
            abuse = {(h.start, h.end, h.rule) for h in found if h.label != "identity" and h.rule != "demeaning"}
            assert abuse == {k for k in identity if k[2] == "identity_slur"}, text
            slurs += len(abuse)
            # and as "demeaning" only beside an identity hit that stands (a suppressed one makes none)
            demeaning = {(h.start, h.end) for h in found if h.rule == "demeaning"}
            assert demeaning <= ({(a, b) for a, b, _ in identity} if found is res.hits else set()), text
    assert slurs > 0


def _five_label_rows() -> list[dict]:
    rows = []
    for folder in ("replies", "replies_pending"):
        for path in sorted((ROOT / "training" / folder).glob("*.jsonl")):
            lines = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
            if lines and "identity" in lines[0]["labels"]:
                rows += lines
    return rows


def test_precision_and_recall_on_the_five_label_reply_files(identity_only):
    rows = _five_label_rows()
    assert len(rows) >= 3000  # x_identity, y_dehuman, z_longdialect, aa_groups, ab_dialects, ac_mixed
    truth = [bool(r["labels"]["identity"]) for r in rows]
    pred = [any(h.label == "identity" for h in identity_only.analyze(r["text"]).hits) for r in rows]
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    precision, recall = tp / max(1, sum(pred)), tp / sum(truth)
    base_rate = sum(truth) / len(rows)  # the precision of flagging at random
    assert precision >= max(0.9, 4 * base_rate)
    # a rule layer is for the explicit cases: it must find a third of them, the rest is the model's job
    assert recall >= 1 / 3


@pytest.mark.parametrize(
    ("text", "mentioned"),
    [
        ("Die Marokkaanse wethouder is een klootzak.", ["Marokkaanse"]),
        ("Ik heb niks tegen moslims, maar deze burgemeester moet weg.", ["moslims"]),
        ("Dat azc komt er niet, wat een onzin van de gemeente.", []),  # a topic, not a person
        ("'Vuile homo' riep hij naar de wethouder, meldt de politie.", []),  # news and quotation frame it
        ("Die zwarte wethouder moet weg.", ["zwarte"]),  # an adjective before a person noun
        ("Jij staat op de zwarte lijst, wethouder.", []),  # ... not before a thing
        ("De joodse begraafplaats ligt er verwaarloosd bij.", []),
        ("Die wethouder is doof voor kritiek.", []),  # a word mostly used in another sense (identity_topics.txt)
        ("Wat ben jij een vuile moslim zeg.", ["moslim"]),  # a verb of saying does not frame it
        ("Die joodse rat in de raad weer.", ["joodse"]),  # an adjective before an insult or vermin word
        ("Jij met je hoofddoek hoort niet in het college, wethouder.", ["hoofddoek"]),  # an identity cue
        ("Ben je blind of zo, wethouder?", []),  # "blind" is left out of the cues: mostly an insult's other sense
        ("Die idioten doen niks aan de zwarte schimmel in onze flat.", []),  # mould names no one
        ("Die idioten doen niks tegen de zwarte ratten bij de containers.", []),  # animals, plural
        ("De gemeente geeft de tunnel een kleurtje, wat een sukkels.", []),
        ("Die kneus maakt van het plein een stenen woestijn, met een rolstoel kom je er niet over.", []),
    ],
)
def test_identity_mentions_are_the_unframed_words_that_describe_a_person(engine, text, mentioned):
    res = engine.analyze(text)
    assert [s.text for s in res.mentions] == mentioned
    assert all(s.label == "identity" and s.source == "rule:identity_mention" for s in res.mentions)
    assert not any(h.rule == "identity_mention" for h in res.hits)  # a mention is no hit: it scores nothing
