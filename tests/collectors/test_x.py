"""The X spider against a local server in X API v2 shapes (schildwacht/app/demo/fake_x.py): recent search per
official, conversations of the officials' own posts, pagination and restart, rate limits, a revoked token, the
monthly cap, a deleted post and withdrawal of consent."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from collectors.crawl import crawl
from collectors.state import CursorStore
from schildwacht.app.demo.fake_x import DEMO_DATA, SEARCH_PATH, FakeX
from schildwacht.app.demo_x import DEMO_TOKEN, with_demo_x
from schildwacht.collector_allowance import period, status_lines
from schildwacht.contracts import CollectedMention, DeadLetter
from schildwacht.db import session_scope
from schildwacht.models import MetaComment
from tests.support.waiting import wait_for
from triage.registry.service import withdraw

TOKEN = "AAAA-organisatie-bearer-token-123"


@pytest.fixture
def fake_x():
    fake = FakeX(token=TOKEN)
    fake.serve()
    yield fake
    fake.close()


def people(fake: FakeX) -> dict[str, dict[str, str]]:
    return {
        "zoetelief": fake.user("11", "MariekeZoetelief", "Marieke Zoetelief"),
        "azzouzi": fake.user("12", "TarikAzzouzi", "Tarik Azzouzi"),
        "troll": fake.user("21", "WaakzameBurger77", "Waakzame Burger"),
        "kees": fake.user("22", "kritischekees", "Kees"),
    }


def settings_for(stack, fake: FakeX, **extra):
    return stack.settings.model_copy(
        update={
            "collector_download_delay": 0.0,
            "collector_x_api_url": fake.base,
            "collector_x_bearer_token": SecretStr(TOKEN),
            **extra,
        }
    )


def mentions_on(read_topic, settings) -> list[CollectedMention]:
    return [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]


def searches(fake: FakeX) -> list[dict[str, str]]:
    return [params for path, params, _ in fake.requests if path == SEARCH_PATH]


def lines(db, settings) -> list[str]:
    with session_scope(db) as session:
        return [line.text for line in status_lines(session, settings)]


def test_x_mentions_conversation_replies_evidence_and_resume(stack, registry_seeded, read_topic, fake_x):
    who = people(fake_x)
    own = fake_x.post(who["zoetelief"], "Vanavond bespreekt de raad het zwembad.", 300)
    threat = fake_x.post(who["troll"], "Jij gaat hier spijt van krijgen, ik weet waar je woont.", 250, reply_to=own)
    named = fake_x.post(who["kees"], "Wethouder Zoetelief beloofde iets anders over de kosten.", 200)
    handle = fake_x.post(who["troll"], "@TarikAzzouzi jij bent een schande voor de raad", 150)
    ignored = fake_x.post(who["kees"], "Ruud Dijkhuizen (Noorderland) houdt vanavond een lezing", 120)
    broken = fake_x.post(who["troll"], "Marieke Zoetelief moet weg", 100)
    del broken["author_id"]
    settings = settings_for(stack, fake_x)

    first = crawl("x", settings)

    expected = {f"x:{t['id']}" for t in (threat, named, handle)}
    mentions = mentions_on(read_topic, settings)
    assert Counter(m.uid for m in mentions) == Counter(expected)
    assert first["schildwacht/published"] == len(expected)
    by_uid = {m.uid: m for m in mentions}
    reply = by_uid[f"x:{threat['id']}"]
    assert reply.in_reply_to_official_id == "off-zoetelief" and reply.matched_official_ids == ["off-zoetelief"]
    assert reply.thread_id == own["id"] and reply.in_reply_to_id == own["id"]
    assert reply.author.handle == "@WaakzameBurger77" and reply.url.endswith(f"/WaakzameBurger77/status/{threat['id']}")
    assert by_uid[f"x:{handle['id']}"].surfaces("off-azzouzi") == ["@TarikAzzouzi"]

    asked = searches(fake_x)
    queries = {params["query"] for params in asked}
    assert f"conversation_id:{own['id']}" in queries and "from:MariekeZoetelief -is:retweet" in queries
    assert not [q for q in queries if "Dijkhuizen" in q or "RuudDijkhuizen" in q]  # consent withdrawn
    assert f"x:{ignored['id']}" not in by_uid
    assert all(headers.get("Authorization") == f"Bearer {TOKEN}" for _, _, headers in fake_x.requests)

    served = {hashlib.sha256(body).hexdigest(): json.loads(body) for body in fake_x.served}
    for mention in mentions:  # each post its own JSON; the page only by its hash
        raw = json.loads(mention.raw.inline_bytes())
        assert raw == fake_x.tweets[mention.post_id] and raw in served[mention.raw.page_sha256]["data"]
        warc = base64.b64decode(mention.raw.warc_b64)
        assert TOKEN.encode() not in warc
        heads = {r.rec_type: r.http_headers for r in ArchiveIterator(io.BytesIO(warc))}
        assert heads["request"].get_header("Authorization") == "[verwijderd]"

    [letter] = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    assert letter.uid == f"x:{broken['id']}" and "post onbruikbaar" in letter.reason

    # every post X returned counts against the monthly cap: the server's own count of what it sent
    returned = sum(len(body.get("data", [])) for body in served.values())
    assert returned >= len(expected) + 1
    assert lines(registry_seeded, settings) == [f"X: {returned} van 10.000 berichten deze maand"]

    # the official deletes her post; a new reply still arrives in the conversation, and only new posts follow
    fake_x.delete(own["id"])
    late = fake_x.post(who["troll"], "Je bent nergens veilig.", 10, reply_to=own)
    newer = fake_x.post(who["kees"], "Weer een uitspraak van wethouder Zoetelief", 5)
    fake_x.requests.clear()
    second = crawl("x", settings)

    assert second["schildwacht/published"] == 2 and second["schildwacht/deleted"] == 1
    again = {params["query"]: params for params in searches(fake_x)}
    assert again[f"conversation_id:{own['id']}"]["since_id"] == threat["id"]
    uids = Counter(m.uid for m in mentions_on(read_topic, settings))
    assert uids == Counter(expected | {f"x:{late['id']}", f"x:{newer['id']}"})
    gone = {m.uid: m for m in mentions_on(read_topic, settings)}[f"x:{late['id']}"]
    assert gone.in_reply_to_official_id == "off-zoetelief" and gone.in_reply_to_id == own["id"]


def test_x_restart_mid_pagination_without_gaps_or_duplicates(stack, registry_seeded, read_topic, fake_x):
    who = people(fake_x)
    hits = [fake_x.post(who["kees"], f"Tarik Azzouzi, vraag {i} over de begroting", 200 - i, seq=i) for i in range(25)]
    fake_x.page_size = 10
    # the second page (offset 10) keeps failing during the first run: the first try and all 3 retries
    fake_x.script += [("next_token=0000000000000010", (500, {}, b"down"))] * 4
    settings = settings_for(stack, fake_x)
    query = '(@TarikAzzouzi OR "Tarik Azzouzi" OR "wethouder Azzouzi" OR "Azzouzi" OR "T. Azzouzi") -is:retweet'
    key = f"x:search:{query.lower()}"

    first = crawl("x", settings)
    store = CursorStore.for_settings(settings)
    try:
        state = json.loads(store.get(key) or "{}")
    finally:
        store.close()
    oldest_first = sorted(hits, key=lambda t: int(t["id"]))
    assert first["schildwacht/published"] == 10
    assert state["below"] == oldest_first[-10]["id"] and state["top"] == oldest_first[-1]["id"]

    fake_x.requests.clear()
    second = crawl("x", settings)

    resumed = [p for p in searches(fake_x) if p["query"].startswith("(@TarikAzzouzi")]
    assert resumed[0]["until_id"] == oldest_first[-10]["id"] and "since_id" not in resumed[0]
    assert second["schildwacht/published"] == 15
    uids = Counter(m.uid for m in mentions_on(read_topic, settings))
    assert uids == Counter(f"x:{t['id']}" for t in hits)

    newer = fake_x.post(who["kees"], "Tarik Azzouzi, nog een vraag", 1)
    fake_x.requests.clear()
    third = crawl("x", settings)
    asked = next(p for p in searches(fake_x) if p["query"].startswith("(@TarikAzzouzi"))
    assert asked["since_id"] == oldest_first[-1]["id"] and "until_id" not in asked
    assert third["schildwacht/published"] == 1
    uids = Counter(m.uid for m in mentions_on(read_topic, settings))
    assert uids == Counter(f"x:{t['id']}" for t in [*hits, newer])


def test_x_429_waits_for_the_reset_and_a_far_reset_pauses_the_source(stack, registry_seeded, read_topic, fake_x):
    who = people(fake_x)
    hit = fake_x.post(who["troll"], "Tarik Azzouzi liegt", 30)
    soon = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()) + 1)}
    fake_x.script.append(("query=(@TarikAzzouzi", (429, soon, b'{"title":"Too Many Requests"}')))
    fake_x.script.append(("query=(@FennaHoekstra", (200, {"Content-Type": "text/html"}, b"<html>Bad gateway</html>")))
    settings = settings_for(stack, fake_x)

    first = crawl("x", settings)
    [letter] = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    assert (
        "zoekresultaat onleesbaar: geen geldige JSON (text/html)" in letter.reason and "FennaHoekstra" in letter.reason
    )

    tarik = [p for p in searches(fake_x) if p["query"].startswith("(@TarikAzzouzi")]
    assert len(tarik) == 2 and first["schildwacht/rate_limited"] == 1
    assert [m.uid for m in mentions_on(read_topic, settings)] == [f"x:{hit['id']}"]

    reset = int(time.time()) + 3600
    far = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
    fake_x.script.append(("query=(@TarikAzzouzi", (429, far, b'{"title":"Too Many Requests"}')))
    fake_x.requests.clear()
    second = crawl("x", settings)

    assert second["finish_reason"] == "finished" and second["schildwacht/rate_limited"] == 1
    [line] = lines(registry_seeded, settings)
    assert "gepauzeerd: rate limit van X bereikt" in line
    until = datetime.fromtimestamp(reset, UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    assert line.endswith(f"verder na {until.day}-{until.month}-{until.year} {until:%H:%M}")

    fake_x.requests.clear()
    third = crawl("x", settings)
    assert fake_x.requests == [] and third["schildwacht/source_paused"] == 1


def test_x_revoked_token_pauses_the_source_until_another_token(stack, registry_seeded, read_topic, fake_x):
    who = people(fake_x)
    hit = fake_x.post(who["troll"], "wethouder Zoetelief, pas maar op", 20)
    revoked = settings_for(stack, fake_x, collector_x_bearer_token=SecretStr("ingetrokken-token"))

    first = crawl("x", revoked)

    assert first["finish_reason"] == "finished" and first["schildwacht/source_paused"] == 1
    assert mentions_on(read_topic, revoked) == []
    [line] = lines(registry_seeded, revoked)
    assert "X weigert het bearer token (HTTP 401" in line and "SCHILDWACHT_COLLECTOR_X_BEARER_TOKEN" in line
    fake_x.requests.clear()
    crawl("x", revoked)
    assert fake_x.requests == []  # parked: nothing is asked with the refused token

    renewed = settings_for(stack, fake_x)
    crawl("x", renewed)
    assert [m.uid for m in mentions_on(read_topic, renewed)] == [f"x:{hit['id']}"]
    assert lines(registry_seeded, renewed) == ["X: 1 van 10.000 berichten deze maand"]  # no pause any more


def test_x_monthly_cap_stops_collection_and_resumes_without_duplicates(stack, registry_seeded, read_topic, fake_x):
    who = people(fake_x)
    hits = [fake_x.post(who["kees"], f"Tarik Azzouzi, punt {i}", 100 - i, seq=i) for i in range(20)]
    capped = settings_for(stack, fake_x, collector_x_monthly_post_cap=12)

    first = crawl("x", capped)

    assert first["schildwacht/published"] == 12 and first["schildwacht/cap_reached"] >= 1
    assert all(int(p["max_results"]) <= 12 for p in searches(fake_x))
    assert lines(registry_seeded, capped) == [
        "X: 12 van 12 berichten deze maand — op; verzamelen gepauzeerd tot "
        + _first_of_next_month_local(datetime.now(UTC))
    ]
    fake_x.requests.clear()
    crawl("x", capped)
    assert fake_x.requests == []

    raised = settings_for(stack, fake_x, collector_x_monthly_post_cap=100)
    crawl("x", raised)
    uids = Counter(m.uid for m in mentions_on(read_topic, raised))
    assert uids == Counter(f"x:{t['id']}" for t in hits)
    assert lines(registry_seeded, raised) == ["X: 20 van 100 berichten deze maand"]
    assert period("x", datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "2026-12"


def _first_of_next_month_local(now: datetime) -> str:
    """Hand-computed: midnight UTC on the first of next month, in Dutch time (CET in winter, CEST in summer)."""
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    summer = 4 <= month <= 10  # the first of April..October falls in CEST
    return f"1-{month}-{year} {'02' if summer else '01'}:00"


def test_x_withdrawal_stops_collection_at_the_next_registry_read(stack, registry_seeded, read_topic, fake_x):
    who = people(fake_x)
    own = fake_x.post(who["zoetelief"], "Open dag op het gemeentehuis", 100)
    fake_x.post(who["troll"], "Jij verdient het niet om wethouder te zijn", 90, reply_to=own)
    old = fake_x.post(who["azzouzi"], "Terugblik op de begroting", 2 * 24 * 60)  # older than the follow period
    fake_x.post(who["troll"], "Nog steeds een slechte begroting", 60, reply_to=old)
    settings = settings_for(stack, fake_x, collector_x_conversation_days=1)
    crawl("x", settings)
    assert len(mentions_on(read_topic, settings)) == 1
    assert f"conversation_id:{old['id']}" not in {p["query"] for p in searches(fake_x)}

    with session_scope(registry_seeded) as session:
        withdraw(session, "off-zoetelief", "test@voorbeeld.example")
    fake_x.post(who["troll"], "Wethouder Zoetelief, ik vind je wel", 5, reply_to=own)
    fake_x.post(who["kees"], "Marieke Zoetelief stopt ermee?", 4)
    fake_x.requests.clear()
    after = crawl("x", settings)

    queries = [p["query"] for p in searches(fake_x)]
    assert queries and not [q for q in queries if "Zoetelief" in q or own["id"] in q]
    assert after.get("schildwacht/published", 0) == 0 and len(mentions_on(read_topic, settings)) == 1


def test_demo_x_source_runs_against_its_fake_alone(stack, registry_seeded, read_topic):
    """`make demo`'s X source: the fictional timeline through the spider, allowed to reach only the fake."""
    fake = FakeX.demo(DEMO_TOKEN)
    closed = stack.settings.model_copy(update={"outbound_allowed_networks": []})
    try:
        settings = with_demo_x(closed, fake.serve())
        stats = crawl("x", settings)
    finally:
        fake.close()
    data = json.loads(DEMO_DATA.read_text(encoding="utf-8"))
    by_text = {t["text"]: t["id"] for t in fake.tweets.values()}
    # hand-picked from x_posts.json: both replies under her post, the two naming her, the one to @joelle_dbruijn
    chosen = {"steun", "dreiging", "kritiek", "belediging", "gender"}
    expected = Counter(f"x:{by_text[p['text']]}" for p in data["posts"] if p["ref"] in chosen)
    assert stats["schildwacht/published"] == len(chosen)
    assert Counter(m.uid for m in mentions_on(read_topic, settings)) == expected


