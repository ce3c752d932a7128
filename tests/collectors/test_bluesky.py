"""The Bluesky spider against a local XRPC server: author feed, threads, searchPosts with a session."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from pydantic import SecretStr
from warcio.archiveiterator import ArchiveIterator

from collectors.crawl import crawl
from schildwacht.contracts import CollectedMention, DeadLetter

NOW = datetime.now(UTC)
PAGE = 2
FENNA = {"did": "did:plc:fenna", "handle": "fennahoekstra.bsky.social", "displayName": "Fenna Hoekstra"}
TROLL = {"did": "did:plc:troll", "handle": "kwaadeburger.bsky.social", "displayName": "kwade burger"}
OTHER = {"did": "did:plc:other", "handle": "marloes.bsky.social", "displayName": "Marloes"}
THREAD = "app.bsky.feed.defs#threadViewPost"


def post(
    rkey: str, who: dict, text: str, minutes_ago: float, parent: dict | None = None, root: dict | None = None
) -> dict:
    moment = (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": moment, "langs": ["nl"]}
    if parent:
        record["reply"] = {
            "root": {"uri": (root or parent)["uri"], "cid": "bafyroot"},
            "parent": {"uri": parent["uri"], "cid": "bafyparent"},
        }
    return {
        "uri": f"at://{who['did']}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{rkey}",
        "author": {**who, "avatar": "https://cdn.example/a.jpg", "labels": []},
        "record": record,
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "indexedAt": moment,
        "labels": [],
    }


def node(p: dict, *replies: dict) -> dict:
    return {"$type": THREAD, "post": p, "replies": list(replies)}


class FakeBluesky:
    """createSession, getAuthorFeed, getPostThread and searchPosts (the last one only with a Bearer token)."""

    def __init__(self, http) -> None:
        self.feeds: dict[str, list[dict]] = {}  # actor -> feed view posts, newest first
        self.threads: dict[str, dict] = {}  # uri -> thread
        self.searchable: list[dict] = []
        self.script: dict[str, bytes] = {}  # "method:key" -> raw body
        http.answer = self.answer

    def answer(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        name = parts.path.rsplit("/", 1)[-1]
        if name == "com.atproto.server.createSession":
            creds = json.loads(body)
            if creds == {"identifier": "schildwacht.bsky.social", "password": "app-pass-1234"}:
                return (
                    200,
                    {},
                    json.dumps(
                        {
                            "accessJwt": "acc-123",
                            "refreshJwt": "ref-456",
                            "did": "did:plc:sw",
                            "handle": "schildwacht.bsky.social",
                        }
                    ).encode(),
                )
            return 401, {}, b'{"error":"AuthenticationRequired","message":"Invalid identifier or password"}'
        scripted = self.script.get(f"{name}:{query.get('actor') or query.get('uri') or query.get('q')}")
        if scripted is not None:
            return 200, {}, scripted
        if name == "app.bsky.feed.getAuthorFeed":
            if query["actor"] not in self.feeds:
                return 400, {}, b'{"error":"InvalidRequest","message":"Profile not found"}'
            return 200, {}, self.page("feed", self.feeds[query["actor"]], query)
        if name == "app.bsky.feed.getPostThread":
            thread = self.threads.get(
                query["uri"], {"$type": "app.bsky.feed.defs#notFoundPost", "uri": query["uri"], "notFound": True}
            )
            return 200, {}, json.dumps({"thread": thread}).encode()
        if name == "app.bsky.feed.searchPosts":
            if headers.get("Authorization") != "Bearer acc-123":
                return 401, {}, b'{"error":"AuthMissing"}'
            hits = [p for p in self.searchable if query["q"].lower() in p["record"].get("text", "").lower()]
            hits.sort(key=lambda p: p["indexedAt"], reverse=True)
            return 200, {}, self.page("posts", hits, query)
        return 404, {}, b'{"error":"MethodNotImplemented"}'

    @staticmethod
    def page(field: str, items: list, query: dict) -> bytes:
        start = int(query.get("cursor", "0"))
        doc = {field: items[start : start + PAGE]}
        if start + PAGE < len(items):
            doc["cursor"] = str(start + PAGE)
        return json.dumps(doc).encode()


def test_bluesky_feeds_threads_search_and_resume(stack, registry_seeded, read_topic, fake_http):
    own = [post(f"f{i}", FENNA, f"Statenwerk dag {i}", 300 - 100 * i) for i in range(3)]
    reposted = post("r0", OTHER, "Mooi plan van de provincie", 120)
    hostile = post("h1", TROLL, "ik weet waar je woont, pas maar op", 250, parent=own[0])
    bystander = post("b1", OTHER, "gemeld bij moderatie", 240, parent=hostile, root=own[0])
    own_answer = post("f9", FENNA, "Dank voor de steun", 230, parent=bystander, root=own[0])
    search_hit = post("s1", TROLL, "Fenna Hoekstra is een leugenaar", 60)
    handle_hit = post("s2", OTHER, "@fennahoekstra.bsky.social wat een onzin", 40)
    broken = post("s3", TROLL, "Fenna Hoekstra weer", 30)
    del broken["record"]["createdAt"]

    fake = FakeBluesky(fake_http)
    fake.feeds["fennahoekstra.bsky.social"] = [
        {"post": own[2]},
        {
            "post": reposted,
            "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": FENNA, "indexedAt": own[2]["indexedAt"]},
        },
        {"post": own[1]},
        {"post": own[0]},
    ]
    fake.threads[own[0]["uri"]] = node(own[0], node(hostile, node(bystander, node(own_answer))))
    fake.script[f"app.bsky.feed.getPostThread:{own[1]['uri']}"] = b"<html><body>Bad gateway</body></html>"
    fake.script["app.bsky.feed.getAuthorFeed:joelledebruijn.bsky.social"] = b'{"feed": [{"post": {"uri": '
    fake.searchable = [search_hit, handle_hit, broken]
    settings = stack.settings.model_copy(
        update={
            "collector_download_delay": 0.0,
            "collector_bluesky_appview_url": fake_http.base,
            "collector_bluesky_pds_url": fake_http.base,
            "collector_bluesky_identifier": "schildwacht.bsky.social",
            "collector_bluesky_app_password": SecretStr("app-pass-1234"),
        }
    )

    first = crawl("bluesky", settings)

    mentions = [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]
    assert Counter(m.uid for m in mentions) == Counter({"bluesky:h1": 1, "bluesky:s1": 1, "bluesky:s2": 1})
    assert first["schildwacht/published"] == 3
    by_uid = {m.uid: m for m in mentions}
    reply = by_uid["bluesky:h1"]
    assert reply.in_reply_to_official_id == "off-hoekstra" and reply.matched_official_ids == ["off-hoekstra"]
    assert reply.in_reply_to_id == "f0" and reply.thread_id == "f0" and reply.author.id == "did:plc:troll"
    assert by_uid["bluesky:s2"].surfaces("off-hoekstra") == ["@fennahoekstra.bsky.social"]
    served = {hashlib.sha256(body).hexdigest() for body in fake_http.served}
    for mention in mentions:  # each post its own JSON, the page only by its hash
        raw = mention.raw.inline_bytes()
        assert json.loads(raw)["uri"].endswith(f"/{mention.post_id}") and mention.raw.page_sha256 in served
        assert not [o.uid for o in mentions if o is not mention and o.text.encode() in raw]
    warc = base64.b64decode(by_uid["bluesky:s1"].raw.warc_b64)
    heads = {r.rec_type: r.http_headers for r in ArchiveIterator(io.BytesIO(warc))}
    assert heads["request"].get_header("Authorization") == "[verwijderd]"
    assert b"acc-123" not in base64.b64decode(by_uid["bluesky:s1"].raw.warc_b64)

    paths = fake_http.paths()
    assert not [p for p in paths if "ruuddijkhuizen" in p or "Dijkhuizen" in p]
    letters = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    reasons = [letter.reason for letter in letters]
    assert len(letters) == 3, reasons
    assert sum("geen geldige JSON" in r for r in reasons) == 2 and "bluesky:s3" in {x.uid for x in letters}

    # a new reply and a new search hit arrive; the next run publishes exactly those
    late = post("h2", TROLL, "je bent nergens veilig", 5, parent=own[0])
    fake.threads[own[0]["uri"]]["replies"].append(node(late))
    newer = post("s4", TROLL, "FENNA HOEKSTRA AFTREDEN", 3)
    fake.searchable.append(newer)
    second = crawl("bluesky", settings)

    assert second["schildwacht/published"] == 2
    uids = Counter(CollectedMention.from_bytes(r.value).uid for r in read_topic(settings, settings.topic_raw))
    assert uids == Counter({"bluesky:h1": 1, "bluesky:s1": 1, "bluesky:s2": 1, "bluesky:h2": 1, "bluesky:s4": 1})
