"""Staff management for beheerders (/beheer/medewerkers): list, invite by e-mail, change role, deactivate.

Every action is scoped to the beheerder's own organisation (another organisation's account answers 404, like an
unknown one) and audited by triage.web.accounts. A beheerder cannot change their own role or block themselves, so
an organisation never loses its last beheerder by accident.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import Organisation, StaffUser
from schildwacht.vocabulary import ORGANISATION_ROLES
from triage.web import accounts
from triage.web.account_mail import send_account_link
from triage.web.auth import current_user, get_db, get_settings
from triage.web.dutch import count
from triage.web.errors import Forbidden, NotFound

router = APIRouter(prefix="/beheer/medewerkers", include_in_schema=False)
LIST = "/beheer/medewerkers"


def require_beheerder(user: StaffUser = Depends(current_user)) -> StaffUser:
    if user.role != "beheerder":
        raise Forbidden("Alleen een beheerder mag medewerkers beheren.")
    return user


def _colleague(db: Session, admin: StaffUser, user_id: int) -> StaffUser:
    user = db.get(StaffUser, user_id, with_for_update=True)
    if user is None or user.organisation_id != admin.organisation_id:
        raise NotFound("Onbekende medewerker.")
    return user


def _not_self(admin: StaffUser, user: StaffUser) -> None:
    if user.id == admin.id:
        raise Forbidden("U kunt uw eigen rol of account niet hier wijzigen; vraag een andere beheerder.")


def _page(request: Request, db: Session, admin: StaffUser, status_code: int = 200, **extra):
    staff = db.scalars(
        select(StaffUser).where(StaffUser.organisation_id == admin.organisation_id).order_by(StaffUser.name)
    ).all()
    context = {
        "user": admin,
        "staff": staff,
        "roles": ORGANISATION_ROLES,
        "flash": request.session.pop("flash", None),
        **extra,
    }
    return request.app.state.render(request, "accounts/staff_list.html", context, status_code)


@router.get("")
def staff_list(request: Request, admin: StaffUser = Depends(require_beheerder), db: Session = Depends(get_db)):
    return _page(request, db, admin)


@router.post("/uitnodigen")
def staff_invite(
    request: Request,
    email: str = Form(""),
    naam: str = Form(""),
    rol: str = Form("triagist"),
    admin: StaffUser = Depends(require_beheerder),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    """Create the account and e-mail the invitation; nothing is kept when the mail is not accepted."""
    try:
        user = accounts.invite_user(
            db, email=email, name=naam, organisation_id=admin.organisation_id, role=rol, actor=admin.email
        )
        token = accounts.issue_token(db, user, "invite", actor=admin.email)
        organisation = db.get(Organisation, admin.organisation_id)
        sent_to = send_account_link(settings, user, "invite", token, organisation.name if organisation else "")
    except accounts.AccountError as exc:
        db.rollback()
        return _page(request, db, admin, 422, error=str(exc), form={"email": email, "naam": naam, "rol": rol})
    db.commit()
    request.session["flash"] = f"Uitnodiging verstuurd naar {sent_to}."
    return RedirectResponse(LIST, status_code=303)


@router.post("/{user_id}/rol")
def staff_role(
    request: Request,
    user_id: int,
    rol: str = Form(...),
    admin: StaffUser = Depends(require_beheerder),
    db: Session = Depends(get_db),
):
    user = _colleague(db, admin, user_id)
    _not_self(admin, user)
    try:
        accounts.change_role(db, user, rol, actor=admin.email)
    except accounts.AccountError as exc:
        db.rollback()
        return _page(request, db, admin, 422, error=str(exc))
    db.commit()
    request.session["flash"] = f"Rol van {user.name} gewijzigd; de medewerker moet opnieuw inloggen."
    return RedirectResponse(LIST, status_code=303)


@router.post("/{user_id}/blokkeren")
def staff_deactivate(
    request: Request, user_id: int, admin: StaffUser = Depends(require_beheerder), db: Session = Depends(get_db)
):
    user = _colleague(db, admin, user_id)
    _not_self(admin, user)
    ended = accounts.deactivate(db, user, actor=admin.email)
    db.commit()
    ended_nl = count(ended, "actieve sessie", "actieve sessies")
    request.session["flash"] = f"Account van {user.name} geblokkeerd ({ended_nl} beëindigd)."
    return RedirectResponse(LIST, status_code=303)
