"""Finding 7: ambiguous ZIPs and unsafe entry names.

Python's zipfile (and unzip) trust the central directory at the end of a ZIP and silently skip bytes before the
archive, orphan local entries and local headers that disagree with the central directory, while a streaming reader
walks the local headers from the front. Each crafted bundle below is built byte by byte from a real exported bundle
so that the two kinds of reader see different files; `bundle verify` must reject it even with the organisation's
trusted fingerprint, with a Dutch reason and exit code 1. Export must turn every path component taken from data
into a safe name.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from schildwacht.app.cli import app as cli_app
from schildwacht.config import Settings
from schildwacht.models import Mention
from tests.triage.bundle.bundlecase import build_case, emptied
from triage.bundle import keys
from triage.bundle.export import _write_zip, export_bundle

EOCD = struct.Struct("<4s4H2IH")  # signature, disk, cd disk, entries here, entries, cd size, cd offset, comment
CENTRAL = struct.Struct("<4s6H3I5HII")  # ..., flags, method, time, date, crc, sizes, name/extra/comment lengths ...
LOCAL = struct.Struct("<4s5H3I2H")
FORGED = b"Dit bericht was volkomen onschuldig."
SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


def verify(*args: object):
    return CliRunner().invoke(cli_app, ["bundle", "verify", *map(str, args)])


@pytest.fixture(scope="module")
def genuine(engine, pg, tmp_path_factory) -> tuple[bytes, str]:
    """The bytes of a real exported bundle and the organisation's registered fingerprint (from the database)."""
    sessions = emptied(engine)
    tmp = tmp_path_factory.mktemp("zip")
    case_id = build_case(sessions)
    with sessions() as s:
        path = export_bundle(
            s,
            case_id,
            "n.smits@voorbeeld.example",
            tmp / "zaak.zip",
            Settings(database_url=pg.url, data_dir=tmp / "data"),
        )
        s.commit()
        fp = keys.current_key(s, "gm-voorbeeld").fingerprint
    return path.read_bytes(), fp


def central_directory(data: bytes) -> tuple[list[dict], int]:
    """The central directory's entries (name, record offset, local header offset) and its offset."""
    _, _, _, _, count, size, offset, _ = EOCD.unpack(data[-EOCD.size :])
    entries, pos = [], offset
    for _ in range(count):
        fields = CENTRAL.unpack_from(data, pos)
        name_len, extra_len, comment_len, local = fields[10], fields[11], fields[12], fields[16]
        entries.append(
            {"name": data[pos + CENTRAL.size : pos + CENTRAL.size + name_len].decode(), "at": pos, "local": local}
        )
        pos += CENTRAL.size + name_len + extra_len + comment_len
    assert pos == offset + size
    return entries, offset


def local_entry(name: str, payload: bytes) -> bytes:
    """A stored local file header with its name and data, as a streaming reader would take it."""
    raw = name.encode()
    return (
        LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, 0x21, zlib.crc32(payload), len(payload), len(payload), len(raw), 0)
        + raw
        + payload
    )


def central_entry(name: str, payload: bytes, local_offset: int, external: int = 0) -> bytes:
    raw = name.encode()
    return (
        CENTRAL.pack(
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0x21,
            zlib.crc32(payload),
            len(payload),
            len(payload),
            len(raw),
            0,
            0,
            0,
            0,
            external,
            local_offset,
        )
        + raw
    )


def eocd(count: int, cd_size: int, cd_offset: int, comment: bytes = b"") -> bytes:
    return EOCD.pack(b"PK\x05\x06", 0, 0, count, count, cd_size, cd_offset, len(comment)) + comment


def text_entry(data: bytes) -> str:
    entries, _ = central_directory(data)
    return next(e["name"] for e in entries if e["name"].endswith("-901/tekst.txt"))


def prepended(data: bytes) -> bytes:
    """A forged local entry in front of an untouched bundle (zipfile adjusts every offset and never sees it)."""
    return local_entry(text_entry(data), FORGED) + data


def orphan(data: bytes) -> bytes:
    """A forged local entry between the last entry and the central directory, referenced by nothing."""
    entries, cd_offset = central_directory(data)
    extra = local_entry(text_entry(data), FORGED)
    cd = data[cd_offset : -EOCD.size]
    return data[:cd_offset] + extra + cd + eocd(len(entries), len(cd), cd_offset + len(extra))


def appended(data: bytes) -> bytes:
    return data + local_entry(text_entry(data), FORGED)


