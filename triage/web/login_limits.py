"""How many password guesses a login gets: per account + address, per address, and per account with back-off.

Invariants:
- only password checks count (LoginAttempt rows); a refused (locked) attempt is not recorded, so a lockout does
  not extend itself and nobody lengthens it without guessing;
- the account + address and the address limits are sliding windows of `login_window_minutes`;
- an account with `login_account_max_failures` failures since its last successful login (looking back at most
  ACCOUNT_MEMORY), from whatever addresses, is locked for `login_backoff_base_s * 2**(failures - limit)` seconds
  (at most `login_backoff_max_s`) after its latest failure: every further guess doubles the wait;
- the address is the one the server trusts: forwarded headers count only from configured proxies
  (triage.web.serving).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from triage.models.workflow import LoginAttempt

ACCOUNT_MEMORY = timedelta(hours=24)
MAX_DOUBLINGS = 20  # keeps 2**n small; login_backoff_max_s caps the wait long before


@dataclass(frozen=True)
class Lockout:
    scope: str  # "account+adres", "adres" or "account" (for the audit log)
    until: datetime

    def minutes_left(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds() / 60))


def _window_lock(db: Session, conditions: tuple, limit: int, window: timedelta, now: datetime) -> datetime | None:
    """When `limit` failures lie within the window: the moment the oldest of them leaves it."""
    times = db.scalars(select(LoginAttempt.at).where(*conditions, LoginAttempt.success.is_(False),
                                                     LoginAttempt.at > now - window)
                       .order_by(LoginAttempt.at.desc()).limit(limit)).all()
    return times[-1] + window if len(times) >= limit else None


def _account_lock(db: Session, settings: Settings, email: str, now: datetime) -> datetime | None:
    last_success = db.scalar(select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email,
                                                                     LoginAttempt.success.is_(True)))
    since = max(now - ACCOUNT_MEMORY, last_success) if last_success else now - ACCOUNT_MEMORY
    failures, latest = db.execute(select(func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(False), LoginAttempt.at > since)).one()
    if failures < settings.login_account_max_failures:
        return None
    doublings = min(failures - settings.login_account_max_failures, MAX_DOUBLINGS)
    return latest + timedelta(seconds=min(settings.login_backoff_base_s * 2 ** doublings,
                                          settings.login_backoff_max_s))


def lockout(db: Session, settings: Settings, email: str, ip: str, now: datetime) -> Lockout | None:
    """The lockout in force for a login of `email` from `ip`, the one that lasts longest; None when free."""
    window = timedelta(minutes=settings.login_window_minutes)
    candidates = {
        "account+adres": _window_lock(db, (LoginAttempt.email == email, LoginAttempt.ip == ip),
                                      settings.login_max_failures, window, now),
        "adres": _window_lock(db, (LoginAttempt.ip == ip,), settings.login_address_max_failures, window, now),
        "account": _account_lock(db, settings, email, now),
    }
    active = [Lockout(scope, until) for scope, until in candidates.items() if until is not None and until > now]
    return max(active, key=lambda lock: lock.until) if active else None
