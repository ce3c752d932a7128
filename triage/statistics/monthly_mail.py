"""The monthly report by e-mail: on the first working day of a month, the previous month's report (PDF, counts
only, no post text) goes to the addresses an organisation's beheerder chose (burgemeester, griffier,
veiligheidscoördinator) on /beheer/instellingen. Opt-in per organisation (`Organisation.report_mail_enabled`).

Invariants:
- at most once per organisation and month: a `MonthlyReportMailing` row (unique per organisation and month) is
  claimed with a lease before any mail goes out, every address the mail server accepted is committed to
  `delivered` at once, and `sent_at` closes the row; a restart or a second worker resumes only the addresses not
  yet delivered, and never sends a closed month again;
- the report is the same `render_pdf` of the same statistics service as the page and `stats rapport`, so it holds
  counts, roles, labels and author pseudonyms only; the mail body names the organisation and the month, no case;
- "first working day": Monday to Friday and not a Dutch public holiday (`holidays.Netherlands`), in
  Europe/Amsterdam; from that day until the end of the month the previous month is due (a worker that was down on
  the day catches up, but never mails an older month);
- every mailing is audited (`statistics.report_mail`) with the month and the addresses that received it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import holidays
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from schildwacht.config import Settings
from schildwacht.db import session_scope
from schildwacht.mail import Attachment, send_mail
from schildwacht.models import MonthlyReportMailing, Organisation
from schildwacht.models.base import utcnow
from schildwacht.vocabulary import AMSTERDAM, REPORT_RECIPIENT_NL
from triage import audit
from triage.statistics.period import month_period

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:monthly-report"
LEASE = timedelta(minutes=15)
"""How long one sender holds a month before another may resume it (far longer than rendering and mailing take)."""


class MonthlyMailError(ValueError):
    """The report cannot be mailed (no addresses, unknown organisation); the message is Dutch."""


@dataclass
class MailResult:
    organisation_id: str
    month: str
    status: str  # "verstuurd", "al verstuurd", "bezig", "deels verstuurd"
    delivered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # address -> error


def first_working_day(year: int, month: int) -> date:
    """The first day of the month that is a weekday and not a Dutch public holiday (1 January never is)."""
    closed = holidays.country_holidays("NL", years=year)
    day = date(year, month, 1)
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


def previous_month(day: date) -> str:
    """'2026-11' for any day in December 2026."""
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def due_month(now: datetime) -> str | None:
    """The month whose report is due at `now` (aware): the previous month from the first working day of this
    month on, None before it."""
    today = now.astimezone(AMSTERDAM).date()
    return previous_month(today) if today >= first_working_day(today.year, today.month) else None


def recipients(organisation: Organisation) -> list[tuple[str, str]]:
    """(function, address) for each address the beheerder set, in the order of `REPORT_RECIPIENT_NL`."""
    chosen = organisation.report_recipients or {}
    return [(role, chosen[role]) for role in REPORT_RECIPIENT_NL if chosen.get(role)]


def _body(organisation: Organisation, label: str, function: str) -> str:
    return (
        f"Geachte {REPORT_RECIPIENT_NL[function].lower()},\n\n"
        f"Bijgaand het maandrapport online haat van {organisation.name} over {label} (PDF).\n"
        "Het rapport bevat alleen aantallen: geen berichtteksten, geen namen van auteurs en geen zaken.\n\n"
        "U ontvangt dit bericht omdat de beheerder van Schildwacht in uw organisatie u als ontvanger heeft opgegeven. "
        "Wilt u het niet meer ontvangen, vraag dan de beheerder u te verwijderen (Beheer > Instellingen).\n\n"
        "Schildwacht\n"
    )


def _claim(session_factory: sessionmaker[Session], organisation_id: str, month: str) -> MonthlyReportMailing | None:
    """Create the month's row if needed and take its lease; None when it is closed or another sender holds it."""
    now = utcnow()
    with session_scope(session_factory) as session:
        session.execute(
            insert(MonthlyReportMailing)
            .values(organisation_id=organisation_id, month=month, delivered=[], attempts=0, created_at=now)
            .on_conflict_do_nothing(index_elements=["organisation_id", "month"])
        )
        claimed = session.scalars(
            update(MonthlyReportMailing)
            .where(
                MonthlyReportMailing.organisation_id == organisation_id,
                MonthlyReportMailing.month == month,
                MonthlyReportMailing.sent_at.is_(None),
                (MonthlyReportMailing.claimed_until.is_(None)) | (MonthlyReportMailing.claimed_until < now),
            )
            .values(claimed_until=now + LEASE, attempts=MonthlyReportMailing.attempts + 1)
            .returning(MonthlyReportMailing)
        ).first()
        if claimed is not None:
            session.expunge(claimed)
        return claimed


def _render(session_factory: sessionmaker[Session], settings: Settings, organisation_id: str, month: str) -> bytes:
    from triage.statistics.report import render_pdf
    from triage.statistics.service import compute

    with session_scope(session_factory) as session:
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None  # checked by the caller
        return render_pdf(compute(session, settings, organisation_id, month_period(month)), organisation.name)


