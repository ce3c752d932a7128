"""Server-rendered pages (Dutch). Thin: parse the form, call a service, redirect or render."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import StaffUser
from schildwacht.vocabulary import CASE_STATUS_NL, NETWORK_ROLE
from triage.web import caseviews, casework, evidence_view
from triage.web.auth import (
    NETWORK_HOME,
    client_ip,
    current_user,
    destination_after_login,
    end_session,
    get_db,
    get_settings,
    login,
    start_session,
)
from triage.web.bundle_download import bundle_available, bundle_response
from triage.web.dutch import count

router = APIRouter(include_in_schema=False)
MAX_REVEALED = 200
FLOW = "step_flow"
"""Session key: the case whose next page puts the cursor on the next open step (after opening it from an alert or
saving a step). A plain visit leaves the cursor alone, so the one-key shortcuts work at once."""


def _render(request: Request, name: str, context: dict, status_code: int = 200):
    return request.app.state.render(request, name, context, status_code)


def _back(case_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/zaken/{case_id}{anchor}", status_code=303)


def _queue_url(request: Request) -> str:
    """The queue as the user last saw it (filters, search, sort, page survive every action)."""
    query = request.session.get("queue_query") or ""
    return f"/zaken?{query}" if query else "/zaken"


@router.get("/inloggen")
def login_form(request: Request):
    if request.session.get("sid"):
        return RedirectResponse("/", status_code=303)
    return _render(request, "login.html", {})


@router.post("/inloggen")
def login_submit(
    request: Request,
    email: str = Form(""),
    wachtwoord: str = Form(""),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    user, error = login(db, settings, email, wachtwoord, client_ip(request))
    if user is None:
        status = 429 if error and error.startswith("Te veel") else 401
        return _render(request, "login.html", {"error": error, "email": email}, status_code=status)
    target = NETWORK_HOME if user.role == NETWORK_ROLE else destination_after_login(request)
    start_session(request, db, user)
    return RedirectResponse(target, status_code=303)


@router.post("/uitloggen")
def logout(request: Request, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    end_session(request, db, user)
    return RedirectResponse("/inloggen", status_code=303)


@router.get("/")
def home(user: StaffUser = Depends(current_user)):
    return RedirectResponse(NETWORK_HOME if user.role == NETWORK_ROLE else "/zaken", status_code=303)


@router.get("/zaken")
def queue_page(
    request: Request,
    official: str | None = None,
    platform: str | None = None,
    label: str | None = None,
    status: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    pagina: int = 1,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    filters = caseviews.QueueFilters(
        official=official or None,
        platform=platform or None,
        label=label or None,
        status=status or None,
        q=(q or "").strip() or None,
        sort=sort or None,
        page=max(1, pagina),
    )
    result = caseviews.queue(db, user, settings, filters)
    request.session["queue_query"] = filters.as_query()
    return _render(
        request,
        "queue.html",
        {
            "user": user,
            "result": result,
            "rows": result.rows,
            "filters": filters,
            "options": caseviews.filter_options(db, user),
            "reasons": casework.DISMISSAL_REASONS,
            "can_write": casework.can_write(user),
            "flash": request.session.pop("flash", None),
        },
    )


@router.post("/zaken/geen-actie")
def bulk_dismiss(
    request: Request,
    case_ids: list[int] = Form(default=[]),
    reden: str = Form(""),
    toelichting: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    result = casework.bulk_dismiss(db, user, case_ids, reden, toelichting)
    parts = [f"{count(len(result.dismissed), 'zaak', 'zaken')} afgesloten met 'geen actie'."]
    if result.case_page_only:
        numbers = ", ".join(f"#{i}" for i in result.case_page_only)
        parts.append(f"Niet afgesloten: {numbers}. Bedreiging of doxing sluit u alleen af op de zaakpagina.")
    if result.skipped:
        skipped = count(len(result.skipped), "zaak", "zaken")
        parts.append(f"{skipped} overgeslagen (geclaimd door een collega of al gesloten).")
    request.session["flash"] = " ".join(parts)
    return RedirectResponse(_queue_url(request), status_code=303)


@router.get("/auteurs/{account}")
def author_page(
    request: Request,
    account: str,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    view = caseviews.author_view(db, user, settings, account)
    return _render(request, "author.html", {"user": user, **view, "queue_url": _queue_url(request)})


@router.get("/zaken/{case_id}")
def case_page(
    request: Request,
    case_id: int,
    via: str | None = None,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    if via == "alarm":  # the link in an alert mail: claim on opening, then show the plain case URL
        if casework.open_from_alert(db, user, case_id):
            request.session["flash"] = "U heeft deze zaak geclaimd vanuit de alarmmail."
            request.session[FLOW] = case_id
        return _back(case_id)
    revealed = request.session.get("revealed", [])
    detail = caseviews.view_case(db, user, settings, case_id, revealed)
    return _render(
        request,
        "case.html",
        {
            "user": user,
            **detail,
            "can_write": casework.can_write(user),
            "colleagues": caseviews.colleagues(db, user),
            "reasons": casework.DISMISSAL_REASONS,
            "queue_url": _queue_url(request),
            "bundle": bundle_available(),
            "evidence": evidence_view.case_evidence(db, user, case_id),
            "statuses": [(k, v) for k, v in CASE_STATUS_NL.items() if k != "nieuw"],
            "flash": request.session.pop("flash", None),
            "offer_bundle": request.session.pop("offer_bundle", None) == case_id,
            "in_flow": request.session.pop(FLOW, None) == case_id,
        },
    )


@router.post("/zaken/{case_id}/claimen")
def claim(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.claim(db, user, case_id)
    return _back(case_id)


@router.post("/zaken/{case_id}/vrijgeven")
def release(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.release(db, user, case_id)
    return _back(case_id)


@router.post("/zaken/{case_id}/toewijzen")
def assign(
    case_id: int, collega: int = Form(...), user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    casework.assign(db, user, case_id, collega)
    return _back(case_id)


@router.post("/zaken/{case_id}/status")
def set_status(
    request: Request,
    case_id: int,
    status: str = Form(...),
    reden: str = Form(""),
    toelichting: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    casework.set_status(db, user, case_id, status, toelichting, reden)
    request.session["flash"] = f"Status gewijzigd naar '{CASE_STATUS_NL.get(status, status)}'."
    return _back(case_id)


@router.post("/zaken/{case_id}/heropenen")
def reopen(
    request: Request,
    case_id: int,
    toelichting: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    casework.reopen(db, user, case_id, toelichting)
    request.session["flash"] = "Zaak heropend; u heeft hem nu geclaimd."
    return _back(case_id)


@router.post("/zaken/{case_id}/notities")
def add_note(
    case_id: int, tekst: str = Form(""), user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    casework.add_note(db, user, case_id, tekst)
    return _back(case_id, "#notities")


@router.post("/zaken/{case_id}/verklaring")
def victim_statement(
    request: Request,
    case_id: int,
    verklaring: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    casework.set_victim_statement(db, user, case_id, verklaring)
    request.session["flash"] = "Verklaring betrokkene opgeslagen."
    return _back(case_id, "#verklaring")


@router.post("/zaken/{case_id}/koppelen")
def link(
    case_id: int, andere_zaak: int = Form(...), user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    casework.link_cases(db, user, case_id, andere_zaak)
    return _back(case_id, "#verwant")


@router.post("/zaken/{case_id}/samenvoegen")
def merge(
    request: Request,
    case_id: int,
    doel_zaak: int = Form(...),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    moved = casework.merge_cases(db, user, case_id, doel_zaak)
    request.session["flash"] = f"{count(moved, 'bericht', 'berichten')} verplaatst uit zaak #{case_id}."
    return _back(doel_zaak)


@router.post("/zaken/{case_id}/stappen/{step}")
def complete_step(
    request: Request,
    case_id: int,
    step: str,
    referentie: str = Form(""),
    vpt_code: str = Form(""),
    notitie: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    casework.complete_step(db, user, case_id, step, referentie, vpt_code, notitie)
    request.session[FLOW] = case_id
    return _back(case_id, "#stappen")


@router.post("/zaken/{case_id}/stappen/{step}/intrekken")
def withdraw_step(
    request: Request,
    case_id: int,
    step: str,
    reden: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    casework.withdraw_automatic_step(db, user, case_id, step, reden)
    request.session["flash"] = "Automatisch vastgelegde stap ingetrokken."
    return _back(case_id, "#stappen")


@router.post("/zaken/{case_id}/afronden")
def finish(request: Request, case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    casework.finish(db, user, case_id)
    request.session["flash"] = "Zaak afgerond. Download nu de bewijsbundel voor de politie."
    request.session["offer_bundle"] = case_id
    return _back(case_id)


@router.post("/zaken/{case_id}/berichten/{mention_id}/tonen")
def reveal(
    request: Request,
    case_id: int,
    mention_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    m = casework.reveal(db, user, case_id, mention_id)
    revealed = [i for i in request.session.get("revealed", []) if i != m.id] + [m.id]
    request.session["revealed"] = revealed[-MAX_REVEALED:]
    return _back(case_id, f"#bericht-{m.id}")


@router.post("/zaken/{case_id}/berichten/{mention_id}/labels")
def correct_label(
    request: Request,
    case_id: int,
    mention_id: int,
    label: str = Form(""),
    actie: str = Form(""),
    reden: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    action = {"toevoegen": "added", "verwijderen": "removed"}.get(actie, actie)
    casework.correct_label(db, user, case_id, mention_id, label, action, reden)
    request.session["flash"] = "Label gecorrigeerd. De scores van het model blijven als bewijs bewaard."
    return _back(case_id, f"#bericht-{mention_id}")


@router.post("/zaken/{case_id}/berichten/{mention_id}/verbergen")
def hide(
    request: Request,
    case_id: int,
    mention_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    casework.get_case(db, user, case_id)
    casework.get_mention(db, user, mention_id)
    request.session["revealed"] = [i for i in request.session.get("revealed", []) if i != mention_id]
    return _back(case_id, f"#bericht-{mention_id}")


@router.post("/zaken/{case_id}/bewijsbundel")
def download_bundle(
    case_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    return bundle_response(db, user, settings, case_id)