def commented(data: bytes) -> bytes:
    entries, cd_offset = central_directory(data)
    return data[: -EOCD.size] + eocd(len(entries), len(data) - EOCD.size - cd_offset, cd_offset, b"vervalst")


def _patch_local(data: bytes, name: str, field_offset: int, value: bytes) -> bytes:
    local = next(e["local"] for e in central_directory(data)[0] if e["name"] == name)
    out = bytearray(data)
    out[local + field_offset : local + field_offset + len(value)] = value
    return bytes(out)


def local_crc_differs(data: bytes) -> bytes:
    return _patch_local(data, text_entry(data), 14, struct.pack("<I", zlib.crc32(FORGED)))


def local_name_differs(data: bytes) -> bytes:
    name = text_entry(data)
    return _patch_local(data, name, LOCAL.size, name.replace("tekst.txt", "tekst.TXT").encode())


def with_entry(name: str, payload: bytes = b"buiten de bundel", external: int = 0) -> Callable[[bytes], bytes]:
    """A well-formed extra entry (local header + central record) added to the bundle."""

    def add(data: bytes) -> bytes:
        entries, cd_offset = central_directory(data)
        extra = local_entry(name, payload)
        cd = data[cd_offset : -EOCD.size] + central_entry(name, payload, cd_offset, external)
        return data[:cd_offset] + extra + cd + eocd(len(entries) + 1, len(cd), cd_offset + len(extra))

    return add


def _entries(data: bytes) -> list[tuple[list, bytes, list, bytes]]:
    """Every entry as (central record fields, name bytes, local header fields, compressed data), in file order."""
    entries, _ = central_directory(data)
    out = []
    for entry in sorted(entries, key=lambda e: e["local"]):
        central = list(CENTRAL.unpack_from(data, entry["at"]))
        local = list(LOCAL.unpack_from(data, entry["local"]))
        start = entry["local"] + LOCAL.size + local[9] + local[10]
        out.append((central, entry["name"].encode(), local, data[start : start + central[8]]))
    return out


def _assemble(entries: list[tuple[list, bytes, list, bytes]], descriptors: dict[bytes, bytes] | None = None) -> bytes:
    """Local entries back to back (each followed by its data descriptor, if any), the central directory with the
    offsets recomputed, the end record."""
    body, cd = b"", b""
    for central, raw, local, payload in entries:
        central[16] = len(body)
        body += LOCAL.pack(*local) + raw + payload + (descriptors or {}).get(raw, b"")
        cd += CENTRAL.pack(*central) + raw
    return body + cd + eocd(len(entries), len(cd), len(body))


def shared_local_header(data: bytes) -> bytes:
    """A second central record (another name, same sizes and CRC) pointing at the local header of the text file:
    a central-directory reader lists two files where a streaming reader finds one."""
    entries, cd_offset = central_directory(data)
    target = next(e for e in entries if e["name"] == text_entry(data))
    record = bytearray(data[target["at"] : target["at"] + CENTRAL.size])
    second = text_entry(data).replace("tekst.txt", "kopie.txt").encode()
    record[28:30] = struct.pack("<H", len(second))  # name length
    cd = data[cd_offset : -EOCD.size] + bytes(record) + second
    return data[:cd_offset] + cd + eocd(len(entries) + 1, len(cd), cd_offset)


def deflate_with_trailing_data(data: bytes) -> bytes:
    """The text's deflate stream followed, inside the entry's recorded compressed size, by a second stream with the
    forged text: a reader that stops at the first stream's end and one that goes on see different bytes."""
    hidden = zlib.compressobj(9, zlib.DEFLATED, -15)
    trailing = hidden.compress(FORGED) + hidden.flush()
    entries, name = _entries(data), text_entry(data).encode()
    for index, (central, raw, local, payload) in enumerate(entries):
        if raw == name:
            central[8] = local[7] = len(payload) + len(trailing)
            entries[index] = (central, raw, local, payload + trailing)
    return _assemble(entries)


def data_descriptor(data: bytes) -> bytes:
    """Every entry written as a streaming writer does (general-purpose flag bit 3): CRC and sizes zero in the local
    header, given in a data descriptor after the data; the central directory keeps the real values."""
    entries, descriptors = _entries(data), {}
    for central, raw, local, _ in entries:
        central[3] |= 0x08
        local[2] |= 0x08
        descriptors[raw] = struct.pack("<4s3I", b"PK\x07\x08", central[7], central[8], central[9])
        local[6:9] = [0, 0, 0]
    return _assemble(entries, descriptors)


