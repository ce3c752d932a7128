"""The "Melding toevoegen" page: staff upload a screenshot, e-mail (.eml/.msg) or chat export for a consenting official.

The web app does not read the file itself (triage may not import the collectors): it stores the upload in
`intake_uploads` and the collectors' `uploads` spider takes it through the same intake path as `schildwacht intake`
(OCR, parsing, consent checks, matching, Kafka, classifier, ingest). See docs/architecture.md, "Intake".

Invariants: only case-write roles (beheerder, triagist) see or use the page; an upload names a registered official
of the user's organisation with active consent, is at most `upload_limit` (what the intake stage takes whole) and
not empty (otherwise nothing is stored and the form shows the reason); the bytes are hashed as received and the
upload is audited ("intake.upload") in the same transaction that stores it; the list shows only the organisation's
uploads, never their content.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import IntakeUpload, Official, StaffUser
from triage import audit
from triage.web.auth import current_user, get_db, get_settings
from triage.web.casework import require_writer
from triage.web.errors import Invalid
from triage.web.evidence_view import MAX_UPLOAD_BYTES, TooLarge, clean_filename, read_limited

router = APIRouter(include_in_schema=False)
ACCEPTED_SUFFIXES = (".png", ".jpg", ".jpeg", ".eml", ".msg", ".zip", ".txt", ".json")
RECENT = 20


def consenting_officials(session: Session, user: StaffUser) -> list[Official]:
    """The organisation's officials with active consent, by name."""
    return list(
        session.scalars(
            select(Official)
            .where(Official.organisation_id == user.organisation_id, Official.status == "active")
            .order_by(Official.full_name)
        )
    )


def recent_uploads(session: Session, user: StaffUser) -> list[IntakeUpload]:
    """The organisation's latest uploads, newest first."""
    return list(
        session.scalars(
            select(IntakeUpload)
            .where(IntakeUpload.organisation_id == user.organisation_id)
            .order_by(IntakeUpload.id.desc())
            .limit(RECENT)
        )
    )


def upload_limit(settings: Settings) -> int:
    """The largest file taken: what the intake stage passes on whole (`collector_max_bytes`; its bytes travel inline
    through Kafka, a larger file would be parked and cut), never more than MAX_UPLOAD_BYTES."""
    return min(MAX_UPLOAD_BYTES, settings.collector_max_bytes)


def megabytes(size: int) -> str:
    """`size` bytes in MB for a Dutch sentence ("2", "1,5")."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")


def store_upload(
    session: Session, user: StaffUser, official_id: str, upload: UploadFile | None, note: str | None, limit: int
) -> IntakeUpload:
    """Store one upload of at most `limit` bytes for the intake stage (see the module invariants); the caller
    commits."""
    require_writer(user)
    official = session.get(Official, official_id)
    if official is None or official.organisation_id != user.organisation_id:
        raise Invalid("Kies een ambtsdrager van uw organisatie; er is niets bewaard.")
    if official.status != "active":
        raise Invalid(f"{official.full_name} heeft geen (of ingetrokken) toestemming; er is niets bewaard.")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise Invalid("Kies een bestand om toe te voegen; er is niets bewaard.")
    filename = clean_filename(upload.filename)
    if PurePath(filename).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise Invalid(
            f"'{filename}': onbekend bestandstype. Toegestaan: {', '.join(ACCEPTED_SUFFIXES)}; er is niets bewaard."
        )
    too_large = TooLarge(f"Het bestand is groter dan {megabytes(limit)} MB; er is niets bewaard.")
    try:
        data, sha = read_limited(upload)
    except TooLarge:
        raise too_large from None
    if len(data) > limit:
        raise too_large
    row = IntakeUpload(
        organisation_id=user.organisation_id,
        official_id=official.id,
        filename=filename,
        content_type=(upload.content_type or "application/octet-stream")[:200],
        size=len(data),
        sha256=sha,
        data=data,
        note=(note or "").strip()[:2000] or None,
        uploaded_by=user.email,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action="intake.upload",
        object_type="intake_upload",
        object_id=row.id,
        details={"official_id": official.id, "filename": filename, "sha256": sha, "size": len(data)},
    )
    return row


def page_context(session: Session, user: StaffUser, settings: Settings) -> dict[str, Any]:
    return {
        "user": user,
        "officials": consenting_officials(session, user),
        "uploads": recent_uploads(session, user),
        "max_upload_mb": megabytes(upload_limit(settings)),
        "accepted": ", ".join(ACCEPTED_SUFFIXES),
    }


@router.get("/meldingen/toevoegen")
def upload_form(
    request: Request,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    require_writer(user)
    context = page_context(db, user, settings) | {"flash": request.session.pop("flash", None)}
    return request.app.state.render(request, "intake_upload.html", context)


@router.post("/meldingen/toevoegen")
def upload_submit(
    request: Request,
    ambtsdrager: str = Form(""),
    bestand: UploadFile | None = File(None),
    toelichting: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    require_writer(user)
    try:
        row = store_upload(db, user, ambtsdrager, bestand, toelichting, upload_limit(settings))
    except (Invalid, TooLarge) as refusal:  # shown on the form itself, like every page without an id in its path
        db.rollback()
        context = page_context(db, user, settings) | {"error": refusal.message}
        return request.app.state.render(request, "intake_upload.html", context)
    db.commit()
    request.session["flash"] = (
        f"'{row.filename}' ontvangen (sha256 {row.sha256[:12]}…). Schildwacht leest het bestand in de volgende "
        "verzamelronde; het resultaat verschijnt hieronder en een dreiging als zaak in de wachtrij."
    )
    return RedirectResponse("/meldingen/toevoegen", status_code=303)
