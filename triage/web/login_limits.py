"""How many password guesses a login gets: per account + address, per address, and per account with back-off.

Invariants:
- only password checks count (LoginAttempt rows); a refused (locked) attempt is not recorded, so a lockout does
  not extend itself and nobody lengthens it without guessing;
- the account + address and the address limits are sliding windows of `login_window_minutes`;
- an account with `login_account_max_failures` failures since its last successful login (looking back at most
  ACCOUNT_MEMORY), from whatever addresses, is locked for `login_backoff_base_s * 2**(failures - limit)` seconds
  (at most `login_backoff_max_s`) after its latest failure: every further guess doubles the wait;
- a login reads the limits and records its attempt under transaction locks on its account and on its address
  (`hold_login_locks`), so parallel guesses are checked one after another and no more than a limit allows are
  ever checked;
- the address is the one the server trusts: forwarded headers count only from configured proxies
  (triage.web.serving);
- no attempt younger than `lookback(settings)` is deleted by retention (triage.registry.retention), so a
  retention run never ends a lockout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models.workflow import LoginAttempt

ACCOUNT_MEMORY = timedelta(hours=24)
MAX_DOUBLINGS = 20  # keeps 2**n small; login_backoff_max_s caps the wait long before


# Two-key advisory locks (namespace, key): they share no lock with the one-key locks used elsewhere (cases,
# custody), and an account lock never shares one with an address lock.
_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:space), hashtext(:key))")


@dataclass(frozen=True)
class Lockout:
    scope: str  # "account+adres", "adres" or "account" (for the audit log)
    until: datetime

    def minutes_left(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds() / 60))


def lookback(settings: Settings) -> timedelta:
    """How long a login attempt can still matter to a limit: the longest of the sliding window, the account memory
    and the longest back-off (counted from the latest failure)."""
    return max(
        timedelta(minutes=settings.login_window_minutes),
        ACCOUNT_MEMORY,
        timedelta(seconds=settings.login_backoff_max_s),
    )


def hold_login_locks(db: Session, email: str, ip: str) -> None:
    """Wait for, then hold until the transaction ends, the lock of this account and the lock of this address.

    Call it before `lockout` and commit only after the attempt is recorded: a parallel login of the same account or
    from the same address then sees that attempt. Every login takes the account lock first and the address lock
    second (and no other lock before them), so logins cannot deadlock one another."""
    for space, key in (("schildwacht.login.account", email), ("schildwacht.login.address", ip)):
        db.execute(_LOCK, {"space": space, "key": key})


def _window_lock(db: Session, conditions: tuple, limit: int, window: timedelta, now: datetime) -> datetime | None:
    """When `limit` failures lie within the window: the moment the oldest of them leaves it."""
    times = db.scalars(
        select(LoginAttempt.at)
        .where(*conditions, LoginAttempt.success.is_(False), LoginAttempt.at > now - window)
        .order_by(LoginAttempt.at.desc())
        .limit(limit)
    ).all()
    return times[-1] + window if len(times) >= limit else None


def _account_lock(db: Session, settings: Settings, email: str, now: datetime) -> datetime | None:
    last_success = db.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.success.is_(True))
    )
    since = max(now - ACCOUNT_MEMORY, last_success) if last_success else now - ACCOUNT_MEMORY
    failures, latest = db.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.success.is_(False), LoginAttempt.at > since
        )
    ).one()
    if failures < settings.login_account_max_failures:
        return None
    doublings = min(failures - settings.login_account_max_failures, MAX_DOUBLINGS)
    return latest + timedelta(seconds=min(settings.login_backoff_base_s * 2**doublings, settings.login_backoff_max_s))


def lockout(db: Session, settings: Settings, email: str, ip: str, now: datetime) -> Lockout | None:
    """The lockout in force for a login of `email` from `ip`, the one that lasts longest; None when free."""
    window = timedelta(minutes=settings.login_window_minutes)
    candidates = {
        "account+adres": _window_lock(
            db, (LoginAttempt.email == email, LoginAttempt.ip == ip), settings.login_max_failures, window, now
        ),
        "adres": _window_lock(db, (LoginAttempt.ip == ip,), settings.login_address_max_failures, window, now),
        "account": _account_lock(db, settings, email, now),
    }
    active = [Lockout(scope, until) for scope, until in candidates.items() if until is not None and until > now]
    return max(active, key=lambda lock: lock.until) if active else None
