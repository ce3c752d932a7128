"""Outlook .msg intake: real compound files (written by `cfbwrite`, see outlook_files) read by extract-msg, handed
over on their own or attached to a forwarded e-mail; broken ones parked with a Dutch reason and their bytes."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage

from warcio.archiveiterator import ArchiveIterator

from collectors.intake.files import pieces_of
from collectors.intake.pieces import Piece, Refusal
from collectors.intake.run import run_intake
from schildwacht.contracts import CollectedMention, DeadLetter
from tests.collectors.intake.messages import TESSERACT, screenshot
from tests.collectors.intake.outlook_files import outlook_msg
from tests.support.components import require

LIMIT = 2 * 1024 * 1024
NOW = datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
SENT = datetime(2026, 11, 18, 21, 14, 5, tzinfo=timezone(timedelta(hours=1)))
THREAT = "Wethouder Zoetelief, ik weet waar je woont. Pas maar op."


def threat_msg(message_id: str | None = "outlook-7@example.net", **extra) -> bytes:
    return outlook_msg("Boze Burger", "Boos@Example.net", "jij", THREAT, SENT, message_id=message_id, **extra)


def forward_with(attachment: bytes, forwarder: str = "m.zoetelief@voorbeeld.example") -> bytes:
    """An e-mail by `forwarder` (DMARC pass) with `attachment` attached as an Outlook message."""
    mail = EmailMessage()
    mail["From"] = forwarder
    mail["To"] = "meldpunt@voorbeeld.example"
    mail["Subject"] = "FW: jij"
    mail["Authentication-Results"] = "mx.voorbeeld.example; dkim=pass header.d=voorbeeld.example; dmarc=pass"
    mail.set_content("Zie bijlage, dit kreeg ik gisteren.")
    mail.add_attachment(attachment, maintype="application", subtype="vnd.ms-outlook", filename="jij.msg")
    return bytes(mail)


def test_msg_gives_sender_date_and_subject_and_keeps_the_file_byte_for_byte():
    data = threat_msg()
    [piece] = pieces_of(data, "jij.msg", LIMIT, NOW)

    assert isinstance(piece, Piece)
    assert piece.raw == data and piece.content_type == "application/vnd.ms-outlook"
    assert piece.annotations["Schildwacht-Msg-SHA256"] == hashlib.sha256(data).hexdigest()
    assert (piece.author.handle, piece.author.display_name) == ("Boos@Example.net", "Boze Burger")
    assert piece.author.id == "boos@example.net"
    assert piece.created_at == SENT  # 20:14:05 UTC, from the transport headers
    assert piece.post_id == "outlook-7@example.net"
    assert piece.text == f"jij\n\n{THREAT}"


def test_msg_without_transport_headers_takes_sender_and_time_from_its_properties():
    data = threat_msg(message_id=None)
    [piece] = pieces_of(data, "export.msg", LIMIT, NOW)

    assert isinstance(piece, Piece)
    assert piece.author.handle == "Boos@Example.net" and piece.author.display_name == "Boze Burger"
    assert piece.created_at == SENT.astimezone(UTC)  # PR_CLIENT_SUBMIT_TIME
    assert piece.post_id == hashlib.sha256(data).hexdigest()  # no Message-ID: the file's hash


def test_screenshot_in_a_msg_is_read_as_a_piece_of_its_own():
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    image = screenshot(["Ik weet waar je woont."])
    data = threat_msg(attachments={"dm.png": image})
    pieces = pieces_of(data, "jij.msg", LIMIT, NOW)

    assert [type(p) for p in pieces] == [Piece, Piece]
    mail, shot = pieces
    assert isinstance(mail, Piece) and isinstance(shot, Piece)
    assert mail.raw == data and shot.raw == image
    assert "woont" in shot.text
    assert shot.annotations["Schildwacht-Msg-SHA256"] == hashlib.sha256(data).hexdigest()


def test_broken_msg_files_are_refused_with_a_dutch_reason_and_their_bytes():
    whole = threat_msg()
    cases = {
        "kapot.msg": whole[:3000],  # a compound file cut off in its FAT
        "nep.msg": b"Dit is geen Outlook-bericht. " * 100,
        "leeg.msg": outlook_msg("", "", "", "", SENT),
    }
    for name, data in cases.items():
        [refusal] = pieces_of(data, name, LIMIT, NOW)
        assert isinstance(refusal, Refusal), name
        assert refusal.payload == data, name
        assert refusal.reason.startswith(f"{name}: "), refusal.reason
    reasons = {name: only_refusal(pieces_of(data, name, LIMIT, NOW)).reason for name, data in cases.items()}
    assert "onleesbaar Outlook-bericht" in reasons["kapot.msg"]
    assert "geen OLE-samengesteld bestand" in reasons["nep.msg"]
    assert "zonder tekst" in reasons["leeg.msg"]


def only_refusal(items: list[Piece | Refusal]) -> Refusal:
    [item] = items
    assert isinstance(item, Refusal)
    return item


def test_msg_attached_to_a_forwarded_mail_is_the_forwarded_message():
    attached = threat_msg()
    mail = forward_with(attached)
    [piece] = pieces_of(mail, "melding.eml", LIMIT, NOW)  # the covering note is no piece of its own

    assert isinstance(piece, Piece)
    assert piece.raw == attached  # the .msg itself, byte for byte
    assert piece.author.handle == "Boos@Example.net" and piece.created_at == SENT
    assert piece.forwarder == "m.zoetelief@voorbeeld.example" and piece.sender_check == "pass"
    assert piece.annotations["Schildwacht-Eml-SHA256"] == hashlib.sha256(mail).hexdigest()
    assert piece.annotations["Schildwacht-Msg-SHA256"] == hashlib.sha256(attached).hexdigest()
    assert piece.annotations["Schildwacht-Intake-File"] == "melding.eml/jij.msg"


def test_broken_msg_attached_to_a_mail_is_parked_beside_the_rest():
    broken = threat_msg()[:3000]
    [refusal] = pieces_of(forward_with(broken), "melding.eml", LIMIT, NOW)

    assert isinstance(refusal, Refusal)
    assert refusal.reason.startswith("melding.eml: bijlage jij.msg: onleesbaar Outlook-bericht")
    assert refusal.payload == broken


def test_msg_handed_over_for_an_official_is_published_and_a_broken_one_parked(
    stack, registry_seeded, read_topic, tmp_path
):
    good, broken = threat_msg(), threat_msg(message_id="ander@example.net")[:3000]
    (tmp_path / "jij.msg").write_bytes(good)
    (tmp_path / "kapot.msg").write_bytes(broken)
    stats = run_intake([tmp_path / "jij.msg", tmp_path / "kapot.msg"], stack.settings, "off-zoetelief")

    assert (stats.files, stats.items, stats.published, stats.parked) == (2, 1, 1, 1)
    [mention] = [CollectedMention.from_bytes(r.value) for r in read_topic(stack.settings, stack.settings.topic_raw)]
    assert mention.uid == "email:outlook-7@example.net"
    assert mention.raw is not None and mention.raw.inline_bytes() == good
    assert mention.raw.sha256 == hashlib.sha256(good).hexdigest()
    assert mention.author.handle == "Boos@Example.net" and mention.created_at == SENT
    assert mention.matched_official_ids == ["off-zoetelief"]
    warc = mention.raw.warc_bytes()
    assert warc is not None
    record = next(iter(ArchiveIterator(io.BytesIO(warc))))
    assert record.rec_headers.get_header("Schildwacht-Msg-SHA256") == hashlib.sha256(good).hexdigest()
    [letter] = [DeadLetter.from_bytes(r.value) for r in read_topic(stack.settings, stack.settings.topic_dead_letter)]
    assert letter.reason.startswith("kapot.msg: onleesbaar Outlook-bericht")
    assert letter.payload == broken
