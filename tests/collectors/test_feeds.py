"""The RSS/Atom spider: conditional GET (ETag / If-Modified-Since), only new entries, robots.txt, bad feeds."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter

from collectors.crawl import crawl
from schildwacht.contracts import CollectedMention, DeadLetter

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Noorderlands Dagblad</title><link>https://www.noorderlandsdagblad.example/</link>
<description>Nieuws</description>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://www.noorderlandsdagblad.example/{slug}</link>
<guid isPermaLink="true">https://www.noorderlandsdagblad.example/{slug}</guid>
<pubDate>Mon, 23 Nov 2026 16:20:40 +0000</pubDate><description>{body}</description></item>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Reacties Voorbeelder Courant</title>
<link href="https://www.voorbeeldercourant.example/"/><id>urn:vc:reacties</id><updated>2026-11-23T10:00:00Z</updated>
{entries}</feed>"""
ENTRY = """<entry><title>{title}</title><id>urn:vc:{slug}</id>
<link href="https://www.voorbeeldercourant.example/{slug}"/><updated>2026-11-23T10:00:00Z</updated>
<summary type="html">{body}</summary></entry>"""


def test_feeds_conditional_get_new_entries_only_and_robots(stack, registry_seeded, read_topic, fake_http):
    rss = RSS.format(
        items="".join(
            [
                ITEM.format(
                    title="Wethouder doet aangifte",
                    slug="aangifte",
                    body="Wethouder Marieke Zoetelief heeft aangifte gedaan van bedreiging.",
                ),
                ITEM.format(title="Kerstmarkt", slug="kerst", body="De kerstmarkt gaat door."),
            ]
        )
    ).encode()
    atom_entries = [
        ENTRY.format(title="Reactie", slug="r1", body="&lt;p&gt;burgemeester Van der Molengraaf moet weg&lt;/p&gt;")
    ]
    state = {"atom_version": 1}

    def answer(method, target, headers, body):
        if target == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /verboden/\n"
        if target == "/rss.xml":
            if headers.get("If-None-Match") == '"v1"':
                return 304, {"ETag": '"v1"'}, b""
            return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, rss
        if target == "/atom.xml":
            version = f'"a{state["atom_version"]}"'
            if headers.get("If-None-Match") == version:
                return 304, {}, b""
            return (
                200,
                {"Content-Type": "application/atom+xml", "ETag": version},
                ATOM.format(entries="".join(atom_entries)).encode(),
            )
        if target == "/kapot.xml":
            return 200, {"Content-Type": "application/rss+xml"}, b"<html><body>Fout 500</body></html>"
        if target == "/gigantisch.xml":
            return 200, {"Content-Type": "application/rss+xml", "Content-Length": "50000000"}, rss
        if target == "/afgebroken.xml":
            return 200, {"Content-Type": "application/rss+xml", "Content-Length": str(len(rss) + 500)}, rss
        return 404, {}, b""

    fake_http.answer = answer
    feeds = [
        f"{fake_http.base}/rss.xml",
        f"{fake_http.base}/atom.xml",
        f"{fake_http.base}/verboden/feed.xml",
        f"{fake_http.base}/kapot.xml",
        f"{fake_http.base}/gigantisch.xml",
        f"{fake_http.base}/afgebroken.xml",
    ]
    settings = stack.settings.model_copy(
        update={"collector_download_delay": 0.0, "collector_feeds": feeds, "collector_max_bytes": 1_000_000}
    )

    first = crawl("rss", settings)
    atom_entries.append(ENTRY.format(title="Nog een reactie", slug="r2", body="Zoetelief AFTREDEN"))
    state["atom_version"] = 2
    second = crawl("rss", settings)

    mentions = [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]
    uids = Counter(m.uid for m in mentions)
    assert uids == Counter(
        {"rss:https://www.noorderlandsdagblad.example/aangifte": 1, "rss:urn:vc:r1": 1, "rss:urn:vc:r2": 1}
    )
    assert first["schildwacht/published"] == 2 and second["schildwacht/published"] == 1
    assert second["schildwacht/not_modified"] == 1
    article = next(m for m in mentions if m.uid.endswith("/aangifte"))
    assert article.text.startswith("Wethouder doet aangifte\n\nWethouder Marieke Zoetelief")
    assert article.author.handle == "noorderlandsdagblad.example"
    assert article.created_at.isoformat() == "2026-11-23T16:20:40+00:00"
    # the item's own record and the feed's hash; the other item of the feed is not part of the evidence
    record = json.loads(article.raw.inline_bytes())
    assert record["entry"]["link"] == "https://www.noorderlandsdagblad.example/aangifte"
    assert record["feed"] == {"title": "Noorderlands Dagblad", "link": "https://www.noorderlandsdagblad.example/"}
    assert article.raw.page_sha256 == hashlib.sha256(rss).hexdigest() and article.raw.page_size == len(rss)
    assert b"kerstmarkt" not in article.raw.inline_bytes().lower()
    assert b"kerstmarkt" not in gzip.decompress(article.raw.warc_bytes()).lower()

    rss_requests = [h for _, p, h in fake_http.requests if p == "/rss.xml"]
    assert len(rss_requests) == 2 and rss_requests[1].get("If-None-Match") == '"v1"'
    assert "/verboden/feed.xml" not in fake_http.paths()
    letters = [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]
    reasons = Counter(x.reason.split(": ")[1] for x in letters)
    assert reasons == Counter(
        {"geen geldige RSS/Atom-feed": 2, "antwoord te groot": 2, "antwoord afgebroken (onvolledig)": 2}
    ), reasons
