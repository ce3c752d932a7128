"""The Mastodon spider against a local HTTP server that speaks the Mastodon API shapes.

Status entities carry id, created_at, in_reply_to_id, in_reply_to_account_id, content (HTML), url, uri,
visibility and account {id, username, acct, display_name, url}. The server pages with min_id like Mastodon
(the page right after min_id, newest first, Link header) but with pages of 2, and can script failures.
"""

from __future__ import annotations

import base64
import io
import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from collectors.crawl import CrawlError, crawl
from collectors.spiders.mastodon import snowflake_at
from collectors.state import CursorStore
from schildwacht.contracts import CollectedMention, DeadLetter

INSTANCE = "social.voorbeeld.example"
PAGE = 2
NOW = datetime.now(timezone.utc)


def account(acct: str, account_id: str, name: str) -> dict:
    username = acct.split("@")[0]
    host = acct.split("@")[1] if "@" in acct else INSTANCE
    return {"id": account_id, "username": username, "acct": acct, "display_name": name,
            "url": f"https://{host}/@{username}"}


ZOETELIEF = account("mzoetelief", "1001", "Marieke Zoetelief (wethouder)")
TROLL = account("troll@toot.example", "2002", "Trol")
BYSTANDER = account("anke@toot.example", "2003", "Anke")


