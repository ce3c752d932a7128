"""Registry pages: `staff_router` (/ambtsdragers, the organisation's own officials) and `official_router`
(/mijn/<token>, the official's own pages behind a signed personal link).

Thin routes: the logic is in triage.registry.service / export. The app must provide (see `install`):
- `app.state.registry_settings` and `app.state.registry_sessions` (falls back to `app.state.settings` and
  `app.state.session_factory` / `app.state.sessions`);
- an override of `current_staff` returning the logged-in staff user (an object with id, email, role and
  organisation_id); without one every staff page answers 401.
Staff forms carry a `csrf_token` bound to the user (HMAC with the secret key); the official's pages are
authorised by the unguessable token in their path. The staff export (`inzage.json|html`) reads every post text of
an official, each audited as a reveal, so it is a POST with that token; a GET of its address only shows the buttons.

Personal links are the official's alone: staff ask for one and it is e-mailed to the official (linkmail); no staff
page shows it. The link is the credential: whatever is done through it is the official's action (actor
`official:<id>`), also in a browser that carries a staff login; staff change a record only through the staff pages.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.models import Case, Mention, Organisation
from triage.registry import linkmail, pages, service
from triage.registry.export import audit_text_reveals, export_official
from triage.registry.service import LinkError, RegistryError

EDIT_ROLES = ("beheerder",)
# The staff export holds every post text of an official at once: only roles that handle cases read it (each text
# audited as a reveal). alleen-lezen reveals single posts on the case screen, each audited there.
EXPORT_ROLES = ("beheerder", "triagist")
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


# ------------------------------------------------------------------------------------------- dependencies


def current_staff(request: Request) -> Any:
    """Placeholder: the web app overrides this with its login dependency (see `install`)."""
    raise HTTPException(status_code=401, detail="Niet ingelogd.")


def registry_settings(request: Request) -> Settings:
    state = request.app.state
    settings = getattr(state, "registry_settings", None) or getattr(state, "settings", None)
    if settings is None:
        raise RuntimeError("app.state.registry_settings is not set (use triage.registry.routes.install)")
    return settings


def registry_sessions(request: Request) -> sessionmaker[Session]:
    state = request.app.state
    for name in ("registry_sessions", "session_factory", "sessions"):
        factory = getattr(state, name, None)
        if factory is not None:
            return factory
    raise RuntimeError("app.state.registry_sessions is not set (use triage.registry.routes.install)")


def install(
    app: FastAPI,
    settings: Settings,
    session_factory: sessionmaker[Session],
    current_user: Callable[..., Any] | None = None,
) -> None:
    """Wire both routers into an app: state, the staff login dependency and the routes."""
    app.state.registry_settings = settings
    app.state.registry_sessions = session_factory
    if current_user is not None:
        app.dependency_overrides[current_staff] = current_user
    app.add_exception_handler(LinkError, _link_error)
    app.include_router(staff_router)
    app.include_router(official_router)


def session_csrf(request: Request) -> str | None:
    """The web app's per-session CSRF token (its app-wide check compares the form field `csrf_token` with it),
    created on first use; None when the app has no session middleware."""
    if "session" not in request.scope:
        return None
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_token_for(settings: Settings, user: Any) -> str:
    """Without the web app's session: a token bound to the user (HMAC with the secret key)."""
    message = f"registry-csrf:{getattr(user, 'id', '')}:{user.email}:{user.organisation_id}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {k: v for k, v in form.items()}
    data["keep_case_ids"] = form.getlist("keep_case_ids")
    return data


def _html(body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status_code, headers=NO_STORE)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=NO_STORE)


# ------------------------------------------------------------------------------------------- staff pages

staff_router = APIRouter(prefix="/ambtsdragers", tags=["register"])


