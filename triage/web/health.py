"""Operational endpoints of the web app, for docker-compose healthchecks and Prometheus (docs/operations.md).

- `GET /healthz`: the process answers (no database, no broker): 200 `{"status": "ok"}`.
- `GET /readyz`: the database answers `SELECT 1` and, where a broker is configured, the broker answers a metadata
  request, each within `Settings.readiness_timeout_s`: 200 when both do, otherwise 503 with which one failed. The
  driver's message is logged, never answered (it can name hosts).
- `GET /metrics`: Prometheus text format (schildwacht/metrics.py: counts and durations, no post content), only for
  `Authorization: Bearer <SCHILDWACHT_METRICS_TOKEN>`; 404 when no token is configured, 401 for a missing or wrong
  token (compared in constant time).

No staff login on these routes: a probe or Prometheus has none. None of them shows an organisation's data.
"""

from __future__ import annotations

import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from kafka import KafkaAdminClient
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from schildwacht import metrics as stage_metrics
from schildwacht.config import Settings
from schildwacht.db_retry import first_line

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")

OK = "ok"
UNREACHABLE = "niet bereikbaar"
NOT_CONFIGURED = "niet ingesteld"


@router.get("/healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": OK})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    checks = {"database": lambda: _database(request.app.state.session_factory)}
    if settings.kafka_bootstrap_servers:
        checks["broker"] = lambda: _broker(settings)
    futures = {name: _checks.submit(check) for name, check in checks.items()}
    answer = {} if settings.kafka_bootstrap_servers else {"broker": NOT_CONFIGURED}
    for name, future in futures.items():
        try:
            future.result(timeout=settings.readiness_timeout_s)
            answer[name] = OK
        except FutureTimeout:
            log.warning("readyz: %s did not answer within %.1f s", name, settings.readiness_timeout_s)
            answer[name] = UNREACHABLE
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; the reason goes to the log only
            log.warning("readyz: %s unreachable: %s", name, first_line(exc))
            answer[name] = UNREACHABLE
    ready = all(answer[name] == OK for name in checks)
    return JSONResponse({"status": OK if ready else "niet gereed", **answer}, status_code=200 if ready else 503)


def _database(session_factory) -> None:
    with session_factory() as session:
        session.execute(text("SELECT 1"))


def _broker(settings: Settings) -> None:
    timeout_ms = int(settings.readiness_timeout_s * 1000)
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id="schildwacht-readyz",
        request_timeout_ms=timeout_ms,
    )
    try:
        admin.list_topics()
    finally:
        admin.close()


@router.get("/metrics")
def metrics(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if token is None or not token.get_secret_value():
        return Response(status_code=404)
    supplied = request.headers.get("authorization", "")
    expected = f"Bearer {token.get_secret_value()}"
    if not hmac.compare_digest(supplied.encode(), expected.encode()):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return Response(generate_latest(stage_metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)