def status(seq: int, who: dict, html: str, reply_to: dict | None = None, hours_ago: float = 5) -> dict:
    sid = str(snowflake_at(NOW - timedelta(hours=hours_ago)) + seq)
    return {"id": sid, "created_at": (NOW - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "in_reply_to_id": reply_to["id"] if reply_to else None,
            "in_reply_to_account_id": reply_to["account"]["id"] if reply_to else None,
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "nl",
            "uri": f"https://{INSTANCE}/users/{who['username']}/statuses/{sid}",
            "url": f"https://{INSTANCE}/@{who['username']}/{sid}", "replies_count": 0, "reblogs_count": 0,
            "favourites_count": 0, "content": html, "reblog": None, "account": who, "mentions": [], "tags": []}


class FakeMastodon:
    """Routes: accounts/lookup, accounts/:id/statuses, statuses/:id/context, timelines/tag/:tag."""

    def __init__(self, http) -> None:
        self.http = http
        self.base = http.base
        self.accounts: dict[str, dict] = {}
        self.timelines: dict[str, list[dict]] = {}      # path -> statuses
        self.contexts: dict[str, dict] = {}             # status id -> {"ancestors", "descendants"}
        self.script: dict[str, list[tuple[int, dict, bytes]]] = {}  # "path?min_id=.." or path -> canned answers
        http.answer = self.answer

    def answer(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        for key in (f"{parts.path}?min_id={query.get('min_id')}", parts.path):
            if self.script.get(key):
                return self.script[key].pop(0)
        if parts.path == "/api/v1/accounts/lookup":
            found = self.accounts.get(query.get("acct", ""))
            return (200, {}, json.dumps(found).encode()) if found else (404, {}, b'{"error":"Record not found"}')
        if parts.path.startswith("/api/v1/statuses/") and parts.path.endswith("/context"):
            sid = parts.path.split("/")[4]
            return 200, {}, json.dumps(self.contexts.get(sid, {"ancestors": [], "descendants": []})).encode()
        if parts.path in self.timelines:
            after = int(query.get("min_id", "0"))
            newer = sorted((s for s in self.timelines[parts.path] if int(s["id"]) > after), key=lambda s: int(s["id"]))
            page = list(reversed(newer[:PAGE]))
            links = {}
            if page:
                base = f"{self.base}{parts.path}"
                links["Link"] = (f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                                 f'<{base}?min_id={page[0]["id"]}>; rel="prev"')
            return 200, links, json.dumps(page).encode()
        return 404, {}, b'{"error":"Not found"}'


def settings_for(stack, fake: FakeMastodon, **extra):
    instances = {INSTANCE: fake.base, "mastodon.noorderland.example": fake.base}
    return stack.settings.model_copy(update={
        "collector_download_delay": 0.0, "collector_mastodon_instances": instances, **extra})


def stored_cursor(settings, key: str) -> str | None:
    store = CursorStore.for_settings(settings)
    try:
        return store.get(key)
    finally:
        store.close()


def mentions_on(read_topic, settings) -> list[CollectedMention]:
    return [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]


def test_mastodon_statuses_replies_and_hashtag(stack, registry_seeded, read_topic, fake_http):
    own = [status(i, ZOETELIEF, f"<p>Update {i} over het zwembad</p>", hours_ago=10 - i) for i in range(5)]
    own[1]["content"] = '<p>Samen met <span class="h-card"><a href="https://social.voorbeeld.example/@tarik" ' \
                        'class="u-url mention">@<span>tarik</span></a></span> naar de wijk</p>'
    hostile = status(10, TROLL, "<p>jij gaat eraan, ik weet waar je woont</p>", reply_to=own[0], hours_ago=4)
    side = status(11, BYSTANDER, "<p>gemeld bij de moderatie</p>", reply_to=hostile, hours_ago=3.9)
    answer = status(12, ZOETELIEF, "<p>Dank voor de steun</p>", reply_to=side, hours_ago=3.8)
    late = status(13, BYSTANDER, "<p>wanneer komt het raadsvoorstel?</p>", reply_to=own[3], hours_ago=2)
    retried = status(14, TROLL, "<p>leugenaar</p>", reply_to=own[4], hours_ago=1.5)
    tagged = [status(20, BYSTANDER, "<p>Vanavond spreekt wethouder Zoetelief over <a href='#'>#voorbeeld</a></p>"),
              status(21, BYSTANDER, "<p>Mooi weer in #voorbeeld</p>"),
              status(22, TROLL, "<p>Statenlid Dijkhuizen moet weg #voorbeeld</p>"),
              status(23, TROLL, "<p>burgemeester Van der Molengraaf<script>alert(1)</script> #voorbeeld</p>")]
    broken = status(24, TROLL, "<p>wethouder Azzouzi</p>")
    del broken["account"]
    tagged.append(broken)

    fake = FakeMastodon(fake_http)
    fake.accounts["mzoetelief"] = ZOETELIEF
    fake.timelines[f"/api/v1/accounts/{ZOETELIEF['id']}/statuses"] = own
    fake.timelines["/api/v1/timelines/tag/voorbeeld"] = tagged
    fake.contexts[own[0]["id"]] = {"ancestors": [], "descendants": [hostile, side, answer]}
    fake.contexts[own[3]["id"]] = {"ancestors": [], "descendants": [late]}
    fake.contexts[own[4]["id"]] = {"ancestors": [], "descendants": [retried]}
    fake.script[f"/api/v1/statuses/{own[2]['id']}/context"] = [
        (200, {"Content-Type": "text/html"}, b"<html><body><h1>We're sorry</h1></body></html>")]
    fake.script[f"/api/v1/statuses/{own[3]['id']}/context"] = [(429, {"Retry-After": "1"}, b"{}")]
    fake.script[f"/api/v1/statuses/{own[4]['id']}/context"] = [(500, {}, b"oops")]
    settings = settings_for(stack, fake, collector_mastodon_hashtags=[f"voorbeeld@{INSTANCE}"])

    stats = crawl("mastodon", settings)

    mentions = mentions_on(read_topic, settings)
    uids = Counter(m.uid for m in mentions)
    expected = {f"mastodon:{s['id']}" for s in (own[1], hostile, late, retried, tagged[0], tagged[3])}
    assert set(uids) == expected and max(uids.values()) == 1
    assert stats["schildwacht/published"] == len(expected)

    by_uid = {m.uid: m for m in mentions}
    reply = by_uid[f"mastodon:{hostile['id']}"]
    assert reply.matched_official_ids == ["off-zoetelief"] and reply.in_reply_to_official_id == "off-zoetelief"
    assert reply.author.handle == "@troll@toot.example" and reply.author.id == TROLL["id"]
    assert reply.thread_id == own[0]["id"] and reply.in_reply_to_id == own[0]["id"]
    assert by_uid[f"mastodon:{own[1]['id']}"].match_reasons == {"off-azzouzi": ["@tarik"]}
    assert "<script>" not in by_uid[f"mastodon:{tagged[3]['id']}"].text

    for mention in mentions:
        raw = mention.raw.inline_bytes()
        assert raw in fake_http.served and mention.post_id.encode() in raw
        warc = base64.b64decode(mention.raw.warc_b64)
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.http_headers,
                    r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(warc))]
        assert [r[0] for r in records] == ["response", "request"]
        assert records[0][3] == raw and records[0][1].startswith(fake.base)
        assert records[1][2].get_header("User-Agent").startswith("SchildwachtBot/")

    # the 429 was answered once more after waiting, the 500 retried; the withdrawn official never asked for
    paths = fake_http.paths()
    assert sum(p.endswith(f"/{own[3]['id']}/context") for p in paths) == 2
    assert sum(p.endswith(f"/{own[4]['id']}/context") for p in paths) == 2
    assert not [p for p in paths if "acct=ruud" in p]
    assert all(h.get("User-Agent", "").startswith("SchildwachtBot/") for _, _, h in fake_http.requests)

    letters = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    reasons = sorted(letter.reason for letter in letters)
    assert len(letters) == 2, reasons
    assert any("geen geldige JSON" in r and own[2]["id"] in r for r in reasons)
    assert any("status onbruikbaar" in r for r in reasons)
    assert f"mastodon:{broken['id']}" in {letter.uid for letter in letters}


