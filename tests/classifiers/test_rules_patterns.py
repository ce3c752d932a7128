"""Pattern loading (classifiers/rules/patterns.py): the word lists the Matcher tests natively (lexeme flags) match
exactly the tokens whose lower-case form is in the list, for lexemes that existed before
the attributes were installed and for ones created afterwards; the rewritten Matchers find what the patterns as
written find."""

from __future__ import annotations

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc

from classifiers.rules import RuleEngine
from classifiers.rules.patterns import (
    FREE_FLAGS,
    _in_list,
    build_matchers,
    install_list_attrs,
    pattern_path,
    read_patterns,
)

FAMILIES = ("threat", "abuse", "identity")


def _lists() -> set[frozenset[str]]:
    """Every `LOWER` `IN` word list of the pattern files, read independently of install_list_attrs."""
    out = set()
    for family in FAMILIES:
        for _label, pats, _sel in read_patterns(pattern_path(family)):
            for pat in pats:
                for spec in pat:
                    words = _in_list(spec)
                    if words is not None:
                        out.add(words)
    return out


def _probe_words(lists: set[frozenset[str]]) -> list[str]:
    """All list words, capitalised and upper-case variants, near misses and plain words."""
    words = sorted(set().union(*lists))
    variants = [w for word in words for w in (word, word.capitalize(), word.upper(), word + "x", "x" + word)]
    return variants + ["de", "Amsterdam", "wethouder", "schildwacht", "lijst", "nl", "xxxx", "zzz"]


def test_native_specs_match_exactly_the_list_words():
    lists = _lists()
    nlp = spacy.blank("nl")
    before = _probe_words(lists)[::2]  # half the lexemes exist before the attributes are installed
    for word in before:
        nlp.vocab[word]
    native = install_list_attrs(nlp.vocab, FAMILIES)
    assert len([a for a, _ in native.values() if a.startswith("FLAG")]) == len(FREE_FLAGS)
    assert all(a.startswith("FLAG") and value is True for a, value in native.values())
    words = _probe_words(lists)
    doc = Doc(nlp.vocab, words=words)
    for listed, (attr, value) in native.items():
        matcher = Matcher(nlp.vocab, validate=False)
        matcher.add("L", [[{attr: value}]])
        found = {s for _, s, _ in matcher(doc)}
        expected = {i for i, w in enumerate(words) if w.lower() in listed}
        assert found == expected, (attr, value, sorted(listed)[:5])


def test_rewritten_matchers_find_what_the_written_patterns_find():
    plain_nlp, fast_nlp = spacy.blank("nl"), spacy.blank("nl")
    plain = build_matchers(plain_nlp.vocab, FAMILIES)
    fast = build_matchers(fast_nlp.vocab, FAMILIES, install_list_attrs(fast_nlp.vocab, FAMILIES))
    texts = [
        "ik maak je af vuile rat",
        "Jij bent gewoon een autist en ga terug naar je eigen land",
        "we gaan hem morgen even kapotslaan",
        "die jood Hirsch moet weg, zulke mensen horen hier niet",
        "Bedankt voor uw inzet, wethouder!",
        "Ik hoop dat je doodgaat, kankerhoer",
    ]
    for text in texts:
        for k in (0, 1):  # main and selective Matcher
            want = [(plain_nlp.vocab.strings[m], s, e) for m, s, e in plain[k](plain_nlp.make_doc(text))]
            got = [(fast_nlp.vocab.strings[m], s, e) for m, s, e in fast[k](fast_nlp.make_doc(text))]
            assert got == want, text
    assert any(plain[0](plain_nlp.make_doc(t)) for t in texts)  # the texts do exercise the patterns


def test_engine_still_flags_through_native_lists():
    res = RuleEngine().analyze("Ik maak je af, vuile kankerhoer")
    assert res.scores["threat"] >= 0.5
    assert res.scores["gender"] >= 0.5
