"""Reading one member of a ZIP upload without trusting its headers (ZIP bombs, oversized members)."""

from __future__ import annotations

import io
import zipfile

from collectors.intake.pieces import IntakeError

MAX_MEMBERS = 10_000
MAX_RATIO = 100  # uncompressed/compressed; text compresses ~10x, a bomb far more


def chat_member(data: bytes, limit: int) -> tuple[str, bytes]:
    """(name, bytes) of the one chat text (`*.txt`) in a WhatsApp export ZIP; IntakeError for a bomb, an
    oversized member, a ZIP without exactly one .txt, or bytes that are not a ZIP.

    Invariant: at most `limit` + 1 bytes of a member are ever decompressed, whatever its header claims."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IntakeError(f"geen geldig ZIP-bestand: {exc}") from exc
    if len(members) > MAX_MEMBERS:
        raise IntakeError(f"ZIP met {len(members)} bestanden: meer dan {MAX_MEMBERS} (mogelijke ZIP-bom)")
    texts = [m for m in members if m.filename.lower().endswith(".txt") and not m.is_dir()]
    if len(texts) != 1:
        raise IntakeError(f"ZIP met {len(texts)} tekstbestanden: een WhatsApp-export heeft er precies één")
    member = texts[0]
    if member.file_size > limit or member.file_size > MAX_RATIO * max(member.compress_size, 1):
        raise IntakeError(
            f"{member.filename}: {member.file_size} bytes uitgepakt uit {member.compress_size} (mogelijke ZIP-bom)"
        )
    try:
        with archive.open(member) as fh:
            content = fh.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise IntakeError(f"{member.filename}: niet uit te pakken: {exc}") from exc
    if len(content) > limit:
        raise IntakeError(f"{member.filename}: uitgepakt groter dan {limit} bytes (mogelijke ZIP-bom)")
    return member.filename, content
