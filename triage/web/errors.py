"""The errors the case workflow raises and how the app shows them: Dutch HTML pages for people, JSON under /api.

Invariant: outside /api (and /openapi.json) no error ever reaches the user as raw JSON or as an English
framework page; a 500 shows a Dutch page and logs the exception, never its text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

# Dutch messages for framework errors (unknown route, wrong method, malformed form).
HTTP_MESSAGES = {
    400: "Het verzoek is ongeldig.",
    401: "U bent niet ingelogd.",
    403: "U heeft geen toegang tot deze pagina.",
    404: "Deze pagina bestaat niet (meer), of hoort niet bij uw organisatie.",
    405: "Deze actie is op deze pagina niet mogelijk.",
    409: "Deze actie botst met de huidige toestand van de zaak.",
    413: "Het bestand of formulier is te groot.",
    422: "Het formulier is onvolledig of ongeldig. Controleer de velden en probeer het opnieuw.",
    500: "Er ging iets mis aan onze kant. De fout is vastgelegd; probeer het later opnieuw of meld het bij de "
    "beheerder.",
}


class ServiceError(Exception):
    """A refusal with a Dutch message for the user; `status` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    status = 422


Render = Callable[[Request, str, dict, int], Response]


def install(app: FastAPI, render: Render, is_api: Callable[[Request], bool]) -> None:
    """Register the handlers: ServiceError and HTTP errors by status, malformed input as 422, anything else as 500."""

    def page(request: Request, status: int, message: str) -> Response:
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=status)
        user = getattr(request.state, "user", None)  # set by auth.current_user when the route needed a login
        return render(request, "error.html", {"status": status, "message": message, "user": user}, status)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError):
        return page(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return page(request, exc.status_code, HTTP_MESSAGES.get(exc.status_code, HTTP_MESSAGES[400]))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        if is_api(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        return page(request, 422, HTTP_MESSAGES[422])

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        try:
            return page(request, 500, HTTP_MESSAGES[500])
        except Exception:  # the page itself failed (e.g. no session yet): plain Dutch text, still no traceback
            log.exception("error page failed")
            return HTMLResponse(f"<!doctype html><html lang=nl><p>{HTTP_MESSAGES[500]}</p></html>", status_code=500)
