"""Recording the platform's answer to a notice (step "gemeld bij platform", DSA): when and how it answered
(verwijderd / afgewezen / geen reactie) and its reference. The statistics read it (`platform_answered_at`: share
answered, median response time).

Invariants:
- only on a case of the user's own organisation (another's answers 404, like a missing one), only by the roles that
  work on cases, and only once the notice itself is recorded (409 otherwise); a closed case accepts it too, since a
  platform often answers after the case is closed;
- the moment is read as Europe/Amsterdam local time, must not lie before the notice nor in the future;
- "verwijderd" and "afgewezen" set `platform_answered_at`; "geen reactie" clears it (the notice counts as
  unanswered) and keeps the moment it was established only in the audit log;
- every recording is audited (`case.platform_answer`, also in the case's custody log) with the previous values.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.models import StaffUser
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import CaseStep
from schildwacht.vocabulary import AMSTERDAM, PLATFORM_ANSWER_NL, PLATFORM_ANSWERED, PLATFORM_ANSWERS
from triage.web.auth import current_user, get_db
from triage.web.casework import audit_case, get_case, require_writer
from triage.web.errors import Conflict, Invalid

router = APIRouter(include_in_schema=False)
NOTICE_STEP = "gemeld_bij_platform"
CLOCK_SKEW = timedelta(minutes=5)  # a moment typed "now" on a slightly fast clock is still accepted


def local_moment(value: str) -> datetime:
    """'2026-11-20T14:05' (a datetime-local field) as an aware datetime in Europe/Amsterdam; Invalid otherwise."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("Vul datum en tijd van het antwoord in (dd-mm-jjjj uu:mm).") from None
    return moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment


def record_platform_answer(
    session: Session, user: StaffUser, case_id: int, answer: str, moment: str, reference: str | None
) -> CaseStep:
    """Store the platform's answer on the case's notice step (see the module invariants)."""
    require_writer(user)
    case = get_case(session, user, case_id, for_update=True)
    row = session.scalars(select(CaseStep).where(CaseStep.case_id == case.id, CaseStep.step == NOTICE_STEP)).first()
    if row is None:
        raise Conflict("Leg eerst de melding bij het platform vast (met de referentie van het platform).")
    if answer not in PLATFORM_ANSWERS:
        raise Invalid(f"Kies het antwoord van het platform: {', '.join(PLATFORM_ANSWER_NL.values()).lower()}.")
    answered_at = local_moment(moment) if moment.strip() else None
    if answer in PLATFORM_ANSWERED and answered_at is None:
        raise Invalid("Vul in wanneer het platform antwoordde.")
    if answered_at is not None and answered_at < row.done_at:
        raise Invalid("Het antwoord kan niet vóór de melding bij het platform liggen.")
    if answered_at is not None and answered_at > utcnow() + CLOCK_SKEW:
        raise Invalid("Het moment van het antwoord ligt in de toekomst.")
    previous = {
        "answer": row.platform_answer,
        "answered_at": row.platform_answered_at.isoformat() if row.platform_answered_at else None,
        "reference": row.platform_answer_reference,
    }
    row.platform_answer = answer
    row.platform_answered_at = answered_at if answer in PLATFORM_ANSWERED else None
    row.platform_answer_reference = (reference or "").strip()[:400] or None
    case.updated_at = utcnow()
    audit_case(
        session,
        user,
        "case.platform_answer",
        case_id,
        answer=answer,
        answered_at=row.platform_answered_at.isoformat() if row.platform_answered_at else None,
        established_at=answered_at.isoformat() if answered_at and answer not in PLATFORM_ANSWERED else None,
        reference=row.platform_answer_reference,
        previous=previous if previous["answer"] else None,
    )
    session.commit()
    return row


@router.post("/zaken/{case_id}/platformantwoord")
def platform_answer(
    request: Request,
    case_id: int,
    antwoord: str = Form(""),
    moment: str = Form(""),
    referentie: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    record_platform_answer(db, user, case_id, antwoord, moment, referentie)
    request.session["flash"] = f"Antwoord van het platform vastgelegd: {PLATFORM_ANSWER_NL[antwoord].lower()}."
    return RedirectResponse(f"/zaken/{case_id}#stappen", status_code=303)
