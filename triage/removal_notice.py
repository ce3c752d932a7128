"""Whether a collected post was removed on its platform since (deleted by the platform or its author), as staff see
it beside the post. The record is `meta_comments` (schildwacht/removals.py, schildwacht/meta_accounts.py), keyed by
the post's uid; a post without a record, or not removed, has no notice. Reading it changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import object_session

from schildwacht.models import Mention, MetaComment


def removed_at(mention: Mention) -> str | None:
    """When the removal of `mention` was noticed (ISO 8601), or None."""
    session = object_session(mention)
    record = session.get(MetaComment, mention.uid) if session is not None else None
    return record.removed_at.isoformat() if record is not None and record.removed_at is not None else None