def test_restart_mid_pagination_resumes_without_duplicates_or_gaps(stack, registry_seeded, read_topic, fake_http):
    tagged = [status(i, TROLL, f"<p>wethouder Zoetelief bericht {i}</p>", hours_ago=20 - i) for i in range(7)]
    fake = FakeMastodon(fake_http)
    fake.timelines["/api/v1/timelines/tag/zwembad"] = tagged
    # the third page keeps failing during the first run (initial try + 3 retries)
    fake.script[f"/api/v1/timelines/tag/zwembad?min_id={tagged[3]['id']}"] = [(500, {}, b"down")] * 4
    settings = settings_for(stack, fake, collector_mastodon_hashtags=[f"zwembad@{INSTANCE}"])

    first = crawl("mastodon", settings)
    cursor = stored_cursor(settings, f"mastodon:{INSTANCE}:tag:zwembad")
    second = crawl("mastodon", settings)

    assert first["schildwacht/published"] == 4 and cursor == tagged[3]["id"]
    assert second["schildwacht/published"] == 3
    uids = [m.uid for m in mentions_on(read_topic, settings)]
    assert sorted(uids) == sorted(f"mastodon:{s['id']}" for s in tagged)
    assert stored_cursor(settings, f"mastodon:{INSTANCE}:tag:zwembad") == tagged[-1]["id"]


def test_unconfirmed_publish_fails_the_crawl_and_keeps_the_cursor(stack, registry_seeded, read_topic, fake_http):
    tagged = [status(i, TROLL, f"<p>wethouder Zoetelief bericht {i}</p>", hours_ago=9 - i) for i in range(3)]
    fake = FakeMastodon(fake_http)
    fake.timelines["/api/v1/timelines/tag/zwembad"] = tagged
    settings = settings_for(stack, fake, collector_mastodon_hashtags=[f"zwembad@{INSTANCE}"])
    # The producer refuses every mention (too large for this limit): Kafka never confirms.
    refusing = settings.model_copy(update={"kafka_max_request_size": 2000, "collector_publish_attempts": 2})

    with pytest.raises(CrawlError, match="niet alle berichten bevestigd"):
        crawl("mastodon", refusing)
    assert stored_cursor(settings, f"mastodon:{INSTANCE}:tag:zwembad") is None
    assert read_topic(settings, settings.topic_raw) == []

    crawl("mastodon", settings)
    uids = [m.uid for m in mentions_on(read_topic, settings)]
    assert sorted(uids) == sorted(f"mastodon:{s['id']}" for s in tagged)
