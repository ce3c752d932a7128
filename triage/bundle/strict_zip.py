"""Read a bundle ZIP only when every reader would see the same files.

ZIP readers disagree on purpose-built files: zipfile and unzip trust the central directory at the end and skip
bytes before the archive, orphan local entries and local headers that disagree with it, while a streaming reader
walks the local headers from the front. A bundle that reads differently by the two routes could show the police
one text and the verifier another, so verification does not use zipfile (which tolerates all of this); it reads
the archive here, refusing anything outside the narrow form that `export` writes.

Invariants of an archive that `read_entries` accepts:
- the file is exactly: local entries (header, name, data) back to back from offset 0, then the central directory,
  then an end-of-central-directory record without comment as its last 22 bytes; no byte is unaccounted for;
- every central record has one local header at its recorded offset with the same name bytes, flags, method, CRC
  and sizes; no extra fields, no data descriptors, no encryption, no ZIP64; stored or deflated only;
- every name is a safe relative path (`layout.unsafe_name_reason`) and unique, also ignoring case and Unicode
  normalisation (one file on Windows and macOS).
`iter_content` adds: the data inflates to exactly the recorded size and CRC, the deflate stream ending exactly at
the recorded compressed size.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from triage.bundle import layout

_EOCD = struct.Struct("<4s4H2IH")
_CENTRAL = struct.Struct("<4s6H3I5HII")
_LOCAL = struct.Struct("<4s5H3I2H")
_EOCD_SIGNATURE, _CENTRAL_SIGNATURE, _LOCAL_SIGNATURE = b"PK\x05\x06", b"PK\x01\x02", b"PK\x03\x04"
_STORED, _DEFLATED = 0, 8
_ALLOWED_FLAGS = 0x0806  # bits 1-2: deflate level hints; bit 11: UTF-8 names
_UTF8_FLAG = 0x0800
_MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024
_CHUNK = 1 << 20


class ZipProblem(ValueError):
    """Why the archive is refused (Dutch / English)."""


@dataclass(frozen=True)
class Entry:
    name: str
    method: int
    crc: int
    compressed_size: int
    size: int
    data_offset: int  # where the entry's (compressed) data starts in the file


@dataclass(frozen=True)
class _Central:
    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    local_offset: int


def read_entries(fh: BinaryIO) -> list[Entry]:
    """The archive's entries in file order; raises ZipProblem unless the archive has the form described above."""
    size = fh.seek(0, 2)
    cd_offset, cd_size, count = _end_record(fh, size)
    records = _central_directory(fh, cd_offset, cd_size, count)
    entries, position = [], 0
    for record in sorted(records, key=lambda r: r.local_offset):
        if record.local_offset != position:
            _unaccounted(position, record.local_offset)
        entries.append(_local_entry(fh, record))
        position = entries[-1].data_offset + record.compressed_size
    if position != cd_offset:
        _unaccounted(position, cd_offset)
    return entries


def iter_content(fh: BinaryIO, entry: Entry) -> Iterator[bytes]:
    """The entry's data in chunks of at most 1 MiB; raises ZipProblem (possibly after some chunks) when the data
    does not inflate to exactly the recorded size and CRC within exactly the recorded compressed size."""
    produced, crc = 0, 0
    try:
        for data in _plain_chunks(fh, entry):
            produced += len(data)
            if produced > entry.size:
                break
            crc = zlib.crc32(data, crc)
            yield data
    except zlib.error as exc:
        raise ZipProblem(f"geen leesbare ZIP: {entry.name}: beschadigde gegevens / corrupt data ({exc})") from exc
    if produced != entry.size or crc != entry.crc:
        raise ZipProblem(f"geen leesbare ZIP: {entry.name}: grootte of CRC klopt niet / size or CRC mismatch")


def _plain_chunks(fh: BinaryIO, entry: Entry) -> Iterator[bytes]:
    """The stored bytes, or their inflated form with bounded output per step (no decompression bomb)."""
    inflater = zlib.decompressobj(-15) if entry.method == _DEFLATED else None
    fh.seek(entry.data_offset)
    remaining = entry.compressed_size
    while remaining:
        chunk = fh.read(min(_CHUNK, remaining))
        if not chunk:
            raise ZipProblem(f"geen leesbare ZIP: {entry.name}: bestand afgebroken / truncated")
        remaining -= len(chunk)
        if inflater is None:
            yield chunk
            continue
        while chunk:
            yield inflater.decompress(chunk, _CHUNK)
            chunk = inflater.unconsumed_tail
    if inflater is not None:
        yield inflater.flush()
        if not inflater.eof or inflater.unused_data:
            raise ZipProblem(
                f"geen leesbare ZIP: {entry.name}: deflate-gegevens eindigen niet precies op de "
                "opgegeven grootte / deflate stream does not end at the recorded size"
            )


def _unaccounted(start: int, end: int) -> None:
    if end > start:
        raise ZipProblem(
            f"ZIP niet eenduidig: {end - start} bytes vanaf positie {start} horen bij geen enkel "
            "bestand in de centrale map / ambiguous ZIP: bytes not accounted for by the central directory"
        )
    raise ZipProblem(f"ZIP niet eenduidig: bestanden overlappen bij positie {end} / ambiguous ZIP: overlapping entries")


