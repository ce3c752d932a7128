"""Offline verification of a bundle: file list, every hash, the Ed25519 signature, the custody chain and the
optional RFC 3161 timestamp. Needs no database and no network; stops at the first problem and names it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from triage.bundle import layout
from triage.bundle.custody import verify_chain
from triage.bundle.keys import KeyProblem, fingerprint, format_fingerprint, load_public_pem
from triage.bundle.timestamp import TimestampProblem, verify_token


class BundleProblem(Exception):
    """The first thing wrong with a bundle (Dutch / English)."""


@dataclass
class Verification:
    ok: bool
    problem: str | None = None
    summary: list[str] = field(default_factory=list)


def verify_bundle(path: Path, expected_fingerprint: str | None = None,
                  trusted_tsa_cas: list[x509.Certificate] | None = None) -> Verification:
    """Check a bundle; ok with a short summary, or the first problem found."""
    try:
        return Verification(ok=True, summary=_verify(Path(path), expected_fingerprint, trusted_tsa_cas))
    except BundleProblem as exc:
        return Verification(ok=False, problem=str(exc))


CONTROL_FILES = (layout.MANIFEST, layout.SIGNATURE, layout.SUMS, layout.TIMESTAMP, layout.CUSTODY, layout.PUBLIC_KEY)
CONTROL_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class _Contents:
    digests: dict[str, str]  # every file -> sha256, hashed while streaming (bundles may hold large WARCs)
    control: dict[str, bytes]  # the small files that are parsed


def _read_zip(path: Path) -> _Contents:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            dupes = [n for n, c in Counter(i.filename for i in infos).items() if c > 1]
            if dupes:
                raise BundleProblem(f"{dupes[0]}: komt dubbel voor in de ZIP / duplicate entry")
            contents = _Contents(digests={}, control={})
            for info in infos:
                p = PurePosixPath(info.filename)
                if p.is_absolute() or ".." in p.parts or "\\" in info.filename:
                    raise BundleProblem(f"{info.filename}: ongeldige bestandsnaam / unsafe path")
                if info.filename in CONTROL_FILES:
                    if info.file_size > CONTROL_MAX_BYTES:
                        raise BundleProblem(f"{info.filename}: onredelijk groot / unreasonably large")
                    contents.control[info.filename] = zf.read(info)
                    contents.digests[info.filename] = layout.sha256(contents.control[info.filename])
                    continue
                digest = hashlib.sha256()
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        digest.update(chunk)
                contents.digests[info.filename] = digest.hexdigest()
            return contents
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
        raise BundleProblem(f"{path.name}: geen leesbare ZIP / not a readable ZIP ({exc})") from exc


def _load_manifest(files: dict[str, bytes]) -> dict:
    """`files`: the control files."""
    if layout.MANIFEST not in files:
        raise BundleProblem(f"{layout.MANIFEST}: ontbreekt / missing")
    try:
        manifest = json.loads(files[layout.MANIFEST])
    except ValueError as exc:
        raise BundleProblem(f"{layout.MANIFEST}: onleesbaar / unreadable ({exc})") from exc
    shape = {"format": str, "case": dict, "official": dict, "items": list, "custody": dict, "signer": dict,
             "files": list}
    missing = [k for k, t in shape.items() if not isinstance(manifest, dict) or not isinstance(manifest.get(k), t)]
    if not missing and not all(isinstance(e, dict) and isinstance(e.get("path"), str)
                               and isinstance(e.get("sha256"), str) for e in manifest["files"]):
        missing = ["files"]
    if missing:
        raise BundleProblem(f"{layout.MANIFEST}: onvolledig, veld {missing[0]} / incomplete")
    if manifest["format"] != layout.FORMAT:
        raise BundleProblem(f"{layout.MANIFEST}: onbekend formaat {manifest['format']!r} / unknown format")
    return manifest


def _check_file_list(files: dict[str, str], listed: dict[str, str]) -> None:
    for name in layout.DERIVED[:3]:
        if name not in files:
            raise BundleProblem(f"{name}: ontbreekt in de ZIP / missing from ZIP")
    for name in sorted(listed):
        if name not in files:
            raise BundleProblem(f"{name}: staat in het manifest maar ontbreekt in de ZIP / missing from ZIP")
    for name in sorted(files):
        if name not in listed and name not in layout.DERIVED:
            raise BundleProblem(f"{name}: extra bestand dat niet in het manifest staat / not in manifest")


def _check_sums(contents: _Contents) -> None:
    files = contents.digests
    try:
        sums = layout.parse_sums(contents.control[layout.SUMS])
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleProblem(f"{layout.SUMS}: onleesbaar / unreadable ({exc})") from exc
    covered = set(files) - {layout.SUMS, layout.TIMESTAMP}
    for name in sorted(covered | set(sums)):
        if name not in sums:
            raise BundleProblem(f"{name}: ontbreekt in {layout.SUMS} / not listed in {layout.SUMS}")
        if name not in files:
            raise BundleProblem(f"{name}: staat in {layout.SUMS} maar ontbreekt in de ZIP / missing from ZIP")
        if files[name] != sums[name]:
            raise BundleProblem(f"{name}: gewijzigd, sha256 klopt niet met {layout.SUMS} / altered (hash mismatch)")


def _check_signature(files: dict[str, bytes], manifest: dict, expected: str | None) -> str:
    signer = manifest["signer"]
    try:
        public = load_public_pem(str(signer.get("public_key_pem", "")))
        signature = base64.b64decode(files[layout.SIGNATURE].strip(), validate=True)
        public.verify(signature, files[layout.MANIFEST])
    except (KeyProblem, ValueError, binascii.Error, InvalidSignature) as exc:
        raise BundleProblem(f"{layout.SIGNATURE}: handtekening klopt niet bij {layout.MANIFEST} "
                            f"/ signature invalid ({type(exc).__name__})") from exc
    fp = fingerprint(public)
    if fp != signer.get("fingerprint"):
        raise BundleProblem(f"{layout.MANIFEST}: vingerafdruk hoort niet bij de publieke sleutel "
                            "/ fingerprint mismatch")
    if files.get(layout.PUBLIC_KEY, b"").decode("ascii", "replace").strip() != signer["public_key_pem"].strip():
        raise BundleProblem(f"{layout.PUBLIC_KEY}: wijkt af van de sleutel in het manifest / differs from manifest")
    if expected and fp != expected.replace(" ", "").replace(":", "").lower():
        raise BundleProblem(f"{layout.SIGNATURE}: ondertekend met een andere sleutel ({format_fingerprint(fp)}) dan "
                            "verwacht / signed by an unexpected key")
    return fp


def _check_custody(files: dict[str, bytes], manifest: dict) -> list[dict]:
    try:
        events = [json.loads(line) for line in files[layout.CUSTODY].decode("utf-8").splitlines() if line.strip()]
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleProblem(f"{layout.CUSTODY}: onleesbaar / unreadable ({exc})") from exc
    problem = verify_chain(events)
    if problem:
        raise BundleProblem(f"{layout.CUSTODY}: {problem}")
    pinned = manifest["custody"]
    if not events or len(events) != pinned["events"] or events[-1]["hash"] != pinned["head_hash"]:
        raise BundleProblem(f"{layout.CUSTODY}: aantal of laatste gebeurtenis wijkt af van het manifest "
                            "/ events removed or added at the end")
    if events[0]["case_id"] != manifest["case"]["id"]:
        raise BundleProblem(f"{layout.CUSTODY}: hoort bij een andere zaak / belongs to another case")
    return events


def _verify(path: Path, expected_fp: str | None, cas: list[x509.Certificate] | None) -> list[str]:
    contents = _read_zip(path)
    files = contents.control
    manifest = _load_manifest(files)
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    _check_file_list(contents.digests, listed)
    _check_sums(contents)
    for name, digest in sorted(listed.items()):
        if contents.digests[name] != digest:
            raise BundleProblem(f"{name}: gewijzigd, sha256 klopt niet met het manifest / altered (hash mismatch)")
    fp = _check_signature(files, manifest, expected_fp)
    events = _check_custody(files, manifest)
    stamp = "Tijdstempel / timestamp: geen (niet aangevraagd of TSA onbereikbaar) / none"
    if layout.TIMESTAMP in files:
        try:
            info = verify_token(files[layout.TIMESTAMP], files[layout.SUMS], cas)
        except TimestampProblem as exc:
            raise BundleProblem(f"{layout.TIMESTAMP}: {exc}") from exc
        stamp = (f"Tijdstempel / timestamp (RFC 3161): {info.gen_time:%Y-%m-%d %H:%M:%S} UTC door {info.tsa_subject}, "
                 f"serienummer {info.serial}"
                 + ("; TSA-certificaat door opgegeven CA uitgegeven" if info.ca_checked
                    else f"; TSA-certificaat sha256 {info.tsa_cert_sha256} (niet tegen een CA gecontroleerd)"))
    last = events[-1]
    return [
        f"Bundel intact / bundle intact: zaak #{manifest['case']['id']}, {len(contents.digests)} bestanden, "
        f"{len(manifest['items'])} bericht(en)",
        f"Ondertekend / signed: {manifest['official']['organisation']['name']}, vingerafdruk {format_fingerprint(fp)}"
        + (" (gelijk aan de verwachte / matches expected)" if expected_fp
           else " — vergelijk met de gepubliceerde vingerafdruk / compare with the published one"),
        f"Bewaarketen / custody: {len(events)} gebeurtenissen, laatste: {last['kind']} door {last['actor']} "
        f"op {last['at']}",
        stamp,
    ]
