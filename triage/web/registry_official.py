"""The official's own pages (/mijn/<token>) in the web app's one stack: the invitation with the privacy notice and
the double opt-in, then the manage page (see, change, pause, withdraw, export).

Invariants:
- the unguessable token in the path is the only credential: whatever is done through it is the official's own
  action (actor `official:<id>`), also in a browser that carries a staff login, and no staff user is shown;
- an invalid link answers 403, a used or expired one 410, the same way on every page (`link_error`);
- after withdrawal (or while a new invitation waits for a new consent) the manage link is read-only: a POST gets
  the closed page with 409;
- every page shows the 112 line and where to get support (registry/_official_help.html).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.meta_accounts import accounts_of
from schildwacht.models import Case, Mention
from schildwacht.vocabulary import CLOSED_STATUSES
from triage.registry import pages, service
from triage.registry.export import export_official
from triage.registry.service import LinkError, RegistryError
from triage.web.auth import get_db, get_settings
from triage.web.registry_staff import BLANK_OFFICIAL, form_data, json_download, withdraw_context

router = APIRouter(prefix="/mijn", include_in_schema=False)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """An official's page: never with the staff user of the browser (`user` stays empty)."""
    settings: Settings = request.app.state.settings
    context = {"support_phone": settings.support_phone, **context, "user": None}
    return request.app.state.render(request, f"registry/{name}", context, status_code)


def link_error(request: Request, exc: LinkError) -> Response:
    """Every personal-link page answers an invalid (403) or a used or expired (410) link the same way."""
    return render(request, "official_error.html", 403 if exc.reason == "ongeldig" else 410, reason_text=str(exc))


def _resolve(db: Session, settings: Settings, token: str, purpose: str | None = None, lock: bool = False):
    return service.resolve_link(db, settings, token, purpose, lock=lock)


def _counts(db: Session, official_id: str) -> dict[str, int]:
    def mentions(*conditions) -> int:
        query = select(func.count()).select_from(Mention).where(Mention.official_id == official_id, *conditions)
        return db.scalar(query) or 0

    def cases(*conditions) -> int:
        return (
            db.scalar(select(func.count()).select_from(Case).where(Case.official_id == official_id, *conditions)) or 0
        )

    return {
        "mentions_with_content": mentions(Mention.content_purged_at.is_(None), Mention.flagged.is_(True)),
        "unflagged_with_content": mentions(Mention.content_purged_at.is_(None), Mention.flagged.is_(False)),
        "ledger": mentions(Mention.content_purged_at.is_not(None)),
        "cases": cases(),
        "open_cases": cases(Case.status.not_in(CLOSED_STATUSES)),
        "legal_hold": cases(Case.legal_hold.is_(True)),
    }


def _manage_page(request: Request, db: Session, token: str, official, link, status_code: int = 200, **extra):
    if not service.link_allows_changes(official):
        return _closed_page(request, db, token, official, status_code)
    return render(
        request,
        "official_manage.html",
        status_code,
        official=official,
        link=link,
        token=token,
        counts=_counts(db, official.id),
        meta_accounts=accounts_of(db, official.id),
        **extra,
    )


def _closed_page(request: Request, db: Session, token: str, official, status_code: int = 200):
    """Read-only after withdrawal: the withdrawal confirmed, what is kept (legal hold) and the export."""
    return render(
        request,
        "official_closed.html",
        status_code,
        official=official,
        token=token,
        consent=official.consents[-1] if official.consents else None,
        counts=_counts(db, official.id),
    )


def _invite_page(request: Request, settings: Settings, token: str, official, status_code: int = 200, **extra):
    return render(
        request,
        "official_invite.html",
        status_code,
        official=official,
        token=token,
        version=settings.privacy_notice_version,
        notice=pages.notice_html(),
        **extra,
    )


@router.get("/{token}")
def official_home(
    request: Request,
    token: str,
    nieuw: int = 0,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
):
    official, link = _resolve(db, settings, token)
    if link.purpose == "invite":
        response = _invite_page(request, settings, token, official)
    else:
        response = _manage_page(request, db, token, official, link, fresh=bool(nieuw))
    db.commit()
    return response


@router.post("/{token}/kiezen")
async def official_choose(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
):
    form = await form_data(request)
    official, _ = _resolve(db, settings, token, "invite")
    try:
        with db.begin_nested():
            choices = service.save_choices(db, settings, token, form)
    except LinkError:
        raise
    except RegistryError as exc:
        shown = SimpleNamespace(
            **{
                **BLANK_OFFICIAL,
                "full_name": official.full_name,
                "organisation": official.organisation,
                "gender": form.get("gender"),
            }
        )
        response = _invite_page(request, settings, token, shown, 422, error=str(exc))
        db.commit()
        return response
    db.commit()
    return render(request, "official_confirm.html", official=official, choices=choices, token=token)