def send_report(
    session_factory: sessionmaker[Session],
    settings: Settings,
    organisation_id: str,
    month: str,
    actor: str,
    now: datetime | None = None,
) -> MailResult:
    """Mail `month`'s report of one organisation to its chosen addresses, at most once (module invariants).

    Raises MonthlyMailError for a month that has not ended at `now`, an unknown organisation or one without
    addresses; SMTP errors per address are recorded (`last_error`) and that address is tried again on the next run."""
    period = month_period(month)
    if period.end > (now or datetime.now(AMSTERDAM)).astimezone(AMSTERDAM).date():
        raise MonthlyMailError(f"{period.label()} is nog niet voorbij; het rapport gaat pas daarna (eenmalig) weg.")
    with session_scope(session_factory) as session:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            raise MonthlyMailError(f"onbekende organisatie {organisation_id!r}")
        to = recipients(organisation)
        session.expunge(organisation)
    if not to:
        raise MonthlyMailError(
            f"{organisation.name} heeft geen ontvangers voor het maandrapport; de beheerder stelt ze in onder "
            "Beheer > Instellingen."
        )
    row = _claim(session_factory, organisation_id, month)
    if row is None:
        with session_scope(session_factory) as session:
            sent = session.scalar(
                select(MonthlyReportMailing.sent_at).where(
                    MonthlyReportMailing.organisation_id == organisation_id, MonthlyReportMailing.month == month
                )
            )
        return MailResult(organisation_id, month, "al verstuurd" if sent else "bezig")
    result = MailResult(organisation_id, month, "verstuurd", delivered=list(row.delivered))
    report = _render(session_factory, settings, organisation_id, month)
    pdf = Attachment(f"maandrapport-{organisation_id}-{month}.pdf", report, "application/pdf")
    subject = f"Maandrapport online haat {organisation.name} – {period.label()}"
    for function, address in to:
        if address in result.delivered:
            continue
        try:
            send_mail(settings, address, subject, _body(organisation, period.label(), function), [pdf])
        except Exception as exc:  # SMTP, network, a refused address: this address waits for the next run
            result.failed[address] = str(exc)[:300]
            log.warning("maandrapport %s %s naar %s mislukt: %s", organisation_id, month, address, exc)
            continue
        result.delivered.append(address)
        with session_scope(session_factory) as session:  # committed per address: a restart never repeats it
            session.execute(
                update(MonthlyReportMailing).where(MonthlyReportMailing.id == row.id).values(delivered=result.delivered)
            )
    _close(session_factory, row.id, organisation_id, month, actor, result)
    return result


def _close(
    session_factory: sessionmaker[Session],
    row_id: int,
    organisation_id: str,
    month: str,
    actor: str,
    result: MailResult,
) -> None:
    """Close the row when every address received the report, else release the lease with the last error."""
    done = not result.failed
    if not done:
        result.status = "deels verstuurd" if result.delivered else "mislukt"
    with session_scope(session_factory) as session:
        values: dict[str, object] = {"claimed_until": None, "last_error": "; ".join(result.failed.values()) or None}
        if done:
            values |= {"sent_at": utcnow(), "sent_by": actor}
        session.execute(update(MonthlyReportMailing).where(MonthlyReportMailing.id == row_id).values(**values))
        audit.record(
            session,
            actor=actor,
            organisation_id=organisation_id,
            action="statistics.report_mail",
            object_type="statistics",
            object_id=organisation_id,
            details={"maand": month, "ontvangers": result.delivered, "mislukt": sorted(result.failed)},
        )


def send_due(
    session_factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> list[MailResult]:
    """One scheduler round: for every organisation that opted in and has addresses, mail the due month's report
    (nothing before the first working day). One organisation's failure never stops the others."""
    now = now or datetime.now(AMSTERDAM)
    month = due_month(now)
    if month is None:
        return []
    with session_scope(session_factory) as session:
        organisations = [
            o.id
            for o in session.scalars(
                select(Organisation).where(Organisation.report_mail_enabled).order_by(Organisation.id)
            )
            if recipients(o)
        ]
        done = set(
            session.scalars(
                select(MonthlyReportMailing.organisation_id).where(
                    MonthlyReportMailing.month == month, MonthlyReportMailing.sent_at.is_not(None)
                )
            )
        )
    results = []
    for organisation_id in organisations:
        if organisation_id in done:
            continue
        try:
            results.append(send_report(session_factory, settings, organisation_id, month, SYSTEM_ACTOR, now))
        except Exception:
            log.exception(
                "maandrapport %s %s niet verstuurd; volgende poging in de volgende ronde", organisation_id, month
            )
    return results


def run_forever(
    session_factory: sessionmaker[Session], settings: Settings, every_seconds: float, stop: threading.Event
) -> int:
    """`send_due` every `every_seconds` until `stop` is set; a failed round is logged and retried. Returns rounds."""
    rounds = 0
    while not stop.is_set():
        try:
            send_due(session_factory, settings)
            rounds += 1
        except Exception:
            log.exception("maandrapport-ronde mislukt; volgende poging over %s s", every_seconds)
        stop.wait(every_seconds)
    return rounds
