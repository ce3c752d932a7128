"""The YouTube spider against a local server in YouTube Data API v3 shapes (tests/support/fake_youtube.py): comment
threads of a municipal channel and an official's own channel, pagination and restart, quota units, quota
exhaustion, a refused key, a deleted comment and withdrawal of consent."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import select, update

from collectors.crawl import crawl
from schildwacht.collector_allowance import period, status_lines
from schildwacht.contracts import CollectedMention, DeadLetter
from schildwacht.db import session_scope
from schildwacht.models import MetaComment, Official
from tests.support.fake_youtube import FakeYouTube
from triage.registry.service import withdraw

KEY = "AIzaSy-fictieve-sleutel-0123456789"
MUNICIPAL = "UCgemeente_voorbeeld_raad1"
OWN = "UCwethouder_zoetelief_0001"


def own_channel(db) -> None:
    """Wethouder Zoetelief registers her own channel (a registry field: handles["youtube"])."""
    with session_scope(db) as session:
        official = session.get_one(Official, "off-zoetelief")
        official.handles = {**official.handles, "youtube": [OWN]}


def settings_for(stack, http, **extra):
    return stack.settings.model_copy(
        update={
            "collector_download_delay": 0.0,
            "collector_youtube_api_url": f"{http.base}/youtube/v3",
            "collector_youtube_api_key": SecretStr(KEY),
            "collector_youtube_channels": [MUNICIPAL],
            **extra,
        }
    )


def mentions_on(read_topic, settings) -> list[CollectedMention]:
    return [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]


def lines(db, settings) -> list[str]:
    with session_scope(db) as session:
        return [line.text for line in status_lines(session, settings)]


def _entities(doc) -> list[dict]:
    """Every JSON object in `doc`, at any depth."""
    found = [doc] if isinstance(doc, dict) else []
    for child in doc.values() if isinstance(doc, dict) else doc if isinstance(doc, list) else ():
        found += _entities(child)
    return found


def next_pacific_midnight_nl(now: datetime) -> str:
    """Hand-computed: the next midnight in Los Angeles, as a Dutch clock shows it."""
    la = now.astimezone(ZoneInfo("America/Los_Angeles"))
    midnight = datetime(la.year, la.month, la.day, tzinfo=ZoneInfo("America/Los_Angeles")) + timedelta(days=1)
    nl = midnight.astimezone(ZoneInfo("Europe/Amsterdam"))
    return f"{nl.day}-{nl.month}-{nl.year} {nl:%H:%M}"


def test_youtube_threads_replies_quota_evidence_and_resume(stack, registry_seeded, read_topic, fake_http):
    own_channel(registry_seeded)
    fake = FakeYouTube(fake_http, KEY)
    fake.page_size = 2
    named = fake.thread("kritischekees", MUNICIPAL, "raad2026a", "Wethouder Zoetelief draait om de kosten heen", 300)
    fake.thread("zwemclub", MUNICIPAL, "raad2026a", "Fijn dat het zwembad open blijft", 280)
    answer = fake.reply(named, "waakzameburger", "Azzouzi is net zo erg, allebei weg ermee", 270)
    hostile = fake.thread("waakzameburger", OWN, "vlog17", "Jij gaat hier spijt van krijgen, ik weet je te vinden", 200)
    broken = fake.thread("anoniem", OWN, "vlog17", "wethouder Zoetelief leugenaar", 150)
    del broken["snippet"]["topLevelComment"]["snippet"]["authorChannelId"]
    fake.disabled.add("dichtgezet1")
    settings = settings_for(stack, fake_http, collector_youtube_videos=["dichtgezet1"])

    first = crawl("youtube", settings)

    expected = {f"youtube:{c['id']}" for c in (named, answer, hostile)}
    mentions = mentions_on(read_topic, settings)
    assert Counter(m.uid for m in mentions) == Counter(expected)
    by_uid = {m.uid: m for m in mentions}
    on_own = by_uid[f"youtube:{hostile['id']}"]
    assert on_own.in_reply_to_official_id == "off-zoetelief" and on_own.matched_official_ids == ["off-zoetelief"]
    reply = by_uid[f"youtube:{answer['id']}"]
    assert reply.in_reply_to_id == named["id"] and reply.thread_id == named["id"]
    assert reply.matched_official_ids == ["off-azzouzi"] and reply.author.handle == "@waakzameburger"
    assert reply.url == f"https://www.youtube.com/watch?v=raad2026a&lc={answer['id']}"
    assert first["schildwacht/source_skipped"] == 1  # the video with comments turned off

    served = {hashlib.sha256(body).hexdigest(): json.loads(body) for body in fake_http.served}
    for mention in mentions:
        raw = json.loads(mention.raw.inline_bytes())
        page = served[mention.raw.page_sha256]
        assert raw["id"] == mention.post_id and raw in _entities(page)
        warc = gzip.decompress(mention.raw.warc_bytes())
        assert KEY.encode() not in warc and b"X-Goog-Api-Key: [verwijderd]" in warc
    [letter] = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    assert letter.uid == f"youtube:{broken['id']}" and "reactie onbruikbaar" in letter.reason

    # one quota unit per list call, counted on our side as the server counted them
    assert fake.units == len(fake.asked) == 3  # the municipal channel, her channel, the video without comments
    assert lines(registry_seeded, settings) == [f"YouTube: {fake.units} van 10.000 quota-eenheden vandaag"]

    # a comment is deleted, a new reply arrives under an old thread, a new thread starts: only the new ones follow
    fake.threads.remove(hostile)
    late = fake.reply(named, "zwemclub", "Raadslid De Bruijn, wat vindt u hiervan?", 5)
    newer = fake.thread("kritischekees", OWN, "vlog18", "Wanneer komt de begroting online?", 3)
    second = crawl("youtube", settings)

    assert second["schildwacht/published"] == 2
    uids = Counter(m.uid for m in mentions_on(read_topic, settings))
    assert uids == Counter(expected | {f"youtube:{late['id']}", f"youtube:{newer['id']}"})


def test_youtube_restart_mid_pagination_without_gaps_or_duplicates(stack, registry_seeded, read_topic, fake_http):
    fake = FakeYouTube(fake_http, KEY)
    fake.page_size = 3
    threads = [fake.thread(f"burger{i}", MUNICIPAL, "raad", f"wethouder Azzouzi punt {i}", 100 - i) for i in range(8)]
    fake.script += [("pageToken=00000003", (500, {}, b"down"))] * 4  # first try and the 3 retries
    fake.script.append(("videoId=kapot1", (200, {"Content-Type": "text/html"}, b"<html>Backend Error</html>")))
    settings = settings_for(stack, fake_http, collector_youtube_videos=["kapot1"])

    first = crawl("youtube", settings)
    assert first.get("schildwacht/published", 0) == 0 and mentions_on(read_topic, settings) == []
    [letter] = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    assert "commentThreads onleesbaar: geen geldige JSON (text/html)" in letter.reason and "kapot1" in letter.reason

    second = crawl("youtube", settings)
    assert second["schildwacht/published"] == 8
    uids = Counter(m.uid for m in mentions_on(read_topic, settings))
    assert uids == Counter(f"youtube:{t['id']}" for t in threads)


def test_youtube_quota_exceeded_pauses_until_pacific_midnight(stack, registry_seeded, read_topic, fake_http):
    fake = FakeYouTube(fake_http, KEY, quota=1)
    fake.page_size = 1
    fake.thread("burger1", MUNICIPAL, "raad", "wethouder Azzouzi moet weg", 20)
    fake.thread("burger2", MUNICIPAL, "raad", "wethouder Azzouzi luistert niet", 10)
    settings = settings_for(stack, fake_http)

    first = crawl("youtube", settings)

    assert first["schildwacht/source_paused"] == 1 and len(fake.asked) == 2
    [line] = lines(registry_seeded, settings)
    until = next_pacific_midnight_nl(datetime.now(UTC))
    assert line == (
        "YouTube: 2 van 10.000 quota-eenheden vandaag — gepauzeerd: dagquotum van de YouTube Data API op; "
        f"verder na {until}"
    )
    fake.asked.clear()
    crawl("youtube", settings)
    assert fake.asked == []


def test_youtube_configured_daily_quota_is_never_exceeded(stack, registry_seeded, read_topic, fake_http):
    fake = FakeYouTube(fake_http, KEY)
    fake.page_size = 1
    for i in range(4):
        fake.thread(f"burger{i}", MUNICIPAL, "raad", f"wethouder Azzouzi {i}", 20 - i)
    settings = settings_for(stack, fake_http, collector_youtube_daily_quota=3)

    first = crawl("youtube", settings)

    assert len(fake.asked) == 3 and first["schildwacht/cap_reached"] == 1
    assert first.get("schildwacht/published", 0) == 0  # the walk did not reach its floor: nothing half-published
    until = next_pacific_midnight_nl(datetime.now(UTC))
    assert lines(registry_seeded, settings) == [
        f"YouTube: 3 van 3 quota-eenheden vandaag — op; verzamelen gepauzeerd tot {until}"
    ]
    assert period("youtube", datetime(2026, 12, 7, 7, 59, tzinfo=UTC)) == "2026-12-06"  # 23:59 in Los Angeles


def test_youtube_refused_key_pauses_until_another_key(stack, registry_seeded, read_topic, fake_http):
    fake = FakeYouTube(fake_http, KEY)
    fake.thread("burger1", MUNICIPAL, "raad", "wethouder Azzouzi moet weg", 20)
    wrong = settings_for(stack, fake_http, collector_youtube_api_key=SecretStr("AIza-verkeerd"))

    first = crawl("youtube", wrong)

    assert first["finish_reason"] == "finished" and first["schildwacht/source_paused"] == 1
    [line] = lines(registry_seeded, wrong)
    assert "YouTube weigert de API-sleutel (HTTP 400: badRequest: API key not valid" in line
    fake.asked.clear()
    crawl("youtube", wrong)
    assert fake.asked == []
    right = settings_for(stack, fake_http)
    assert crawl("youtube", right)["schildwacht/published"] == 1


def test_youtube_withdrawal_stops_collection_for_that_official(stack, registry_seeded, read_topic, fake_http):
    own_channel(registry_seeded)
    fake = FakeYouTube(fake_http, KEY)
    fake.thread("burger1", OWN, "vlog1", "Wat een onzin weer", 30)
    settings = settings_for(stack, fake_http)
    crawl("youtube", settings)
    assert len(mentions_on(read_topic, settings)) == 1

    with session_scope(registry_seeded) as session:
        withdraw(session, "off-zoetelief", "test@voorbeeld.example")
    fake.thread("burger2", OWN, "vlog2", "Ik weet waar je woont", 5)
    fake.thread("burger3", MUNICIPAL, "raad", "Marieke Zoetelief moet weg", 4)
    fake.asked.clear()
    after = crawl("youtube", settings)

    assert [q.get("allThreadsRelatedToChannelId") for q in fake.asked] == [MUNICIPAL]
    assert after.get("schildwacht/published", 0) == 0 and len(mentions_on(read_topic, settings)) == 1


def test_municipal_channel_comment_naming_nobody_is_dropped(stack, registry_seeded, read_topic, fake_http):
    """Channels from the settings are read without any official's own channel; a comment naming nobody is dropped."""
    fake = FakeYouTube(fake_http, KEY)
    fake.thread("burger1", MUNICIPAL, "raad", "Mooi weer vandaag", 30)
    with session_scope(registry_seeded) as session:
        session.execute(update(Official).values(handles={}))
    stats = crawl("youtube", settings_for(stack, fake_http))
    assert stats["schildwacht/unmatched"] == 1 and stats.get("schildwacht/published", 0) == 0


