"""Case page forms for legal hold (triage/legal_hold.py): set (triagist, beheerder), review and lift (beheerder).

Every route needs a login, is scoped to the user's organisation (another organisation's case is a 404) and is
CSRF-protected by the app-wide dependency.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from schildwacht.models import Case, StaffUser
from triage import legal_hold
from triage.web import casework
from triage.web.auth import current_user, get_db
from triage.web.errors import Forbidden, Invalid, NotFound

router = APIRouter(include_in_schema=False)
# action -> (change(session, case, actor, role, reason), the message shown when done)
ACTIONS: dict[str, tuple[Callable[[Session, Case, str, str, str], object], str]] = {
    "instellen": (legal_hold.set_hold, "Legal hold ingesteld."),
    "herzien": (legal_hold.review_hold, "Herziening vastgelegd; de legal hold blijft."),
    "opheffen": (legal_hold.lift_hold, "Legal hold opgeheven; de zaak volgt weer de bewaartermijnen."),
}


@router.post("/zaken/{case_id}/legal-hold/{action}")
def change_hold(
    request: Request,
    case_id: int,
    action: str,
    reden: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    if action not in ACTIONS:
        raise NotFound("Onbekende handeling.")
    casework.require_writer(user)
    case = casework.get_case(db, user, case_id, for_update=True)
    change, done = ACTIONS[action]
    try:
        change(db, case, user.email, user.role, reden)
    except legal_hold.HoldError as exc:
        db.rollback()
        refusal = Forbidden if isinstance(exc, legal_hold.HoldForbidden) else Invalid
        raise refusal(str(exc)) from None
    db.commit()
    request.session["flash"] = done
    return RedirectResponse(f"/zaken/{case_id}#legal-hold", status_code=303)
