"""Screenshots (PNG/JPEG): read with Tesseract's Dutch model; the image itself stays the evidence.

Invariants: only a file that Pillow fully decodes as PNG or JPEG is read; an image of more than `MAX_PIXELS` is
refused before it is decoded (decompression bomb); the OCR confidence (mean word confidence, 0-100) travels with
the piece as WARC header `Schildwacht-OCR-Confidence`, and `low_confidence` marks a reading staff should check.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytesseract
from PIL import Image, UnidentifiedImageError

from collectors.intake.pieces import IntakeError, Piece
from schildwacht.contracts import Author, sha256_hex
from schildwacht.vocabulary import LOW_OCR_CONFIDENCE

MAX_PIXELS = 40_000_000
LOW_CONFIDENCE = LOW_OCR_CONFIDENCE
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # how a PNG and a JPEG start
OCR_LANGUAGE = "nld"


@dataclass(frozen=True)
class Reading:
    """Tesseract's text of an image and its mean word confidence (0-100)."""

    text: str
    confidence: float

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


def decode(data: bytes) -> tuple[Image.Image, str]:
    """The decoded image and its content type; IntakeError when it is not a PNG/JPEG or too large."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in FORMATS:
                raise IntakeError(f"afbeelding in formaat {kind}: alleen PNG en JPEG worden gelezen")
            if width * height > MAX_PIXELS:
                raise IntakeError(f"afbeelding van {width}x{height} pixels: groter dan {MAX_PIXELS} (mogelijke bom)")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise IntakeError(f"geen leesbare afbeelding: {exc}") from exc
    return image, FORMATS[kind]


def read_text(image: Image.Image) -> Reading:
    """OCR with the Dutch model: lines in reading order, confidence averaged over recognised words."""
    data = pytesseract.image_to_data(image.convert("RGB"), lang=OCR_LANGUAGE, output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences = []
    for i, word in enumerate(data["text"]):
        confidence = float(data["conf"][i])
        if not word.strip() or confidence < 0:
            continue
        lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(word)
        confidences.append(confidence)
    text = "\n".join(" ".join(words) for words in lines.values())
    return Reading(text, sum(confidences) / len(confidences) if confidences else 0.0)


def image_piece(data: bytes, name: str, received_at: datetime | None = None) -> Piece:
    """A screenshot as a piece: OCR text to classify, the image bytes as evidence (author unknown: a screenshot)."""
    image, content_type = decode(data)
    reading = read_text(image)
    digest = sha256_hex(data)
    return Piece(
        platform="screenshot",
        post_id=digest,
        author=Author(handle="onbekend (schermafbeelding)"),
        created_at=received_at or datetime.now(UTC),
        text=reading.text,
        raw=data,
        content_type=content_type,
        ocr_confidence=round(reading.confidence, 1),
        annotations={
            "Schildwacht-Intake-File": name,
            "Schildwacht-OCR-Language": OCR_LANGUAGE,
            "Schildwacht-OCR-Confidence": f"{reading.confidence:.1f}",
            "Schildwacht-OCR-Low-Confidence": "ja" if reading.low_confidence else "nee",
        },
    )
