"""/statistieken: the organisation's own figures for staff, with charts, table alternatives, CSV and the GIR export.

Every route needs a login and reads only the user's organisation. Every view and download is audited. The page
itself carries no post text (counts, officials' roles and author pseudonyms only), so the read-only role sees it;
the GIR export names accounts and officials per case and is for the roles that work on cases.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from schildwacht.models import Organisation, StaffUser
from schildwacht.vocabulary import AMSTERDAM, CASE_WRITE_ROLES
from triage import audit
from triage.autosteps import record_gir_export
from triage.statistics import charts, gir
from triage.statistics.csvsafe import to_csv
from triage.statistics.period import PERIOD_KINDS, Filters, Period, PeriodError, parse_filters, parse_period
from triage.statistics.service import Statistics, compute, filter_choices
from triage.web.auth import current_user, get_db, get_settings
from triage.web.errors import Forbidden, Invalid, NotFound

router = APIRouter(include_in_schema=False)


def _today() -> date:
    return datetime.now(AMSTERDAM).date()


def _selection(request: Request) -> tuple[Period, Filters]:
    q = request.query_params
    try:
        period = parse_period(q.get("periode"), q.get("van"), q.get("tot"), _today())
        filters = parse_filters(q.get("ambtsdrager"), q.get("soort"), q.get("platform"))
    except PeriodError as exc:
        raise Invalid(str(exc)) from None
    return period, filters


def _query(period: Period, filters: Filters) -> str:
    params = {"periode": period.kind, "van": period.start.isoformat()}
    if period.kind == "aangepast":
        params["tot"] = period.last_day.isoformat()
    return urlencode(params | filters.query())


def _audit(db: Session, user: StaffUser, action: str, period: Period, filters: Filters, **details) -> None:
    audit.record(
        db,
        actor=user.email,
        organisation_id=user.organisation_id,
        action=action,
        object_type="statistics",
        object_id=user.organisation_id,
        details={"van": period.start.isoformat(), "tot": period.end.isoformat(), **filters.query(), **details},
    )
    db.commit()


def _compute(request: Request, db: Session, user: StaffUser) -> tuple[Statistics, str]:
    period, filters = _selection(request)
    return compute(db, get_settings(request), user.organisation_id, period, filters), _query(period, filters)


@router.get("/statistieken", response_class=HTMLResponse)
def statistics_page(request: Request, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    stats, query = _compute(request, db, user)
    _audit(db, user, "statistics.view", stats.period, stats.filters)
    figures = [
        (stats.table(key), charts.inline_svg(stats.table(key), organisation=stats.organisation_id))
        for key in charts.CHARTED
    ]
    return request.app.state.render(
        request,
        "statistics.html",
        {
            "user": user,
            "stats": stats,
            "figures": figures,
            "repeat": stats.table("herhalers"),
            "measure": charts.MEASURE,
            "query": query,
            "kinds": PERIOD_KINDS,
            "choices": filter_choices(db, user.organisation_id),
            "can_export_cases": user.role in CASE_WRITE_ROLES,
        },
    )


@router.get("/statistieken/csv/{key}")
def table_csv(key: str, request: Request, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    stats, _ = _compute(request, db, user)
    if key not in stats.tables:
        raise NotFound("Onbekende tabel.")
    table = stats.table(key)
    _audit(db, user, "statistics.csv", stats.period, stats.filters, table=key)
    return Response(
        to_csv(table.columns, table.rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{key}-{stats.period.start}.csv"'},
    )


@router.post("/statistieken/gir.{fmt}")
def gir_export(fmt: str, request: Request, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    """The GIR export of the chosen period. A POST with the CSRF token: exporting records the automatic step
    "geregistreerd in GIR" on every exported case, so it changes state and must not be triggered by a link."""
    if fmt not in ("csv", "json"):
        raise NotFound("Kies gir.csv of gir.json.")
    if user.role not in CASE_WRITE_ROLES:
        raise Forbidden("De GIR-export bevat gegevens per zaak; uw rol ziet alleen de statistiek.")
    period, filters = _selection(request)
    # Streamed from one snapshot taken before the GIR step is recorded (gir.SnapshotExport).
    export = gir.SnapshotExport(request.app.state.session_factory, user.organisation_id, period, filters)
    try:
        record_gir_export(db, export.case_ids, user.email)  # "geregistreerd in GIR", automatic
        _audit(db, user, "statistics.gir_export", period, filters, format=fmt, cases=export.case_ids)
    except BaseException:
        export.close()
        raise
    name = f"gir-{user.organisation_id}-{period.start}-{period.last_day}.{fmt}"
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(export.chunks(fmt), media_type=media, headers=headers)


@router.get("/statistieken/rapport.{fmt}")
def report(fmt: str, request: Request, user: StaffUser = Depends(current_user), db: Session = Depends(get_db)):
    """The monthly report of the chosen period (no post text, so every staff role may download it)."""
    if fmt not in ("pdf", "html"):
        raise NotFound("Kies rapport.pdf of rapport.html.")
    from triage.statistics.report import render_html, render_pdf

    stats, _ = _compute(request, db, user)
    organisation = db.get(Organisation, user.organisation_id)
    assert organisation is not None  # a logged-in user's organisation exists (foreign key)
    name = organisation.name
    _audit(db, user, "statistics.report", stats.period, stats.filters, format=fmt)
    body = render_pdf(stats, name) if fmt == "pdf" else render_html(stats, name).encode()
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    filename = f"rapport-{user.organisation_id}-{stats.period.start}.{fmt}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
