"""OfficialMatcher on its own (no broker): names, roles, handles, folding, replies, own posts, ranking."""

from __future__ import annotations

import pytest

from collectors.matching import OfficialMatcher
from collectors.registry import OfficialEntry
from schildwacht.textnorm import comparable

JOELLE = OfficialEntry(
    id="off-debruijn",
    full_name="Joëlle de Bruijn",
    role="raadslid",
    handles={"bluesky": ("joelledebruijn.bsky.social",), "x": ("@joelle_dbruijn",)},
    name_variants=("Joelle", "raadslid De Bruijn"),
)
HENDRIK = OfficialEntry(
    id="off-vdm",
    full_name="Hendrik van der Molengraaf",
    role="burgemeester",
    handles={"mastodon": ("@burgemeester@social.voorbeeld.example",)},
    name_variants=("Van der Molengraaf",),
)
TARIK = OfficialEntry(
    id="off-azzouzi",
    full_name="Tarik Azzouzi",
    role="wethouder",
    handles={"mastodon": ("@tarik@social.voorbeeld.example",), "x": ("@TarikAzzouzi",)},
)


def surfaces(result, official_id: str) -> list[str]:
    """The strings that matched `official_id`, without repeats (what version 1 called its match reasons)."""
    return list(dict.fromkeys(m.surface for m in result.matches if m.official_id == official_id))


@pytest.fixture(scope="module")
def matcher() -> OfficialMatcher:
    return OfficialMatcher([JOELLE, HENDRIK, TARIK])


@pytest.mark.parametrize(
    "text, surface",
    [
        ("JOELLE DE BRUIJN moet weg", "JOELLE DE BRUIJN"),
        ("joëlle de bruijn", "joëlle de bruijn"),
        ("J. de Bruijn zei iets", "J. de Bruijn"),
        ("dat zei raadslid de bruijn gisteren", "raadslid de bruijn"),
        ("gemeenteraadslid? nee: wethouder De Bruijn", "wethouder De Bruijn"),
        ("j03lle de bruijn", "j03lle de bruijn"),
        ("Joe\u200blle de Bruijn", "Joe\u200blle de Bruijn"),
    ],
)
def test_name_forms_match_with_exact_surface(matcher, text, surface):
    result = matcher.match(text, "x")
    assert result.official_ids == ["off-debruijn"] and surfaces(result, "off-debruijn") == [surface]


@pytest.mark.parametrize(
    "text",
    [
        "Joelle van de bakker bakt taart",
        "De Bruijn van de voetbal scoorde",
        "de burgemeester van Buurdorp",
        "wethouder Jansen doet het goed",
        "",
    ],
)
def test_bare_first_names_surnames_and_other_officials_do_not_match(matcher, text):
    assert not matcher.match(text, "x")


@pytest.mark.parametrize(
    "text, platform, surface",
    [
        ("@joelle_dbruijn ga weg", "x", "@joelle_dbruijn"),
        ("joelle_dbruijn ga weg", "facebook", "joelle_dbruijn"),
        ("hoi @joelledebruijn.bsky.social.", "bluesky", "@joelledebruijn.bsky.social"),
        ("(@tarik@social.voorbeeld.example)", "x", "@tarik@social.voorbeeld.example"),
        ("@tarik kom uitleggen", "mastodon", "@tarik"),
    ],
)
def test_handles_with_and_without_at_and_instance(matcher, text, platform, surface):
    result = matcher.match(text, platform)
    assert len(result.official_ids) == 1 and surfaces(result, result.official_ids[0]) == [surface]


def test_short_mastodon_handle_only_on_mastodon(matcher):
    assert not matcher.match("@tarik kom uitleggen", "x")


def test_tussenvoegsel_case_and_longest_span(matcher):
    result = matcher.match("Burgemeester van der Molengraaf en daarna Van Der Molengraaf", "x")
    assert result.official_ids == ["off-vdm"]
    assert surfaces(result, "off-vdm") == ["Burgemeester van der Molengraaf", "Van Der Molengraaf"]


def test_reply_to_official_ranks_first_and_sets_reply_target(matcher):
    result = matcher.match("en raadslid De Bruijn ook", "x", author_handle="@troll", in_reply_to_author="@TarikAzzouzi")
    assert result.official_ids == ["off-azzouzi", "off-debruijn"]
    assert result.in_reply_to_official_id == "off-azzouzi"
    assert surfaces(result, "off-azzouzi") == ["@TarikAzzouzi"]


def test_handle_ranks_before_name_and_own_posts_do_not_match_their_author(matcher):
    result = matcher.match("Joëlle de Bruijn en @TarikAzzouzi", "x")
    assert result.official_ids == ["off-azzouzi", "off-debruijn"]
    own = matcher.match("Ik, Joëlle de Bruijn, dank iedereen. Ook @TarikAzzouzi!", "x", author_handle="@Joelle_dBruijn")
    assert own.official_ids == ["off-azzouzi"]
    assert not matcher.match(
        "reactie op mezelf", "x", author_handle="@TarikAzzouzi", in_reply_to_author="@TarikAzzouzi"
    )


def test_submission_puts_named_active_official_first(matcher):
    result = matcher.with_submission(matcher.match("raadslid De Bruijn", "web"), "off-vdm", "ingediend door a@b")
    assert result.official_ids == ["off-vdm", "off-debruijn"]
    assert not matcher.with_submission(matcher.match("niets", "web"), "off-withdrawn", "ingediend door a@b")


def test_comparable_form():
    assert comparable("Vermeulen-Çelik") == "vermeulen-celik" and comparable("JOËLLE") == "joelle"


def test_matches_carry_kind_and_offsets_in_the_original_text(matcher):
    text = "en wethouder De Bruijn ook, zegt @TarikAzzouzi"
    result = matcher.match(text, "x", in_reply_to_author="@TarikAzzouzi")
    found = [(m.official_id, m.kind, m.surface, m.start, m.end) for m in result.matches]
    assert found == [
        ("off-azzouzi", "reply", "@TarikAzzouzi", None, None),
        ("off-azzouzi", "handle", "@TarikAzzouzi", 33, 46),
        ("off-debruijn", "role", "wethouder De Bruijn", 3, 22),
    ]
    invisible = matcher.match("Joe\u200blle de Bruijn!", "x")
    assert [(m.kind, m.start, m.end) for m in invisible.matches] == [("name", 0, 17)]
