"""Forwarded e-mails (.eml): the whole message kept byte for byte, the forwarded message's own headers parsed.

A forwarded message is found as an attached `message/rfc822` part, or as an inline forward (Gmail, Outlook and
Apple Mail markers, Dutch and English) whose header block (Van/From, Datum/Date/Verzonden/Sent) gives author and
time. Without either, the mail's own body is the message and its author is unknown. Each PNG/JPEG attachment is a
piece of its own (see `images`), and so is each attached Outlook message (.msg, see `outlook`; the body beside it is
then only the forwarder's covering note). Every piece records the forwarder, the .eml's sha256 at receipt and how many
Received headers the forwarded message carried.

Sender authenticity (`authentication`): the topmost Authentication-Results header (the one the receiving server
added) is read; a `dmarc=` result other than pass, or no DKIM pass whose `header.d` aligns with the From domain
when DKIM was checked, is a forgery. No such header: nothing can be checked ("unchecked").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime

from collectors.intake.images import FORMATS, image_piece
from collectors.intake.outlook import CONTENT_TYPE, msg_pieces
from collectors.intake.pieces import IntakeError, Piece, Refusal
from schildwacht.contracts import Author, sha256_hex

FORWARD_MARKERS = re.compile(
    r"^\s*(-{2,}\s*(Forwarded message|Doorgestuurd bericht|Oorspronkelijk bericht|Original Message)\s*-{2,}"
    r"|Begin forwarded message:|Begin doorgestuurd bericht:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(r"^\s*(?:\*)?(Van|From|Datum|Date|Verzonden|Sent|Onderwerp|Subject|Aan|To)(?:\*)?:\s*(.*)$")
_FIELD = {"van": "from", "datum": "date", "verzonden": "date", "sent": "date", "onderwerp": "subject", "aan": "to"}


def parse(data: bytes) -> EmailMessage:
    """The message; IntakeError when the bytes are not an RFC 5322 message with a From header."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
        sender = message["From"]
    except (ValueError, TypeError, IndexError) as exc:
        raise IntakeError(f"onleesbare e-mail: {exc}") from exc
    if not sender or not parseaddr(str(sender))[1] or message.defects and not message.get_payload():
        raise IntakeError("onleesbare e-mail: geen afzender (From) of geen inhoud")
    return message


def sender_address(message: EmailMessage) -> str:
    """The From address, lower case."""
    return parseaddr(str(message["From"]))[1].lower()


def authentication(message: EmailMessage) -> tuple[str, str]:
    """("pass" | "fail" | "unchecked", explanation) for the sender, from the topmost Authentication-Results."""
    results = message.get_all("Authentication-Results") or []
    if not results:
        return "unchecked", "geen Authentication-Results"
    header = str(results[0])
    domain = sender_address(message).rpartition("@")[2]
    dmarc = re.search(r"\bdmarc=(\w+)", header)
    if dmarc:
        verdict = dmarc.group(1).lower()
        return ("pass", "dmarc=pass") if verdict == "pass" else ("fail", f"dmarc={verdict}")
    dkims = re.findall(r"\bdkim=(\w+)[^;]*?header\.d=([\w.-]+)", header)
    if dkims:
        aligned = [d for result, d in dkims if result.lower() == "pass" and _aligned(d.lower(), domain)]
        if aligned:
            return "pass", f"dkim=pass header.d={aligned[0]}"
        return "fail", "geen geldige DKIM-handtekening van het domein van de afzender"
    return "unchecked", "Authentication-Results zonder DMARC of DKIM"


def _aligned(signer: str, domain: str) -> bool:
    return domain == signer or domain.endswith("." + signer)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _author(value: str | None) -> Author:
    name, address = parseaddr(value or "")
    if not address and not name:
        return Author(handle="onbekend (doorgestuurd bericht)")
    return Author(id=address.lower() or None, handle=(address or name)[:400], display_name=name[:400] or None)


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        from collectors.htmltext import html_to_text

        text = html_to_text(text)
    return text


