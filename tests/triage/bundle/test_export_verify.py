"""Export a real case from PostgreSQL, verify it, then tamper with every kind of file and with the ZIP's file list."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from schildwacht.config import Settings
from tests.triage.bundle.bundlecase import DIACRITICS, PARENT, REPLY, SCRIPT, build_case, emptied, read_zip, write_zip
from triage.bundle import layout
from triage.bundle.custody import case_events, verify_chain
from triage.bundle.export import export_bundle
from triage.bundle.keys import fingerprint, public_pem
from triage.bundle.verify import verify_bundle


@pytest.fixture
def settings(pg, tmp_path) -> Settings:
    return Settings(database_url=pg.url, data_dir=tmp_path / "data")


@pytest.fixture
def exported(db, built_case, settings, tmp_path) -> Path:
    """A bundle exported in this test (the database still holds its case)."""
    with db() as s:
        path = export_bundle(s, built_case, "n.smits@voorbeeld.example", tmp_path / "zaak.zip", settings)
        s.commit()
    return path


@pytest.fixture(scope="module")
def bundle(engine, pg, tmp_path_factory) -> Path:
    """One bundle for the read-only tests of this module (exporting is the slow part: seeding hashes passwords)."""
    sessions = emptied(engine)
    tmp = tmp_path_factory.mktemp("bundle")
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
    return path


def resum(files: dict[str, bytes]) -> None:
    """What a careless forger does: recompute SHA256SUMS after a change."""
    covered = {n: d for n, d in files.items() if n not in (layout.SUMS, layout.TIMESTAMP)}
    files[layout.SUMS] = layout.format_sums(covered)


def remanifest(files: dict[str, bytes], key: Ed25519PrivateKey | None = None) -> None:
    """What a careful forger does: update the manifest hashes, optionally re-sign with their own key, resum."""
    manifest = json.loads(files[layout.MANIFEST])
    for entry in manifest["files"]:
        entry["sha256"] = layout.sha256(files[entry["path"]])
    if key is not None:
        pem = public_pem(key.public_key())
        manifest["signer"].update(public_key_pem=pem, fingerprint=fingerprint(key.public_key()))
        files[layout.PUBLIC_KEY] = pem.encode()
        for entry in manifest["files"]:
            entry["sha256"] = layout.sha256(files[entry["path"]])
    files[layout.MANIFEST] = json.dumps(manifest).encode()
    if key is not None:
        files[layout.SIGNATURE] = base64.b64encode(key.sign(files[layout.MANIFEST]))
    resum(files)


def item_file(files: dict[str, bytes], suffix: str) -> str:
    return next(n for n in sorted(files) if n.startswith("items/") and n.endswith(suffix))


def test_export_contains_everything_the_police_need(bundle):
    files = read_zip(bundle)
    manifest = json.loads(files[layout.MANIFEST])
    assert manifest["official"]["role"] == "wethouder" and manifest["vpt"] is True
    assert manifest["official"]["organisation"]["address"].startswith("Raadhuisplein 1")
    assert manifest["exported_by"] == "n.smits@voorbeeld.example"
    assert {e["path"] for e in manifest["files"]} | set(layout.DERIVED[:3]) == set(files)
    assert len(manifest["items"]) == 3
    post = json.loads(files[item_file(files, "-903/post.json")])
    assert post["post_id"] == "903" and post["account"]["id"] == "1099"
    assert post["account"]["display_name"] == "Boze Bürger" and post["permalink"].endswith("/903")
    assert post["account"]["profile_url"] and post["posted_at"] and post["collected_at"]
    assert post["text"] == REPLY
    assert post["context"][0]["relation"].startswith("ouderbericht") and post["context"][0]["text"] == PARENT
    warc = files[item_file(files, "-903/record.warc.gz")]
    from warcio.archiveiterator import ArchiveIterator

    records = list(ArchiveIterator(io.BytesIO(warc)))
    assert [r.rec_type for r in records] == ["request", "response"]
    assert files[item_file(files, "-901/tekst.txt")].decode() == DIACRITICS
    assert b"PRIVATE KEY" not in b"".join(files.values())
    assert verify_bundle(bundle).ok


def test_verify_accepts_intact_bundle_and_pins_fingerprint(bundle):
    files = read_zip(bundle)
    fp = json.loads(files[layout.MANIFEST])["signer"]["fingerprint"]
    result = verify_bundle(bundle, expected_fingerprint=" ".join(fp[i : i + 4] for i in range(0, 64, 4)))
    assert result.ok and result.signer_verified and result.exit_code == 0, result.problem
    assert "zaak #" in result.summary[0] and "geen" in result.summary[-1]
    unanchored = verify_bundle(bundle)
    assert unanchored.ok and not unanchored.signer_verified and unanchored.exit_code == 3
    wrong = verify_bundle(bundle, expected_fingerprint="00" * 32)
    assert not wrong.ok and "andere sleutel" in wrong.problem and wrong.exit_code == 1


def test_export_logs_custody_event_and_chain_stays_valid(db, exported, built_case):
    with db() as s:
        events = case_events(s, built_case)
    assert events[-1].kind == "exported" and events[-1].actor == "n.smits@voorbeeld.example"
    assert verify_chain(events) is None
    lines = read_zip(exported)[layout.CUSTODY].decode().splitlines()
    assert [json.loads(line)["hash"] for line in lines] == [e.hash for e in events]


def _set(name_of: Callable[[dict], str], data: bytes | Callable[[bytes], bytes]):
    def tamper(files: dict[str, bytes]) -> str:
        name = name_of(files)
        files[name] = data(files[name]) if callable(data) else data
        return name

    return tamper


def _then(*steps):
    def tamper(files):
        name = steps[0](files)
        for step in steps[1:]:
            step(files)
        return name

    return tamper


def _flip_byte(data: bytes) -> bytes:
    return data[:100] + bytes([data[100] ^ 1]) + data[101:]


def _drop_custody_line(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    return b"".join(lines[:1] + lines[2:])


def _edit_actor(data: bytes) -> bytes:
    lines = data.decode().splitlines(keepends=True)
    lines[1] = lines[1].replace("system:triage-ingest", "system:vervalst")
    return "".join(lines).encode()


def _drop_last_custody_line(data: bytes) -> bytes:
    return b"".join(data.splitlines(keepends=True)[:-1])


def _add(files):
    files["items/01-mastodon-901/extra.txt"] = b"ondergeschoven"
    return "extra.txt"


def _remove(files):
    name = item_file(files, "-902/tekst.txt")
    del files[name]
    return name


def _forged_key(files):
    remanifest(files, Ed25519PrivateKey.generate())


TAMPERS = {
    "manifest": (_set(lambda f: layout.MANIFEST, lambda d: d.replace(b"n.smits@", b"x.vals@")), layout.MANIFEST),
    "manifest+sums": (
        _then(_set(lambda f: layout.MANIFEST, lambda d: d.replace(b"n.smits@", b"x.vals@")), resum),
        layout.SIGNATURE,
    ),
    "signature": (_set(lambda f: layout.SIGNATURE, base64.b64encode(b"\x01" * 64)), layout.SIGNATURE),
    "signature+sums": (_then(_set(lambda f: layout.SIGNATURE, base64.b64encode(b"\x01" * 64)), resum), "handtekening"),
    "public key": (
        _then(_set(lambda f: layout.PUBLIC_KEY, b"-----BEGIN PUBLIC KEY-----\nnep\n"), resum),
        layout.PUBLIC_KEY,
    ),
    "item raw": (_set(lambda f: item_file(f, "-901/raw.json"), lambda d: d.replace(b"Jo", b"Ja")), "-901/raw.json"),
    "item warc+sums": (
        _then(_set(lambda f: item_file(f, "-903/record.warc.gz"), _flip_byte), resum),
        "-903/record.warc.gz",
    ),
    "item text+sums": (_then(_set(lambda f: item_file(f, "-902/tekst.txt"), b"onschuldig"), resum), "-902/tekst.txt"),
    "report pdf": (_set(lambda f: layout.REPORT_PDF, _flip_byte), layout.REPORT_PDF),
    "report html": (
        _set(lambda f: layout.REPORT_HTML, lambda d: d.replace(b"Zoetelief", b"Iemand")),
        layout.REPORT_HTML,
    ),
    "custody removed event": (_set(lambda f: layout.CUSTODY, _drop_custody_line), layout.CUSTODY),
    "custody removed + manifest": (
        _then(_set(lambda f: layout.CUSTODY, _drop_custody_line), remanifest),
        layout.SIGNATURE,
    ),
    "custody altered, re-signed by forger": (
        _then(_set(lambda f: layout.CUSTODY, _edit_actor), _forged_key),
        "custody.jsonl: gebeurtenis 2: inhoud gewijzigd",
    ),
    "custody truncated, re-signed by forger": (
        _then(_set(lambda f: layout.CUSTODY, _drop_last_custody_line), _forged_key),
        "custody.jsonl: aantal",
    ),
    "sums": (
        _set(lambda f: layout.SUMS, lambda d: re.sub(rb"^[0-9a-f]{64}(?=  rapport\.pdf)", b"0" * 64, d, flags=re.M)),
        "rapport.pdf: gewijzigd, sha256 klopt niet met SHA256SUMS",
    ),
    "sums renamed entry": (
        _set(lambda f: layout.SUMS, lambda d: d.replace(b"rapport.pdf", b"rapport.PDF")),
        "rapport.PDF: staat in SHA256SUMS maar ontbreekt",
    ),
    "extra file": (_add, "extra.txt"),
    "extra file+sums": (_then(_add, resum), "extra.txt"),
    "missing file": (_remove, "-902/tekst.txt"),
    "missing file+sums": (_then(_remove, resum), "-902/tekst.txt"),
    "missing SHA256SUMS": (lambda f: f.pop(layout.SUMS) and layout.SUMS, layout.SUMS),
}


@pytest.mark.parametrize("kind", list(TAMPERS))
def test_verify_names_the_tampered_file(bundle, tmp_path, kind):
    tamper, expected = TAMPERS[kind]
    files = read_zip(bundle)
    tamper(files)
    result = verify_bundle(write_zip(tmp_path / "vervalst.zip", files))
    assert not result.ok
    assert expected in result.problem, result.problem


def test_verify_rejects_duplicate_entries_corrupt_and_non_zip(bundle, tmp_path):
    files = read_zip(bundle)
    dup = tmp_path / "dup.zip"
    write_zip(dup, files)
    with zipfile.ZipFile(dup, "a") as zf, pytest.warns(UserWarning):
        zf.writestr(layout.REPORT_PDF, b"tweede versie")
    result = verify_bundle(dup)
    assert not result.ok and "dubbel" in result.problem and layout.REPORT_PDF in result.problem
    raw = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo(layout.REPORT_PDF)
    raw[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 0xFF  # inside the deflate data
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(bytes(raw))
    result = verify_bundle(corrupt)
    assert not result.ok and "geen leesbare ZIP" in result.problem
    junk = tmp_path / "geen.zip"
    junk.write_bytes(b"dit is geen zip")
    assert "geen leesbare ZIP" in verify_bundle(junk).problem


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_pdf_report_has_posts_verbatim_and_the_fingerprint(bundle):
    files = read_zip(bundle)
    text = _pdf_text(files[layout.REPORT_PDF])
    for post in (DIACRITICS, SCRIPT, REPLY, PARENT):
        assert post in text
    manifest = json.loads(files[layout.MANIFEST])
    fp = manifest["signer"]["fingerprint"]
    assert " ".join(fp[i : i + 4] for i in range(0, 64, 4)) in text
    for word in (
        "Wie",
        "Wat",
        "Waar",
        "Waarmee",
        "Welke wijze",
        "Wanneer",
        "Waarom",
        "VPT",
        "Art. 285 Sr",
        "Art. 285d Sr",
        "Raadhuisplein 1",
        "1099",
        "Boze Bürger",
        "Geëxporteerd door",
    ):
        assert word in text, word


def test_html_report_escapes_the_script_post(bundle):
    html = read_zip(bundle)[layout.REPORT_HTML].decode()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Wethouder Zoetelief &amp; co" in html
    assert "&lt;b&gt;vanavond&lt;/b&gt;" in html
    assert DIACRITICS in html
    assert 'href="https://social.noorderland.example/@boze_burger/903"' in html