def _end_record(fh: BinaryIO, size: int) -> tuple[int, int, int]:
    """(central directory offset, its size, entry count) from an end record that is the file's last 22 bytes."""
    tail = b""
    if size >= _EOCD.size:
        fh.seek(size - _EOCD.size)
        tail = fh.read(_EOCD.size)
    if len(tail) != _EOCD.size or not tail.startswith(_EOCD_SIGNATURE):
        raise ZipProblem(
            "geen leesbare ZIP: het eindrecord staat niet precies aan het eind van het bestand (bytes "
            "erachter, commentaar of geen ZIP) / not a readable ZIP: no end record at the very end"
        )
    _, disk, cd_disk, here, count, cd_size, cd_offset, comment = _EOCD.unpack(tail)
    if comment or disk or cd_disk or here != count or not count:
        raise ZipProblem(
            "ZIP niet eenduidig: eindrecord met commentaar, meerdere delen of zonder bestanden "
            "/ ambiguous ZIP: end record with comment, multiple disks or no entries"
        )
    slack = size - _EOCD.size - (cd_offset + cd_size)
    if slack > 0:
        raise ZipProblem(
            f"ZIP niet eenduidig: {slack} bytes horen bij geen enkel bestand in de centrale map "
            "(ervoor geplakt, ertussen of ZIP64) / ambiguous ZIP: bytes not accounted for by the "
            "central directory"
        )
    if slack < 0 or cd_size > _MAX_CENTRAL_DIRECTORY:
        raise ZipProblem(
            "geen leesbare ZIP: de centrale map valt buiten het bestand / not a readable ZIP: central "
            "directory outside the file"
        )
    return cd_offset, cd_size, count


def _central_directory(fh: BinaryIO, offset: int, size: int, count: int) -> list[_Central]:
    fh.seek(offset)
    data = fh.read(size)
    records, seen, pos = [], set(), 0
    for _ in range(count):
        if pos + _CENTRAL.size > len(data):
            raise ZipProblem("geen leesbare ZIP: centrale map afgebroken / truncated central directory")
        (
            signature,
            _,
            _,
            flags,
            method,
            _,
            _,
            crc,
            compressed,
            plain,
            name_len,
            extra_len,
            comment_len,
            disk,
            _,
            _,
            local_offset,
        ) = _CENTRAL.unpack_from(data, pos)
        raw_name = data[pos + _CENTRAL.size : pos + _CENTRAL.size + name_len]
        name = raw_name.decode("utf-8" if flags & _UTF8_FLAG else "cp437", "replace")
        if signature != _CENTRAL_SIGNATURE or len(raw_name) != name_len:
            raise ZipProblem("geen leesbare ZIP: centrale map beschadigd / corrupt central directory")
        if extra_len or comment_len or disk:
            raise ZipProblem(
                f"ZIP niet eenduidig: {name}: extra velden of commentaar (ZIP64, Unicode-pad?) "
                "/ ambiguous ZIP: extra fields or comment"
            )
        if flags & ~_ALLOWED_FLAGS or method not in (_STORED, _DEFLATED) or (method == _STORED and compressed != plain):
            raise ZipProblem(
                f"ZIP niet eenduidig: {name}: versleuteld, data descriptor of onbekende compressie "
                "/ ambiguous ZIP: encryption, data descriptor or unsupported compression"
            )
        if (reason := layout.unsafe_name_reason(name)) is not None:
            raise ZipProblem(f"{name!r}: onveilige bestandsnaam in de ZIP ({reason}) / unsafe entry name")
        folded = unicodedata.normalize("NFC", name).casefold()
        if folded in seen:
            raise ZipProblem(
                f"{name}: komt dubbel voor in de ZIP (ook hoofdletters/Unicode-varianten tellen) / duplicate entry"
            )
        seen.add(folded)
        records.append(_Central(name, raw_name, flags, method, crc, compressed, plain, local_offset))
        pos += _CENTRAL.size + name_len
    if pos != len(data):
        raise ZipProblem(
            "ZIP niet eenduidig: extra bytes in de centrale map / ambiguous ZIP: junk in the central directory"
        )
    return records


def _local_entry(fh: BinaryIO, record: _Central) -> Entry:
    fh.seek(record.local_offset)
    header = fh.read(_LOCAL.size)
    if len(header) != _LOCAL.size:
        raise ZipProblem(f"geen leesbare ZIP: {record.name}: lokale kop ontbreekt / local header missing")
    signature, _, flags, method, _, _, crc, compressed, plain, name_len, extra_len = _LOCAL.unpack(header)
    raw_name = fh.read(name_len)
    differs = [
        field
        for field, local, central in (
            ("handtekening", signature, _LOCAL_SIGNATURE),
            ("naam", raw_name, record.raw_name),
            ("vlaggen", flags, record.flags),
            ("methode", method, record.method),
            ("CRC", crc, record.crc),
            ("gecomprimeerde grootte", compressed, record.compressed_size),
            ("grootte", plain, record.size),
            ("extra velden", extra_len, 0),
        )
        if local != central
    ]
    if differs:
        raise ZipProblem(
            f"ZIP niet eenduidig: {record.name}: lokale kop wijkt af van de centrale map "
            f"({', '.join(differs)}) / local header disagrees with the central directory"
        )
    return Entry(
        record.name,
        record.method,
        record.crc,
        record.compressed_size,
        record.size,
        record.local_offset + _LOCAL.size + name_len,
    )