def test_collect_help_lists_x_and_youtube():
    from typer.testing import CliRunner

    from schildwacht.app.cli import app

    done = CliRunner().invoke(app, ["collect", "--help"], env={"COLUMNS": "300"})
    assert done.exit_code == 0
    choices = done.output.split("<list[", 1)[1].split("]>", 1)[0].split("|")
    assert {"x", "youtube"} <= set(choices)


def test_x_filtered_stream_rules_follow_the_registry_and_reconnect(stack, registry_seeded, read_topic, fake_x):
    who = people(fake_x)
    fake_x.rules = {
        "1": {"id": "1", "value": "zwembad", "tag": "ander-team"},  # not ours: left alone
        "2": {"id": "2", "value": "(@RuudDijkhuizen) -is:retweet", "tag": "schildwacht:off-dijkhuizen"},  # withdrawn
        "3": {"id": "3", "value": "(Zoetelief) -is:retweet", "tag": "schildwacht:off-zoetelief"},  # outdated
    }
    first = {
        "id": "2129000000000000001",
        "text": "wethouder Zoetelief, we komen je halen",
        "author_id": who["troll"]["id"],
        "created_at": "2026-12-06T06:00:00.000Z",
        "conversation_id": "2129000000000000001",
        "edit_history_tweet_ids": ["2129000000000000001"],
    }
    second = {
        **first,
        "id": "2129000000000000002",
        "conversation_id": "2129000000000000002",
        "text": "@TarikAzzouzi jij bent de volgende",
        "edit_history_tweet_ids": ["2129000000000000002"],
    }
    broken = b'{"data": {"id": "2129000000000000003", "text": "wethouder Zoe\r\n'
    one = fake_x.stream_line(first, ["schildwacht:off-zoetelief"])
    two = fake_x.stream_line(second, ["schildwacht:off-azzouzi"])
    fake_x.connections = [[one, broken], [two]]  # the first connection ends early: the spider reconnects
    settings = settings_for(stack, fake_x, collector_x_stream_seconds=3.0)

    stats = crawl("x", settings)

    # officials.json: every official but the withdrawn Dijkhuizen
    active = {"zoetelief", "debruijn", "vandermolengraaf", "azzouzi", "terhorst", "vermeulen", "hoekstra"}
    tags = sorted(rule["tag"] for rule in fake_x.rules.values())
    assert tags == sorted(["ander-team", *(f"schildwacht:off-{o}" for o in active)])
    assert "1" in fake_x.rules and "2" not in fake_x.rules and "3" not in fake_x.rules
    zoetelief = next(r for r in fake_x.rules.values() if r["tag"] == "schildwacht:off-zoetelief")
    assert zoetelief["value"].startswith("(@MariekeZoetelief OR ")

    connections = [params for path, params, _ in fake_x.requests if path == "/2/tweets/search/stream"]
    assert len(connections) == 2 and stats["schildwacht/stream_reconnects"] == 1
    wait_for(lambda: len(fake_x.hang_ups) == 2, "the fake notices the hang-up at its next keep-alive")
    assert fake_x.hang_ups == ["einde bereikt", "client hing op"]
    mentions = {m.uid: m for m in mentions_on(read_topic, settings)}
    assert set(mentions) == {f"x:{first['id']}", f"x:{second['id']}"}
    assert mentions[f"x:{first['id']}"].raw.inline_bytes() == one  # the line itself is the evidence
    assert mentions[f"x:{second['id']}"].matched_official_ids == ["off-azzouzi"]
    [letter] = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    assert "stream-regel op byte" in letter.reason and base64.b64decode(letter.payload_b64) == broken
    assert lines(registry_seeded, settings) == ["X: 2 van 10.000 berichten deze maand"]


