"""The registry of consenting officials, read from PostgreSQL and refreshed periodically.

Only officials with status "active" are monitored; a withdrawn or paused consent disappears from the
snapshot at the next refresh (at most `refresh_seconds` later), which stops collection for that person.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import select

from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker
from schildwacht.meta_accounts import connected_pages
from schildwacht.models import Official

log = logging.getLogger(__name__)

DEFAULT_REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class OfficialEntry:
    """What collection needs to know about one consenting official."""

    id: str
    full_name: str
    role: str
    handles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    name_variants: tuple[str, ...] = ()


def _entry(official: Official, pages: dict[str, tuple[str, ...]]) -> OfficialEntry:
    """`pages`: the official's connected Facebook pages and Instagram accounts by platform (their Graph ids), so a
    comment answering the official's own post matches as a reply (collectors/spiders/meta.py)."""
    handles = {platform: tuple(str(h) for h in values or ()) for platform, values in (official.handles or {}).items()}
    for platform, ids in pages.items():
        handles[platform] = (*handles.get(platform, ()), *ids)
    return OfficialEntry(
        id=official.id,
        full_name=official.full_name,
        role=official.role,
        handles=handles,
        name_variants=tuple(official.name_variants or ()),
    )


class Registry:
    """A cached snapshot of the active officials that reloads itself when older than `refresh_seconds`."""

    def __init__(self, settings: Settings, refresh_seconds: float = DEFAULT_REFRESH_SECONDS) -> None:
        if not settings.database_url:
            raise ValueError("Geen database ingesteld (DATABASE_URL): het register van bestuurders is nodig.")
        self._engine = make_engine(settings.database_url)
        self._sessions = make_sessionmaker(self._engine)
        self._refresh_seconds = refresh_seconds
        self._loaded_at: float | None = None
        self._officials: tuple[OfficialEntry, ...] = ()

    def officials(self) -> tuple[OfficialEntry, ...]:
        """The active officials, reloaded from the database when the snapshot is stale."""
        now = time.monotonic()
        if self._loaded_at is None or now - self._loaded_at >= self._refresh_seconds:
            self._officials = self._load()
            self._loaded_at = now
        return self._officials

    def _load(self) -> tuple[OfficialEntry, ...]:
        with self._sessions() as session:
            rows = session.scalars(select(Official).where(Official.status == "active").order_by(Official.id)).all()
            pages = connected_pages(session)
            entries = tuple(_entry(o, pages.get(o.id, {})) for o in rows)
        log.info("register geladen: %d actieve bestuurders", len(entries))
        return entries

    def close(self) -> None:
        self._engine.dispose()
