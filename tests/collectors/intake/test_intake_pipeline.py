"""Intake end to end through the collector pipeline: real PostgreSQL registry, real Tansu broker topics."""

from __future__ import annotations

import io
import json
from hashlib import sha256
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from collectors.intake.run import run_intake
from schildwacht.contracts import CollectedMention, DeadLetter
from tests.collectors.intake.messages import (
    FORWARDED_DATE,
    TELEGRAM,
    WHATSAPP_ANDROID,
    forwarded_inline,
    whatsapp_zip,
    zip_bomb,
)

THREAT = "Ik weet waar je woont. Pas maar op."


def write(tmp_path: Path, files: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    return paths


def mentions(read_topic, settings) -> dict[str, CollectedMention]:
    found = [CollectedMention.from_bytes(r.value) for r in read_topic(settings, settings.topic_raw)]
    return {m.uid: m for m in found}


def letters(read_topic, settings) -> list[DeadLetter]:
    return [DeadLetter.from_bytes(r.value) for r in read_topic(settings, settings.topic_dead_letter)]


def warc_headers(mention: CollectedMention) -> dict[str, str]:
    record = next(iter(ArchiveIterator(io.BytesIO(mention.raw.warc_bytes()))))
    return dict(record.rec_headers.headers)


def test_forwarded_mail_from_registered_senders_is_published_and_the_rest_parked(
    stack, registry_seeded, read_topic, tmp_path
):
    official_mail = forwarded_inline("m.zoetelief@voorbeeld.example", THREAT)
    files = {
        "official.eml": official_mail,
        "staff.eml": forwarded_inline("n.smits@voorbeeld.example", "Wethouder Zoetelief is een schande."),
        "forged.eml": forwarded_inline("m.zoetelief@voorbeeld.example", THREAT, auth="dmarc=fail"),
        "unknown.eml": forwarded_inline("iemand@elders.example", THREAT),
        "withdrawn.eml": forwarded_inline("r.dijkhuizen@noorderland.example", THREAT),
        "dm.png": b"GIF89a geen png",
        "chat.zip": zip_bomb(20 * 1024 * 1024),
    }
    stats = run_intake(write(tmp_path, files), stack.settings)

    assert (stats.files, stats.published, stats.parked) == (7, 2, 5)
    published = mentions(read_topic, stack.settings)
    by_official, by_staff = (f"email:{sha256(files[n]).hexdigest()}" for n in ("official.eml", "staff.eml"))
    assert set(published) == {by_official, by_staff}
    mention = published[by_official]
    assert mention.raw.inline_bytes() == official_mail  # byte for byte
    assert mention.author.handle == "boos@example.net" and mention.created_at == FORWARDED_DATE
    assert mention.matched_official_ids[0] == "off-zoetelief"
    assert mention.matches[0].kind == "submitted" and "m.zoetelief@voorbeeld.example" in mention.matches[0].surface
    headers = warc_headers(mention)
    assert headers["Schildwacht-Forwarded-By"] == "m.zoetelief@voorbeeld.example"
    assert headers["Schildwacht-Eml-SHA256"] == sha256(official_mail).hexdigest()
    # staff forwarded it without naming an official: the text's own mention decides
    assert published[by_staff].matched_official_ids == ["off-zoetelief"]
    assert {m.kind for m in published[by_staff].matches} <= {"name", "role"}
    parked = letters(read_topic, stack.settings)
    reasons = {letter.reason.split(":")[0]: letter for letter in parked}
    assert set(reasons) == {"forged.eml", "unknown.eml", "withdrawn.eml", "dm.png", "chat.zip"}
    assert "vervalst" in reasons["forged.eml"].reason and reasons["forged.eml"].payload == files["forged.eml"]
    assert "geen geregistreerde" in reasons["unknown.eml"].reason
    assert reasons["withdrawn.eml"].payload_size == 0  # nothing of an official without consent is kept
    assert reasons["dm.png"].payload == files["dm.png"]


def test_chat_exports_for_a_consenting_official_keep_sender_time_and_thread(
    stack, registry_seeded, read_topic, tmp_path
):
    files = {"Buurt.zip": whatsapp_zip(WHATSAPP_ANDROID), "result.json": json.dumps(TELEGRAM).encode()}
    stats = run_intake(write(tmp_path, files), stack.settings, official_id="off-zoetelief")

    assert (stats.files, stats.items, stats.published, stats.parked) == (2, 5, 5, 0)
    published = mentions(read_topic, stack.settings)
    whatsapp = sorted((m for m in published.values() if m.platform == "whatsapp"), key=lambda m: m.created_at)
    assert [m.author.handle for m in whatsapp] == ["Piet", "Klaas", "Piet"]
    assert {m.thread_id for m in whatsapp} == {"whatsapp:WhatsApp Chat met Buurt"}
    assert published["telegram:4242:3"].in_reply_to_id == "4242:2"
    assert all(m.matched_official_ids[0] == "off-zoetelief" for m in published.values())
    assert (
        warc_headers(published["telegram:4242:3"])["Schildwacht-Page-SHA256"]
        == sha256(files["result.json"]).hexdigest()
    )


def test_nothing_is_kept_for_an_official_without_consent(stack, registry_seeded, read_topic, tmp_path):
    files = {"Buurt.txt": WHATSAPP_ANDROID.encode(), "onbekend.txt": b"x"}
    stats = run_intake(write(tmp_path, files), stack.settings, official_id="off-dijkhuizen")
    unregistered = run_intake(write(tmp_path, {"a.txt": b"y"}), stack.settings, official_id="off-bestaat-niet")

    assert (stats.published, stats.parked, unregistered.published, unregistered.parked) == (0, 2, 0, 1)
    assert mentions(read_topic, stack.settings) == {}
    parked = letters(read_topic, stack.settings)
    assert len(parked) == 3 and all(letter.payload_size == 0 for letter in parked)
    assert sum("zonder (of met ingetrokken) toestemming" in letter.reason for letter in parked) == 2
    assert sum("niet geregistreerd" in letter.reason for letter in parked) == 1
