"""The triage web application: server-rendered Dutch UI plus a JSON API under /api (same auth and scoping)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from schildwacht.config import Settings
from schildwacht.models import StaffUser
from schildwacht.vocabulary import CASE_STATUS_NL, LABEL_NL, PLATFORM_ANSWER_NL, STAFF_ROLE_NL, amsterdam_time
from triage.registry import pages as registry_pages
from triage.registry.service import LinkError
from triage.statistics.service import display as statistics_display
from triage.web import dutch, errors
from triage.web.auth import AuthRequired, CsrfFailed, csrf_protect, csrf_token, current_user, remember_destination

HERE = Path(__file__).resolve().parent


def _fmt_time(value: str | datetime | None) -> str:
    return amsterdam_time(value) if value else ""


def _fmt_minutes(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    if minutes >= 24 * 60:
        return f"{sign}{minutes // (24 * 60)}d {minutes % (24 * 60) // 60}u"
    return f"{sign}{minutes // 60}u {minutes % 60:02d}m"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html
    templates.env.autoescape = True
    templates.env.filters["tijd"] = _fmt_time
    templates.env.filters["duur"] = _fmt_minutes
    templates.env.filters["decimaal"] = dutch.decimal
    templates.env.globals["aantal"] = dutch.count
    templates.env.globals["display"] = statistics_display
    templates.env.globals.update(ROLE_NL=STAFF_ROLE_NL, STATUS_NL=CASE_STATUS_NL, LABEL_NL=LABEL_NL)
    templates.env.globals["PLATFORM_ANSWER_NL"] = PLATFORM_ANSWER_NL
    templates.env.filters.update(registry_pages.FILTERS)  # the registry pages share this one environment
    templates.env.globals.update(registry_pages.template_globals())
    return templates


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def create_app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    """Build the app. `session_factory` gives SQLAlchemy sessions on the triage database.

    Refuses an empty secret key (never sign cookies with a known key); `schildwacht web` also refuses weak ones."""
    if not settings.secret_key:
        raise ValueError(
            "SCHILDWACHT_SECRET_KEY is niet ingesteld; maak een sleutel met `schildwacht secret "
            "generate` / SCHILDWACHT_SECRET_KEY is not set; generate one with `schildwacht secret "
            "generate`"
        )
    app = FastAPI(
        title="Schildwacht triage API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
        description="JSON-API voor ondersteuners. Inloggen via /inloggen (sessiecookie); schrijfacties "
        "vereisen de header X-CSRF-Token (zie GET /api/me).",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.state.templates = templates = make_templates()
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="schildwacht_sessie",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.cookie_secure,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if settings.cookie_secure:  # served over HTTPS: browsers must never fall back to plain HTTP
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
        context = {"csrf": csrf_token(request), "user": context.pop("user", None), **context}
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    app.state.render = render

    @app.exception_handler(AuthRequired)
    async def _auth_required(request: Request, exc: AuthRequired):
        if is_api(request):
            return JSONResponse({"detail": "Niet ingelogd."}, status_code=401)
        remember_destination(request)  # a link from an alert mail opens its case right after login
        return RedirectResponse("/inloggen", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf_failed(request: Request, exc: CsrfFailed):
        if is_api(request):
            return JSONResponse({"detail": "CSRF-token ontbreekt of is ongeldig."}, status_code=403)
        return render(
            request,
            "error.html",
            {
                "status": 403,
                "message": "Formulier verlopen of ongeldig (CSRF). Laad de pagina opnieuw en probeer het nog eens.",
            },
            status_code=403,
        )

    errors.install(app, render, is_api)  # Dutch HTML error pages (403, 404, 409, 422, 500); JSON under /api

    from triage.statistics import network_pages
    from triage.statistics import pages as statistics_pages
    from triage.web import (
        api,
        evidence_view,
        health,
        intake_upload,
        legal_hold_pages,
        meta_connect,
        meta_webhook,
        organisation_settings,
        outage,
        pages,
        password_pages,
        platform_answer,
        registry_official,
        registry_staff,
        staff_admin,
        wellknown,
    )

    outage.install(app, is_api)  # database unreachable: 503 with Retry-After

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(wellknown.router)
    app.include_router(health.router)  # /healthz, /readyz, /metrics (token): no staff login, no organisation data
    app.include_router(legal_hold_pages.router)
    app.include_router(evidence_view.router)  # capture status, "Opnieuw vastleggen", attachments
    app.include_router(intake_upload.router)  # /meldingen/toevoegen: files for the intake stage ("Melding toevoegen")
    app.include_router(registry_staff.router)  # /ambtsdragers
    app.include_router(registry_official.router)  # /mijn/<token>: the official's own pages
    app.exception_handler(LinkError)(registry_official.link_error)
    app.include_router(meta_connect.router)  # /mijn/<token>/meta/...: connect and disconnect Facebook/Instagram
    app.include_router(meta_webhook.router)  # /meta/webhook: Meta's servers, signed (docs/security.md)
    app.include_router(staff_admin.router)  # /beheer/medewerkers
    app.include_router(password_pages.router)  # /account, /wachtwoord-vergeten, /wachtwoord/nieuw/<token>
    app.include_router(statistics_pages.router)  # /statistieken: figures, charts, CSV, GIR export
    app.include_router(platform_answer.router)  # the platform's answer to a notice (DSA), on the case page
    app.include_router(organisation_settings.router)  # /beheer/instellingen: sharing, monthly report mail
    app.include_router(network_pages.router)  # /landelijk: the network role's anonymous aggregate

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json(user: StaffUser = Depends(current_user)):
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs(request: Request, user: StaffUser = Depends(current_user)):
        return render(request, "docs.html", {"user": user, "schema": app.openapi()})

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app
