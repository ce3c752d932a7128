"""Collector feed cursors: the last position per feed that Kafka confirmed (owned by `collectors`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schildwacht.models.base import Base, utcnow


class CollectorCursor(Base):
    """One feed position, e.g. "mastodon:<instance>:account:<id>" -> newest confirmed status id."""

    __tablename__ = "collector_cursors"

    key: Mapped[str] = mapped_column(String(1000), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
