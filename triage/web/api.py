"""JSON API under /api: the same operations, auth (session cookie) and organisation scoping as the pages.

Writes need the header X-CSRF-Token with the token from GET /api/me.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import StaffUser
from triage.web import services
from triage.web.auth import csrf_token, current_user, get_db, get_settings

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


class AssignIn(BaseModel):
    colleague_id: int


class StatusIn(BaseModel):
    status: Literal["in_behandeling", "wacht_op_betrokkene", "afgerond", "geen_actie"]
    note: str | None = None


class StepIn(BaseModel):
    reference: str | None = Field(default=None, max_length=400)
    vpt_code: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=4000)


class BulkDismissIn(BaseModel):
    case_ids: list[int] = Field(max_length=500)
    note: str | None = None


class BulkDismissOut(BaseModel):
    dismissed: list[int]


class RevealOut(BaseModel):
    mention_id: int
    case_id: int
    text: str | None
    spans: list[dict]


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


@router.get("/cases", summary="Wachtrij: zaken van de eigen organisatie, meest urgent eerst")
def list_cases(
    official: str | None = None,
    platform: str | None = None,
    label: str | None = None,
    status: str | None = None,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> list[dict]:
    return services.queue(db, user, settings, services.QueueFilters(official, platform, label, status))


@router.get("/staff", summary="Collega's aan wie een zaak kan worden toegewezen")
def staff(user: StaffUser = Depends(current_user), db: Session = Depends(get_db)) -> list[dict]:
    return [{"id": u.id, "name": u.name, "role": u.role} for u in services.colleagues(db, user)]


@router.get("/cases/{case_id}", summary="Zaak met berichten (tekst verborgen), context, stappen (geaudit)")
def get_case(
    case_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> dict:
    return services.view_case(db, user, settings, case_id, channel="api")


@router.post(
    "/cases/{case_id}/mentions/{mention_id}/reveal", response_model=RevealOut, summary="Berichttekst tonen (geaudit)"
)
def reveal(case_id: int, mention_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    m = services.reveal(db, user, case_id, mention_id, channel="api")
    return RevealOut(mention_id=m.id, case_id=case_id, text=m.text, spans=list(m.spans or []))


@router.post("/cases/{case_id}/claim", response_model=Ok, summary="Zaak claimen")
def claim(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    services.claim(db, user, case_id)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/release", response_model=Ok, summary="Claim vrijgeven")
def release(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    services.release(db, user, case_id)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/assign", response_model=Ok, summary="Toewijzen aan collega")
def assign(case_id: int, body: AssignIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    services.assign(db, user, case_id, body.colleague_id)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/status", response_model=Ok, summary="Status wijzigen")
def set_status(case_id: int, body: StatusIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    services.set_status(db, user, case_id, body.status, body.note)
    return Ok(case_id=case_id)


@router.post("/cases/{case_id}/steps/{step}", response_model=Ok, summary="Steunpakket-stap afvinken")
def complete_step(
    case_id: int, step: str, body: StepIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    services.complete_step(db, user, case_id, step, body.reference, body.vpt_code, body.note)
    return Ok(case_id=case_id)


@router.post("/cases/bulk-dismiss", response_model=BulkDismissOut, summary="'Geen actie' voor meerdere zaken")
def bulk_dismiss(body: BulkDismissIn, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    return BulkDismissOut(dismissed=services.bulk_dismiss(db, user, body.case_ids, body.note))
