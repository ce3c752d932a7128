"""From the message to the classifier: the collector's structured matches become OfficialRefs (names, handles and
where each official stands in the text), and target resolution uses those offsets instead of searching again."""

from __future__ import annotations

import json

from classifiers.api import OfficialRef
from classifiers.target import resolve_target
from classifiers.worker import to_input
from schildwacht.contracts import CollectedMention

TEXT = "Jij daar, @tarik, en wethouder Zoetelief: ik weet waar jullie wonen"


def mention(matches: list[dict], ids: list[str], **extra) -> CollectedMention:
    return CollectedMention(
        platform="mastodon",
        post_id="1",
        url="https://social.example/@troll/1",
        author={"handle": "@troll@toot.example"},
        text=TEXT,
        created_at="2026-11-20T10:00:00Z",
        matched_official_ids=ids,
        matches=matches,
        **extra,
    )


def test_structured_matches_become_refs_with_offsets():
    # offsets counted by hand in TEXT: "Jij daar, " is 10 characters, "@tarik" 6; "wethouder Zoetelief" starts at 21
    m = mention(
        [
            {"official_id": "off-azzouzi", "kind": "reply", "surface": "@tarik@social.example"},
            {"official_id": "off-azzouzi", "kind": "handle", "surface": "@tarik", "start": 10, "end": 16},
            {"official_id": "off-zoetelief", "kind": "role", "surface": "wethouder Zoetelief", "start": 21, "end": 40},
            {"official_id": "off-zoetelief", "kind": "submitted", "surface": "ingediend door a@b.example"},
        ],
        ["off-azzouzi", "off-zoetelief"],
        in_reply_to_official_id="off-azzouzi",
    )
    refs = to_input(m).officials
    assert refs == [
        OfficialRef("off-azzouzi", names=[], handles=["@tarik@social.example", "@tarik"], found_at=[(10, 16)]),
        OfficialRef("off-zoetelief", names=["wethouder Zoetelief"], handles=[], found_at=[(21, 40)]),
    ]
    assert to_input(m).reply_to_official == "off-azzouzi"


def test_version_1_message_gives_refs_without_offsets_so_the_classifier_searches_itself():
    doc = json.loads(mention([], ["off-zoetelief"]).to_bytes())
    del doc["matches"]
    doc.update(schema="schildwacht.mention.collected/1", match_reasons={"off-zoetelief": ["Zoetelief", "@mz"]})
    refs = to_input(CollectedMention.from_bytes(json.dumps(doc).encode())).officials
    assert refs == [OfficialRef("off-zoetelief", names=["Zoetelief"], handles=["@mz"], found_at=None)]


def test_target_follows_the_collectors_offsets_not_the_names():
    # off-2's name comes first in the text, but the collector found off-1 earlier: the offsets decide
    first = OfficialRef("off-1", names=[], handles=[], found_at=[(40, 45), (3, 8)])
    second = OfficialRef("off-2", names=["Jan"], handles=[], found_at=[(20, 23)])
    assert resolve_target("Jan en Piet zeggen iets", [second, first], None) == "off-1"
    # found nowhere in the text (a reply only): no search for its names, the reply rules decide
    replied = OfficialRef("off-3", names=["Piet"], handles=[], found_at=[])
    assert resolve_target("Piet, ga weg", [replied], None) is None
    assert resolve_target("Piet, jij gaat weg", [replied], None) == "off-3"
    # without offsets (CLI, data sets) the names are searched as before
    assert resolve_target("Piet, ga weg", [OfficialRef("off-3", names=["Piet"])], None) == "off-3"
