"""Evidence on the case page: the capture status of each post ("Opnieuw vastleggen") and attachments staff upload.

Invariants:
- an upload is hashed (sha256) as it is received, stored as an evidence blob under that hash, recorded as a
  CaseAttachment and as an 'attachment_added' custody event in one transaction, so the bundle carries exactly
  the bytes whose hash the chain holds;
- an attachment is only ever served as a download (application/octet-stream, attachment), never rendered, and each
  download is audited;
- everything is scoped to the user's organisation (another organisation's case or attachment: 404).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import CaseAttachment, EvidenceBlob, Mention, StaffUser
from schildwacht.models.evidence import Capture
from triage import audit
from triage.bundle.capture import capture_mention
from triage.bundle.custody import append_event
from triage.bundle.dossier import CAPTURE_STATUS_NL, dutch_reason
from triage.web.auth import current_user, get_db, get_settings
from triage.web.casework import audit_case, get_case, require_writer
from triage.web.dutch import count
from triage.web.errors import Invalid, NotFound, ServiceError

router = APIRouter(include_in_schema=False)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_RECAPTURE_POSTS = 5  # a capture runs in the request (fetch + three browser runs per post)
POSTS_SHOWN = 50
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")


class TooLarge(ServiceError):
    status = 413


def case_evidence(session: Session, user: StaffUser, case_id: int) -> dict[str, Any]:
    """Capture status per flagged post (latest attempt, or pending) and the case's attachments."""
    case = get_case(session, user, case_id)
    posts = session.scalars(
        select(Mention)
        .where(Mention.case_id == case.id, Mention.organisation_id == user.organisation_id)
        .order_by(Mention.created_at, Mention.id)
        .limit(POSTS_SHOWN)
    ).all()
    latest: dict[int, Capture] = {}
    attempts: dict[int, int] = {}
    for attempt in session.scalars(
        select(Capture).where(Capture.mention_id.in_([m.id for m in posts])).order_by(Capture.started_at)
    ):
        latest[attempt.mention_id] = attempt
        attempts[attempt.mention_id] = attempts.get(attempt.mention_id, 0) + 1
    captures = []
    for m in posts:
        cap = latest.get(m.id)
        captures.append(
            {
                "mention_id": m.id,
                "platform": m.platform,
                "post_id": m.post_id,
                "status": cap.status if cap else "pending",
                "status_nl": CAPTURE_STATUS_NL.get(cap.status, cap.status) if cap else "nog niet vastgelegd",
                "error": dutch_reason(cap.error) if cap else None,
                "at": cap.finished_at or cap.started_at if cap else None,
                "attempts": attempts.get(m.id, 0),
                "parts": [
                    name
                    for name, sha in (
                        ("serverantwoord", cap.raw_sha256),
                        ("WARC", cap.warc_sha256),
                        ("schermafbeelding", cap.screenshot_sha256),
                        ("PDF", cap.pdf_sha256),
                    )
                    if sha
                ]
                if cap
                else [],
            }
        )
    attachments = session.scalars(
        select(CaseAttachment).where(CaseAttachment.case_id == case.id).order_by(CaseAttachment.id)
    ).all()
    return {"captures": captures, "attachments": attachments, "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}


def clean_filename(raw: str | None) -> str:
    """The uploaded name for display: its last path part, without control characters, at most 200 characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if not unicodedata.category(ch).startswith("C"))
    return name.strip()[:200] or "bijlage"


def read_limited(upload: UploadFile) -> tuple[bytes, str]:
    digest, chunks, size = hashlib.sha256(), [], 0
    while chunk := upload.file.read(1024 * 1024):
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise TooLarge(f"Het bestand is groter dan {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; er is niets bewaard.")
        digest.update(chunk)
        chunks.append(chunk)
    if size == 0:
        raise Invalid("Het bestand is leeg; er is niets bewaard.")
    return b"".join(chunks), digest.hexdigest()


def add_attachment(
    session: Session, user: StaffUser, case_id: int, upload: UploadFile | None, description: str | None
) -> CaseAttachment:
    """Store the upload as evidence of the case (see the module invariants); the caller commits."""
    require_writer(user)
    case = get_case(session, user, case_id, for_update=True)
    if upload is None or isinstance(upload, str):
        raise Invalid("Kies een bestand om toe te voegen; er is niets bewaard.")
    data, sha = read_limited(upload)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    content_type = declared if _CONTENT_TYPE.match(declared) else "application/octet-stream"
    session.execute(
        insert(EvidenceBlob)
        .values(sha256=sha, content_type=content_type, size=len(data), data=data)
        .on_conflict_do_nothing()
    )
    row = CaseAttachment(
        case_id=case.id,
        organisation_id=case.organisation_id,
        sha256=sha,
        filename=clean_filename(upload.filename),
        content_type=content_type,
        size=len(data),
        description=(description or "").strip()[:2000] or None,
        uploaded_by=user.email,
    )
    session.add(row)
    session.flush()
    append_event(
        session,
        case.id,
        "attachment_added",
        user.email,
        {"attachment_id": row.id, "sha256": sha, "size": row.size, "filename": row.filename, "type": content_type},
    )
    audit.record(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action="case.attachment",
        object_type="case",
        object_id=case.id,
        details={"case_id": case.id, "attachment_id": row.id, "sha256": sha},
    )
    return row


@router.post("/zaken/{case_id}/bijlagen")
def upload_attachment(
    request: Request,
    case_id: int,
    bestand: UploadFile | None = File(None),  # checked after the case (an unknown case is 404 either way)
    omschrijving: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    row = add_attachment(db, user, case_id, bestand, omschrijving)
    db.commit()
    request.session["flash"] = f"Bijlage '{row.filename}' toegevoegd (sha256 {row.sha256[:12]}…)."
    return RedirectResponse(f"/zaken/{case_id}#bewijs", status_code=303)


@router.get("/zaken/{case_id}/bijlagen/{attachment_id}")
def download_attachment(
    case_id: int, attachment_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    case = get_case(db, user, case_id)
    row = db.get(CaseAttachment, attachment_id)
    if row is None or row.case_id != case.id:
        raise NotFound("Bijlage niet gevonden.")
    blob = db.get(EvidenceBlob, row.sha256)
    if blob is None:
        raise NotFound("De inhoud van deze bijlage ontbreekt in de opslag.")
    audit_case(db, user, "case.attachment.view", case.id, attachment_id=row.id, sha256=row.sha256)
    db.commit()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", row.filename)[-100:] or "bijlage"
    return Response(
        blob.data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{ascii_name}"'},
    )


@router.post("/zaken/{case_id}/vastleggen")
def recapture(
    request: Request,
    case_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    """Capture the case's flagged posts again now (one transaction per post, each a custody event)."""
    require_writer(user)
    case = get_case(db, user, case_id)
    ids = db.scalars(
        select(Mention.id)
        .where(Mention.case_id == case.id, Mention.flagged.is_(True), Mention.content_purged_at.is_(None))
        .order_by(Mention.created_at, Mention.id)
        .limit(MAX_RECAPTURE_POSTS)
    ).all()
    outcome: dict[str, int] = {}
    for mention_id in ids:
        mention = db.get(Mention, mention_id)
        assert mention is not None, "selected from this case just above"
        capture = capture_mention(db, settings, mention, actor=user.email)
        audit_case(db, user, "case.capture", case.id, mention_id=mention_id, status=capture.status)
        db.commit()
        outcome[capture.status] = outcome.get(capture.status, 0) + 1
    summary = ", ".join(
        f"{count(n, 'bericht', 'berichten')} {CAPTURE_STATUS_NL.get(status, status)}"
        for status, n in sorted(outcome.items())
    )
    request.session["flash"] = (
        f"Opnieuw vastleggen: {summary}." if outcome else "Geen berichten met inhoud om vast te leggen."
    )
    return RedirectResponse(f"/zaken/{case_id}#bewijs", status_code=303)
