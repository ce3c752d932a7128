"""Scored mentions, the cases they are grouped into, raw evidence and parked messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schildwacht.models.base import Base, utcnow
from schildwacht.models.registry import Official


class Case(Base):
    """One incident: the flagged posts of one author against one official within a window, or one thread."""

    __tablename__ = "cases"
    # The statistics page reads one organisation's cases of a period (triage/statistics/service.py).
    __table_args__ = (
        Index("ix_cases_organisation_opened", "organisation_id", "opened_at"),
        # the statistics' platform filter (the platform is the author key's prefix); the expression index also gives
        # the planner statistics on that expression, without which it misjudged the filter and chose slow joins
        Index(
            "ix_cases_organisation_platform_opened",
            "organisation_id",
            text("split_part(author_key, ':', 1)"),
            "opened_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("officials.id"), index=True)
    author_key: Mapped[str] = mapped_column(String(500))  # platform:handle
    thread_id: Mapped[str | None] = mapped_column(String(500))
    labels: Mapped[list[str]] = mapped_column(JSONB, default=list)
    severity: Mapped[int] = mapped_column(default=9, index=True)
    status: Mapped[str] = mapped_column(String(30), default="nieuw", index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    claimed_at: Mapped[datetime | None]
    # Legal hold (triage/legal_hold.py): the retention job never deletes a held case. Set by a recorded
    # melding/aangifte or GIR step (database trigger, schildwacht/migrations/sql_extras.py), by staff or at withdrawal;
    # lifted only by a beheerder with a reason. Review is due `legal_hold_review_days` after the later of since and
    # reviewed_at.
    legal_hold: Mapped[bool] = mapped_column(default=False)
    legal_hold_since: Mapped[datetime | None]
    legal_hold_by: Mapped[str | None] = mapped_column(String(320))
    legal_hold_reason: Mapped[str | None] = mapped_column(Text)
    legal_hold_reviewed_at: Mapped[datetime | None]
    # Set together when a case is closed as "geen_actie" (a key of triage.web.casework.DISMISSAL_REASONS plus free
    # text); cleared when the case is reopened.
    dismissal_reason: Mapped[str | None] = mapped_column(String(40))
    dismissal_note: Mapped[str | None] = mapped_column(Text)
    # "Verklaring/impact betrokkene": what the official told staff, carried into the aangifte and the bundle.
    victim_statement: Mapped[str | None] = mapped_column(Text)
    # Set when this case's posts were moved into another case; this case is then closed.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))

    official: Mapped[Official] = relationship()
    mentions: Mapped[list[Mention]] = relationship(back_populates="case", order_by="Mention.created_at")


class Mention(Base):
    """One scored post (unique per platform:post_id).

    Every scored post leaves a row (the processing ledger: scores, model, hashes). Content fields (text, author,
    raw) are kept only for flagged posts, or for unflagged ones within the configured retention window.
    """

    __tablename__ = "mentions"
    __table_args__ = (Index("ix_mentions_author", "platform", "author_handle"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    uid: Mapped[str] = mapped_column(String(450), unique=True)
    platform: Mapped[str] = mapped_column(String(40))
    post_id: Mapped[str] = mapped_column(String(400))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("officials.id"), index=True)
    matched_official_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    url: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(400))
    author_handle: Mapped[str | None] = mapped_column(String(400))
    author_display_name: Mapped[str | None] = mapped_column(String(400))
    author_profile_url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    collected_at: Mapped[datetime]
    collector: Mapped[str] = mapped_column(String(100))
    collector_version: Mapped[str] = mapped_column(String(40))
    in_reply_to_id: Mapped[str | None] = mapped_column(String(400))
    thread_id: Mapped[str | None] = mapped_column(String(400))
    raw_meta: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # RawPayload without the inline bytes
    scores: Mapped[dict[str, float]] = mapped_column(JSONB)
    flags: Mapped[list[str]] = mapped_column(JSONB, default=list)
    spans: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    target_official_id: Mapped[str | None] = mapped_column(String(64))
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(60))
    scored_at: Mapped[datetime]
    flagged: Mapped[bool] = mapped_column(default=False, index=True)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_purged_at: Mapped[datetime | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)

    case: Mapped[Case | None] = relationship(back_populates="mentions")


class EvidenceBlob(Base):
    """Content-addressed bytes: raw platform responses, WARC records, captures."""

    __tablename__ = "evidence_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeadLetterRecord(Base):
    """A parked message from the dead-letter topic, kept so an engineer can inspect and replay it."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    source_topic: Mapped[str | None] = mapped_column(String(200))
    source_partition: Mapped[int | None]
    source_offset: Mapped[int | None] = mapped_column(BigInteger)
    stage: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    uid: Mapped[str | None] = mapped_column(String(450), index=True)
    # The (start of the) payload, kept `retain_dead_letter_payload_days`; then nulled (payload_purged_at) while the
    # reason, sha256 and size stay until the row goes after `retain_dead_letters_days` (triage/registry/retention.py).
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    payload_size: Mapped[int | None] = mapped_column(BigInteger)  # bytes of the original (null: a version 1 letter)
    payload_purged_at: Mapped[datetime | None]
    parked_at: Mapped[datetime]
    dlq_partition: Mapped[int]
    dlq_offset: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("uq_dead_letters_dlq_position", "dlq_partition", "dlq_offset", unique=True),)
