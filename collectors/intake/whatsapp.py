"""WhatsApp chat exports (`.txt`, or the `.zip` WhatsApp makes): one piece per message, thread kept.

Hand-written rather than `whatstk`: whatstk brings pandas, plotly and seaborn into the collector image and returns
a DataFrame that no longer holds each message's exact bytes, which are its evidence here. Recognised header
layouts (Android and iOS, Dutch and English locales): `20-11-2026 14:03 - Naam: tekst`,
`[20-11-2026 14:03:12] Naam: tekst`, `20/11/2026, 14:03 - Naam: tekst`, 12-hour `2:03 PM` times. Dates are read
day first unless the second number exceeds 12 (a US export). Lines without a
header continue the message above; header lines without `Naam:` are WhatsApp's own notices and are skipped. Times
are local: read as Europe/Amsterdam. A file in which no line has a header is refused (unknown format).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePath

from collectors.intake.pieces import IntakeError, Piece
from schildwacht.contracts import Author, sha256_hex
from schildwacht.vocabulary import AMSTERDAM

_HEADER = re.compile(
    r"^\u200e?\[?(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{2,4}),?\s+"
    r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\]?\s*(?:[-\u2013]\s*)?"
    r"(?P<rest>.*)$"
)
_SENDER = re.compile(r"^(?P<sender>[^:]{1,200}?):\s(?P<text>.*)$", re.DOTALL)


def _moment(h: re.Match) -> datetime:
    a, b, year = int(h["a"]), int(h["b"]), int(h["y"])
    day, month = (b, a) if b > 12 else (a, b)
    year += 2000 if year < 100 else 0
    hour = int(h["h"])
    if h["ampm"]:
        hour = hour % 12 + (12 if h["ampm"][0].lower() == "p" else 0)
    return datetime(year, month, day, hour, int(h["m"]), int(h["s"] or 0), tzinfo=AMSTERDAM)


def whatsapp_pieces(data: bytes, name: str) -> list[Piece]:
    """The messages of an export's text `data` (file `name`); IntakeError when it is not a WhatsApp export."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IntakeError(f"WhatsApp-export is geen UTF-8 (byte {exc.start})") from exc
    chat = PurePath(name).stem
    thread = f"whatsapp:{chat}"[:400]
    digest = sha256_hex(data)
    # (line number, header match, sender, [text lines], [raw lines])
    messages: list[tuple[int, re.Match, str, list[str], list[str]]] = []
    headers = 0
    current = None
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        header = _HEADER.match(line.rstrip("\r\n"))
        if header:
            headers += 1
            said = _SENDER.match(header["rest"])
            current = (number, header, said["sender"].strip(), [said["text"]], [line]) if said else None
            if current:
                messages.append(current)
        elif current:
            current[3].append(line.rstrip("\r\n"))
            current[4].append(line)
    if not headers:
        raise IntakeError(f"{name}: onbekend exportformaat (geen regel met datum, tijd en afzender)")
    pieces = []
    for number, header, sender, lines, raw_lines in messages:
        try:
            when = _moment(header)
        except ValueError as exc:
            raise IntakeError(f"{name}, regel {number}: ongeldige datum of tijd: {exc}") from exc
        body = "\n".join(lines).strip()
        identity = sha256_hex(f"{chat}|{when.isoformat()}|{sender}|{body}".encode())[:32]
        pieces.append(
            Piece(
                platform="whatsapp",
                post_id=identity,
                author=Author(handle=sender[:400], display_name=sender[:400]),
                created_at=when,
                text=body,
                raw="".join(raw_lines).encode("utf-8"),
                content_type="text/plain; charset=utf-8",
                annotations={"Schildwacht-Intake-File": name, "Schildwacht-Page-Position": f"regel {number}"},
                thread_id=thread,
                page_sha256=digest,
                page_size=len(data),
            )
        )
    return pieces
