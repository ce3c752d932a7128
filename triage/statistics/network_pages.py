"""/landelijk: the anonymous national aggregate for a network account (the Ondersteuningsteam Weerbaar Bestuur or
another network organisation, vocabulary.NETWORK_ROLE), with charts, table alternatives, CSV and JSON.

Invariants: only the network role reaches these pages (every other role gets 403, and `auth.current_user` refuses
the network role everywhere else); they show only `aggregate.aggregate`'s suppressed counts over the organisations
that agreed to share (counts from 1 to 4 as '<5'), never a case, a post text, an official's name or a queue; every
view and download is audited (`statistics.aggregate_*`).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from schildwacht.models import StaffUser
from schildwacht.vocabulary import AMSTERDAM, NETWORK_ROLE
from triage import audit
from triage.statistics import charts
from triage.statistics.aggregate import AggregateError, aggregate, aggregate_csv, aggregate_json, aggregate_tables
from triage.statistics.period import Period, PeriodError, parse_period
from triage.web.auth import NETWORK_HOME, current_user, get_db
from triage.web.errors import Forbidden, Invalid

router = APIRouter(include_in_schema=False)
PERIOD_KINDS = {"maand": "Maand", "kwartaal": "Kwartaal", "jaar": "Jaar", "aangepast": "Aangepast"}


def network_user(user: StaffUser = Depends(current_user)) -> StaffUser:
    if user.role != NETWORK_ROLE:
        raise Forbidden("Het landelijke totaal is er voor netwerkaccounts; uw eigen cijfers staan onder Statistieken.")
    return user


def _period(request: Request) -> Period:
    q = request.query_params
    kind = q.get("periode") or "kwartaal"
    if kind not in PERIOD_KINDS:
        raise Invalid(f"Kies een periode uit: {', '.join(PERIOD_KINDS)}.")
    try:
        return parse_period(kind, q.get("van"), q.get("tot"), datetime.now(AMSTERDAM).date())
    except PeriodError as exc:
        raise Invalid(str(exc)) from None


def _query(period: Period) -> str:
    params = {"periode": period.kind, "van": period.start.isoformat()}
    if period.kind == "aangepast":
        params["tot"] = period.last_day.isoformat()
    return urlencode(params)


def _audit(db: Session, user: StaffUser, action: str, period: Period, **details: object) -> None:
    audit.record(
        db,
        actor=user.email,
        organisation_id=user.organisation_id,
        action=action,
        object_type="statistics",
        object_id="landelijk",
        details={"van": period.start.isoformat(), "tot": period.end.isoformat(), **details},
    )
    db.commit()


@router.get(NETWORK_HOME, response_class=HTMLResponse)
def national_page(request: Request, user: StaffUser = Depends(network_user), db: Session = Depends(get_db)):
    period = _period(request)
    try:
        result, refused = aggregate(db, period), None
    except AggregateError as exc:
        result, refused = None, str(exc)
    _audit(db, user, "statistics.aggregate_view", period, refused=refused is not None)
    figures = []
    if result is not None:
        # no chart when every category is suppressed (or empty): the table says it all
        figures = [
            (t, charts.inline_svg(chart, organisation="landelijk") if chart.rows else None)
            for t, chart in aggregate_tables(result)
        ]
    return request.app.state.render(
        request,
        "national.html",
        {
            "user": user,
            "period": period,
            "kinds": PERIOD_KINDS,
            "result": result,
            "refused": refused,
            "figures": figures,
            "query": _query(period),
        },
    )


@router.get(NETWORK_HOME + ".{fmt}")
def national_export(fmt: str, request: Request, user: StaffUser = Depends(network_user), db: Session = Depends(get_db)):
    if fmt not in ("csv", "json"):
        raise Invalid("Kies landelijk.csv of landelijk.json.")
    period = _period(request)
    try:
        result = aggregate(db, period)
    except AggregateError as exc:
        raise Invalid(str(exc)) from None
    _audit(db, user, "statistics.aggregate_export", period, format=fmt)
    body = aggregate_csv(result) if fmt == "csv" else aggregate_json(result)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    name = f"landelijk-{period.start}-{period.last_day}.{fmt}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
