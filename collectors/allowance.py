"""A spider's view of its platform allowance and pause (schildwacht/collector_allowance.py keeps the rules).

Invariants: `spend` is called with what the platform answered (posts read, quota units), right when it answered;
`reserve`/`release` keep requests in flight from promising more than the allowance has left, so a crawl never asks
for more than the remainder; a spider checks `held()` before its first request and collects nothing while held.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from schildwacht import collector_allowance as rules
from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker

log = logging.getLogger(__name__)


class SourceAllowance:
    """The allowance of one source (`x`, `youtube`) with `limit` units per period, read from and counted in
    PostgreSQL."""

    def __init__(self, settings: Settings, source: str, limit: int) -> None:
        if not settings.database_url:
            raise ValueError("Geen database ingesteld (DATABASE_URL): het verbruik van de bronnen wordt daar bewaard.")
        self.source = source
        self.limit = limit
        self.credential = rules.configured_credential(settings, source)
        self._engine = make_engine(settings.database_url)
        self._sessions = make_sessionmaker(self._engine)
        self._reserved = 0

    def held(self) -> str | None:
        """The Dutch reason this source is paused now, or None."""
        with self._sessions() as session:
            row = rules.active_pause(session, self.source, self.credential, datetime.now(UTC))
            return row.reason if row is not None else None

    def pause(self, reason: str, until: datetime | None) -> None:
        """Pause the source until `until` (None: until another credential is configured)."""
        with self._sessions.begin() as session:
            rules.pause(session, self.source, reason, until, self.credential if until is None else None)
        log.error("bron %s gepauzeerd: %s", self.source, reason)

    def left(self) -> int:
        """Units left in this period, less what requests in flight may still use."""
        with self._sessions() as session:
            used = rules.used(session, self.source, datetime.now(UTC))
        return max(0, self.limit - used - self._reserved)

    def reserve(self, amount: int) -> None:
        self._reserved += amount

    def release(self, amount: int) -> None:
        self._reserved = max(0, self._reserved - amount)

    def spend(self, amount: int) -> int:
        """Count `amount` units used now; returns the period's total."""
        with self._sessions.begin() as session:
            return rules.add_usage(session, self.source, amount, datetime.now(UTC))

    def period_end(self) -> datetime:
        return rules.period_end(self.source, datetime.now(UTC))

    def close(self) -> None:
        self._engine.dispose()
