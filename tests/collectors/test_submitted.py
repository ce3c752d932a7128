"""The submitted-URL spider: one staff-pasted page, captured as served, attributed to who submitted it."""

from __future__ import annotations

import base64
import hashlib
import io

from warcio.archiveiterator import ArchiveIterator

from collectors.crawl import crawl
from collectors.spiders.submitted import platform_of
from schildwacht.contracts import CollectedMention

PAGE = b"""<!doctype html><html><head><title>Gerrit op X</title>
<meta property="og:description" content="Die wethouder Zoetelief moet oppassen">
<meta property="article:published_time" content="2026-11-22T08:15:00Z">
<script>window.track = 1;</script></head>
<body><article><p>Die wethouder Zoetelief moet oppassen</p><p>ik weet waar ze woont</p></article></body></html>"""


def test_submitted_url_is_captured_with_submitter(stack, registry_seeded, read_topic, fake_http):
    fake_http.answer = lambda method, target, headers, body: (
        (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE)
        if target == "/Gerrit4Ever/status/186125"
        else (200, {"Content-Type": "text/html"}, b"<html><body>Mooi weer vandaag</body></html>")
    )
    settings = stack.settings.model_copy(update={"collector_download_delay": 0.0})

    stats = crawl(
        "submitted",
        settings,
        url=f"{fake_http.base}/Gerrit4Ever/status/186125",
        submitted_by="n.smits@voorbeeld.example",
        official_id="off-azzouzi",
    )
    withdrawn = crawl(
        "submitted",
        settings,
        url=f"{fake_http.base}/andere/pagina",
        submitted_by="n.smits@voorbeeld.example",
        official_id="off-dijkhuizen",
    )

    assert stats["schildwacht/published"] == 1 and withdrawn.get("schildwacht/published", 0) == 0
    assert withdrawn["schildwacht/unmatched"] == 1
    [record] = read_topic(settings, settings.topic_raw)
    mention = CollectedMention.from_bytes(record.value)
    assert mention.collector == "submitted" and mention.platform == "web"
    assert mention.matched_official_ids == ["off-azzouzi", "off-zoetelief"]
    assert [(m.kind, m.surface, m.start) for m in mention.matches if m.official_id == "off-azzouzi"] == [
        ("submitted", "ingediend door n.smits@voorbeeld.example", None)
    ]
    assert "ik weet waar ze woont" in mention.text and "window.track" not in mention.text
    assert mention.created_at.isoformat() == "2026-11-22T08:15:00+00:00"
    assert mention.raw.inline_bytes() == PAGE
    warc = base64.b64decode(mention.raw.warc_b64)
    response = next(r for r in ArchiveIterator(io.BytesIO(warc)) if r.rec_type == "response")
    assert response.rec_headers.get_header("Schildwacht-Submitted-By") == "n.smits@voorbeeld.example"


def test_platform_of_hosts():
    assert platform_of("x.com") == "x" and platform_of("mobile.twitter.com") == "x"
    assert platform_of("www.facebook.com") == "facebook" and platform_of("m.facebook.com") == "facebook"
    assert platform_of("notx.com") == "web"


def test_https_capture_records_the_server_certificate(stack, registry_seeded, read_topic, fake_https):
    server, der = fake_https
    server.answer = lambda method, target, headers, body: (200, {"Content-Type": "text/html"}, PAGE)
    settings = stack.settings.model_copy(update={"collector_download_delay": 0.0})
    crawl("submitted", settings, url=f"{server.base}/post/1", submitted_by="j.kokkelink@voorbeeld.example")
    [record] = read_topic(settings, settings.topic_raw)
    mention = CollectedMention.from_bytes(record.value)
    assert mention.raw.tls_cert_sha256 == hashlib.sha256(der).hexdigest()
    assert mention.matched_official_ids == ["off-zoetelief"]
