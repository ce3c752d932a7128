"""Deleting and purging personal data: mention content, whole cases, evidence nobody refers to any more.

Shared by withdrawal (service.withdraw) and the retention job (retention.run_retention). Everything here only
flushes; the caller owns the transaction. audit_events is append-only and is never touched.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from schildwacht.dml import affected_rows
from schildwacht.models import Base, Case, IntakeUpload, Mention
from schildwacht.models.base import utcnow
from schildwacht.models.evidence import Capture, CustodyEvent

# What is removed from a mention when its content is purged; the ledger (uid, hashes, scores, model) stays.
CONTENT_VALUES: dict[str, object] = dict(
    url=None, text=None, author_id=None, author_handle=None, author_display_name=None, author_profile_url=None, spans=[]
)
CAPTURE_HASH_COLUMNS = ("raw_sha256", "warc_sha256", "html_sha256", "screenshot_sha256", "pdf_sha256")
_HANDLED = {"mentions", "cases", "captures", "custody_events", "audit_events"}


def purge_mention_content(session: Session, *conditions, now: datetime | None = None) -> int:
    """Null the content fields of the mentions matching `conditions` that still hold content; returns the count."""
    now = now or utcnow()
    result = session.execute(
        update(Mention)
        .where(Mention.content_purged_at.is_(None), *conditions)
        .values(content_purged_at=now, **CONTENT_VALUES)
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result) or 0


UPLOAD_WITHDRAWN = "Niet verwerkt: de ambtsdrager heeft de toestemming ingetrokken."


def drop_uploads(session: Session, official_id: str, now: datetime) -> int:
    """Empty the bytes and the note of every file staff uploaded for `official_id` (web page "Melding toevoegen");
    one still waiting is closed unread, so the uploads spider never takes it in. The receipt (file name, sha256,
    size, uploader, times) stays. Returns how many uploads held bytes or a note."""
    result = session.execute(
        update(IntakeUpload)
        .where(IntakeUpload.official_id == official_id)
        .where((IntakeUpload.data.is_not(None)) | (IntakeUpload.note.is_not(None)))
        .values(
            data=None,
            note=None,
            processed_at=func.coalesce(IntakeUpload.processed_at, now),
            result=func.coalesce(IntakeUpload.result, UPLOAD_WITHDRAWN),
        )
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result) or 0


def dependents(table_name: str) -> list[tuple]:
    """(table, column) pairs of other models with a foreign key into `table_name` (e.g. an alert outbox)."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in _HANDLED:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == table_name:
                found.append((table, fk.parent))
    return found


def delete_cases(session: Session, case_ids: Collection[int]) -> dict[str, int]:
    """Delete cases with their mentions, captures, custody chain and rows of other tables that point at them."""
    counts = {"cases": 0, "mentions": 0, "captures": 0, "custody_events": 0}
    ids = sorted(set(case_ids))
    if not ids:
        return counts
    mention_ids = list(session.scalars(select(Mention.id).where(Mention.case_id.in_(ids))))
    for table, column in dependents("mentions"):
        if mention_ids:
            session.execute(table.delete().where(column.in_(mention_ids)))
    for table, column in dependents("cases"):
        session.execute(table.delete().where(column.in_(ids)))
    if mention_ids:
        counts["captures"] = affected_rows(session.execute(delete(Capture).where(Capture.mention_id.in_(mention_ids))))
    n_custody = session.scalar(select(func.count()).select_from(CustodyEvent).where(CustodyEvent.case_id.in_(ids)))
    if n_custody:
        # The chain of custody is append-only for everyone else; the chain of a case that is itself deleted goes
        # with it. The guard (schildwacht/migrations/sql_extras.py) lets this transaction, and only it, delete.
        session.execute(text("SET LOCAL schildwacht.purge = 'case'"))
        counts["custody_events"] = affected_rows(
            session.execute(delete(CustodyEvent).where(CustodyEvent.case_id.in_(ids)))
        )
        session.execute(text("RESET schildwacht.purge"))
    counts["mentions"] = affected_rows(session.execute(delete(Mention).where(Mention.case_id.in_(ids))))
    counts["cases"] = affected_rows(session.execute(delete(Case).where(Case.id.in_(ids))))
    session.expire_all()
    return counts


def delete_orphan_blobs(session: Session) -> int:
    """Delete evidence blobs that no mention still holding content, no capture and no other row refers to.

    A purged mention keeps its hashes in raw_meta (the ledger) but no longer counts as a reference: the raw bytes
    are content. Returns the number of blobs deleted.
    """
    captures = " OR ".join(f"c.{col} = b.sha256" for col in CAPTURE_HASH_COLUMNS)
    others = "".join(
        f" AND NOT EXISTS (SELECT 1 FROM {t.name} x WHERE x.{c.name} = b.sha256)"
        for t, c in dependents("evidence_blobs")
    )
    result = session.execute(
        text(f"""
        DELETE FROM evidence_blobs b
        WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.content_purged_at IS NULL AND m.raw_meta IS NOT NULL
                          AND (m.raw_meta->>'sha256' = b.sha256 OR m.raw_meta->>'warc_sha256' = b.sha256))
          AND NOT EXISTS (SELECT 1 FROM captures c WHERE {captures}){others}
    """)
    )
    return affected_rows(result) or 0