class StaffContext:
    """The logged-in user, their organisation's settings and sessions, for one request."""

    def __init__(
        self,
        request: Request,
        user: Any = Depends(current_staff),
        settings: Settings = Depends(registry_settings),
        sessions: sessionmaker[Session] = Depends(registry_sessions),
    ) -> None:
        self.user, self.settings, self.sessions = user, settings, sessions
        self.org_id: str = user.organisation_id
        self.actor: str = user.email
        self.can_edit = getattr(user, "role", None) in EDIT_ROLES
        self.can_export = getattr(user, "role", None) in EXPORT_ROLES
        self.csrf = session_csrf(request) or csrf_token_for(settings, user)

    def check_csrf(self, form: dict[str, Any]) -> None:
        if not hmac.compare_digest(str(form.get("csrf_token", "")), self.csrf):
            raise HTTPException(status_code=403, detail="Formulier verlopen of ongeldig (CSRF).")

    def check_export(self) -> None:
        if not self.can_export:
            raise HTTPException(
                status_code=403,
                detail="Uw rol (alleen-lezen) mag de berichtteksten van een "
                "ambtsdrager niet in één keer inzien. Open een zaak om een "
                "bericht te tonen (dat wordt vastgelegd).",
            )

    def check_write(self, form: dict[str, Any]) -> None:
        self.check_csrf(form)
        if not self.can_edit:
            raise HTTPException(status_code=403, detail="Alleen een beheerder mag het register wijzigen.")

    def official(self, session: Session, official_id: str):
        official = service.get_official(session, official_id, self.org_id)
        if official is None:  # unknown, or of another organisation: indistinguishable on purpose
            raise HTTPException(status_code=404, detail="Onbekende ambtsdrager.")
        return official


