"""Test inputs for intake: forwarded e-mails, rendered screenshots, chat exports, hostile files."""

from __future__ import annotations

import io
import random
import shutil
import zipfile
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

from PIL import Image, ImageDraw, ImageFilter, ImageFont

TESSERACT = shutil.which("tesseract")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FORWARDED_DATE = datetime(2026, 11, 18, 21, 14, 5, tzinfo=timezone(timedelta(hours=1)))


def forwarded_inline(forwarder: str, text: str, auth: str | None = "dmarc=pass") -> bytes:
    """An inline (Gmail-style) forward by `forwarder` of a mail from boos@example.net."""
    message = EmailMessage()
    message["From"] = f"Doorsturer <{forwarder}>"
    message["To"] = "meldpunt@voorbeeld.example"
    message["Subject"] = "Fwd: dit kreeg ik gisteren"
    message["Message-ID"] = "<fwd-1@voorbeeld.example>"
    if auth:
        message["Authentication-Results"] = (
            f"mx.voorbeeld.example; spf=pass; dkim=pass header.d=voorbeeld.example; {auth}"
        )
    message.set_content(
        "Zie hieronder.\n\n---------- Forwarded message ---------\n"
        f"Van: Boze Burger <boos@example.net>\nDate: {format_datetime(FORWARDED_DATE)}\n"
        "Subject: jij\nTo: <m.zoetelief@voorbeeld.example>\n\n"
        f"{text}\n"
    )
    return bytes(message)


def forwarded_attached(forwarder: str, text: str, screenshot: bytes | None = None) -> bytes:
    """A forward with the original attached as message/rfc822 (Outlook style), optionally a screenshot too."""
    inner = EmailMessage()
    inner["From"] = "Anoniem <anoniem@example.org>"
    inner["Date"] = format_datetime(FORWARDED_DATE)
    inner["Message-ID"] = "<origineel-42@example.org>"
    inner["Received"] = "from mail.example.org by mx.voorbeeld.example; Wed, 18 Nov 2026 21:14:06 +0100"
    inner["Subject"] = "waarschuwing"
    inner.set_content(text)
    outer = EmailMessage()
    outer["From"] = forwarder
    outer["To"] = "meldpunt@voorbeeld.example"
    outer["Subject"] = "FW: waarschuwing"
    outer.set_content("Doorgestuurd.")
    outer.add_attachment(inner)
    if screenshot is not None:
        outer.add_attachment(screenshot, maintype="image", subtype="png", filename="dm.png")
    return bytes(outer)


def screenshot(lines: list[str], width: int = 1100) -> bytes:
    """A PNG with `lines` rendered black on white in DejaVu Sans (like a DM screenshot)."""
    font = ImageFont.truetype(FONT, 34)
    image = Image.new("RGB", (width, 80 + 60 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((40, 40 + 60 * i), line, font=font, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def degraded(png: bytes, blur: float = 3.0, speckle: float = 0.04, seed: int = 7) -> bytes:
    """`png` as a bad phone photo of a screen: Gaussian blur plus salt-and-pepper specks on `speckle` of the pixels
    (fixed seed). Tesseract still reads most words, with a mean confidence well below the clean rendering's."""
    image = Image.open(io.BytesIO(png)).convert("L").filter(ImageFilter.GaussianBlur(blur))
    pixels, (width, height), rnd = image.load(), image.size, random.Random(seed)
    assert pixels is not None
    for _ in range(int(width * height * speckle)):
        pixels[rnd.randrange(width), rnd.randrange(height)] = rnd.choice((0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


WHATSAPP_ANDROID = (
    "20-11-2026 14:03 - Berichten en gesprekken worden end-to-end versleuteld.\n"
    "20-11-2026 14:03 - Piet: Heb je gezien wat wethouder Zoetelief zei?\n"
    "20-11-2026 14:05 - Klaas: Ja. Die moet je opwachten bij het gemeentehuis\n"
    "en dan weet ze het wel.\n"
    "[21-11-2026 09:15:42] Piet: haha\n"
)


def whatsapp_zip(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("WhatsApp Chat met Buurt.txt", text)
        archive.writestr("IMG-20261120-WA0001.jpg", b"\xff\xd8\xff not really")
    return out.getvalue()


def zip_bomb(size: int) -> bytes:
    """A ZIP whose one .txt inflates to `size` zero bytes (compresses ~1000x)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", b"\x00" * size)
    return out.getvalue()


TELEGRAM = {
    "name": "Buurtgroep",
    "type": "private_group",
    "id": 4242,
    "messages": [
        {"id": 1, "type": "service", "date": "2026-11-20T10:00:00", "action": "create_group"},
        {
            "id": 2,
            "type": "message",
            "date": "2026-11-20T10:01:00",
            "from": "Sanne",
            "from_id": "user7",
            "text": "Zoetelief weer",
        },
        {
            "id": 3,
            "type": "message",
            "date": "2026-11-20T10:02:30",
            "date_unixtime": "1795165350",
            "from": "Ruben",
            "from_id": "user8",
            "reply_to_message_id": 2,
            "text": ["we weten waar ", {"type": "bold", "text": "ze"}, " woont"],
        },
    ],
}
