"""classifiers.textnorm: the rule layer's views of a text keep every character in its place."""

from __future__ import annotations

import pytest

from classifiers.textnorm import unseparate, views


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("een k-o-g-e-l", "een k o g e l"),
        ("k.o.g.e.l. nu", "k o g e l  nu"),
        ("d*o*o*d", "d o o d"),
        ("d.w.z. dat", "d.w.z. dat"),  # three letters: an abbreviation
        ("mail a.b.c.d@voorbeeld.nl", "mail a.b.c.d@voorbeeld.nl"),  # an address
        ("www.a.b.c.d.nl", "www.a.b.c.d.nl"),  # touches a word
        ("06-1-2-3-4", "06-1-2-3-4"),  # digits
        ("k-o.g-e", "k-o.g-e"),  # mixed separators
    ],
)
def test_unseparate_spaces_letters_spelled_out_with_one_separator_and_keeps_the_length(text, expected):
    assert unseparate(text) == expected and len(unseparate(text)) == len(text)


def test_the_rule_view_reads_spelled_out_letters_and_leetspeak_at_the_same_offsets():
    text = "Wethouder, k-0-g-e-l of k.o.g.e.l. voor j0u"
    clean, folded, view = views(text)
    assert len(clean) == len(folded) == len(view) == len(text)
    assert view == "wethouder, k-0-g-e-l of k o g e l  voor jou"
