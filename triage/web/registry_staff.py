"""The registry's staff pages (/ambtsdragers): the organisation's own officials, in the web app's one stack (its
login, session CSRF, layout and error pages). The logic is in triage.registry.service / export / linkmail.

Invariants:
- every page needs a login and shows only officials of the user's organisation (another organisation's official
  answers 404, exactly like an unknown one);
- only a beheerder changes the register; the bulk export (every post text of an official, each audited as a
  reveal) is for roles that handle cases and is a POST, never a link another site could make a browser follow;
- personal links are the official's alone: staff ask for one and it is e-mailed to the official (linkmail); no
  staff page shows it.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from schildwacht.collector_allowance import status_lines
from schildwacht.config import Settings
from schildwacht.meta_accounts import accounts_of
from schildwacht.models import Official, Organisation, StaffUser
from schildwacht.vocabulary import ADMIN_ROLES, CASE_WRITE_ROLES, LABEL_NL, OFFICIAL_ROLES
from triage.registry import linkmail, service
from triage.registry.export import audit_text_reveals, export_official
from triage.registry.service import RegistryError
from triage.web.auth import current_user, get_db, get_settings
from triage.web.errors import Conflict, Forbidden, NotFound

router = APIRouter(prefix="/ambtsdragers", include_in_schema=False)
# Labels of open cases that the withdrawal form keeps by default (the official or staff untick them on purpose).
KEEP_BY_DEFAULT_LABELS = ("threat", "doxxing")
EXPORT_REFUSED = (
    "Uw rol (alleen-lezen) mag de berichtteksten van een ambtsdrager niet in één keer inzien. Open een zaak om een "
    "bericht te tonen (dat wordt vastgelegd)."
)
# An empty official for the "add" form and for re-showing a refused form.
BLANK_OFFICIAL: dict[str, Any] = dict(
    id=None,
    full_name="",
    role="",
    email="",
    gender=None,
    handles={},
    name_variants=[],
    alert_contacts=[],
    sees_content=False,
    status="invited",
)


async def form_data(request: Request) -> dict[str, Any]:
    """The posted form as a dict; `keep_case_ids` as the list of ticked cases."""
    form = await request.form()
    data: dict[str, Any] = {k: v for k, v in form.items()}
    data["keep_case_ids"] = form.getlist("keep_case_ids")
    return data


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    return request.app.state.render(request, f"registry/{name}", context, status_code)


def require_admin(user: StaffUser) -> None:
    if user.role not in ADMIN_ROLES:
        raise Forbidden("Alleen een beheerder mag het register wijzigen.")


def require_export(user: StaffUser) -> None:
    if user.role not in CASE_WRITE_ROLES:
        raise Forbidden(EXPORT_REFUSED)


def own_official(db: Session, user: StaffUser, official_id: str, *, lock: bool = False) -> Official:
    official = service.get_official(db, official_id, user.organisation_id)
    if official is None:  # unknown, or of another organisation: indistinguishable on purpose
        raise NotFound("Onbekende ambtsdrager.")
    if lock:
        db.refresh(official, with_for_update=True)
    return official


def withdraw_context(db: Session, official_id: str) -> dict[str, Any]:
    """The open cases withdrawal would delete, and those ticked to keep by default: a melding/aangifte was made,
    or the case is about a threat or doxxing."""
    cases = service.open_cases(db, official_id)
    aangifte = service.aangifte_case_ids(db, [c.id for c in cases])
    keep = aangifte | {c.id for c in cases if set(c.labels or []) & set(KEEP_BY_DEFAULT_LABELS)}
    return {"cases": cases, "aangifte": aangifte, "keep": keep, "LABEL_NL": LABEL_NL}


def json_download(data: dict[str, Any]) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    name = f"schildwacht-inzage-{data['official']['id']}.json"
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _detail(request: Request, db: Session, user: StaffUser, official, status_code: int = 200, **extra: Any):
    return render(
        request,
        "staff_form.html",
        status_code,
        user=user,
        official=official,
        consent=service.current_consent(official),
        can_edit=user.role in ADMIN_ROLES,
        can_export=user.role in CASE_WRITE_ROLES,
        email_locked=service.email_is_officials(official),
        roles=OFFICIAL_ROLES,
        meta_accounts=accounts_of(db, official.id) if getattr(official, "id", None) else [],
        **extra,
    )


@router.get("")
def staff_list(
    request: Request,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    officials = service.list_officials(db, user.organisation_id)
    return render(
        request,
        "staff_list.html",
        user=user,
        organisation=db.get(Organisation, user.organisation_id),
        officials=officials,
        consents={o.id: service.current_consent(o) for o in officials},
        can_edit=user.role in ADMIN_ROLES,
        collector_lines=status_lines(db, settings),
    )


@router.get("/nieuw")
def staff_new_form(request: Request, user: StaffUser = Depends(current_user)):
    require_admin(user)
    return render(
        request,
        "staff_form.html",
        user=user,
        official=SimpleNamespace(**BLANK_OFFICIAL),
        can_edit=True,
        roles=OFFICIAL_ROLES,
    )


@router.post("/nieuw")
async def staff_create(
    request: Request,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    require_admin(user)
    form = await form_data(request)
    fields = {k: form.get(k) for k in service.EDITABLE if k not in ("full_name", "role")}
    fields["sees_content"] = bool(form.get("sees_content"))
    try:
        official = service.add_official(
            db,
            user.organisation_id,
            form.get("full_name", ""),
            form.get("role", ""),
            user.email,
            settings=settings,
            **fields,
        )
    except RegistryError as exc:
        db.rollback()
        shown = SimpleNamespace(**{**BLANK_OFFICIAL, **{k: form.get(k) for k in ("full_name", "role", "email")}})
        return render(
            request,
            "staff_form.html",
            422,
            user=user,
            official=shown,
            can_edit=True,
            roles=OFFICIAL_ROLES,
            error=str(exc),
        )
    official_id = official.id
    db.commit()
    return RedirectResponse(f"/ambtsdragers/{official_id}", status_code=303)


@router.get("/{official_id}")
def staff_detail(
    request: Request, official_id: str, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    return _detail(request, db, user, own_official(db, user, official_id))


@router.post("/{official_id}")
async def staff_update(
    request: Request,
    official_id: str,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    require_admin(user)
    form = await form_data(request)
    changes = {k: form.get(k) for k in service.EDITABLE if k in form}
    official = own_official(db, user, official_id)
    if official.status == "invited":  # an unticked checkbox is absent from the form
        changes["sees_content"] = bool(form.get("sees_content"))
    try:
        with db.begin_nested():
            changed = service.update_official(db, official, user.email, changes, settings=settings)
    except RegistryError as exc:
        db.commit()
        return _detail(request, db, user, official, 422, error=str(exc))
    db.commit()
    return _detail(request, db, user, official, message=f"Opgeslagen ({len(changed)} veld(en) gewijzigd).")


@router.post("/{official_id}/uitnodigen")
def staff_invite(
    request: Request,
    official_id: str,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    """E-mail the official their invitation or a new manage link; the page says where it went, never the link."""
    require_admin(user)
    official = own_official(db, user, official_id)
    try:
        with db.begin_nested():
            sent = linkmail.send_personal_link(db, settings, official, user.email)
    except linkmail.LinkMailError as exc:
        db.commit()
        return _detail(request, db, user, official, 503, error=str(exc))
    except RegistryError as exc:
        db.commit()
        return _detail(request, db, user, official, 422, error=str(exc))
    db.commit()
    return _detail(request, db, user, official, link_sent=sent)


@router.post("/{official_id}/pauzeren")
@router.post("/{official_id}/hervatten")
def staff_pause(
    request: Request, official_id: str, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    require_admin(user)
    paused = request.url.path.endswith("/pauzeren")
    official = own_official(db, user, official_id)
    try:
        with db.begin_nested():
            service.set_paused(db, official, paused, user.email)
    except RegistryError as exc:
        db.commit()
        return _detail(request, db, user, official, 409, error=str(exc))
    db.commit()
    return _detail(request, db, user, official, message="Gepauzeerd." if paused else "Hervat.")


def _require_consent(official: Official) -> None:
    if official.status not in service.MANAGEABLE_STATUSES:
        raise Conflict("Er is (nog) geen toestemming om in te trekken: de ambtsdrager doet nu niet mee.")


@router.get("/{official_id}/intrekken")
def staff_withdraw_form(
    request: Request, official_id: str, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    official = own_official(db, user, official_id)
    require_admin(user)
    _require_consent(official)
    return render(
        request,
        "withdraw.html",
        user=user,
        official=official,
        staff=True,
        action=f"/ambtsdragers/{official.id}/intrekken",
        **withdraw_context(db, official.id),
    )


@router.post("/{official_id}/intrekken")
async def staff_withdraw(
    request: Request, official_id: str, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    require_admin(user)
    form = await form_data(request)
    official = own_official(db, user, official_id)
    _require_consent(official)
    try:
        with db.begin_nested():
            counts = service.withdraw(
                db,
                official.id,
                user.email,
                form["keep_case_ids"],
                method="intrekking door organisatie (namens betrokkene)",
            )
    except (RegistryError, ValueError) as exc:
        db.commit()
        return _detail(request, db, user, official, 422, error=str(exc))
    db.commit()
    return render(
        request, "withdrawn.html", user=user, official=official, counts=counts, back=f"/ambtsdragers/{official.id}"
    )


@router.get("/{official_id}/inzage.json")
@router.get("/{official_id}/inzage.html")
def staff_export_request(
    request: Request, official_id: str, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    """Opening the export's address only shows the buttons: reading every text is a reveal (audited)."""
    require_export(user)
    return render(request, "export_request.html", user=user, official=own_official(db, user, official_id))


def _staff_export(db: Session, user: StaffUser, official_id: str, as_: str) -> dict[str, Any]:
    """The export, each text audited as a reveal in the same transaction."""
    require_export(user)
    official = own_official(db, user, official_id)
    data = export_official(db, official.id)
    service.audit(db, user.organisation_id, user.email, "official.exported", "official", official.id, {"as": as_})
    audit_text_reveals(db, data, user.email, user.organisation_id, channel=f"inzage.{as_}")
    db.commit()
    return data


@router.post("/{official_id}/inzage.json")
def staff_export_json(official_id: str, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    return json_download(_staff_export(db, user, official_id, "json"))


@router.post("/{official_id}/inzage.html")
def staff_export_html(
    request: Request, official_id: str, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    data = _staff_export(db, user, official_id, "html")
    return render(request, "export.html", user=user, data=data)