def _inline_forward(body: str) -> tuple[dict[str, str], str] | None:
    """(header fields, forwarded text) of an inline forward in `body`, if there is one."""
    marker = FORWARD_MARKERS.search(body)
    if not marker:
        return None
    fields: dict[str, str] = {}
    lines = body[marker.end() :].lstrip("\r\n").splitlines()
    consumed = 0
    for consumed, line in enumerate(lines, 1):
        header = _HEADER_LINE.match(line)
        if not header:
            if line.strip() or fields:
                consumed -= 1
                break
            continue
        key = header.group(1).lower()
        fields.setdefault(_FIELD.get(key, key), header.group(2).strip())
    return fields, "\n".join(lines[consumed:]).strip()


def _attached_message(message: EmailMessage) -> EmailMessage | None:
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            return inner if isinstance(inner, EmailMessage) else None
    return None


def mail_pieces(data: bytes, name: str, received_at: datetime) -> list[Piece | Refusal]:
    """The forwarded message (and each screenshot attached) as pieces of the .eml `data`."""
    message = parse(data)
    forwarder = sender_address(message)
    digest = sha256_hex(data)
    verdict, explanation = authentication(message)
    common = {
        "Schildwacht-Sender-Authentication": f"{verdict} ({explanation})",
        "Schildwacht-Intake-File": name,
        "Schildwacht-Forwarded-By": forwarder,
        "Schildwacht-Eml-SHA256": digest,
        "Schildwacht-Received-At": received_at.isoformat(),
    }
    outlook = _outlook_attachments(message)
    inner = _attached_message(message)
    if inner is not None:
        author, when, message_id, text = (
            _author(inner["From"]),
            _moment(inner["Date"]),
            inner["Message-ID"],
            _body(inner),
        )
        common["Schildwacht-Forwarded-Received-Count"] = str(len(inner.get_all("Received") or []))
        text = "\n\n".join(p for p in (str(inner["Subject"] or ""), text) if p.strip())
    else:
        body = _body(message)
        forward = _inline_forward(body)
        message_id = None
        if forward:
            fields, text = forward
            author, when = _author(fields.get("from")), _moment(fields.get("date"))
            text = "\n\n".join(p for p in (fields.get("subject", ""), text) if p.strip())
        elif outlook:  # the forwarded message is the attached .msg; the body is the forwarder's covering note
            author, when, text = Author(handle="onbekend (doorgestuurd bericht)"), None, ""
        else:
            author, when, text = Author(handle="onbekend (doorgestuurd bericht)"), None, body.strip()
    pieces: list[Piece | Refusal] = []
    if text:
        pieces.append(
            Piece(
                platform="email",
                post_id=(str(message_id).strip("<> ") if message_id else digest)[:400],
                author=author,
                created_at=when or received_at,
                text=text,
                raw=data,
                content_type="message/rfc822",
                annotations=common,
                forwarder=forwarder,
                sender_check=verdict,
            )
        )
    for part in message.walk():
        if part.get_content_maintype() != "image" or part.get_content_type() not in FORMATS.values():
            continue
        payload = part.get_payload(decode=True)
        image = payload if isinstance(payload, bytes) else b""
        label = part.get_filename() or "bijlage"
        try:
            piece = image_piece(image, f"{name}/{label}", received_at)
        except IntakeError as exc:
            pieces.append(Refusal(f"{name}: bijlage {label}: {exc}", image))
            continue
        piece.annotations.update(common)
        piece.forwarder, piece.sender_check = forwarder, verdict
        pieces.append(piece)
    for label, attached in outlook:
        try:
            found = msg_pieces(attached, f"{name}/{label}", received_at)
        except IntakeError as exc:
            pieces.append(Refusal(f"{name}: bijlage {label}: {exc}", attached))
            continue
        for item in found:
            if isinstance(item, Piece):
                item.annotations = common | {"Schildwacht-Intake-File": f"{name}/{label}"} | item.annotations
                item.forwarder, item.sender_check = forwarder, verdict
            pieces.append(item)
    if not pieces:
        raise IntakeError("e-mail zonder tekst en zonder schermafbeelding")
    return pieces


def _outlook_attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    """(file name, bytes) of each attached Outlook message (.msg)."""
    found = []
    for part in message.walk():
        label = part.get_filename() or ""
        if part.get_content_type() != CONTENT_TYPE and not label.lower().endswith(".msg"):
            continue
        payload = part.get_payload(decode=True)
        found.append((label or "bijlage.msg", payload if isinstance(payload, bytes) else b""))
    return found
