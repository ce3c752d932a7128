"""The replay spider end to end: demo JSONL -> matching -> real Tansu broker (raw + dead-letter topics)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

from sqlalchemy import update
from warcio.archiveiterator import ArchiveIterator

from collectors.replay import run_replay
from schildwacht.contracts import CollectedMention, DeadLetter
from schildwacht.db import session_scope
from schildwacht.models import Official

DEMO = Path(__file__).resolve().parents[2] / "schildwacht" / "app" / "demo" / "posts.jsonl"

BAD_LINES = [
    b'{"platform": "x", "post_id": "broken-json", "text": "wethouder Zoetelief',  # truncated JSON
    b'{"platform": "x", "post_id": "bad-utf8", "text": "wethouder Zoetelief \xff\xfe"}',  # invalid UTF-8
    json.dumps(
        {
            "platform": "x",
            "post_id": "no-author",
            "url": "https://x.example/1",
            "created_at": "2026-11-20T10:00:00Z",
            "text": "wethouder Zoetelief",
        }
    ).encode(),
    b"<html><body>502 Bad Gateway</body></html>",  # HTML, not JSON
]


def _sample(tmp_path: Path, extra: list[bytes]) -> tuple[Path, list[bytes]]:
    lines = [line for line in DEMO.read_bytes().splitlines() if line.strip()]
    path = tmp_path / "sample.jsonl"
    path.write_bytes(b"\n".join(lines[:80] + extra + lines[80:]) + b"\n\n")
    return path, lines


def test_replay_demo_publishes_only_consenting_mentions_and_parks_bad_lines(
    stack, registry_seeded, read_topic, tmp_path
):
    settings = stack.settings.model_copy(update={"collector_max_bytes": 4096})
    giant = json.dumps(
        {
            "platform": "x",
            "post_id": "giant",
            "url": "https://x.example/g",
            "author": "@g",
            "created_at": "2026-11-20T10:00:00Z",
            "text": "Zoetelief " * 800,
        }
    ).encode()
    path, lines = _sample(tmp_path, BAD_LINES + [giant])

    stats = run_replay(path, settings)

    assert stats.posts == len(lines) + 5
    assert stats.parked == 5
    assert stats.published + stats.unmatched + stats.parked == stats.posts
    assert 0 < stats.unmatched < len(lines) and 0 < stats.published < len(lines)
    published = set(stats.published_uids)
    # named with role, handle, lower case without diacritics, reply to an official's post
    for uid in (
        "x:1861260218888276302",
        "mastodon:113573698327967496",
        "bluesky:3mlmrfz3np4ie",
        "x:1861216541178230720",
        "mastodon:113538865555321369",
    ):
        assert uid in published, uid
    # bare first names, an unregistered wethouder, the withdrawn official, an official's own post
    for uid in (
        "facebook:pfbid0NDTzM196Lc7j04bhwkSEtdftQgF8iZ",
        "x:1861281757599113454",
        "x:1861209671715852762",
        "bluesky:3mt6i5dmdmj6r",
        "facebook:pfbid0dDSUSTUA7wHbhZ7WfRp9YYbzXjcjLn",
        "mastodon:113502955452240144",
        "x:1861277999178401704",
    ):
        assert uid not in published, uid

    records = read_topic(settings, settings.topic_raw)
    mentions = {m.uid: (r, m) for r in records for m in [CollectedMention.from_bytes(r.value)]}
    assert set(mentions) == published and len(records) == stats.published
    by_uid = {json.loads(line)["platform"] + ":" + json.loads(line)["post_id"]: line for line in lines}
    for uid, (record, mention) in mentions.items():
        assert record.key == uid.encode() and uid in by_uid  # raw topic keyed by the post: platform:post_id
        assert "off-dijkhuizen" not in mention.matched_official_ids
        line = by_uid[uid]
        assert mention.raw.inline_bytes() == line
        assert mention.raw.sha256 == hashlib.sha256(line).hexdigest()
        warc = base64.b64decode(mention.raw.warc_b64)
        assert mention.raw.warc_sha256 == hashlib.sha256(warc).hexdigest()
        contents = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(warc))]
        assert contents == [("resource", line)]

    reply = mentions["x:1861216541178230720"][1]
    assert reply.in_reply_to_official_id == "off-zoetelief" and reply.thread_id == "1861277999178401704"
    diacritics = mentions["facebook:pfbid0iU20fQpLbvRAQbLbs5WpYiNoPF6gnn"][1]
    assert [(m.official_id, m.kind, m.surface) for m in diacritics.matches] == [
        ("off-vermeulen", "name", "Inge Vermeulen-Celik")
    ]
    several = mentions["x:1861249419358219485"][1]
    assert several.matched_official_ids == ["off-vandermolengraaf", "off-zoetelief", "off-azzouzi"]

    letters = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    reasons = " | ".join(sorted(letter.reason for letter in letters))
    assert len(letters) == 5
    for expected in ("ongeldige JSON", "ongeldige UTF-8", "veld author", "groter dan de limiet"):
        assert expected in reasons
    assert "x:bad-utf8" in stats.parked_uids and "x:no-author" in stats.parked_uids


def test_withdrawn_consent_stops_publication_on_next_run(stack, registry_seeded, read_topic, tmp_path):
    lines = [line for line in DEMO.read_bytes().splitlines() if b"Zoetelief" in line or b"Azzouzi" in line]
    path = tmp_path / "few.jsonl"
    path.write_bytes(b"\n".join(lines[:12]) + b"\n")

    first = run_replay(path, stack.settings)
    with session_scope(registry_seeded) as session:
        session.execute(update(Official).where(Official.id == "off-zoetelief").values(status="withdrawn"))
    second = run_replay(path, stack.settings)

    mentions = [CollectedMention.from_bytes(r.value) for r in read_topic(stack.settings, stack.settings.topic_raw)]
    assert len(mentions) == first.published + second.published
    assert second.published < first.published
    later = [m for m in mentions if m.uid in second.published_uids]
    assert all("off-zoetelief" not in m.matched_official_ids for m in later)
    assert any("off-zoetelief" in m.matched_official_ids for m in mentions)