def _detail(ctx: StaffContext, session: Session, official, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return _html(
        pages.render(
            "staff_form.html",
            official=official,
            consent=service.current_consent(official),
            can_edit=ctx.can_edit,
            can_export=ctx.can_export,
            csrf_token=ctx.csrf,
            email_locked=service.email_is_officials(official),
            roles=service.ROLES,
            **extra,
        ),
        status_code,
    )


@staff_router.get("", response_class=HTMLResponse)
def staff_list(ctx: StaffContext = Depends()) -> HTMLResponse:
    with session_scope(ctx.sessions) as session:
        officials = service.list_officials(session, ctx.org_id)
        consents = {o.id: service.current_consent(o) for o in officials}
        body = pages.render(
            "staff_list.html",
            organisation=session.get(Organisation, ctx.org_id),
            officials=officials,
            consents=consents,
            can_edit=ctx.can_edit,
        )
    return _html(body)


_BLANK = dict(
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


@staff_router.get("/nieuw", response_class=HTMLResponse)
def staff_new_form(ctx: StaffContext = Depends()) -> HTMLResponse:
    if not ctx.can_edit:
        raise HTTPException(status_code=403, detail="Alleen een beheerder mag het register wijzigen.")
    return _html(
        pages.render(
            "staff_form.html",
            official=SimpleNamespace(**_BLANK),
            can_edit=True,
            csrf_token=ctx.csrf,
            roles=service.ROLES,
        )
    )


@staff_router.post("/nieuw")
async def staff_create(request: Request, ctx: StaffContext = Depends()) -> Response:
    form = await _form(request)
    ctx.check_write(form)
    fields = {k: form.get(k) for k in service.EDITABLE if k not in ("full_name", "role")}
    fields["sees_content"] = bool(form.get("sees_content"))
    try:
        with session_scope(ctx.sessions) as session:
            official = service.add_official(
                session,
                ctx.org_id,
                form.get("full_name", ""),
                form.get("role", ""),
                ctx.actor,
                settings=ctx.settings,
                **fields,
            )
            official_id = official.id
    except RegistryError as exc:
        shown = SimpleNamespace(**{**_BLANK, **{k: form.get(k) for k in ("full_name", "role", "email")}})
        return _html(
            pages.render(
                "staff_form.html",
                official=shown,
                can_edit=True,
                csrf_token=ctx.csrf,
                roles=service.ROLES,
                error=str(exc),
            ),
            422,
        )
    return _redirect(f"/ambtsdragers/{official_id}")


@staff_router.get("/{official_id}", response_class=HTMLResponse)
def staff_detail(official_id: str, ctx: StaffContext = Depends()) -> HTMLResponse:
    with session_scope(ctx.sessions) as session:
        return _detail(ctx, session, ctx.official(session, official_id))


@staff_router.post("/{official_id}")
async def staff_update(official_id: str, request: Request, ctx: StaffContext = Depends()) -> Response:
    form = await _form(request)
    ctx.check_write(form)
    changes = {k: form.get(k) for k in service.EDITABLE if k in form}
    with session_scope(ctx.sessions) as session:
        official = ctx.official(session, official_id)
        if official.status == "invited":  # an unticked checkbox is absent from the form
            changes["sees_content"] = bool(form.get("sees_content"))
        try:
            with session.begin_nested():
                changed = service.update_official(session, official, ctx.actor, changes, settings=ctx.settings)
        except RegistryError as exc:
            return _detail(ctx, session, official, 422, error=str(exc))
        return _detail(ctx, session, official, message=f"Opgeslagen ({len(changed)} veld(en) gewijzigd).")


@staff_router.post("/{official_id}/uitnodigen")
async def staff_invite(official_id: str, request: Request, ctx: StaffContext = Depends()) -> Response:
    """E-mail the official their invitation or a new manage link; the page says where it went, never the link."""
    form = await _form(request)
    ctx.check_write(form)
    return await run_in_threadpool(_mail_link, ctx, official_id)  # SMTP blocks


def _mail_link(ctx: StaffContext, official_id: str) -> HTMLResponse:
    with session_scope(ctx.sessions) as session:
        official = ctx.official(session, official_id)
        try:
            with session.begin_nested():
                sent = linkmail.send_personal_link(session, ctx.settings, official, ctx.actor)
        except linkmail.LinkMailError as exc:
            return _detail(ctx, session, official, 503, error=str(exc))
        except RegistryError as exc:
            return _detail(ctx, session, official, 422, error=str(exc))
        return _detail(ctx, session, official, link_sent=sent)


@staff_router.post("/{official_id}/pauzeren")
@staff_router.post("/{official_id}/hervatten")
async def staff_pause(official_id: str, request: Request, ctx: StaffContext = Depends()) -> Response:
    form = await _form(request)
    ctx.check_write(form)
    paused = request.url.path.endswith("/pauzeren")
    with session_scope(ctx.sessions) as session:
        official = ctx.official(session, official_id)
        try:
            with session.begin_nested():
                service.set_paused(session, official, paused, ctx.actor)
        except RegistryError as exc:
            return _detail(ctx, session, official, 409, error=str(exc))
        return _detail(ctx, session, official, message="Gepauzeerd." if paused else "Hervat.")


@staff_router.get("/{official_id}/intrekken", response_class=HTMLResponse)
def staff_withdraw_form(official_id: str, ctx: StaffContext = Depends()) -> HTMLResponse:
    with session_scope(ctx.sessions) as session:
        official = ctx.official(session, official_id)
        if not ctx.can_edit:
            raise HTTPException(status_code=403, detail="Alleen een beheerder mag het register wijzigen.")
        return _html(
            pages.render(
                "withdraw.html",
                official=official,
                staff=True,
                csrf_token=ctx.csrf,
                **_withdraw_cases(session, official.id),
                action=f"/ambtsdragers/{official.id}/intrekken",
            )
        )


@staff_router.post("/{official_id}/intrekken")
async def staff_withdraw(official_id: str, request: Request, ctx: StaffContext = Depends()) -> Response:
    form = await _form(request)
    ctx.check_write(form)
    with session_scope(ctx.sessions) as session:
        official = ctx.official(session, official_id)
        try:
            with session.begin_nested():
                counts = service.withdraw(
                    session,
                    official.id,
                    ctx.actor,
                    form["keep_case_ids"],
                    method="intrekking door organisatie (namens betrokkene)",
                )
        except (RegistryError, ValueError) as exc:
            return _detail(ctx, session, official, 422, error=str(exc))
        return _html(
            pages.render("withdrawn.html", official=official, counts=counts, back=f"/ambtsdragers/{official.id}")
        )


@staff_router.get("/{official_id}/inzage.json", response_class=HTMLResponse)
@staff_router.get("/{official_id}/inzage.html", response_class=HTMLResponse)
def staff_export_request(official_id: str, ctx: StaffContext = Depends()) -> HTMLResponse:
    """Opening the export's address only shows the buttons: reading every text is a reveal (audited), so it takes
    a POST with the CSRF token, never a link another site could make a logged-in browser follow."""
    ctx.check_export()
    with session_scope(ctx.sessions) as session:
        return _html(
            pages.render("export_request.html", official=ctx.official(session, official_id), csrf_token=ctx.csrf)
        )


@staff_router.post("/{official_id}/inzage.json")
async def staff_export_json(official_id: str, request: Request, ctx: StaffContext = Depends()) -> Response:
    ctx.check_csrf(await _form(request))
    return _json_download(await run_in_threadpool(_staff_export, ctx, official_id, "json"))


@staff_router.post("/{official_id}/inzage.html", response_class=HTMLResponse)
async def staff_export_html(official_id: str, request: Request, ctx: StaffContext = Depends()) -> HTMLResponse:
    ctx.check_csrf(await _form(request))
    data = await run_in_threadpool(_staff_export, ctx, official_id, "html")
    return _html(pages.render("export.html", data=data))


def _staff_export(ctx: StaffContext, official_id: str, as_: str) -> dict[str, Any]:
    """The export for a role that may read post texts, each text audited as a reveal in the same transaction."""
    ctx.check_export()
    with session_scope(ctx.sessions) as session:
        official = ctx.official(session, official_id)
        data = export_official(session, official.id)
        service.audit(session, ctx.org_id, ctx.actor, "official.exported", "official", official.id, {"as": as_})
        audit_text_reveals(session, data, ctx.actor, ctx.org_id, channel=f"inzage.{as_}")
    return data


def _withdraw_cases(session: Session, official_id: str) -> dict[str, Any]:
    cases = service.open_cases(session, official_id)
    return {"cases": cases, "aangifte": service.aangifte_case_ids(session, [c.id for c in cases])}


def _json_download(data: dict[str, Any]) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    name = f"schildwacht-inzage-{data['official']['id']}.json"
    return Response(
        body,
        media_type="application/json",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )


# ------------------------------------------------------------------------------------------- official's pages

official_router = APIRouter(prefix="/mijn", tags=["mijn gegevens"])


@official_router.get("/stijl.css", include_in_schema=False)
def stylesheet() -> Response:
    """The registry pages' stylesheet (a file, not inline: the web app's CSP allows only 'self' styles)."""
    return Response(
        (pages.TEMPLATES / "registry.css").read_text(encoding="utf-8"),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600"},
    )


class LinkContext:
    def __init__(
        self,
        request: Request,
        token: str,
        settings: Settings = Depends(registry_settings),
        sessions: sessionmaker[Session] = Depends(registry_sessions),
    ) -> None:
        self.token, self.settings, self.sessions = token, settings, sessions
        self.csrf = session_csrf(request)

    def resolve(self, session: Session, purpose: str | None = None, lock: bool = False):
        return service.resolve_link(session, self.settings, self.token, purpose, lock=lock)


def _link_error(_request: Request, exc: LinkError) -> HTMLResponse:
    """Every personal-link page answers an invalid (403) or a used or expired (410) link the same way."""
    status = 403 if exc.reason == "ongeldig" else 410
    return _html(pages.render("official_error.html", reason_text=str(exc)), status)


def _counts(session: Session, official_id: str) -> dict[str, int]:
    def n(*conditions) -> int:
        return (
            session.scalar(
                select(func.count()).select_from(Mention).where(Mention.official_id == official_id, *conditions)
            )
            or 0
        )

    def c(*conditions) -> int:
        return (
            session.scalar(select(func.count()).select_from(Case).where(Case.official_id == official_id, *conditions))
            or 0
        )

    return {
        "mentions_with_content": n(Mention.content_purged_at.is_(None), Mention.flagged.is_(True)),
        "unflagged_with_content": n(Mention.content_purged_at.is_(None), Mention.flagged.is_(False)),
        "ledger": n(Mention.content_purged_at.is_not(None)),
        "cases": c(),
        "open_cases": c(Case.status.not_in(service.CLOSED_STATUSES)),
        "legal_hold": c(Case.legal_hold.is_(True)),
    }


def _manage_page(session: Session, ctx: LinkContext, official, link, status_code: int = 200, **extra) -> HTMLResponse:
    if not service.link_allows_changes(official):
        return _closed_page(session, ctx, official, status_code)
    return _html(
        pages.render(
            "official_manage.html",
            official=official,
            link=link,
            token=ctx.token,
            csrf_token=ctx.csrf,
            counts=_counts(session, official.id),
            **extra,
        ),
        status_code,
    )


def _closed_page(session: Session, ctx: LinkContext, official, status_code: int = 200) -> HTMLResponse:
    """A manage link after withdrawal (or while a new invitation waits for a new consent) is read-only: the
    withdrawal confirmed, what is kept (legal hold) and the export, no form at all; a POST gets it with 409."""
    return _html(
        pages.render(
            "official_closed.html",
            official=official,
            token=ctx.token,
            consent=official.consents[-1] if official.consents else None,
            counts=_counts(session, official.id),
        ),
        status_code,
    )


def _invite_page(ctx: LinkContext, official, status_code: int = 200, **extra) -> HTMLResponse:
    return _html(
        pages.render(
            "official_invite.html",
            official=official,
            token=ctx.token,
            csrf_token=ctx.csrf,
            version=ctx.settings.privacy_notice_version,
            notice=pages.notice_html(),
            **extra,
        ),
        status_code,
    )


@official_router.get("/{token}", response_class=HTMLResponse)
def official_home(ctx: LinkContext = Depends(), nieuw: int = 0) -> HTMLResponse:
    with session_scope(ctx.sessions) as session:
        official, link = ctx.resolve(session)
        if link.purpose == "invite":
            return _invite_page(ctx, official)
        return _manage_page(session, ctx, official, link, fresh=bool(nieuw))


@official_router.post("/{token}/kiezen", response_class=HTMLResponse)
async def official_choose(request: Request, ctx: LinkContext = Depends()) -> HTMLResponse:
    form = await _form(request)
    with session_scope(ctx.sessions) as session:
        official, _ = ctx.resolve(session, "invite")
        try:
            with session.begin_nested():
                choices = service.save_choices(session, ctx.settings, ctx.token, form)
        except LinkError:
            raise
        except RegistryError as exc:
            shown = SimpleNamespace(
                **{
                    **_BLANK,
                    "full_name": official.full_name,
                    "organisation": official.organisation,
                    **{k: form.get(k) for k in ("gender",)},
                }
            )
            return _invite_page(ctx, shown, 422, error=str(exc))
        return _html(pages.render("official_confirm.html", choices=choices, token=ctx.token, csrf_token=ctx.csrf))


@official_router.post("/{token}/bevestigen")
def official_confirm(ctx: LinkContext = Depends()) -> Response:
    with session_scope(ctx.sessions) as session:
        try:
            with session.begin_nested():
                official, manage = service.confirm_invite(session, ctx.settings, ctx.token)
        except LinkError:
            raise
        except RegistryError as exc:
            official, _ = ctx.resolve(session, "invite")
            return _invite_page(ctx, official, 409, error=str(exc))
    return _redirect(f"/mijn/{manage}?nieuw=1")


@official_router.post("/{token}/wijzigen", response_class=HTMLResponse)
async def official_update(request: Request, ctx: LinkContext = Depends()) -> HTMLResponse:
    form = await _form(request)
    changes = {k: form.get(k) for k in service.EDITABLE if k in form and k != "role"}
    changes["sees_content"] = bool(form.get("sees_content"))
    with session_scope(ctx.sessions) as session:
        official, link = ctx.resolve(session, "manage")
        if not service.link_allows_changes(official):
            return _closed_page(session, ctx, official, 409)
        actor = f"official:{official.id}"
        try:
            with session.begin_nested():
                changed = service.update_official(
                    session, official, actor, changes, by_official=True, settings=ctx.settings
                )
                if official.status == "active" and set(changed) & set(service.CHOICES):
                    service.record_consent(session, ctx.settings, official, actor, "wijziging via persoonlijke link")
        except RegistryError as exc:
            session.refresh(official)
            return _manage_page(session, ctx, official, link, 422, error=str(exc))
        return _manage_page(
            session, ctx, official, link, message=f"Opgeslagen ({len(changed)} onderdeel/onderdelen gewijzigd)."
        )


@official_router.post("/{token}/pauzeren", response_class=HTMLResponse)
@official_router.post("/{token}/hervatten", response_class=HTMLResponse)
def official_pause(request: Request, ctx: LinkContext = Depends()) -> HTMLResponse:
    paused = request.url.path.endswith("/pauzeren")
    with session_scope(ctx.sessions) as session:
        official, link = ctx.resolve(session, "manage")
        if not service.link_allows_changes(official):
            return _closed_page(session, ctx, official, 409)
        try:
            with session.begin_nested():
                service.set_paused(session, official, paused, f"official:{official.id}")
        except RegistryError as exc:
            return _manage_page(session, ctx, official, link, 409, error=str(exc))
        return _manage_page(
            session,
            ctx,
            official,
            link,
            message="Gepauzeerd: wij zoeken niet meer tot u weer begint." if paused else "Wij zoeken weer.",
        )


@official_router.post("/{token}/andere-links-intrekken", response_class=HTMLResponse)
def official_revoke_other_links(ctx: LinkContext = Depends()) -> HTMLResponse:
    """The official ends their other manage links (staff never do: a staff action leaves the official's link)."""
    with session_scope(ctx.sessions) as session:
        official, link = ctx.resolve(session, "manage")
        if not service.link_allows_changes(official):
            return _closed_page(session, ctx, official, 409)
        count = service.revoke_other_manage_links(session, official, link)
        return _manage_page(
            session, ctx, official, link, message=f"{count} andere beheerlink(s) ingetrokken; deze link blijft werken."
        )


@official_router.get("/{token}/intrekken", response_class=HTMLResponse)
def official_withdraw_form(ctx: LinkContext = Depends()) -> HTMLResponse:
    with session_scope(ctx.sessions) as session:
        official, _ = ctx.resolve(session, "manage")
        if not service.link_allows_changes(official):
            return _closed_page(session, ctx, official)
        return _html(
            pages.render(
                "withdraw.html",
                official=official,
                staff=False,
                csrf_token=ctx.csrf,
                **_withdraw_cases(session, official.id),
                action=f"/mijn/{ctx.token}/intrekken",
            )
        )


@official_router.post("/{token}/intrekken", response_class=HTMLResponse)
async def official_withdraw(request: Request, ctx: LinkContext = Depends()) -> HTMLResponse:
    form = await _form(request)
    with session_scope(ctx.sessions) as session:
        official, _ = ctx.resolve(session, "manage", lock=True)
        if not service.link_allows_changes(official):
            return _closed_page(session, ctx, official, 409)
        try:
            with session.begin_nested():
                counts = service.withdraw(
                    session, official.id, f"official:{official.id}", form["keep_case_ids"], method=service.METHOD_LINK
                )
        except (RegistryError, ValueError) as exc:
            return _html(
                pages.render(
                    "withdraw.html",
                    official=official,
                    staff=False,
                    csrf_token=ctx.csrf,
                    **_withdraw_cases(session, official.id),
                    error=str(exc),
                    action=f"/mijn/{ctx.token}/intrekken",
                ),
                422,
            )
        return _html(pages.render("withdrawn.html", official=official, counts=counts, back=f"/mijn/{ctx.token}"))


@official_router.get("/{token}/inzage.json")
def official_export_json(ctx: LinkContext = Depends()) -> Response:
    with session_scope(ctx.sessions) as session:
        official, _ = ctx.resolve(session, "manage")
        data = export_official(session, official.id)
        service.audit(
            session,
            official.organisation_id,
            f"official:{official.id}",
            "official.exported",
            "official",
            official.id,
            {"as": "json"},
        )
    return _json_download(data)


@official_router.get("/{token}/inzage.html", response_class=HTMLResponse)
def official_export_html(ctx: LinkContext = Depends()) -> HTMLResponse:
    with session_scope(ctx.sessions) as session:
        official, _ = ctx.resolve(session, "manage")
        data = export_official(session, official.id)
        service.audit(
            session,
            official.organisation_id,
            f"official:{official.id}",
            "official.exported",
            "official",
            official.id,
            {"as": "html"},
        )
    return _html(pages.render("export.html", data=data))
