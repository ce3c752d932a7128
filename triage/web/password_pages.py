"""Passwords: the logged-in user's own change (/account), "Wachtwoord vergeten?" and the e-mailed single-use link
that sets a password (/wachtwoord/nieuw/<token>, also used by staff invitations).

The forgotten-password form answers the same whether or not an account exists (and whether a mail went out), so it
tells nobody which addresses have one; it mails an account at most once per accounts.RESET_INTERVAL; the link itself
is only ever in the e-mail (triage.web.account_mail).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import Organisation, StaffUser
from triage import audit
from triage.security import normalise_email
from triage.web import accounts
from triage.web.account_mail import send_account_link
from triage.web.auth import client_ip, current_user, get_db, get_settings, start_session

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
FORGOT_SENT = (
    "Als er een actief account met dit e-mailadres bestaat, is er een e-mail met een link verstuurd. "
    "De link werkt één keer en is één uur geldig."
)


def _render(request: Request, name: str, context: dict, status_code: int = 200):
    return request.app.state.render(request, name, context, status_code)


@router.get("/account")
def account_page(request: Request, user: StaffUser = Depends(current_user)):
    return _render(request, "accounts/account.html", {"user": user, "flash": request.session.pop("flash", None)})


@router.post("/account/wachtwoord")
def change_own_password(
    request: Request,
    huidig: str = Form(""),
    nieuw: str = Form(""),
    herhaal: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    """All sessions of the account end (other devices are logged out); this browser gets a fresh one."""
    me = db.get(StaffUser, user.id, with_for_update=True)
    assert me is not None, "current_user has just read this account"
    try:
        accounts.verify_and_change_password(db, me, huidig, nieuw, herhaal)
    except accounts.AccountError as exc:
        db.rollback()
        return _render(request, "accounts/account.html", {"user": user, "error": str(exc)}, 422)
    db.commit()
    start_session(request, db, me)
    request.session["flash"] = "Uw wachtwoord is gewijzigd. Op andere apparaten moet u opnieuw inloggen."
    return RedirectResponse("/account", status_code=303)


@router.get("/wachtwoord-vergeten")
def forgot_form(request: Request):
    return _render(request, "accounts/forgot.html", {})


@router.post("/wachtwoord-vergeten")
def forgot_submit(
    request: Request,
    email: str = Form(""),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    address = normalise_email(email)
    user = db.scalars(select(StaffUser).where(func.lower(StaffUser.email) == address)).first()
    send = user is not None and user.active and not accounts.reset_recently_issued(db, user)
    audit.record(
        db,
        actor=address or "-",
        organisation_id=user.organisation_id if user else None,
        action="staff.reset.requested",
        object_type="staff",
        object_id=str(user.id) if user else "-",
        details={"ip": client_ip(request), "account": bool(user and user.active), "mailed": send},
    )
    db.commit()
    if send:
        assert user is not None, "send implies an account"
        token = accounts.issue_token(db, user, "reset", actor=address)
        organisation = db.get(Organisation, user.organisation_id)
        try:
            send_account_link(settings, user, "reset", token, organisation.name if organisation else "")
        except accounts.AccountError as exc:  # the answer stays the same; the link is not kept
            db.rollback()
            log.warning("password reset mail for staff %s not sent: %s", user.id, exc)
        else:
            db.commit()
    return _render(request, "accounts/forgot.html", {"sent": FORGOT_SENT})


@router.get("/wachtwoord/nieuw/{token}")
def set_password_form(request: Request, token: str, db: Session = Depends(get_db)):
    try:
        row, user = accounts.token_user(db, token)
    except accounts.AccountError as exc:
        return _render(request, "accounts/set_password.html", {"invalid": str(exc)}, 410)
    return _render(request, "accounts/set_password.html", {"token": token, "purpose": row.purpose, "who": user})


@router.post("/wachtwoord/nieuw/{token}")
def set_password_submit(
    request: Request,
    token: str,
    nieuw: str = Form(""),
    herhaal: str = Form(""),
    db: Session = Depends(get_db),
):
    try:
        user = accounts.redeem_token(db, token, nieuw, herhaal)
    except accounts.AccountError as exc:
        db.rollback()
        try:
            row, who = accounts.token_user(db, token)
        except accounts.AccountError:
            return _render(request, "accounts/set_password.html", {"invalid": str(exc)}, 410)
        context = {"token": token, "purpose": row.purpose, "who": who, "error": str(exc)}
        return _render(request, "accounts/set_password.html", context, 422)
    db.commit()
    start_session(request, db, user)
    request.session["flash"] = "Uw wachtwoord is ingesteld. U bent ingelogd."
    return RedirectResponse("/zaken", status_code=303)