CRAFTED = {
    "prepended forged entry": (prepended, "horen bij geen enkel bestand"),
    "orphan local entry": (orphan, "horen bij geen enkel bestand"),
    "appended bytes": (appended, "eindrecord"),
    "end record comment": (commented, "eindrecord"),
    "local header crc differs": (local_crc_differs, "lokale kop wijkt af"),
    "local header name differs": (local_name_differs, "lokale kop wijkt af"),
    "directory entry with ..": (with_entry("items/../", b"", external=0x10), "'..'"),
    "../ entry": (with_entry("items/../../buiten.txt"), "'..'"),
    "absolute entry": (with_entry("/tmp/buiten.txt"), "absoluut pad"),
    "backslash entry": (with_entry("items\\..\\buiten.txt"), "backslash"),
    "drive letter entry": (with_entry("C:/buiten.txt"), "stationsletter"),
    "same name other case": (with_entry("RAPPORT.PDF"), "dubbel"),
    "two central records, one local header": (shared_local_header, "overlappen"),
    "deflate stream with trailing data": (deflate_with_trailing_data, "deflate-gegevens eindigen niet"),
    "data descriptor flag": (data_descriptor, "data descriptor"),
}


@pytest.mark.parametrize("kind", list(CRAFTED))
def test_verify_rejects_every_byte_the_central_directory_does_not_account_for(genuine, tmp_path, kind):
    data, fp = genuine
    craft, reason = CRAFTED[kind]
    bundle = tmp_path / "vervalst.zip"
    bundle.write_bytes(craft(data))
    result = verify(bundle, "--vingerafdruk", fp)
    assert result.exit_code == 1, result.output
    assert "NIET INTACT" in result.output and reason in result.output, result.output


@pytest.mark.parametrize("craft", [deflate_with_trailing_data, data_descriptor])
def test_those_crafted_archives_are_well_formed_for_zipfile(genuine, tmp_path, craft):
    """So verify refuses them for their ambiguity, not because they are broken: zipfile reads every member."""
    data, _ = genuine
    bundle = tmp_path / "vervalst.zip"
    bundle.write_bytes(craft(data))
    with zipfile.ZipFile(bundle) as crafted, zipfile.ZipFile(io.BytesIO(data)) as original:
        assert crafted.testzip() is None
        assert {n: crafted.read(n) for n in crafted.namelist()} == {n: original.read(n) for n in original.namelist()}


def test_the_genuine_bundle_passes_the_same_check(genuine, tmp_path):
    data, fp = genuine
    bundle = tmp_path / "echt.zip"
    bundle.write_bytes(data)
    result = verify(bundle, "--vingerafdruk", fp)
    assert result.exit_code == 0, result.output


def test_export_turns_data_into_safe_entry_names(db, pg, tmp_path):
    case_id = build_case(db)
    with db() as s:
        for mention in s.query(Mention).filter(Mention.case_id == case_id):
            mention.platform = "x/../../tmp"
            mention.post_id = f"../..\\C:/etc/{mention.post_id}/.."
        s.commit()
        path = export_bundle(
            s,
            case_id,
            "n.smits@voorbeeld.example",
            tmp_path / "zaak.zip",
            Settings(database_url=pg.url, data_dir=tmp_path / "data"),
        )
        s.commit()
        fp = keys.current_key(s, "gm-voorbeeld").fingerprint
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    items = [n for n in names if n.startswith("items/")]
    assert len(items) >= 6
    for name in names:
        assert SAFE_NAME.fullmatch(name) and ".." not in name.split("/"), name
    assert all(n.count("/") == 2 for n in items), items
    result = verify(path, "--vingerafdruk", fp)
    assert result.exit_code == 0, result.output


def test_export_refuses_an_unsafe_entry_name_in_dutch_and_english(tmp_path):
    """The last line of defence behind layout.path_component (review item 19: the message was English only)."""
    bundle = tmp_path / "zaak.zip"
    with pytest.raises(
        ValueError,
        match=r"^onveilige bestandsnaam in de bundel '\.\./buiten\.txt': bevat '\.\.' "
        r"/ unsafe bundle entry name$",
    ):
        _write_zip(bundle, {"manifest.json": b"{}", "../buiten.txt": b"buiten de map"})
    assert not bundle.exists() and not list(tmp_path.iterdir())
