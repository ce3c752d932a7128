"""Server-rendered pages (Dutch). Thin: parse the form, call a service, redirect or render."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from schildwacht.config import Settings
from schildwacht.models import StaffUser
from triage.web import services
from triage.web.auth import client_ip, current_user, end_session, get_db, get_settings, login, start_session

router = APIRouter(include_in_schema=False)
MAX_REVEALED = 200


def _render(request: Request, name: str, context: dict, status_code: int = 200):
    return request.app.state.render(request, name, context, status_code)


def _back(case_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/zaken/{case_id}{anchor}", status_code=303)


def bundle_available() -> bool:
    try:
        return importlib.util.find_spec("triage.bundle.export") is not None
    except ModuleNotFoundError:
        return False


@router.get("/inloggen")
def login_form(request: Request):
    if request.session.get("sid"):
        return RedirectResponse("/zaken", status_code=303)
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
    start_session(request, db, user)
    return RedirectResponse("/zaken", status_code=303)


@router.post("/uitloggen")
def logout(request: Request, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    end_session(request, db, user)
    return RedirectResponse("/inloggen", status_code=303)


@router.get("/")
def home(user: StaffUser = Depends(current_user)):
    return RedirectResponse("/zaken", status_code=303)


@router.get("/zaken")
def queue_page(
    request: Request,
    official: str | None = None,
    platform: str | None = None,
    label: str | None = None,
    status: str | None = None,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    filters = services.QueueFilters(
        official=official or None, platform=platform or None, label=label or None, status=status or None
    )
    rows = services.queue(db, user, settings, filters)
    return _render(
        request,
        "queue.html",
        {
            "user": user,
            "rows": rows,
            "filters": filters,
            "options": services.filter_options(db, user),
            "can_write": services.can_write(user),
            "flash": request.session.pop("flash", None),
        },
    )


@router.post("/zaken/geen-actie")
def bulk_dismiss(
    request: Request,
    case_ids: list[int] = Form(default=[]),
    toelichting: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    done = services.bulk_dismiss(db, user, case_ids, note=toelichting or None)
    skipped = len(set(case_ids)) - len(done)
    request.session["flash"] = f"{len(done)} zaak/zaken afgesloten met 'geen actie'." + (
        f" {skipped} overgeslagen (geclaimd door een collega of al gesloten)." if skipped else ""
    )
    return RedirectResponse("/zaken", status_code=303)


@router.get("/zaken/{case_id}")
def case_page(
    request: Request,
    case_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    revealed = request.session.get("revealed", [])
    detail = services.view_case(db, user, settings, case_id, revealed)
    return _render(
        request,
        "case.html",
        {
            "user": user,
            **detail,
            "can_write": services.can_write(user),
            "colleagues": services.colleagues(db, user),
            "bundle": bundle_available(),
            "statuses": [(k, v) for k, v in services.STATUS_NL.items() if k != "nieuw"],
            "flash": request.session.pop("flash", None),
        },
    )


@router.post("/zaken/{case_id}/claimen")
def claim(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    services.claim(db, user, case_id)
    return _back(case_id)


@router.post("/zaken/{case_id}/vrijgeven")
def release(case_id: int, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    services.release(db, user, case_id)
    return _back(case_id)


@router.post("/zaken/{case_id}/toewijzen")
def assign(
    case_id: int, collega: int = Form(...), user: StaffUser = Depends(current_user), db: Session = Depends(get_db)
):
    services.assign(db, user, case_id, collega)
    return _back(case_id)


@router.post("/zaken/{case_id}/status")
def set_status(
    request: Request,
    case_id: int,
    status: str = Form(...),
    toelichting: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    services.set_status(db, user, case_id, status, toelichting)
    request.session["flash"] = f"Status gewijzigd naar '{services.STATUS_NL.get(status, status)}'."
    return _back(case_id)


@router.post("/zaken/{case_id}/stappen/{step}")
def complete_step(
    case_id: int,
    step: str,
    referentie: str = Form(""),
    vpt_code: str = Form(""),
    notitie: str = Form(""),
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    services.complete_step(db, user, case_id, step, referentie, vpt_code, notitie)
    return _back(case_id, "#stappen")


@router.post("/zaken/{case_id}/berichten/{mention_id}/tonen")
def reveal(
    request: Request,
    case_id: int,
    mention_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    m = services.reveal(db, user, case_id, mention_id)
    revealed = [i for i in request.session.get("revealed", []) if i != m.id] + [m.id]
    request.session["revealed"] = revealed[-MAX_REVEALED:]
    return _back(case_id, f"#bericht-{m.id}")


@router.post("/zaken/{case_id}/berichten/{mention_id}/verbergen")
def hide(
    request: Request,
    case_id: int,
    mention_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
):
    services.get_case(db, user, case_id)
    services.get_mention(db, user, mention_id)
    request.session["revealed"] = [i for i in request.session.get("revealed", []) if i != mention_id]
    return _back(case_id, f"#bericht-{mention_id}")


@router.post("/zaken/{case_id}/bewijsbundel")
def download_bundle(
    case_id: int,
    user: StaffUser = Depends(current_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    if not bundle_available():
        raise services.NotFound("De bewijsbundel is in deze installatie niet beschikbaar.")
    services.get_case(db, user, case_id)
    workdir = Path(tempfile.mkdtemp(prefix="schildwacht-bundle-"))
    try:
        path = services.export_bundle(db, user, settings, case_id, workdir / f"bewijsbundel-zaak-{case_id}.zip")
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type="application/zip",
        filename=Path(path).name,
        background=BackgroundTask(shutil.rmtree, workdir, ignore_errors=True),
    )
