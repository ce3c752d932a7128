"""Export a case as one signed evidence bundle (ZIP) for the police.

Order: custody event 'exported' → dossier → files (items, custody.jsonl, reports) → manifest.json (every file
with sha256) → Ed25519 signature manifest.sig → SHA256SUMS over all of them → optional RFC 3161 token
SHA256SUMS.tsr → ZIP written atomically. The private key never enters the bundle.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import uuid
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from schildwacht.config import Settings, get_settings
from schildwacht.models import Case
from triage.bundle import keys, layout
from triage.bundle.custody import append_event, canonical_json, format_time
from triage.bundle.dossier import Dossier, load_dossier, software_version
from triage.bundle.pif import build_report
from triage.bundle.report_html import render_html
from triage.bundle.report_pdf import render_pdf
from triage.bundle.timestamp import TimestampProblem, request_token
from triage.bundle.trust import published_keys_url

log = logging.getLogger(__name__)

README_TEXT = """Schildwacht bewijsbundel / evidence bundle — zaak #{case_id}

rapport.pdf / rapport.html   leesbaar rapport (PIF, 7 W's), letterlijke teksten, instructies
items/NN-.../post.json       identificatoren, tijden, tekst en context per bericht
items/NN-.../tekst.txt       de letterlijke tekst (UTF-8)
items/NN-.../raw.*, *.warc.gz oorspronkelijke serverantwoorden; capture-* bij hercapture
bijlagen/NN-...              bestanden die medewerkers aan de zaak toevoegden (sha256 bij upload vastgelegd)
custody.jsonl                bewaarketen (hash-keten) / chain of custody
manifest.json                inhoud met sha256 per bestand, ondertekend in manifest.sig (Ed25519)
public_key.pem               publieke sleutel waarmee de bundel is ondertekend
SHA256SUMS (+ .tsr)          hashes van alle bestanden (+ RFC 3161-tijdstempel indien aanwezig)

Controleren / verify:
  schildwacht bundle verify <bestand>.zip --vingerafdruk "<vingerafdruk>"
  schildwacht bundle verify <bestand>.zip --vertrouwde-sleutels schildwacht-keys.json

Waar vindt u de vingerafdruk? / Where to get the fingerprint:
  {organisation} publiceert haar sleutels (vingerafdruk en geldigheid) op
    {keys_url}
  Sla die pagina op als schildwacht-keys.json voor --vertrouwde-sleutels (haal haar vlak voor de controle op:
  ingetrokken sleutels staan erop), of neem de vingerafdruk over voor --vingerafdruk. Ga na dat dit adres echt
  van {organisation} is, of vraag de vingerafdruk op via een bekend kanaal (bijvoorbeeld telefonisch bij de
  organisatie). De vingerafdruk in de kop van het rapport is alleen ter informatie:
  alles in deze bundel, ook dit bestand, kan door een vervalser zijn aangepast.
  Check the fingerprint with the organisation (page above or a known channel), never with this bundle itself.

Uitkomst / exit code van 'bundle verify':
  0 intact en ondertekenaar geverifieerd / intact, signer verified
  1 niet intact, vervalst, of ondertekend met een andere of ingetrokken sleutel / not intact, other or revoked key
  2 verkeerd gebruik / usage error
  3 integer maar ondertekenaar niet geverifieerd (geen vingerafdruk opgegeven) / intact but signer not verified
'sha256sum -c SHA256SUMS' na uitpakken controleert alleen de hashes, niet wie de bundel ondertekende.
"""


def _json(value: object) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _content_files(
    dossier: Dossier, report_pdf: bytes, report_html: bytes, public_pem: str, readme: str
) -> dict[str, bytes]:
    files: dict[str, bytes] = {
        layout.REPORT_PDF: report_pdf,
        layout.REPORT_HTML: report_html,
        layout.CUSTODY: b"".join(canonical_json(e) + b"\n" for e in dossier.custody),
        layout.PUBLIC_KEY: public_pem.encode("ascii"),
        layout.README: readme.encode("utf-8"),
    }
    for attachment in dossier.attachments:
        if attachment.data is not None:
            files[attachment.path] = attachment.data
    for item in dossier.items:
        files[f"{item.folder}/post.json"] = _json(item.post)
        if item.post["text"] is not None:
            files[f"{item.folder}/tekst.txt"] = item.post["text"].encode("utf-8")
        for f in item.files:
            if f.data is not None:
                files[f"{item.folder}/{f.name}"] = f.data
    return files


def _manifest(dossier: Dossier, files: dict[str, bytes], bundle_id: str, actor: str, exported_at: str, key_row) -> dict:
    head = dossier.custody[-1]
    return {
        "format": layout.FORMAT,
        "bundle_id": bundle_id,
        "case": dossier.case,
        "official": {**dossier.official, "organisation": dossier.organisation},
        "vpt": dossier.vpt,
        "exported_by": actor,
        "exported_at": exported_at,
        "software": {"name": "schildwacht", "version": software_version()},
        "items": [
            {
                "folder": i.folder,
                "uid": i.post["uid"],
                "post_id": i.post["post_id"],
                "account_id": i.post["account"]["id"],
                "permalink": i.post["permalink"],
            }
            for i in dossier.items
        ],
        "attachments": [
            {
                "path": a.path if a.data is not None else None,
                "filename": a.filename,
                "sha256": a.sha256,
                "size": a.size,
                "content_type": a.content_type,
                "uploaded_by": a.uploaded_by,
                "uploaded_at": a.uploaded_at,
                "missing": a.data is None,
            }
            for a in dossier.attachments
        ],
        "custody": {"file": layout.CUSTODY, "events": len(dossier.custody), "head_hash": head["hash"]},
        "signer": {
            "algorithm": "ed25519",
            "organisation_id": dossier.organisation["id"],
            "fingerprint": key_row.fingerprint,
            "public_key_pem": key_row.public_key_pem,
            "key_valid_from": format_time(key_row.valid_from),
        },
        "files": [
            {"path": name, "sha256": layout.sha256(data), "size": len(data)} for name, data in sorted(files.items())
        ],
    }


def export_bundle(session: Session, case_id: int, actor: str, out_path: Path, settings: Settings | None = None) -> Path:
    """Write the case's signed bundle to out_path and log an 'exported' custody event (flushed; caller commits).

    Generates the organisation's signing key on first use. A configured TSA that fails is logged, not fatal:
    the bundle is then valid without a timestamp, and verify says so.
    """
    settings = settings or get_settings()
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"zaak {case_id} bestaat niet / case not found")
    if keys.current_key(session, case.organisation_id) is None:
        keys.generate(session, settings, case.organisation_id, actor)
    private, key_row = keys.signing_key(session, settings, case.organisation_id)
    bundle_id, out_path = str(uuid.uuid4()), Path(out_path)
    append_event(
        session,
        case_id,
        "exported",
        actor,
        {"bundle_id": bundle_id, "file": out_path.name, "signer_fingerprint": key_row.fingerprint},
    )
    dossier = load_dossier(session, case_id)
    exported_at = dossier.custody[-1]["at"]
    keys_url = published_keys_url(settings)
    report = build_report(dossier, actor, exported_at, key_row.fingerprint, software_version(), keys_url)
    readme = README_TEXT.format(case_id=case_id, organisation=dossier.organisation["name"], keys_url=keys_url)
    files = _content_files(
        dossier, render_pdf(report, dossier), render_html(report, dossier), key_row.public_key_pem, readme
    )
    manifest = _json(_manifest(dossier, files, bundle_id, actor, exported_at, key_row))
    signature = base64.b64encode(private.sign(manifest)) + b"\n"
    files |= {layout.MANIFEST: manifest, layout.SIGNATURE: signature}
    sums = layout.format_sums(files)
    files[layout.SUMS] = sums
    if settings.tsa_url:
        try:
            files[layout.TIMESTAMP] = request_token(settings.tsa_url, sums, settings.capture_timeout_seconds)
        except TimestampProblem as exc:
            log.warning("geen tijdstempel voor zaak %s / no timestamp: %s", case_id, exc)
    _write_zip(out_path, files)
    return out_path


def _write_zip(out_path: Path, files: dict[str, bytes]) -> None:
    """manifest first, then the rest sorted; written to a temporary name and renamed into place.

    The archive has the one form that verify accepts (strict_zip): every name safe, no ZIP64 (zipfile raises
    LargeZipFile instead), no extra fields, no data descriptors (the file is seekable).
    """
    for name in files:
        if (reason := layout.unsafe_name_reason(name)) is not None:
            raise ValueError(f"onveilige bestandsnaam in de bundel {name!r}: {reason} / unsafe bundle entry name")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    order = [layout.MANIFEST] + sorted(n for n in files if n != layout.MANIFEST)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as zf:
        for name in order:
            zf.writestr(name, files[name])
    os.replace(tmp, out_path)
