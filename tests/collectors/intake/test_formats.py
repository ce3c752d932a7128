"""The intake readers on their own: what each format yields, and the reason each bad file is refused."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from collectors.intake.files import pieces_of
from collectors.intake.imap import ForwardingMailbox, MailboxError
from collectors.intake.mail import authentication, parse
from collectors.intake.pieces import Piece, Refusal
from schildwacht.config import Settings
from tests.collectors.intake.messages import (
    FORWARDED_DATE,
    TELEGRAM,
    TESSERACT,
    WHATSAPP_ANDROID,
    forwarded_attached,
    forwarded_inline,
    screenshot,
    whatsapp_zip,
    zip_bomb,
)
from tests.support.components import require

LIMIT = 2 * 1024 * 1024
NOW = datetime(2026, 11, 19, 8, 0, tzinfo=UTC)


def only(items: list[Piece | Refusal]) -> Piece | Refusal:
    assert len(items) == 1, items
    return items[0]


def test_inline_forward_gives_the_forwarded_author_and_date_and_keeps_the_eml_whole():
    data = forwarded_inline("m.zoetelief@voorbeeld.example", "Ik weet waar je woont, Zoetelief.")
    piece = only(pieces_of(data, "melding.eml", LIMIT, NOW))
    assert isinstance(piece, Piece)
    assert piece.raw == data and piece.content_type == "message/rfc822"
    assert piece.author.handle == "boos@example.net" and piece.author.display_name == "Boze Burger"
    assert piece.created_at == FORWARDED_DATE
    assert piece.forwarder == "m.zoetelief@voorbeeld.example" and piece.sender_check == "pass"
    assert "Ik weet waar je woont, Zoetelief." in piece.text and "Zie hieronder" not in piece.text
    assert piece.annotations["Schildwacht-Eml-SHA256"] == hashlib.sha256(data).hexdigest()


def test_attached_original_gives_its_message_id_and_received_chain():
    data = forwarded_attached("k.horst@voorbeeld.example", "Pas maar op.")
    piece = only(pieces_of(data, "fw.eml", LIMIT, NOW))
    assert piece.post_id == "origineel-42@example.org"
    assert piece.author.handle == "anoniem@example.org" and piece.created_at == FORWARDED_DATE
    assert piece.annotations["Schildwacht-Forwarded-Received-Count"] == "1"
    assert piece.sender_check == "unchecked"  # no Authentication-Results to check


@pytest.mark.parametrize(
    ("auth", "verdict"),
    [
        ("dmarc=pass", "pass"),
        ("dmarc=fail (p=reject)", "fail"),
        ("dmarc=none", "fail"),
    ],
)
def test_dmarc_verdict_comes_from_authentication_results(auth, verdict):
    assert authentication(parse(forwarded_inline("a@voorbeeld.example", "x", auth)))[0] == verdict


def test_dkim_of_another_domain_is_not_alignment():
    message = parse(forwarded_inline("a@voorbeeld.example", "x", auth=None))
    message["Authentication-Results"] = "mx.voorbeeld.example; dkim=pass header.d=spammer.example"
    assert authentication(message)[0] == "fail"
    del message["Authentication-Results"]
    message["Authentication-Results"] = "mx.voorbeeld.example; dkim=pass header.d=voorbeeld.example"
    assert authentication(message)[0] == "pass"


def test_whatsapp_txt_and_zip_split_into_messages_with_sender_time_and_one_thread():
    for name, data in (("Buurt.txt", WHATSAPP_ANDROID.encode()), ("Buurt.zip", whatsapp_zip(WHATSAPP_ANDROID))):
        pieces = pieces_of(data, name, LIMIT, NOW)
        assert [p.author.handle for p in pieces] == ["Piet", "Klaas", "Piet"], name
        assert pieces[1].text == "Ja. Die moet je opwachten bij het gemeentehuis\nen dan weet ze het wel."
        assert (
            pieces[1].raw
            == b"20-11-2026 14:05 - Klaas: Ja. Die moet je opwachten bij het gemeentehuis\nen dan weet ze het wel.\n"
        )
        assert pieces[1].created_at == datetime(2026, 11, 20, 13, 5, tzinfo=UTC)  # 14:05 CET
        assert pieces[2].created_at == datetime(2026, 11, 21, 8, 15, 42, tzinfo=UTC)
        assert len({p.thread_id for p in pieces}) == 1
        assert len({p.post_id for p in pieces}) == 3


def test_telegram_export_keeps_replies_and_skips_service_messages():
    data = json.dumps(TELEGRAM).encode()
    pieces = pieces_of(data, "result.json", LIMIT, NOW)
    assert [p.post_id for p in pieces] == ["4242:2", "4242:3"]
    assert pieces[1].text == "we weten waar ze woont" and pieces[1].in_reply_to_id == "4242:2"
    assert pieces[0].created_at == datetime(2026, 11, 20, 9, 1, tzinfo=UTC)  # local 10:01 CET
    assert pieces[1].created_at == datetime(2026, 11, 20, 9, 2, 30, tzinfo=UTC)
    assert json.loads(pieces[1].raw) == TELEGRAM["messages"][2]
    assert pieces[0].page_sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("dm.png", b"<html>niet echt een plaatje</html>", "geen leesbare afbeelding"),
        ("bom.zip", zip_bomb(50 * 1024 * 1024), "ZIP-bom"),
        ("kapot.zip", b"PK\x03\x04 afgebroken", "geen geldig ZIP-bestand"),
        ("chat.txt", b"Ceci n'est pas un export WhatsApp.\nDu tout.", "onbekend exportformaat"),
        ("result.json", b'{"foo": []}', "onbekend exportformaat"),
        ("leeg.eml", b"dit is geen e-mail", "onleesbare e-mail"),
        ("groot.eml", b"From: a@b.example\n\n" + b"x" * LIMIT, "groter dan de limiet"),
        ("brief.docx", b"PK\x03\x04", "onbekend bestandstype"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_its_bytes(name, data, reason):
    refusal = only(pieces_of(data, name, LIMIT, NOW))
    assert isinstance(refusal, Refusal) and reason in refusal.reason and refusal.reason.startswith(name)
    assert refusal.payload == data


def test_screenshot_is_read_with_the_dutch_model_and_keeps_the_image():
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    image = screenshot(["Wethouder Zoetelief, wij weten", "waar je woont. Pas maar op."])
    piece = only(pieces_of(image, "dm.png", LIMIT, NOW))
    assert piece.raw == image and piece.content_type == "image/png"
    assert "Zoetelief" in piece.text and "woont" in piece.text
    assert float(piece.annotations["Schildwacht-OCR-Confidence"]) > 60
    blank = only(pieces_of(screenshot([]), "leeg.png", LIMIT, NOW))
    assert blank.text == "" and blank.annotations["Schildwacht-OCR-Low-Confidence"] == "ja"


def test_a_screenshot_attached_to_a_forward_is_a_piece_of_its_own_with_the_forwarder():
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    image = screenshot(["Zoetelief, wij komen eraan."])
    data = forwarded_attached("k.horst@voorbeeld.example", "Zie bijlage.", screenshot=image)
    mail, shot = pieces_of(data, "fw.eml", LIMIT, NOW)
    assert mail.raw == data and shot.raw == image and shot.platform == "screenshot"
    assert shot.forwarder == "k.horst@voorbeeld.example"
    assert shot.annotations["Schildwacht-Eml-SHA256"] == hashlib.sha256(data).hexdigest()
    assert "Zoetelief" in shot.text


def test_unencrypted_imap_is_refused_for_another_host():
    settings = Settings(intake_imap_host="imap.voorbeeld.example", intake_imap_security="none", intake_imap_user="m")
    with pytest.raises(MailboxError, match="onversleuteld"):
        ForwardingMailbox(settings)
