"""The rule layer's family switch (issue #17, ablation): `RuleEngine(disabled_families=...)` removes exactly the hits
of the switched-off family and leaves every other hit, in the same order.

Oracle: per text, the hits each family contributes, written out by hand as (label, rule, covered text). A hit is
named by its covered text too, because two families may give the same (label, rule): "je bent een kutwijf" (abuse,
the whole phrase) and "kutwijf" (gender, the word) are both gender `gendered_slur`."""

from __future__ import annotations

import pytest

from classifiers.rules import FAMILIES, Hit, RuleEngine

Key = tuple[str, str, str]

CASES: dict[str, dict[str, set[Key]]] = {
    "Ik vermoord je, vuile hoer. Ik weet waar je woont: Dorpsstraat 12, 1234 AB.": {
        "threat": {("threat", "violence_verb", "vermoord")},
        "gender": {
            ("gender", "gendered_slur", "hoer"),
            ("abuse", "gendered_slur", "hoer"),
            ("abuse", "demeaning", "hoer"),  # every gender or identity hit is abuse too
        },
        "doxxing": {
            ("doxxing", "we_know_where", "weet waar je woont"),
            ("threat", "we_know_where", "weet waar je woont"),
            ("doxxing", "postcode", "1234 AB"),
            ("doxxing", "street_address", "Dorpsstraat 12"),
            # "weet" alone does not turn published data into a threat (we_know_where does); the harm beside the data
            # does (the fourteenth data round): "vermoord" is a DOX_MENACE word
            ("threat", "dox_intimidation", "vermoord"),
        },
    },
    "Jij bent een klootzak en een kutmarokkaan, ga terug naar je eigen land.": {
        "abuse": {("abuse", "you_are_insult", "Jij bent een klootzak"), ("abuse", "insult", "klootzak")},
        "identity": {
            ("identity", "identity_slur", "kutmarokkaan"),
            ("abuse", "identity_slur", "kutmarokkaan"),
            ("identity", "identity_go_back", "terug naar je eigen land"),
            ("identity", "identity_go_back", "ga terug naar je eigen land"),
            ("abuse", "demeaning", "kutmarokkaan"),
            ("abuse", "demeaning", "terug naar je eigen land"),
            ("abuse", "demeaning", "ga terug naar je eigen land"),
        },
    },
    "Vrouwen horen achter het aanrecht, vieze flikker.": {
        "gender": {
            ("gender", "gender_role", "achter het aanrecht"),
            ("gender", "women_group_hate", "Vrouwen"),
            # no "demeaning" abuse: no person is in view (no addressee, role word or official)
        },
        "identity": {
            ("identity", "identity_slur_modified", "vieze flikker"),
            ("identity", "identity_slur", "flikker"),
            ("abuse", "identity_slur", "flikker"),
        },
    },
    "wethouder, je bent een kutwijf en een vuile syriër en ik steek je neer": {
        "abuse": {
            ("abuse", "you_are_insult", "je bent een kutwijf"),
            ("gender", "gendered_slur", "je bent een kutwijf"),
            ("abuse", "demeaning", "je bent een kutwijf"),  # follows the abuse family's own gender hit
        },
        "threat": {("threat", "threat_separable", "steek je neer"), ("threat", "threat_wild_sep", "steek je neer")},
        "gender": {
            ("gender", "gendered_slur", "kutwijf"),
            ("abuse", "gendered_slur", "kutwijf"),
            ("abuse", "demeaning", "kutwijf"),
        },
        "identity": {("identity", "identity_slur_modified", "vuile syriër"), ("abuse", "demeaning", "vuile syriër")},
    },
}


@pytest.fixture(scope="module")
def engines() -> dict[str, RuleEngine]:
    """One engine with every family, one per family switched off."""
    out = {"": RuleEngine()}
    for family in FAMILIES:
        out[family] = RuleEngine(disabled_families=frozenset({family}))
    return out


def _key(h: Hit, text: str) -> Key:
    return (h.label, h.rule, text[h.start : h.end])


def test_the_families_are_the_documented_five():
    assert FAMILIES == ("threat", "abuse", "gender", "doxxing", "identity")


@pytest.mark.parametrize("text", sorted(CASES))
def test_every_hit_comes_from_exactly_the_families_written_out(engines, text):
    got = [_key(h, text) for h in engines[""].analyze(text).hits]
    expected = set().union(*CASES[text].values())
    assert set(got) == expected
    assert len(got) == len(expected)  # no hit twice


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("text", sorted(CASES))
def test_switching_a_family_off_removes_exactly_its_hits(engines, text, family):
    full = engines[""].analyze(text)
    off = engines[family].analyze(text)
    own = CASES[text].get(family, set())
    assert off.hits == [h for h in full.hits if _key(h, text) not in own]
    assert not [h for h in off.suppressed if _key(h, text) in own]
    labels_left = {h.label for h in off.hits}
    for label in {lab for lab, _, _ in own} - labels_left:
        assert off.scores[label] == 0.02  # nothing else supports that label any more


def test_an_unknown_family_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown rule families \\['threats'\\]"):
        RuleEngine(disabled_families=frozenset({"threats"}))
