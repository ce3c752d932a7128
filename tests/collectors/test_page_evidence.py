"""Per-post evidence (issue 24, point 1): a page that lists many people's posts yields, for the one post that is
collected, that post's own JSON and WARC plus the page's sha256; nobody else on the page travels, and the police
bundle built from it still verifies."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from types import SimpleNamespace

from pypdf import PdfReader
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from collectors.crawl import crawl
from schildwacht.contracts import LABELS, ModelInfo, ScoredMention
from schildwacht.db import session_scope
from schildwacht.models import Mention
from tests.collectors.test_mastodon import INSTANCE, TROLL, FakeMastodon, account, mentions_on
from tests.collectors.test_mastodon import settings_for as mastodon_settings
from tests.collectors.test_mastodon import status as mastodon_status
from triage.bundle.export import export_bundle
from triage.bundle.verify import verify_bundle
from triage.ingest import IngestWorker

BYSTANDER_NAME = "Anke de Groot"
BYSTANDER_ADDRESS = "Kerkstraat 14, 9711 AB Groningen"
BYSTANDER_PHONE = "06-12345678"
BYSTANDER_DATA = (BYSTANDER_NAME, BYSTANDER_ADDRESS, BYSTANDER_PHONE, "anke@toot.example", "Pieter Bos")
HOSTILE = "<p>Wethouder Zoetelief, ik weet waar je woont. Pas maar op.</p>"


def _bystander_page() -> tuple[list[dict], dict]:
    """A hashtag timeline page: one hostile post about wethouder Zoetelief among bystanders' posts."""
    anke = account("anke@toot.example", "2003", BYSTANDER_NAME)
    pieter = account("pieter@toot.example", "2004", "Pieter Bos")
    hostile = mastodon_status(3, TROLL, HOSTILE, hours_ago=3)
    page = [
        mastodon_status(4, anke, f"<p>Wie vindt mijn kat? Ik woon op {BYSTANDER_ADDRESS}, bel {BYSTANDER_PHONE}</p>"),
        hostile,
        mastodon_status(2, pieter, f"<p>Gezellig met {BYSTANDER_NAME} op de markt #wijk</p>", hours_ago=4),
    ]
    return page, hostile


def _warc_bytes(warc: bytes) -> bytes:
    """Every byte of a gzip-per-record WARC, decompressed: headers and payloads."""
    return gzip.decompress(warc)


def test_page_with_bystanders_yields_per_post_evidence_and_a_verifiable_page_hash(
    stack, registry_seeded, read_topic, fake_http, tmp_path
):
    page, hostile = _bystander_page()
    served_page = json.dumps(page).encode()
    assert all(b.encode() in served_page for b in BYSTANDER_DATA)  # the page really carries the bystanders
    fake = FakeMastodon(fake_http)
    fake.script["/api/v1/timelines/tag/wijk"] = [(200, {}, served_page), (200, {}, b"[]")]
    settings = mastodon_settings(stack, fake, collector_mastodon_hashtags=[f"wijk@{INSTANCE}"])

    stats = crawl("mastodon", settings)

    [mention] = mentions_on(read_topic, settings)
    assert stats["schildwacht/published"] == 1 and mention.uid == f"mastodon:{hostile['id']}"
    raw = mention.raw.inline_bytes()
    warc = mention.raw.warc_bytes()
    # the post's own record: its JSON, exactly the entity the page held, and nothing of anyone else
    assert json.loads(raw) == hostile
    assert mention.raw.sha256 == hashlib.sha256(raw).hexdigest()
    for data in (raw, _warc_bytes(warc), mention.text.encode()):
        assert not [b for b in BYSTANDER_DATA if b.encode() in data]
    # provenance: the page's hash and size are those of the bytes the server sent
    assert mention.raw.page_sha256 == hashlib.sha256(served_page).hexdigest()
    assert mention.raw.page_size == len(served_page)
    records = [(r, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(warc))]
    assert [r.rec_type for r, _ in records] == ["resource", "metadata", "request"]
    (resource, resource_body), (head, head_body), (request, _) = records
    assert resource_body == raw
    assert resource.rec_headers.get_header("WARC-Target-URI").startswith(f"{fake.base}/api/v1/timelines/tag/wijk")
    assert resource.rec_headers.get_header("Schildwacht-Page-SHA256") == hashlib.sha256(served_page).hexdigest()
    assert resource.rec_headers.get_header("Schildwacht-Page-Position") == "/1"  # the hostile post's index
    assert head.rec_headers.get_header("WARC-Concurrent-To") == resource.rec_headers.get_header("WARC-Record-ID")
    assert head_body.startswith(b"HTTP/1.1 200 OK\r\n")
    assert request.http_headers.get_header("User-Agent").startswith("SchildwachtBot/")

    # the police bundle of the case the post opens carries no bystander and still verifies
    scored = ScoredMention(
        mention=mention,
        scores={label: 0.95 if label == "threat" else 0.01 for label in LABELS},
        flags=["threat"],
        target_official_id="off-zoetelief",
        model=ModelInfo(name="test", version="1"),
    )
    IngestWorker(settings, registry_seeded).handle(
        [SimpleNamespace(topic=settings.topic_scored, value=scored.to_bytes())]
    )
    bundle_settings = settings.model_copy(update={"data_dir": tmp_path / "data"})
    with session_scope(registry_seeded) as session:
        case_id = session.scalar(select(Mention.case_id).where(Mention.uid == mention.uid))
        assert case_id is not None
        path = export_bundle(session, case_id, "n.smits@voorbeeld.example", tmp_path / "zaak.zip", bundle_settings)
    assert verify_bundle(path).ok
    with zipfile.ZipFile(path) as bundle:
        members = {name: bundle.read(name) for name in bundle.namelist()}
    assert any(data == raw for data in members.values()) and any(data == warc for data in members.values())
    for name, data in members.items():
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        elif name.endswith(".pdf"):
            data = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).encode()
        assert not [b for b in BYSTANDER_DATA if b.encode() in data], name


def test_official_feed_posts_each_keep_their_own_evidence(stack, registry_seeded, read_topic, fake_http):
    """Two hostile posts of one page: each carries its own JSON, the same page hash, its own position."""
    first = mastodon_status(1, TROLL, "<p>wethouder Zoetelief is een leugenaar</p>", hours_ago=5)
    second = mastodon_status(2, TROLL, "<p>wethouder Zoetelief moet weg</p>", hours_ago=4)
    served_page = json.dumps([second, first]).encode()
    fake = FakeMastodon(fake_http)
    fake.script["/api/v1/timelines/tag/weg"] = [(200, {}, served_page), (200, {}, b"[]")]
    settings = mastodon_settings(stack, fake, collector_mastodon_hashtags=[f"weg@{INSTANCE}"])

    crawl("mastodon", settings)

    by_id = {m.post_id: m for m in mentions_on(read_topic, settings)}
    assert set(by_id) == {first["id"], second["id"]}
    assert json.loads(by_id[first["id"]].raw.inline_bytes()) == first
    assert json.loads(by_id[second["id"]].raw.inline_bytes()) == second
    assert {m.raw.page_sha256 for m in by_id.values()} == {hashlib.sha256(served_page).hexdigest()}
    positions = {
        post_id: next(ArchiveIterator(io.BytesIO(m.raw.warc_bytes()))).rec_headers.get_header(
            "Schildwacht-Page-Position"
        )
        for post_id, m in by_id.items()
    }
    assert positions == {second["id"]: "/0", first["id"]: "/1"}
