"""Collector state (owned by `collectors`): feed cursors (the last position per feed that Kafka confirmed), the
platform allowances used per period, and paused sources."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schildwacht.models.base import Base, utcnow


class CollectorCursor(Base):
    """One feed position, e.g. "mastodon:<instance>:account:<id>" -> newest confirmed status id."""

    __tablename__ = "collector_cursors"

    key: Mapped[str] = mapped_column(String(1000), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CollectorUsage(Base):
    """How much of a platform's allowance one source used in one period: X posts read per month ("2026-12"),
    YouTube quota units per Pacific day ("2026-12-06"). Counted when the platform answered, whatever became of it."""

    __tablename__ = "collector_usage"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CollectorPause(Base):
    """A source that collects nothing for now, with the Dutch reason staff see. `until` None: until the credential
    changes (`credential_sha256` is the sha256 of the one that was refused; another credential resumes)."""

    __tablename__ = "collector_pauses"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[datetime | None]
    credential_sha256: Mapped[str | None] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(default=utcnow)
