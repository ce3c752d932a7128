"""What the web app answers while its database is unreachable: 503 with Retry-After, in Dutch, instead of a 500.

Invariants:
- only the errors `schildwacht.failures.DATABASE_UNREACHABLE` lists become 503; any other database error stays a 500;
- pages get the Dutch error page "Tijdelijk niet beschikbaar", the JSON API (`is_api`) `{"detail": ...}`; both carry
  `Retry-After: RETRY_AFTER_S`;
- each such request is logged as one warning line without traceback or path (paths can hold personal-link tokens);
  the driver's message never reaches the user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from schildwacht.db_retry import first_line
from schildwacht.failures import DATABASE_UNREACHABLE

log = logging.getLogger(__name__)

RETRY_AFTER_S = 30
MESSAGE = (
    "Schildwacht is tijdelijk niet beschikbaar: de database is niet bereikbaar. Probeer het over een halve "
    "minuut opnieuw."
)


def install(app: FastAPI, is_api: Callable[[Request], bool]) -> None:
    """Answer requests that fail on an unreachable database with 503 (pages through `app.state.render`)."""

    async def unreachable(request: Request, exc: Exception) -> Response:
        log.warning("database niet bereikbaar, 503 geantwoord: %s", first_line(exc))  # no path: it may hold a token
        headers = {"Retry-After": str(RETRY_AFTER_S)}
        if is_api(request):
            return JSONResponse({"detail": MESSAGE}, status_code=503, headers=headers)
        response = request.app.state.render(request, "error.html", {"status": 503, "message": MESSAGE}, status_code=503)
        response.headers.update(headers)
        return response

    for error in DATABASE_UNREACHABLE:
        app.add_exception_handler(error, unreachable)
