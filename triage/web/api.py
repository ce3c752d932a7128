"""JSON API under /api: the same operations, auth (session cookie) and organisation scoping as the pages.

Writes need the header X-CSRF-Token with the token from GET /api/me. Lists are paginated (`page`, `per_page`;
the answer carries `total` and `pages`). Summaries are Dutch, like everything staff read.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import StaffUser
from triage.web import caseviews, casework
from triage.web.auth import csrf_token, current_user, get_db, get_settings
from triage.web.bundle_download import bundle_response

router = APIRouter(prefix="/api", tags=["triage"])


class Me(BaseModel):
    id: int
    email: str
    name: str
    role: str
    organisation_id: str
    csrf_token: str


class Ok(BaseModel):
    ok: bool = True
    case_id: int | None = None


class CasePage(BaseModel):
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    pages: int


class AssignIn(BaseModel):
    colleague_id: int


class StatusIn(BaseModel):
    status: Literal["in_behandeling", "wacht_op_betrokkene", "afgerond", "geen_actie"]
    reason: str | None = Field(default=None, description="Verplicht bij geen_actie: een sleutel uit /api/reasons")
    note: str | None = Field(default=None, max_length=casework.NOTE_MAX)


class StepIn(BaseModel):
    reference: str | None = Field(default=None, max_length=400)
    vpt_code: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=casework.NOTE_MAX)


class BulkDismissIn(BaseModel):
    case_ids: list[int] = Field(max_length=500)
    reason: str | None = Field(default=None, description="Verplicht: een sleutel uit /api/reasons")
    note: str | None = Field(default=None, max_length=casework.NOTE_MAX)


class BulkDismissOut(BaseModel):
    dismissed: list[int]
    case_page_only: list[int]
    skipped: list[int]


class RevealOut(BaseModel):
    mention_id: int
    case_id: int
    text: str | None
    spans: list[dict]


class TextIn(BaseModel):
    text: str = Field(max_length=casework.STATEMENT_MAX)


class LabelCorrectionIn(BaseModel):
    label: str = Field(max_length=30, description="Een label uit schildwacht.vocabulary.LABELS, bijvoorbeeld threat")
    action: Literal["added", "removed"]
    reason: str = Field(max_length=casework.NOTE_MAX, description="Verplicht: waarom het label niet klopte")


class LabelCorrectionOut(BaseModel):
    ok: bool = True
    case_id: int
    mention_id: int
    correction_id: int


class OtherCaseIn(BaseModel):
    case_id: int


class MergeOut(BaseModel):
    ok: bool = True
    case_id: int
    moved_posts: int


@router.get("/me", response_model=Me, summary="Ingelogde gebruiker en CSRF-token")
def me(request: Request, user: StaffUser = Depends(current_user)):
    return Me(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        organisation_id=user.organisation_id,
        csrf_token=csrf_token(request),
    )


@router.get("/cases", response_model=CasePage, summary="Wachtrij: zaken van de eigen organisatie, per pagina")
def list_cases(
    official: str | None = None,
    platform: str | None = None,
    label: str | None = None,
    status: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    page: int = Query(1, ge=1),
    per_page: int = Query(caseviews.PER_PAGE, ge=1, le=500),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    filters = caseviews.QueueFilters(official, platform, label, status, q, sort, page)
    result = caseviews.queue(db, user, settings, filters, per_page=per_page)
    return CasePage(
        items=result.rows, total=result.total, page=result.page, per_page=result.per_page, pages=result.pages
    )


@router.get("/reasons", summary="Redenen voor 'geen actie' (sleutel en omschrijving)")
def reasons(user: StaffUser = Depends(current_user)) -> dict[str, str]:
    return dict(casework.DISMISSAL_REASONS)


@router.get("/staff", summary="Collega's aan wie een zaak kan worden toegewezen")
def staff(user: StaffUser = Depends(current_user), db: Session = Depends(get_db)) -> list[dict]:
    return [{"id": u.id, "name": u.name, "role": u.role} for u in caseviews.colleagues(db, user)]


@router.get("/authors/{account}", summary="Alle zaken en berichten van één account (geaudit)")
def author(
    account: str,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> dict:
    return caseviews.author_view(db, user, settings, account, channel="api")


@router.get("/cases/{case_id}", summary="Zaak met berichten (tekst verborgen), context, stappen, notities (geaudit)")
def get_case(
    case_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> dict:
    return caseviews.view_case(db, user, settings, case_id, channel="api")


@router.post(
    "/cases/{case_id}/mentions/{mention_id}/reveal", response_model=RevealOut, summary="Berichttekst tonen (geaudit)"
)
def reveal(case_id: int, mention_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    m = casework.reveal(db, user, case_id, mention_id, channel="api")
    return RevealOut(mention_id=m.id, case_id=case_id, text=m.text, spans=list(m.spans or []))


@router.post(
    "/cases/{case_id}/mentions/{mention_id}/labels",
    response_model=LabelCorrectionOut,
    summary="Label van een bericht corrigeren (toevoegen of verwijderen, met reden; geaudit)",
)
def correct_label(
    case_id: int,
    mention_id: int,
    body: LabelCorrectionIn,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    row = casework.correct_label(db, user, case_id, mention_id, body.label, body.action, body.reason)
    return LabelCorrectionOut(case_id=case_id, mention_id=mention_id, correction_id=row.id)


@router.post("/cases/{case_id}/claim", response_model=Ok, summary="Zaak claimen")
def claim(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.claim(db, user, case_id)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/release", response_model=Ok, summary="Claim vrijgeven")
def release(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.release(db, user, case_id)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/assign", response_model=Ok, summary="Toewijzen aan collega")
def assign(case_id: int, body: AssignIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.assign(db, user, case_id, body.colleague_id)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/status", response_model=Ok, summary="Status wijzigen ('geen_actie' vraagt een reden)")
def set_status(case_id: int, body: StatusIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.set_status(db, user, case_id, body.status, body.note, body.reason)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/reopen", response_model=Ok, summary="Gesloten zaak heropenen (geaudit)")
def reopen(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.reopen(db, user, case_id)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/steps/{step}", response_model=Ok, summary="Steunpakket-stap afvinken")
def complete_step(
    case_id: int, step: str, body: StepIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    casework.complete_step(db, user, case_id, step, body.reference, body.vpt_code, body.note)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/notes", response_model=Ok, summary="Notitie toevoegen")
def add_note(case_id: int, body: TextIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.add_note(db, user, case_id, body.text)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/victim-statement", response_model=Ok, summary="Verklaring/impact betrokkene opslaan")
def victim_statement(
    case_id: int, body: TextIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    casework.set_victim_statement(db, user, case_id, body.text)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/link", response_model=Ok, summary="Koppelen aan een verwante zaak")
def link(case_id: int, body: OtherCaseIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.link_cases(db, user, case_id, body.case_id)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/merge", response_model=MergeOut, summary="Berichten overzetten naar een andere zaak")
def merge(case_id: int, body: OtherCaseIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    moved = casework.merge_cases(db, user, case_id, body.case_id)
    return MergeOut(case_id=body.case_id, moved_posts=moved)


@router.post("/cases/{case_id}/bundle", summary="Ondertekende bewijsbundel (zip) exporteren en downloaden")
def bundle(
    case_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    return bundle_response(db, user, settings, case_id)


@router.post("/cases/bulk-dismiss", response_model=BulkDismissOut, summary="'Geen actie' voor meerdere zaken")
def bulk_dismiss(body: BulkDismissIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    result = casework.bulk_dismiss(db, user, body.case_ids, body.reason, body.note)
    return BulkDismissOut(dismissed=result.dismissed, case_page_only=result.case_page_only, skipped=result.skipped)
