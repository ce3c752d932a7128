"""Removal records for collected posts of any platform (X, YouTube), kept on the same status table as Meta's
comments (`meta_comments`, schildwacht/models/meta.py) with `account_id` NULL.

Invariants:
- a post is recorded as seen once, when it is collected; later sightings change nothing;
- only a post recorded as seen can be recorded as removed, and only once (`removed_at` is never undone or moved);
- nothing here deletes evidence: a removal is one more fact about a post already kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from schildwacht.db import make_engine, make_sessionmaker
from schildwacht.models import MetaComment
from schildwacht.models.base import utcnow


class RemovalLog:
    """Seen/removed records of one collector run (opens its own engine; `close()` disposes it)."""

    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url)
        self.sessions = make_sessionmaker(self.engine)

    def seen(self, uid: str, official_id: str, object_id: str, details: dict[str, Any]) -> None:
        """Record a collected post (once) under `object_id` (what it was found under: a walk key or thread)."""
        statement = insert(MetaComment).values(
            uid=uid,
            official_id=official_id,
            account_id=None,
            object_id=object_id,
            first_seen_at=utcnow(),
            details=details,
        )
        with self.sessions.begin() as session:
            session.execute(statement.on_conflict_do_nothing(index_elements=[MetaComment.uid]))

    def live(self, object_id: str) -> list[MetaComment]:
        """Posts seen under `object_id` and not known to be removed."""
        with self.sessions.begin() as session:
            rows = session.scalars(
                select(MetaComment).where(MetaComment.object_id == object_id, MetaComment.removed_at.is_(None))
            ).all()
            session.expunge_all()
            return list(rows)

    def removed(self, uid: str, via: str, seen_at: str, now: datetime | None = None) -> bool:
        """Record that a collected post is gone (`via`: how it was noticed); returns whether this was news."""
        with self.sessions.begin() as session:
            result = session.execute(
                update(MetaComment)
                .where(MetaComment.uid == uid, MetaComment.removed_at.is_(None))
                .values(
                    removed_at=now or utcnow(),
                    removed_via=via,
                    details=MetaComment.details.op("||")({"removed_seen": seen_at}),
                )
            )
            return bool(getattr(result, "rowcount", 0))

    def close(self) -> None:
        self.engine.dispose()
