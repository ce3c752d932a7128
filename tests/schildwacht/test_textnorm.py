"""schildwacht.textnorm: the one normaliser the collector's matching and the classifier share."""

from __future__ import annotations

import pytest

from schildwacht.textnorm import comparable, fold


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Joëlle ÇELIK", "joelle celik"),
        ("wethouder\u00a0Zoë", "wethouder zoe"),  # a no-break space becomes a plain space
        ("Straße", "straße"),  # one character for one: ß stays
        ("J\u200boëlle", "j\u200boelle"),  # an invisible character keeps its place
    ],
)
def test_fold_is_length_preserving(text, folded):
    assert fold(text) == folded and len(fold(text)) == len(text)


@pytest.mark.parametrize(
    "text, key",
    [
        ("J\u200boëlle", "joelle"),  # zero-width space dropped
        ("Vermeulen-Çelik", "vermeulen-celik"),
        ("ﬁets", "fiets"),  # ligature decomposed
        ("ＪＯＥＬＬＥ", "joelle"),  # full-width letters
        ("Straße", "strasse"),  # case-folded
        ("de\u00adbruijn", "debruijn"),  # soft hyphen dropped
    ],
)
def test_comparable_makes_spellings_equal(text, key):
    assert comparable(text) == key


def test_both_stages_use_this_normaliser():
    from classifiers import target, textnorm
    from collectors import matching

    assert textnorm.fold is fold and target.fold is fold and matching.comparable is comparable
