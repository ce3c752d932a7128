"""Evidence handling: the per-case chain of custody, re-captures of flagged posts, organisation signing keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from schildwacht.models.base import Base, utcnow

CUSTODY_KINDS = (
    "created",
    "post_added",
    "captured",
    "viewed",
    "status_changed",
    "assigned",
    "exported",
    "note",
    "attachment_added",
    "received_via_intake",  # a handed-over file (mail, upload, `schildwacht intake`): channel and who handed it over
)
CAPTURE_STATUSES = ("ok", "partial", "failed")


class CustodyEvent(Base):
    """One link in a case's hash chain. Append-only: the migration refuses UPDATE and DELETE."""

    __tablename__ = "custody_events"
    __table_args__ = (Index("uq_custody_events_case_seq", "case_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(320))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Capture(Base):
    """One attempt to capture a flagged post again from the platform; failures are kept with their error."""

    __tablename__ = "captures"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # ok, partial, failed
    error: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    tool: Mapped[str] = mapped_column(String(200))  # e.g. "schildwacht-capture/0.1.0 httpx chromium/131"
    # sha256 references into evidence_blobs; None when that part was not obtained.
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    warc_sha256: Mapped[str | None] = mapped_column(String(64))
    html_sha256: Mapped[str | None] = mapped_column(String(64))
    screenshot_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))


class CaseAttachment(Base):
    """A file staff added to a case (a screenshot, an e-mail the official forwarded). The bytes are an evidence blob,
    addressed by the sha256 computed on upload; the upload is an 'attachment_added' custody event."""

    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, for display only; never a path
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(320))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrganisationKey(Base):
    """Public half of an organisation's Ed25519 signing key; the private half lives only in the key directory."""

    __tablename__ = "organisation_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(20), default="ed25519")
    public_key_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the raw public key
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime | None]  # None: the current key
    created_by: Mapped[str] = mapped_column(String(320))
    # Set when the key is (feared) compromised: verifiers then refuse every bundle it signed. Implies valid_until.
    revoked_at: Mapped[datetime | None]
