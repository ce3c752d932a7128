"""Platform allowances and paused sources of the API collectors, shared by the collectors (which count and pause)
and the web app (which shows staff one line per source).

- X: posts read per calendar month (UTC), against the plan's monthly cap (`collector_x_monthly_post_cap`);
- YouTube: quota units per day, where the day is the Pacific one (Google resets the quota at midnight
  America/Los_Angeles), against `collector_youtube_daily_quota`.

Invariants: usage only grows within a period (a new period starts at 0); a pause ends at its `until`, or, without
one, as soon as the configured credential is another than the refused one (its sha256 is kept, never the credential).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models.base import utcnow
from schildwacht.models.collector_state import CollectorPause, CollectorUsage

PACIFIC = ZoneInfo("America/Los_Angeles")
LOCAL = ZoneInfo("Europe/Amsterdam")
WARN_SHARE = 0.8  # from this share of the allowance on, the staff line warns


@dataclass(frozen=True)
class Allowance:
    """What one source may use per period, and how staff read it."""

    source: str
    label: str  # "X", "YouTube"
    unit: str  # Dutch: "berichten deze maand", "quota-eenheden vandaag"
    limit: int


def allowances(settings: Settings) -> list[Allowance]:
    """The allowances of the sources that are configured (a credential is set)."""
    found = []
    if settings.collector_x_bearer_token is not None:
        found.append(Allowance("x", "X", "berichten deze maand", settings.collector_x_monthly_post_cap))
    if settings.collector_youtube_api_key is not None:
        found.append(Allowance("youtube", "YouTube", "quota-eenheden vandaag", settings.collector_youtube_daily_quota))
    return found


def period(source: str, now: datetime) -> str:
    """The accounting period `now` falls in: "2026-12" for X, the Pacific date "2026-12-06" for YouTube."""
    if source == "youtube":
        return now.astimezone(PACIFIC).date().isoformat()
    return now.astimezone(UTC).strftime("%Y-%m")


def period_end(source: str, now: datetime) -> datetime:
    """When the period of `now` ends (UTC): the next Pacific midnight for YouTube, the next month for X."""
    if source == "youtube":
        local = now.astimezone(PACIFIC)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=PACIFIC)
        return midnight.astimezone(UTC)
    moment = now.astimezone(UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def used(session: Session, source: str, now: datetime) -> int:
    """Units used by `source` in the period of `now`."""
    row = session.get(CollectorUsage, (source, period(source, now)))
    return row.used if row else 0


def add_usage(session: Session, source: str, amount: int, now: datetime) -> int:
    """Count `amount` more units for `source` in the period of `now`; returns the new total (atomic upsert)."""
    statement = (
        insert(CollectorUsage)
        .values(source=source, period=period(source, now), used=amount, updated_at=utcnow())
        .on_conflict_do_update(
            index_elements=[CollectorUsage.source, CollectorUsage.period],
            set_={"used": CollectorUsage.used + amount, "updated_at": utcnow()},
        )
        .returning(CollectorUsage.used)
    )
    return int(session.execute(statement).scalar_one())


def credential_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def pause(session: Session, source: str, reason: str, until: datetime | None, credential: str | None = None) -> None:
    """Pause `source` until `until` (None: until another credential is configured), with a Dutch reason."""
    values = {
        "reason": reason,
        "until": until,
        "credential_sha256": credential_sha256(credential) if credential is not None else None,
        "since": utcnow(),
    }
    statement = insert(CollectorPause).values(source=source, **values)
    session.execute(statement.on_conflict_do_update(index_elements=[CollectorPause.source], set_=values))


def active_pause(session: Session, source: str, credential: str | None, now: datetime) -> CollectorPause | None:
    """The pause that holds `source` now, if any (see the module's invariants)."""
    row = session.get(CollectorPause, source)
    if row is None:
        return None
    if row.until is not None:
        return row if row.until > now else None
    if row.credential_sha256 is not None and credential is not None:
        return row if credential_sha256(credential) == row.credential_sha256 else None
    return row


def dutch_number(n: int) -> str:
    """8200 -> "8.200"."""
    return f"{n:,}".replace(",", ".")


def local_time(moment: datetime) -> str:
    """A moment as staff read it: "7-12-2026 09:00" (Dutch time)."""
    local = moment.astimezone(LOCAL)
    return f"{local.day}-{local.month}-{local.year} {local:%H:%M}"


@dataclass(frozen=True)
class StatusLine:
    """One line for staff; `level` is "ok", "waarschuwing" or "gepauzeerd"."""

    text: str
    level: str


def status_lines(session: Session, settings: Settings, now: datetime | None = None) -> list[StatusLine]:
    """Per configured API source: its use against the allowance, and why it pauses when it does."""
    now = now or datetime.now(UTC)
    lines = []
    for allowance in allowances(settings):
        count = used(session, allowance.source, now)
        text = f"{allowance.label}: {dutch_number(count)} van {dutch_number(allowance.limit)} {allowance.unit}"
        level = "ok"
        if count >= WARN_SHARE * allowance.limit:
            text, level = text + " (bijna op)", "waarschuwing"
        if count >= allowance.limit:
            resumes = local_time(period_end(allowance.source, now))
            text = text.removesuffix(" (bijna op)") + f" — op; verzamelen gepauzeerd tot {resumes}"
            level = "gepauzeerd"
        credential = configured_credential(settings, allowance.source)
        held = active_pause(session, allowance.source, credential, now)
        if held is not None and level != "gepauzeerd":
            text += f" — gepauzeerd: {held.reason}"
            level = "gepauzeerd"
        lines.append(StatusLine(text, level))
    return lines


def configured_credential(settings: Settings, source: str) -> str | None:
    """The credential `source` collects with ("x": bearer token, "youtube": API key), if set."""
    secret = settings.collector_x_bearer_token if source == "x" else settings.collector_youtube_api_key
    return secret.get_secret_value() if secret is not None else None
