"""The period and filters a statistics view covers.

Invariants: a period is a half-open range [start, end) of whole days in Europe/Amsterdam; `bounds()` gives the
aware datetimes of its first and last midnight, so a post at 23:30 local time on the last day counts and one at 00:00
of the day after does not. Bad input raises `PeriodError` with a Dutch message (never a silent default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from schildwacht.vocabulary import AMSTERDAM, LABELS

PERIOD_KINDS: dict[str, str] = {
    "week": "Week",
    "maand": "Maand",
    "kwartaal": "Kwartaal",
    "jaar": "Jaar",
    "aangepast": "Aangepast",
}
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
MAX_DAYS = 5 * 366  # a custom period longer than five years is refused (the weekly series would be unreadable)


class PeriodError(ValueError):
    """A period or filter that cannot be read; the message is Dutch and names what to fix."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day, inclusive
    end: date  # day after the last day (exclusive)

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware datetimes of local midnight at `start` and at `end`."""
        return _midnight(self.start), _midnight(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def label(self) -> str:
        """The period as a reader names it: 'week 45 2026', 'november 2026', 'kwartaal 4 2026', '2026' or
        '01-11-2026 t/m 15-11-2026'."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"week {week} {year}"
        if self.kind == "maand":
            return f"{MONTHS_NL[self.start.month - 1]} {self.start.year}"
        if self.kind == "kwartaal":
            return f"kwartaal {(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "jaar":
            return str(self.start.year)
        return f"{self.start:%d-%m-%Y} t/m {self.last_day:%d-%m-%Y}"

    def weeks(self) -> list[date]:
        """The Monday of every ISO week that overlaps the period, in order (empty weeks included)."""
        monday = self.start - timedelta(days=self.start.weekday())
        out = []
        while monday < self.end:
            out.append(monday)
            monday += timedelta(days=7)
        return out


@dataclass(frozen=True)
class Filters:
    official_id: str | None = None
    label: str | None = None
    platform: str | None = None

    def query(self) -> dict[str, str]:
        """The filters as URL query parameters (only those set)."""
        pairs = {"ambtsdrager": self.official_id, "soort": self.label, "platform": self.platform}
        return {k: v for k, v in pairs.items() if v}


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM)


def _read_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(f"{what} is geen geldige datum (JJJJ-MM-DD): {value!r}") from None


def period_for(kind: str, anchor: date) -> Period:
    """The week, month, quarter or year that contains `anchor`."""
    if kind == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return Period(kind, start, start + timedelta(days=7))
    if kind == "maand":
        start = anchor.replace(day=1)
        return Period(kind, start, (start + timedelta(days=32)).replace(day=1))
    if kind == "kwartaal":
        start = date(anchor.year, (anchor.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, (start + timedelta(days=93)).replace(day=1))
    if kind == "jaar":
        return Period(kind, date(anchor.year, 1, 1), date(anchor.year + 1, 1, 1))
    raise PeriodError(f"onbekende periode {kind!r}; kies uit: {', '.join(PERIOD_KINDS)}")


def custom_period(van: str, tot: str) -> Period:
    """From `van` up to and including `tot` (both JJJJ-MM-DD)."""
    start, last = _read_date(van, "'van'"), _read_date(tot, "'tot'")
    if last < start:
        raise PeriodError("'tot' ligt vóór 'van'.")
    if (last - start).days >= MAX_DAYS:
        raise PeriodError("De periode is langer dan vijf jaar; kies een kortere periode.")
    return Period("aangepast", start, last + timedelta(days=1))


def month_period(value: str) -> Period:
    """'2026-11' -> November 2026."""
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        return period_for("maand", date(year, month, 1))
    except ValueError:
        raise PeriodError(f"maand moet de vorm JJJJ-MM hebben, bijv. 2026-11: {value!r}") from None


def parse_period(kind: str | None, van: str | None, tot: str | None, today: date) -> Period:
    """The period picker: `kind` week/maand/kwartaal/jaar around `van` (default today), or `aangepast` van..tot."""
    kind = (kind or "maand").strip()
    if kind == "aangepast":
        if not van or not tot:
            raise PeriodError("Een aangepaste periode heeft een 'van'- en een 'tot'-datum nodig.")
        return custom_period(van, tot)
    anchor = _read_date(van, "'van'") if van else today
    return period_for(kind, anchor)


def parse_filters(official: str | None, label: str | None, platform: str | None) -> Filters:
    """Empty strings mean 'all'; an unknown label is refused (a typo must not show an empty picture)."""
    label = (label or "").strip() or None
    if label is not None and label not in LABELS:
        raise PeriodError(f"onbekende soort {label!r}; kies uit: {', '.join(LABELS)}")
    return Filters((official or "").strip() or None, label, (platform or "").strip().lower() or None)
