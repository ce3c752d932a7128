"""Offline verification of a bundle: ZIP structure, file list, every hash, the Ed25519 signature, the custody
chain, the optional RFC 3161 timestamp and who signed it. Needs no database and no network; stops at the first
problem and names it.

Integrity and trust are separate results. The signature is checked with the public key inside the bundle, which
proves only that nothing changed since that key signed. The signer counts as verified only when the key matches a
trust anchor the caller brings from outside the bundle (`trust.TrustedKey`: a --vingerafdruk, a trusted-keys file,
the organisation's published keys); the fingerprint in the manifest, report or LEESMIJ.txt never counts. A key
that matches none of the given anchors, or that an anchor marks revoked, is a failure (for the verifier, a
forgery); no anchor at all gives "intact but signer not verified". An expected fingerprint given together with
trusted keys narrows them: the signer must be that key AND be vouched for by the trusted keys.

Exit codes of `schildwacht bundle verify` (Verification.exit_code): 0 intact and signer verified, 1 not intact or
signed by an untrusted or revoked key, 2 usage error (bad option, unreadable trusted-keys file), 3 intact but
signer not verified.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from triage.bundle import layout, strict_zip
from triage.bundle.custody import verify_chain
from triage.bundle.keys import KeyProblem, fingerprint, format_fingerprint, load_public_pem
from triage.bundle.timestamp import TimestampProblem, verify_token
from triage.bundle.trust import WELL_KNOWN_PATH, TrustedKey, TrustProblem, match_signer, normalise_fingerprint

EXIT_VERIFIED, EXIT_NOT_INTACT, EXIT_USAGE, EXIT_SIGNER_UNVERIFIED = 0, 1, 2, 3
SIGNER_UNVERIFIED = (
    "INTEGER MAAR ONDERTEKENAAR NIET GEVERIFIEERD / INTACT BUT SIGNER NOT VERIFIED: de bundel is "
    "sinds de ondertekening niet gewijzigd, maar er is niet vastgesteld wie hem ondertekende. "
    "Vraag de vingerafdruk op bij de organisatie (gepubliceerd op <haar Schildwacht-adres>"
    f"{WELL_KNOWN_PATH}, of via een bekend kanaal) en controleer opnieuw met --vingerafdruk of "
    "--vertrouwde-sleutels. Vertrouw niet op de vingerafdruk in de bundel zelf."
)


class BundleProblem(Exception):
    """The first thing wrong with a bundle (Dutch / English)."""


@dataclass
class Verification:
    """ok: the bundle is intact (every byte, hash, the signature with its own key, custody, timestamp) and, where
    anchors were given, signed by one of them. signer_verified: the key matched a caller's anchor. Only ok and
    signer_verified together mean "exactly this, from that organisation"."""

    ok: bool
    signer_verified: bool = False
    problem: str | None = None
    summary: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if not self.ok:
            return EXIT_NOT_INTACT
        return EXIT_VERIFIED if self.signer_verified else EXIT_SIGNER_UNVERIFIED


def verify_bundle(
    path: Path,
    expected_fingerprint: str | None = None,
    trusted_tsa_cas: list[x509.Certificate] | None = None,
    trusted_keys: Sequence[TrustedKey] = (),
) -> Verification:
    """Check a bundle against the given anchors. `expected_fingerprint` (a malformed one raises
    trust.TrustProblem) alone is the only anchor; with `trusted_keys` the signer must be that key and match them.
    Ok with a short summary, or the first problem found."""
    required = normalise_fingerprint(expected_fingerprint) if expected_fingerprint else None
    anchors = list(trusted_keys) or ([TrustedKey(fingerprint=required)] if required else [])
    try:
        summary, verified = _verify(Path(path), anchors, required, trusted_tsa_cas)
    except BundleProblem as exc:
        return Verification(ok=False, problem=str(exc))
    return Verification(ok=True, signer_verified=verified, summary=summary)


CONTROL_FILES = (layout.MANIFEST, layout.SIGNATURE, layout.SUMS, layout.TIMESTAMP, layout.CUSTODY, layout.PUBLIC_KEY)
CONTROL_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class _Contents:
    digests: dict[str, str]  # every file -> sha256, hashed while streaming (bundles may hold large WARCs)
    control: dict[str, bytes]  # the small files that are parsed


def _read_zip(path: Path) -> _Contents:
    """Every entry hashed, control files kept; only archives that every ZIP reader reads alike (strict_zip)."""
    contents = _Contents(digests={}, control={})
    try:
        with path.open("rb") as fh:
            for entry in strict_zip.read_entries(fh):
                if entry.name in CONTROL_FILES:
                    if entry.size > CONTROL_MAX_BYTES:
                        raise BundleProblem(f"{entry.name}: onredelijk groot / unreasonably large")
                    data = b"".join(strict_zip.iter_content(fh, entry))
                    contents.control[entry.name] = data
                    contents.digests[entry.name] = layout.sha256(data)
                    continue
                digest = hashlib.sha256()
                for chunk in strict_zip.iter_content(fh, entry):
                    digest.update(chunk)
                contents.digests[entry.name] = digest.hexdigest()
    except strict_zip.ZipProblem as exc:
        raise BundleProblem(f"{path.name}: {exc}") from exc
    except OSError as exc:
        raise BundleProblem(f"{path.name}: geen leesbare ZIP / not a readable ZIP ({exc})") from exc
    return contents


def _load_manifest(files: dict[str, bytes]) -> dict:
    """`files`: the control files."""
    if layout.MANIFEST not in files:
        raise BundleProblem(f"{layout.MANIFEST}: ontbreekt / missing")
    try:
        manifest = json.loads(files[layout.MANIFEST])
    except ValueError as exc:
        raise BundleProblem(f"{layout.MANIFEST}: onleesbaar / unreadable ({exc})") from exc
    shape = {
        "format": str,
        "case": dict,
        "official": dict,
        "items": list,
        "custody": dict,
        "signer": dict,
        "files": list,
    }
    missing = [k for k, t in shape.items() if not isinstance(manifest, dict) or not isinstance(manifest.get(k), t)]
    if not missing and not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str)
        for e in manifest["files"]
    ):
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


def _check_signature(files: dict[str, bytes], manifest: dict) -> str:
    """The signature with the bundle's own key; returns that key's fingerprint (not yet trusted)."""
    signer = manifest["signer"]
    try:
        public = load_public_pem(str(signer.get("public_key_pem", "")))
        signature = base64.b64decode(files[layout.SIGNATURE].strip(), validate=True)
        public.verify(signature, files[layout.MANIFEST])
    except (KeyProblem, ValueError, binascii.Error, InvalidSignature) as exc:
        raise BundleProblem(
            f"{layout.SIGNATURE}: handtekening klopt niet bij {layout.MANIFEST} "
            f"/ signature invalid ({type(exc).__name__})"
        ) from exc
    fp = fingerprint(public)
    if fp != signer.get("fingerprint"):
        raise BundleProblem(
            f"{layout.MANIFEST}: vingerafdruk hoort niet bij de publieke sleutel / fingerprint mismatch"
        )
    if files.get(layout.PUBLIC_KEY, b"").decode("ascii", "replace").strip() != signer["public_key_pem"].strip():
        raise BundleProblem(f"{layout.PUBLIC_KEY}: wijkt af van de sleutel in het manifest / differs from manifest")
    organisation = manifest["official"].get("organisation")
    if (
        not isinstance(organisation, dict)
        or not isinstance(signer.get("organisation_id"), str)
        or signer["organisation_id"] != organisation.get("id")
    ):
        raise BundleProblem(
            f"{layout.MANIFEST}: ondertekenaar en organisatie van de zaak verschillen "
            "/ signer and case organisation differ"
        )
    return fp


def _check_signer(
    fp: str, manifest: dict, anchors: list[TrustedKey], required: str | None, stamped_at: datetime | None
) -> TrustedKey:
    """The anchor vouching for the key at the export time (and the timestamp's time, which a TSA attests); the key
    must be `required` where given."""
    if required is not None and fp != required:
        raise BundleProblem(
            f"{layout.SIGNATURE}: ondertekend met een andere sleutel ({format_fingerprint(fp)}) dan "
            "de opgegeven vingerafdruk (--vingerafdruk) / signed by another key than the given "
            "fingerprint"
        )
    try:
        exported_at = datetime.fromisoformat(manifest["exported_at"])
        if exported_at.tzinfo is None:
            raise ValueError("no time zone")
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleProblem(f"{layout.MANIFEST}: exporttijd ontbreekt of onleesbaar / export time unreadable") from exc
    try:
        return match_signer(
            anchors, fp, manifest["signer"]["organisation_id"], [exported_at] + ([stamped_at] if stamped_at else [])
        )
    except TrustProblem as exc:
        raise BundleProblem(f"{layout.SIGNATURE}: {exc}") from exc


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
        raise BundleProblem(
            f"{layout.CUSTODY}: aantal of laatste gebeurtenis wijkt af van het manifest "
            "/ events removed or added at the end"
        )
    if events[0]["case_id"] != manifest["case"]["id"]:
        raise BundleProblem(f"{layout.CUSTODY}: hoort bij een andere zaak / belongs to another case")
    return events


def _verify(
    path: Path, anchors: list[TrustedKey], required: str | None, cas: list[x509.Certificate] | None
) -> tuple[list[str], bool]:
    contents = _read_zip(path)
    files = contents.control
    manifest = _load_manifest(files)
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    _check_file_list(contents.digests, listed)
    _check_sums(contents)
    for name, digest in sorted(listed.items()):
        if contents.digests[name] != digest:
            raise BundleProblem(f"{name}: gewijzigd, sha256 klopt niet met het manifest / altered (hash mismatch)")
    fp = _check_signature(files, manifest)
    events = _check_custody(files, manifest)
    stamp, stamped_at = "Tijdstempel / timestamp: geen (niet aangevraagd of TSA onbereikbaar) / none", None
    if layout.TIMESTAMP in files:
        try:
            info = verify_token(files[layout.TIMESTAMP], files[layout.SUMS], cas)
        except TimestampProblem as exc:
            raise BundleProblem(f"{layout.TIMESTAMP}: {exc}") from exc
        stamped_at = info.gen_time
        stamp = (
            f"Tijdstempel / timestamp (RFC 3161): {info.gen_time:%Y-%m-%d %H:%M:%S} UTC door {info.tsa_subject}, "
            f"serienummer {info.serial}"
            + (
                "; TSA-certificaat door opgegeven CA uitgegeven"
                if info.ca_checked
                else f"; TSA-certificaat sha256 {info.tsa_cert_sha256} (niet tegen een CA gecontroleerd)"
            )
        )
    if anchors:
        anchor = _check_signer(fp, manifest, anchors, required, stamped_at)
        who = anchor.organisation_name or anchor.organisation_id
        signer = (
            f"Ondertekenaar geverifieerd / signer verified: vingerafdruk {format_fingerprint(fp)} is een "
            f"vertrouwde sleutel{f' van {who}' if who else ''} / matches a trusted key"
        )
    else:
        signer = (
            f"Ondertekenaar NIET geverifieerd / signer NOT verified: vingerafdruk {format_fingerprint(fp)}, "
            "geen vertrouwde sleutel opgegeven / no trusted key given"
        )
    last = events[-1]
    return [
        f"Bundel intact / bundle intact: zaak #{manifest['case']['id']}, {len(contents.digests)} bestanden, "
        f"{len(manifest['items'])} bericht(en); organisatie volgens de bundel: "
        f"{manifest['official']['organisation'].get('name')}",
        signer,
        f"Bewaarketen / custody: {len(events)} gebeurtenissen, laatste: {last['kind']} door {last['actor']} "
        f"op {last['at']}",
        stamp,
    ], bool(anchors)
