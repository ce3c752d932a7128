"""/beheer/instellingen: the organisation's own settings that only its beheerder changes.

- whether the organisation counts in the anonymous national aggregate (`shares_statistics`, see
  triage/statistics/aggregate.py; counts only, small cells suppressed);
- whether the monthly statistics report is e-mailed on the first working day (`report_mail_enabled`, default off)
  and to which addresses (`report_recipients`: burgemeester, griffier, veiligheidscoördinator; one address each).

Invariants: only a beheerder of the organisation reads or changes them (everyone else 403); every change is audited
(`organisation.settings`, with the values before and after); an address is stored only in the normalised form of
`schildwacht.contacts.email_address` (one bare address, no list or header), and switching the mail on without any
address is refused, so nothing half-configured is saved.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from schildwacht.contacts import ContactError, email_address
from schildwacht.models import Organisation, StaffUser
from schildwacht.vocabulary import REPORT_RECIPIENT_NL
from triage import audit
from triage.web.auth import get_db
from triage.web.errors import Invalid
from triage.web.staff_admin import require_beheerder

router = APIRouter(prefix="/beheer/instellingen", include_in_schema=False)
PAGE = "/beheer/instellingen"


def _organisation(db: Session, admin: StaffUser, *, for_update: bool = False) -> Organisation:
    organisation = db.get(Organisation, admin.organisation_id, with_for_update=for_update)
    assert organisation is not None  # a logged-in user's organisation exists (foreign key)
    return organisation


def _snapshot(organisation: Organisation) -> dict[str, object]:
    return {
        "shares_statistics": organisation.shares_statistics,
        "report_mail_enabled": organisation.report_mail_enabled,
        "report_recipients": dict(organisation.report_recipients or {}),
    }


def _page(request: Request, admin: StaffUser, organisation: Organisation, status_code: int = 200, **extra):
    context = {
        "user": admin,
        "organisation": organisation,
        "functions": REPORT_RECIPIENT_NL,
        "recipients": organisation.report_recipients or {},
        "flash": request.session.pop("flash", None),
        **extra,
    }
    return request.app.state.render(request, "organisation_settings.html", context, status_code)


@router.get("")
def settings_page(request: Request, admin: StaffUser = Depends(require_beheerder), db: Session = Depends(get_db)):
    return _page(request, admin, _organisation(db, admin))


def checked_recipients(form: dict[str, str]) -> dict[str, str]:
    """{function: normalised address} for the filled-in fields; a bad address raises Invalid (Dutch)."""
    out = {}
    for function, name in REPORT_RECIPIENT_NL.items():
        value = (form.get(function) or "").strip()
        if not value:
            continue
        try:
            out[function] = email_address(value)
        except ContactError as exc:
            raise Invalid(f"{name}: {exc}") from None
    return out


@router.post("")
def save_settings(
    request: Request,
    delen: str = Form(""),
    maandrapport: str = Form(""),
    burgemeester: str = Form(""),
    griffier: str = Form(""),
    veiligheidscoordinator: str = Form(""),
    admin: StaffUser = Depends(require_beheerder),
    db: Session = Depends(get_db),
):
    """Save all settings at once (audited with before and after); a refused form keeps what was typed."""
    organisation = _organisation(db, admin, for_update=True)
    typed = {"burgemeester": burgemeester, "griffier": griffier, "veiligheidscoordinator": veiligheidscoordinator}
    try:
        chosen = checked_recipients(typed)
        if maandrapport == "aan" and not chosen:
            raise Invalid("Vul minstens één e-mailadres in om het maandrapport te laten versturen.")
    except Invalid as exc:
        db.rollback()
        return _page(request, admin, organisation, 422, error=exc.message, typed=typed)
    before = _snapshot(organisation)
    organisation.shares_statistics = delen == "aan"
    organisation.report_mail_enabled = maandrapport == "aan"
    organisation.report_recipients = chosen
    after = _snapshot(organisation)
    if after != before:
        audit.record(
            db,
            actor=admin.email,
            organisation_id=admin.organisation_id,
            action="organisation.settings",
            object_type="organisation",
            object_id=admin.organisation_id,
            details={"before": before, "after": after},
        )
    db.commit()
    request.session["flash"] = "Instellingen opgeslagen." if after != before else "Er was niets gewijzigd."
    return RedirectResponse(PAGE, status_code=303)