def removals(db) -> dict[str, datetime | None]:
    """uid -> removed_at of every recorded YouTube comment."""
    with session_scope(db) as session:
        rows = session.scalars(select(MetaComment).where(MetaComment.uid.startswith("youtube:"))).all()
        return {row.uid: row.removed_at for row in rows}


def test_youtube_deleted_comment_is_recorded_as_removed_once(stack, registry_seeded, read_topic, fake_http):
    fake = FakeYouTube(fake_http, KEY)
    fake.page_size = 2
    named = fake.thread("kritischekees", MUNICIPAL, "raad2026a", "Wethouder Zoetelief draait om de kosten heen", 300)
    answer = fake.reply(named, "waakzameburger", "Azzouzi is net zo erg, allebei weg ermee", 270)
    gone = fake.thread("waakzameburger", MUNICIPAL, "raad2026a", "Zoetelief, ik weet je te vinden", 200)
    kept = fake.thread("zwemclub", MUNICIPAL, "raad2026b", "Wethouder Azzouzi, dank voor het zwembad", 150)
    hidden_reply = fake.reply(kept, "kritischekees", "Zoetelief had dit beloofd", 140)
    settings = settings_for(stack, fake_http)
    crawl("youtube", settings)
    collected = {f"youtube:{c['id']}" for c in (named, answer, gone, kept, hidden_reply)}
    assert removals(registry_seeded) == dict.fromkeys(collected)

    # a reply and a whole thread are deleted; another thread's answer lists fewer replies than it counts
    named["replies"]["comments"].remove(answer)
    named["snippet"]["totalReplyCount"] -= 1
    fake.threads.remove(gone)
    kept["replies"]["comments"].clear()  # totalReplyCount stays 1: not listed is not deleted
    noticed_after = datetime.now(UTC)
    second = crawl("youtube", settings)
    assert second["schildwacht/removed"] == 2
    after = removals(registry_seeded)
    removed = {uid: at for uid, at in after.items() if at is not None}
    assert set(removed) == {f"youtube:{answer['id']}", f"youtube:{gone['id']}"}
    assert all(at >= noticed_after for at in removed.values())
    with session_scope(registry_seeded) as session:
        row = session.get_one(MetaComment, f"youtube:{gone['id']}")
        assert row.removed_via == "poll" and row.details["removed_seen"].endswith("/youtube/v3/commentThreads")

    third = crawl("youtube", settings)
    assert third.get("schildwacht/removed", 0) == 0
    assert removals(registry_seeded) == after