def removals(db, prefix: str) -> dict[str, tuple[datetime | None, str | None, dict]]:
    """uid -> (removed_at, removed_via, details) of every recorded post of the platform `prefix`."""
    with session_scope(db) as session:
        rows = session.scalars(select(MetaComment).where(MetaComment.uid.startswith(f"{prefix}:"))).all()
        return {row.uid: (row.removed_at, row.removed_via, row.details) for row in rows}


def test_x_deleted_collected_post_is_recorded_as_removed_once(stack, registry_seeded, read_topic, fake_x):
    who = people(fake_x)
    own = fake_x.post(who["zoetelief"], "Vanavond bespreekt de raad het zwembad.", 300)
    threat = fake_x.post(who["troll"], "Jij gaat hier spijt van krijgen, ik weet waar je woont.", 250, reply_to=own)
    kept = fake_x.post(who["kees"], "Wethouder Zoetelief beloofde iets anders over de kosten.", 200)
    settings = settings_for(stack, fake_x)
    crawl("x", settings)
    before = removals(registry_seeded, "x")
    assert {f"x:{threat['id']}", f"x:{kept['id']}"} <= set(before)
    assert all(removed_at is None for removed_at, _, _ in before.values())

    # the troll deletes the threat; a reply to it makes X report it in `errors` as not found
    fake_x.delete(threat["id"])
    fake_x.post(who["kees"], "Wat een akelige reactie was dat.", 20, reply_to=threat)
    noticed_after = datetime.now(UTC)
    second = crawl("x", settings)
    after = removals(registry_seeded, "x")
    assert second["schildwacht/removed"] == 1
    removed = {uid: entry for uid, entry in after.items() if entry[0] is not None}
    assert set(removed) == {f"x:{threat['id']}"}
    removed_at, via, details = removed[f"x:{threat['id']}"]
    assert via == "poll" and removed_at >= noticed_after and details["removed_seen"].endswith(SEARCH_PATH)

    # a third read that reports it again records nothing new
    fake_x.post(who["troll"], "Ik heb niets verwijderd hoor.", 10, reply_to=threat)
    third = crawl("x", settings)
    assert third.get("schildwacht/removed", 0) == 0 and third["schildwacht/deleted"] >= 1
    final = removals(registry_seeded, "x")
    assert {uid: entry[0] for uid, entry in final.items() if entry[0] is not None} == {f"x:{threat['id']}": removed_at}