@router.post("/{token}/bevestigen")
def official_confirm(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
):
    try:
        with db.begin_nested():
            _, manage = service.confirm_invite(db, settings, token)
    except LinkError:
        raise
    except RegistryError as exc:
        official, _ = _resolve(db, settings, token, "invite")
        response = _invite_page(request, settings, token, official, 409, error=str(exc))
        db.commit()
        return response
    db.commit()
    return RedirectResponse(f"/mijn/{manage}?nieuw=1", status_code=303)


@router.post("/{token}/wijzigen")
async def official_update(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
):
    form = await form_data(request)
    changes = {k: form.get(k) for k in service.EDITABLE if k in form and k != "role"}
    changes["sees_content"] = bool(form.get("sees_content"))
    official, link = _resolve(db, settings, token, "manage")
    if not service.link_allows_changes(official):
        return _closed_page(request, db, token, official, 409)
    actor = f"official:{official.id}"
    try:
        with db.begin_nested():
            changed = service.update_official(db, official, actor, changes, by_official=True, settings=settings)
            if official.status == "active" and set(changed) & set(service.CHOICES):
                service.record_consent(db, settings, official, actor, "wijziging via persoonlijke link")
    except RegistryError as exc:
        db.refresh(official)
        response = _manage_page(request, db, token, official, link, 422, error=str(exc))
        db.commit()
        return response
    db.commit()
    return _manage_page(
        request, db, token, official, link, message=f"Opgeslagen ({len(changed)} onderdeel/onderdelen gewijzigd)."
    )


@router.post("/{token}/pauzeren")
@router.post("/{token}/hervatten")
def official_pause(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
):
    paused = request.url.path.endswith("/pauzeren")
    official, link = _resolve(db, settings, token, "manage")
    if not service.link_allows_changes(official):
        return _closed_page(request, db, token, official, 409)
    try:
        with db.begin_nested():
            service.set_paused(db, official, paused, f"official:{official.id}")
    except RegistryError as exc:
        db.commit()
        return _manage_page(request, db, token, official, link, 409, error=str(exc))
    db.commit()
    message = "Gepauzeerd: wij zoeken niet meer tot u weer begint." if paused else "Wij zoeken weer."
    return _manage_page(request, db, token, official, link, message=message)


@router.post("/{token}/andere-links-intrekken")
def official_revoke_other_links(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
):
    """The official ends their other manage links (staff never do: a staff action leaves the official's link)."""
    official, link = _resolve(db, settings, token, "manage")
    if not service.link_allows_changes(official):
        return _closed_page(request, db, token, official, 409)
    count = service.revoke_other_manage_links(db, official, link)
    db.commit()
    message = f"{count} andere beheerlink(s) ingetrokken; deze link blijft werken."
    return _manage_page(request, db, token, official, link, message=message)


@router.get("/{token}/intrekken")
def official_withdraw_form(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
):
    official, _ = _resolve(db, settings, token, "manage")
    if not service.link_allows_changes(official):
        return _closed_page(request, db, token, official)
    return render(
        request,
        "withdraw.html",
        official=official,
        staff=False,
        action=f"/mijn/{token}/intrekken",
        **withdraw_context(db, official.id),
    )


@router.post("/{token}/intrekken")
async def official_withdraw(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
):
    form = await form_data(request)
    official, _ = _resolve(db, settings, token, "manage", lock=True)
    if not service.link_allows_changes(official):
        return _closed_page(request, db, token, official, 409)
    try:
        with db.begin_nested():
            counts = service.withdraw(
                db, official.id, f"official:{official.id}", form["keep_case_ids"], method=service.METHOD_LINK
            )
    except (RegistryError, ValueError) as exc:
        response = render(
            request,
            "withdraw.html",
            422,
            official=official,
            staff=False,
            error=str(exc),
            action=f"/mijn/{token}/intrekken",
            **withdraw_context(db, official.id),
        )
        db.commit()
        return response
    db.commit()
    return render(request, "withdrawn.html", official=official, counts=counts, back=f"/mijn/{token}")


def _own_export(db: Session, settings: Settings, token: str, as_: str) -> dict[str, Any]:
    official, _ = _resolve(db, settings, token, "manage")
    data = export_official(db, official.id)
    actor = f"official:{official.id}"
    service.audit(db, official.organisation_id, actor, "official.exported", "official", official.id, {"as": as_})
    db.commit()
    return data


@router.get("/{token}/inzage.json")
def official_export_json(token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)):
    return json_download(_own_export(db, settings, token, "json"))


@router.get("/{token}/inzage.html")
def official_export_html(
    request: Request, token: str, db: Session = Depends(get_db), settings: Settings = Depends(get_settings)
):
    official_data = _own_export(db, settings, token, "html")
    return render(request, "export.html", data=official_data)
