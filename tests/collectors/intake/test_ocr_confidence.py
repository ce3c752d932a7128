"""OCR confidence of screenshots: real Tesseract on a clean rendering and on a blurred, speckled copy of it.

The oracle is the comparison itself (the same text, rendered once cleanly and once degraded) and the threshold
(LOW_OCR_CONFIDENCE): no confidence value is hard-coded."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from warcio.archiveiterator import ArchiveIterator

from collectors.intake.images import image_piece
from collectors.spiders.intake import piece_capture
from schildwacht.contracts import IntakeReceipt, sha256_hex
from schildwacht.vocabulary import LOW_OCR_CONFIDENCE, ocr_warning
from tests.collectors.intake.messages import TESSERACT, degraded, screenshot
from tests.support.components import require

LINES = ["Wethouder Zoetelief, ik weet waar je woont.", "Ik ga je vermoorden."]
NOW = datetime(2026, 11, 19, 8, 0, tzinfo=UTC)


def test_clean_screenshot_is_read_confidently_and_a_degraded_one_gets_the_warning():
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    clean_png = screenshot(LINES)
    clean = image_piece(clean_png, "helder.png", NOW)
    noisy = image_piece(degraded(clean_png), "wazig.png", NOW)

    assert clean.ocr_confidence is not None and noisy.ocr_confidence is not None
    assert clean.ocr_confidence >= LOW_OCR_CONFIDENCE > noisy.ocr_confidence > 0
    assert clean.text == "\n".join(LINES)
    read_words = set(noisy.text.split())
    assert read_words & {"Wethouder", "woont.", "vermoorden."}  # partly read, but not to be trusted unseen
    assert clean.annotations["Schildwacht-OCR-Low-Confidence"] == "nee"
    assert noisy.annotations["Schildwacht-OCR-Low-Confidence"] == "ja"
    assert float(noisy.annotations["Schildwacht-OCR-Confidence"]) == noisy.ocr_confidence
    assert ocr_warning(clean.ocr_confidence) is None
    assert ocr_warning(noisy.ocr_confidence) == (
        f"OCR-lezing onzeker ({noisy.ocr_confidence:.0f}%): controleer de tekst tegen de afbeelding"
    )


def test_ocr_warning_threshold():
    assert ocr_warning(None) is None
    assert ocr_warning(LOW_OCR_CONFIDENCE) is None
    assert ocr_warning(61.6) is None
    assert ocr_warning(59.6) == "OCR-lezing onzeker (60%): controleer de tekst tegen de afbeelding"
    assert ocr_warning(0.0) == "OCR-lezing onzeker (0%): controleer de tekst tegen de afbeelding"


def test_the_receipt_travels_with_the_evidence():
    require(TESSERACT is not None, "tesseract (tesseract-ocr-nld)")
    png = degraded(screenshot(LINES))
    piece = image_piece(png, "wazig.png", NOW)
    receipt = IntakeReceipt(
        channel="upload",
        handed_over_by="j.kokkelink@voorbeeld.example",
        file_name="wazig.png",
        file_sha256=sha256_hex(png),
        ocr_confidence=piece.ocr_confidence,
    )
    capture = piece_capture(piece, "uploads", NOW, receipt)
    raw = capture.payload()

    assert raw.intake == receipt and raw.inline_bytes() == png
    record = next(iter(ArchiveIterator(io.BytesIO(capture.warc))))
    assert record.rec_headers.get_header("Schildwacht-Intake-Channel") == "upload"
    assert record.rec_headers.get_header("Schildwacht-Handed-Over-By") == "j.kokkelink@voorbeeld.example"
    assert record.content_stream().read() == png
