"""A Mastodon access token goes to its own server only, and never into the evidence."""

from __future__ import annotations

import gzip

from pydantic import SecretStr

from collectors.crawl import crawl
from schildwacht.contracts import CollectedMention
from tests.collectors.test_mastodon import BYSTANDER, INSTANCE, FakeMastodon, status

TOKEN = "geheim-toegangstoken-123"


def test_access_token_is_sent_to_its_server_and_redacted_in_the_warc(stack, registry_seeded, read_topic, fake_http):
    fake = FakeMastodon(fake_http)
    fake.timelines["/api/v1/timelines/tag/voorbeeld"] = [
        status(20, BYSTANDER, "<p>Vanavond spreekt wethouder Zoetelief over #voorbeeld</p>")
    ]
    settings = stack.settings.model_copy(
        update={
            "collector_download_delay": 0.0,
            "collector_mastodon_instances": {INSTANCE: fake.base, "ander.example": "http://127.0.0.2:9"},
            "collector_mastodon_hashtags": [f"voorbeeld@{INSTANCE}"],
            "collector_mastodon_access_tokens": {INSTANCE: SecretStr(TOKEN), "ander.example": SecretStr("fout")},
        }
    )

    crawl("mastodon", settings)

    to_fake = [headers for _, _, headers in fake_http.requests]
    assert to_fake and all(h.get("Authorization") == f"Bearer {TOKEN}" for h in to_fake)
    mentions = [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]
    assert len(mentions) == 1
    warc = gzip.decompress(mentions[0].raw.warc_bytes())
    assert TOKEN.encode() not in warc and b"Authorization: [verwijderd]" in warc
