"""Target resolution."""

from __future__ import annotations

from classifiers.api import ClassifyInput, OfficialRef
from classifiers.target import resolve_target


def test_group_vs_second_person(official):
    assert resolve_target("Alle politici moeten dood", [official], None) is None
    assert resolve_target("jij, wethouder, gaat eraan", [official], None) == "off-1"


def test_group_in_reply_is_not_the_official(official):
    assert resolve_target("al die politici zijn zakkenvullers", [official], "off-1") is None
    assert resolve_target("jij bent een zakkenvuller", [official], "off-1") == "off-1"


def test_name_and_handle(official):
    other = OfficialRef(id="off-2", names=["Jan Jansen", "Jansen"], handles=["@janjansen"])
    assert resolve_target("Die De Vries moet weg", [other, official], None) == "off-1"
    assert resolve_target("@annadevries@mastodon.nl ik weet je te vinden", [other, official], None) == "off-1"
    assert resolve_target("@janjansen en de rest", [other, official], None) == "off-2"
    assert resolve_target("de vries", [other, official], None) == "off-1"  # case/diacritics folded


def test_no_officials():
    assert resolve_target("jij gaat eraan", [], None) is None


def test_classify_sets_target(rules, official):
    a, b = rules.classify(
        [
            ClassifyInput("Alle politici moeten dood", [official]),
            ClassifyInput("ik ga je vermoorden, wethouder", [official]),
        ]
    )
    assert "threat" in a.flags and a.target is None
    assert "threat" in b.flags and b.target == "off-1"
