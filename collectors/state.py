"""Feed cursors (last confirmed position per feed), stored in PostgreSQL (table collector_cursors)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from schildwacht.config import Settings
from schildwacht.db import make_engine, make_sessionmaker
from schildwacht.models.base import utcnow
from schildwacht.models.collector_state import CollectorCursor


class CursorStore:
    """Key/value positions such as "mastodon:<instance>:account:<id>" -> last confirmed status id."""

    def __init__(self, database_url: str) -> None:
        self._engine = make_engine(database_url)
        self._sessions = make_sessionmaker(self._engine)

    @classmethod
    def for_settings(cls, settings: Settings) -> CursorStore:
        if not settings.database_url:
            raise ValueError("Geen database ingesteld (DATABASE_URL): cursors van de verzamelaars worden daar bewaard.")
        return cls(settings.database_url)

    def get(self, key: str) -> str | None:
        """The stored position, or None when the feed was never collected."""
        with self._sessions() as session:
            row = session.get(CollectorCursor, key)
            return row.value if row else None

    def with_prefix(self, prefix: str) -> dict[str, str]:
        """Every stored position whose key starts with `prefix` (literally: no wildcards)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(CollectorCursor).where(CollectorCursor.key.startswith(prefix, autoescape=True))
            )
            return {row.key: row.value for row in rows}

    def set(self, key: str, value: str) -> None:
        """Store a position (committed before returning)."""
        statement = insert(CollectorCursor).values(key=key, value=value, updated_at=utcnow())
        statement = statement.on_conflict_do_update(
            index_elements=[CollectorCursor.key], set_={"value": value, "updated_at": utcnow()}
        )
        with self._sessions.begin() as session:
            session.execute(statement)

    def close(self) -> None:
        self._engine.dispose()
