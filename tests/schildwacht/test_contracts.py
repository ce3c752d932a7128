"""Message contract versions: CollectedMention/2 carries structured matches and the page hash; version 1 is still
read (upgraded while validated); inconsistent matches are refused."""

from __future__ import annotations

import json

import pytest

from schildwacht.contracts import (
    COLLECTED_SCHEMA,
    SCORED_SCHEMA,
    CollectedMention,
    ContractError,
    RawPayload,
    ScoredMention,
)

TEXT = "Wethouder Zoetelief en @tarik: ik weet waar jullie wonen"


def v1_mention(**changes) -> dict:
    """A version 1 message as the previous collector wrote it (hand-written, not produced by this code)."""
    doc = {
        "schema": "schildwacht.mention.collected/1",
        "platform": "mastodon",
        "post_id": "1",
        "url": "https://social.example/@troll/1",
        "author": {"id": "9", "handle": "@troll@toot.example", "display_name": None, "profile_url": None},
        "text": TEXT,
        "created_at": "2026-11-20T10:00:00Z",
        "collected_at": "2026-11-20T10:01:00Z",
        "collector": "mastodon",
        "collector_version": "0.1.0",
        "matched_official_ids": ["off-azzouzi", "off-zoetelief"],
        "match_reasons": {
            "off-azzouzi": ["@tarik", "tarikazzouzi.bsky.social"],
            "off-zoetelief": ["ingediend door n.smits@voorbeeld.example", "Wethouder Zoetelief"],
            "off-unmatched": ["Iemand"],
        },
        "in_reply_to_id": None,
        "in_reply_to_official_id": None,
        "thread_id": None,
        "raw": None,
        "text_sha256": "",
    }
    doc.update(changes)
    return doc


def v2_mention(matches: list[dict]) -> dict:
    doc = {k: v for k, v in v1_mention().items() if k != "match_reasons"}
    return {**doc, "schema": COLLECTED_SCHEMA, "matches": matches}


def test_version_1_is_read_and_upgraded_to_version_2():
    mention = CollectedMention.from_bytes(json.dumps(v1_mention()).encode())
    assert [(m.official_id, m.kind, m.surface, m.start, m.end) for m in mention.matches] == [
        ("off-azzouzi", "handle", "@tarik", None, None),
        ("off-azzouzi", "handle", "tarikazzouzi.bsky.social", None, None),
        ("off-zoetelief", "submitted", "ingediend door n.smits@voorbeeld.example", None, None),
        ("off-zoetelief", "name", "Wethouder Zoetelief", None, None),
    ]  # the reason for an official that was not matched is left out, as version 1 readers ignored it
    written = json.loads(mention.to_bytes())
    assert written["schema"] == COLLECTED_SCHEMA and "match_reasons" not in written
    assert CollectedMention.from_bytes(mention.to_bytes()) == mention


def test_scored_version_1_with_a_version_1_mention_is_read():
    doc = {
        "schema": "schildwacht.mention.scored/1",
        "mention": v1_mention(),
        "scores": {"threat": 0.9, "abuse": 0.1, "gender": 0.0, "doxxing": 0.2},
        "flags": ["threat"],
        "spans": [],
        "target_official_id": "off-zoetelief",
        "model": {"name": "m", "version": "1"},
        "scored_at": "2026-11-20T10:02:00Z",
    }
    scored = ScoredMention.from_bytes(json.dumps(doc).encode())
    assert scored.schema_ == SCORED_SCHEMA and scored.mention.schema_ == COLLECTED_SCHEMA
    assert scored.mention.surfaces("off-zoetelief") == [
        "ingediend door n.smits@voorbeeld.example",
        "Wethouder Zoetelief",
    ]


def test_version_2_keeps_offsets_and_refuses_matches_that_do_not_fit():
    good = {"official_id": "off-zoetelief", "kind": "role", "surface": "Wethouder Zoetelief", "start": 0, "end": 19}
    mention = CollectedMention.from_bytes(json.dumps(v2_mention([good])).encode())
    assert mention.text[mention.matches[0].start : mention.matches[0].end] == "Wethouder Zoetelief"
    refused = {
        "offsets elsewhere": ({**good, "start": 1, "end": 20}, "is not at 1..20"),
        "unmatched official": ({**good, "official_id": "off-ander"}, "not in matched_official_ids"),
        "half an offset": ({**good, "end": None}, "both start and end"),
        "unknown kind": ({**good, "kind": "raden"}, "matches.0.kind"),
    }
    for match, reason in refused.values():
        with pytest.raises(ContractError, match=reason):
            CollectedMention.from_bytes(json.dumps(v2_mention([match])).encode())


def test_a_later_version_and_a_malformed_version_1_are_refused():
    with pytest.raises(ContractError, match="schema: Input should be 'schildwacht.mention.collected/2'"):
        CollectedMention.from_bytes(
            json.dumps({**v2_mention([]), "schema": "schildwacht.mention.collected/3"}).encode()
        )
    with pytest.raises(ContractError, match="match_reasons"):
        CollectedMention.from_bytes(json.dumps(v1_mention(match_reasons={"off-zoetelief": "Zoetelief"})).encode())


def test_raw_payload_carries_the_page_hash():
    raw = RawPayload.from_bytes(b'{"id":"1"}', content_type="application/json")
    raw.page_sha256, raw.page_size = "ab" * 32, 1234
    assert RawPayload.model_validate_json(raw.model_dump_json()).page_sha256 == "ab" * 32
    with pytest.raises(ValueError):
        RawPayload.model_validate({**raw.model_dump(), "page_sha256": "niet-hex"})
