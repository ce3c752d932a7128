"""The Mastodon spider against a local HTTP server that speaks the Mastodon API shapes.

Status entities carry id, created_at, in_reply_to_id, in_reply_to_account_id, content (HTML), url, uri,
visibility and account {id, username, acct, display_name, url}. The server pages with min_id like Mastodon
(the page right after min_id, newest first, Link header) but with pages of 2, and can script failures.
Search answers like a search index (newest hits first, min_id/max_id as bounds); the streaming endpoint is
scripted as a finite server-sent-events body, or served endlessly by EndlessStream.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from collectors.crawl import CrawlError, crawl
from collectors.spiders.mastodon import snowflake_at
from collectors.state import CursorStore
from schildwacht.contracts import CollectedMention, DeadLetter

INSTANCE = "social.voorbeeld.example"
PAGE = 2
NOW = datetime.now(UTC)


def account(acct: str, account_id: str, name: str) -> dict:
    username = acct.split("@")[0]
    host = acct.split("@")[1] if "@" in acct else INSTANCE
    return {
        "id": account_id,
        "username": username,
        "acct": acct,
        "display_name": name,
        "url": f"https://{host}/@{username}",
    }


ZOETELIEF = account("mzoetelief", "1001", "Marieke Zoetelief (wethouder)")
TROLL = account("troll@toot.example", "2002", "Trol")
BYSTANDER = account("anke@toot.example", "2003", "Anke")


def status(seq: int, who: dict, html: str, reply_to: dict | None = None, hours_ago: float = 5) -> dict:
    sid = str(snowflake_at(NOW - timedelta(hours=hours_ago)) + seq)
    return {
        "id": sid,
        "created_at": (NOW - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "in_reply_to_id": reply_to["id"] if reply_to else None,
        "in_reply_to_account_id": reply_to["account"]["id"] if reply_to else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "nl",
        "uri": f"https://{INSTANCE}/users/{who['username']}/statuses/{sid}",
        "url": f"https://{INSTANCE}/@{who['username']}/{sid}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": html,
        "reblog": None,
        "account": who,
        "mentions": [],
        "tags": [],
    }


class FakeMastodon:
    """Routes: accounts/lookup, accounts/:id/statuses, statuses/:id/context, timelines/tag/:tag,
    timelines/public, and v2/search (per q; like a search index: newest first, min_id/max_id as bounds)."""

    def __init__(self, http) -> None:
        self.http = http
        self.base = http.base
        self.accounts: dict[str, dict] = {}
        self.timelines: dict[str, list[dict]] = {}  # path -> statuses
        self.contexts: dict[str, dict] = {}  # status id -> {"ancestors", "descendants"}
        self.searches: dict[str, list[dict]] = {}  # q -> statuses the index finds
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
        if parts.path == "/api/v2/search":
            low, high = int(query.get("min_id", "0")), int(query.get("max_id", str(1 << 80)))
            hits = sorted(
                (s for s in self.searches.get(query.get("q", ""), []) if low < int(s["id"]) < high),
                key=lambda s: int(s["id"]),
                reverse=True,
            )[:PAGE]
            return 200, {}, json.dumps({"accounts": [], "statuses": hits, "hashtags": []}).encode()
        if parts.path in self.timelines:
            after = int(query.get("min_id", "0"))
            newer = sorted((s for s in self.timelines[parts.path] if int(s["id"]) > after), key=lambda s: int(s["id"]))
            page = list(reversed(newer[:PAGE]))
            links = {}
            if page:
                base = f"{self.base}{parts.path}"
                links["Link"] = (
                    f'<{base}?max_id={page[-1]["id"]}>; rel="next", <{base}?min_id={page[0]["id"]}>; rel="prev"'
                )
            return 200, links, json.dumps(page).encode()
        return 404, {}, b'{"error":"Not found"}'


def settings_for(stack, fake: FakeMastodon, **extra):
    instances = {INSTANCE: fake.base, "mastodon.noorderland.example": fake.base}
    return stack.settings.model_copy(
        update={"collector_download_delay": 0.0, "collector_mastodon_instances": instances, **extra}
    )


def stored_cursor(settings, key: str) -> str | None:
    store = CursorStore.for_settings(settings)
    try:
        return store.get(key)
    finally:
        store.close()


def _entities(doc) -> list[dict]:
    """Every JSON object in `doc`, at any depth."""
    found = [doc] if isinstance(doc, dict) else []
    for child in doc.values() if isinstance(doc, dict) else doc if isinstance(doc, list) else ():
        found += _entities(child)
    return found


def mentions_on(read_topic, settings) -> list[CollectedMention]:
    return [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]


def test_mastodon_statuses_replies_and_hashtag(stack, registry_seeded, read_topic, fake_http):
    own = [status(i, ZOETELIEF, f"<p>Update {i} over het zwembad</p>", hours_ago=10 - i) for i in range(5)]
    own[1]["content"] = (
        '<p>Samen met <span class="h-card"><a href="https://social.voorbeeld.example/@tarik" '
        'class="u-url mention">@<span>tarik</span></a></span> naar de wijk</p>'
    )
    hostile = status(10, TROLL, "<p>jij gaat eraan, ik weet waar je woont</p>", reply_to=own[0], hours_ago=4)
    side = status(11, BYSTANDER, "<p>gemeld bij de moderatie</p>", reply_to=hostile, hours_ago=3.9)
    answer = status(12, ZOETELIEF, "<p>Dank voor de steun</p>", reply_to=side, hours_ago=3.8)
    late = status(13, BYSTANDER, "<p>wanneer komt het raadsvoorstel?</p>", reply_to=own[3], hours_ago=2)
    retried = status(14, TROLL, "<p>leugenaar</p>", reply_to=own[4], hours_ago=1.5)
    tagged = [
        status(20, BYSTANDER, "<p>Vanavond spreekt wethouder Zoetelief over <a href='#'>#voorbeeld</a></p>"),
        status(21, BYSTANDER, "<p>Mooi weer in #voorbeeld</p>"),
        status(22, TROLL, "<p>Statenlid Dijkhuizen moet weg #voorbeeld</p>"),
        status(23, TROLL, "<p>burgemeester Van der Molengraaf<script>alert(1)</script> #voorbeeld</p>"),
    ]
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
        (200, {"Content-Type": "text/html"}, b"<html><body><h1>We're sorry</h1></body></html>")
    ]
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
    assert by_uid[f"mastodon:{own[1]['id']}"].surfaces("off-azzouzi") == ["@tarik"]
    shared = by_uid[f"mastodon:{own[1]['id']}"]
    assert [(m.kind, m.start) for m in shared.matches] == [("handle", shared.text.index("@tarik"))]
    assert "<script>" not in by_uid[f"mastodon:{tagged[3]['id']}"].text

    served = {hashlib.sha256(body).hexdigest(): body for body in fake_http.served}
    for mention in mentions:
        raw = mention.raw.inline_bytes()
        page = served[mention.raw.page_sha256]  # a page the server really sent, described by hash and size
        assert mention.raw.page_size == len(page) and json.loads(raw) in _entities(json.loads(page))
        assert json.loads(raw)["id"] == mention.post_id
        warc = base64.b64decode(mention.raw.warc_b64)
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(io.BytesIO(warc))
        ]
        assert [r[0] for r in records] == ["resource", "metadata", "request"]
        assert records[0][3] == raw and records[0][1].startswith(fake.base)
        assert records[2][2].get_header("User-Agent").startswith("SchildwachtBot/")

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


def test_public_local_timeline_pages_forward_and_resumes_from_the_cursor(stack, registry_seeded, read_topic, fake_http):
    first = [
        status(30 + i, BYSTANDER, f"<p>{text}</p>", hours_ago=8 - i)
        for i, text in enumerate(
            ["wethouder Zoetelief opent het zwembad", "mooi weer vandaag", "@tarik bedankt voor de uitleg"]
        )
    ]
    later = [
        status(40 + i, TROLL, f"<p>{text}</p>", hours_ago=2 - i / 10)
        for i, text in enumerate(["de kermis is er weer", "burgemeester Van der Molengraaf moet weg"])
    ]
    fake = FakeMastodon(fake_http)
    fake.timelines["/api/v1/timelines/public"] = list(first)
    settings = settings_for(stack, fake, collector_mastodon_public_timelines=[INSTANCE])
    key = f"mastodon:{INSTANCE}:public:local"

    one = crawl("mastodon", settings)
    assert one["schildwacht/published"] == 2 and one["schildwacht/unmatched"] == 1
    assert stored_cursor(settings, key) == first[-1]["id"]
    public = [urlsplit(p) for p in fake_http.paths() if p.startswith("/api/v1/timelines/public")]
    assert len(public) == 3  # pages of 2: two pages with statuses, then an empty one
    assert all(parse_qs(p.query)["local"] == ["true"] for p in public)

    fake.timelines["/api/v1/timelines/public"] += later
    fake_http.requests.clear()
    two = crawl("mastodon", settings)
    assert two["schildwacht/published"] == 1 and two["schildwacht/unmatched"] == 1
    first_page = next(p for p in fake_http.paths() if p.startswith("/api/v1/timelines/public"))
    assert parse_qs(urlsplit(first_page).query)["min_id"] == [first[-1]["id"]]
    assert stored_cursor(settings, key) == later[-1]["id"]

    uids = Counter(m.uid for m in mentions_on(read_topic, settings))
    assert uids == Counter(f"mastodon:{s['id']}" for s in (first[0], first[2], later[1]))
    assert read_topic(settings, settings.topic_dead_letter) == []


def test_search_finds_mentions_walks_all_pages_and_skips_servers_without_search(
    stack, registry_seeded, read_topic, fake_http
):
    name_hits = [
        status(50, TROLL, "<p>Marieke Zoetelief moet opstappen</p>", hours_ago=6),
        status(51, BYSTANDER, "<p>Marieke gaat vandaag zwemmen</p>", hours_ago=5),  # first name only
        status(52, TROLL, "<p>@mzoetelief Marieke Zoetelief, je weet wat er komt</p>", hours_ago=4),
    ]
    fake = FakeMastodon(fake_http)
    fake.searches['"Marieke Zoetelief"'] = list(name_hits)
    fake.searches["@mzoetelief@social.voorbeeld.example"] = [name_hits[2]]  # found again: published once
    noorderland = "mastodon.noorderland.example"
    settings = settings_for(stack, fake, collector_mastodon_search_instances=[INSTANCE, noorderland])
    # this server has no search endpoint (404 for every query): logged and skipped, not an HTTP error
    settings.collector_mastodon_instances[noorderland] = f"{fake.base}/zonder-zoeken"
    key = f'mastodon:{INSTANCE}:search:"marieke zoetelief"'

    one = crawl("mastodon", settings)

    searches = [parse_qs(urlsplit(p).query) for p in fake_http.paths() if p.startswith("/api/v2/search")]
    queries = {q["q"][0] for q in searches}
    assert {'"Marieke Zoetelief"', "@mzoetelief@social.voorbeeld.example", '"Tarik Azzouzi"'} <= queries
    assert not [q for q in queries if "ruud" in q.lower() or "Dijkhuizen" in q]  # withdrawn consent
    assert all(q["type"] == ["statuses"] and q["resolve"] == ["false"] for q in searches)
    assert sum(q["q"] == ['"Marieke Zoetelief"'] for q in searches) == 3  # newest 2, then older 1, then none
    skipped = [p for p in fake_http.paths() if p.startswith("/zonder-zoeken/api/v2/search")]
    assert len(skipped) == len(queries) and one["schildwacht/search_skipped"] == len(queries)
    lookups = [p for p in fake_http.paths() if "/api/v1/accounts/lookup" in p]  # unknown to this fake: 404
    assert one.get("schildwacht/http_errors", 0) == len(lookups)  # the search 404s are not among them
    assert one["schildwacht/published"] == 2 and one["schildwacht/unmatched"] == 1
    assert stored_cursor(settings, key) == name_hits[2]["id"]

    newer = status(53, TROLL, "<p>Zoetelief, Marieke Zoetelief, ik kom je halen</p>", hours_ago=1)
    fake.searches['"Marieke Zoetelief"'].append(newer)
    fake_http.requests.clear()
    two = crawl("mastodon", settings)
    again = [
        parse_qs(urlsplit(p).query) for p in fake_http.paths() if p.startswith("/api/v2/search") and "q=%22Marieke" in p
    ]
    assert again[0]["min_id"] == [name_hits[2]["id"]]
    assert two["schildwacht/published"] == 1 and stored_cursor(settings, key) == newer["id"]

    mentions = mentions_on(read_topic, settings)
    expected = (name_hits[0], name_hits[2], newer)
    assert Counter(m.uid for m in mentions) == Counter(f"mastodon:{s['id']}" for s in expected)
    served = {hashlib.sha256(body).hexdigest(): json.loads(body) for body in fake_http.served}
    for mention in mentions:
        assert mention.matched_official_ids[0] == "off-zoetelief"
        page = served[mention.raw.page_sha256]  # the search answer the post stood in
        assert json.loads(mention.raw.inline_bytes()) in page["statuses"]
    assert read_topic(settings, settings.topic_dead_letter) == []


def sse(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


def test_stream_updates_are_collected_per_event_malformed_parked_deletes_logged(
    stack, registry_seeded, read_topic, fake_http
):
    hit = status(60, TROLL, "<p>wethouder Zoetelief, we weten je te vinden</p>", hours_ago=0.1)
    miss = status(61, BYSTANDER, "<p>de bibliotheek is vandaag open</p>", hours_ago=0.1)
    events = [
        b":)\n\n",
        sse("update", json.dumps(hit)),
        sse("update", json.dumps(miss)),
        sse("update", '{"id": "999", "content": "<p>wethouder Zoetelief'),
        sse("delete", hit["id"]),
    ]
    fake = FakeMastodon(fake_http)
    fake.timelines["/api/v1/timelines/public"] = []
    fake.script["/api/v1/streaming/public/local"] = [(200, {"Content-Type": "text/event-stream"}, b"".join(events))]
    settings = settings_for(
        stack, fake, collector_mastodon_public_timelines=[INSTANCE], collector_mastodon_stream_seconds=5.0
    )

    stats = crawl("mastodon", settings)

    assert stats["schildwacht/published"] == 1 and stats["schildwacht/unmatched"] == 1
    assert stats["schildwacht/parked"] == 1 and stats["schildwacht/stream_deleted"] == 1
    stream_requests = [h for _, p, h in fake_http.requests if p == "/api/v1/streaming/public/local"]
    assert len(stream_requests) == 1 and stream_requests[0].get("Accept") == "text/event-stream"

    [mention] = mentions_on(read_topic, settings)
    assert mention.uid == f"mastodon:{hit['id']}" and mention.matched_official_ids == ["off-zoetelief"]
    assert mention.raw.inline_bytes() == events[1]  # the event's own bytes are the raw evidence
    warc = base64.b64decode(mention.raw.warc_b64)
    records = [
        (r.rec_type, r.rec_headers.get_header("Schildwacht-SSE-Offset"), r.content_stream().read())
        for r in ArchiveIterator(io.BytesIO(warc))
    ]
    assert [r[0] for r in records] == ["response", "request"]
    assert records[0][1:] == (str(len(events[0])), events[1])

    [letter] = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    assert "geen geldige JSON" in letter.reason and "streaming/public/local" in letter.reason
    assert base64.b64decode(letter.payload_b64) == events[3]


class EndlessStream(BaseHTTPRequestHandler):
    """A stream that sends one update and then a heartbeat every 0.1 s until the client hangs up (max. 60 s)."""

    protocol_version = "HTTP/1.1"
    event = b""
    outcome: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        if not self.path.startswith("/api/v1/streaming/"):
            body = b"[]" if self.path.startswith("/api/v1/timelines/public") else b'{"error":"Not found"}'
            self.send_response(200 if body == b"[]" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in [self.event] + [b":thump\n\n"] * 600:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
                time.sleep(0.1)
            self.outcome.append("einde bereikt")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.outcome.append("client hing op")
        self.close_connection = True

    def log_message(self, *args) -> None:
        pass


def test_stream_is_read_for_the_configured_time_only(stack, registry_seeded, read_topic):
    hit = status(70, TROLL, "<p>wethouder Zoetelief, pas maar op</p>", hours_ago=0.1)
    EndlessStream.event, EndlessStream.outcome = sse("update", json.dumps(hit)), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), EndlessStream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        settings = stack.settings.model_copy(
            update={
                "collector_download_delay": 0.0,
                "collector_mastodon_instances": {INSTANCE: base},
                "collector_mastodon_public_timelines": [INSTANCE],
                "collector_mastodon_stream_seconds": 1.0,
            }
        )
        stats = crawl("mastodon", settings)
        for _ in range(100):  # the server notices the hang-up at its next heartbeat
            if EndlessStream.outcome:
                break
            time.sleep(0.1)
    finally:
        server.shutdown()
        server.server_close()
    assert EndlessStream.outcome == ["client hing op"]
    assert stats["schildwacht/published"] == 1
    assert [m.uid for m in mentions_on(read_topic, settings)] == [f"mastodon:{hit['id']}"]


def test_retry_after_and_server_errors_share_scrapys_retry_budget(stack, registry_seeded, read_topic, fake_http):
    """429 with Retry-After and a plain 503 alternate: one budget of RETRY_TIMES retries (get_retry_request), so the
    request is sent 1 + RETRY_TIMES times and then given up, with Scrapy's own retry stats."""
    path = "/api/v1/timelines/tag/geduld"
    fake = FakeMastodon(fake_http)
    fake.timelines[path] = [status(1, TROLL, "<p>wethouder Zoetelief, geduld</p>", hours_ago=3)]
    wait, down = (429, {"Retry-After": "0"}, b"{}"), (503, {}, b"down")
    fake.script[path] = [wait, down, wait, down]  # a fifth request would get the page
    settings = settings_for(stack, fake, collector_mastodon_hashtags=[f"geduld@{INSTANCE}"])

    stats = crawl("mastodon", settings)

    retry_times = 3  # RETRY_TIMES in collectors/settings.py
    assert sum(p.startswith(path) for p in fake_http.paths()) == 1 + retry_times
    assert stats["retry/max_reached"] == 1 and stats["retry/count"] == retry_times
    assert stats["schildwacht/retry_after"] == 2 and stats.get("schildwacht/published", 0) == 0
    assert mentions_on(read_topic, settings) == []
