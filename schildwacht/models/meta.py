"""Facebook pages and Instagram professional accounts that officials connected (Meta Graph API), the OAuth
round trips in flight, and the comments seen there with what became of them (hidden, removed).

Invariants:
- a page access token is only ever stored encrypted (`token_ciphertext`, Fernet, `schildwacht.meta_tokens`);
  disconnecting and withdrawing consent set it to NULL, so nothing can collect with it again;
- an account row is never deleted: status `disconnected` with the moment and who did it stays as the record;
- a comment row (`meta_comments`) is a status record of evidence: hidden and removed are set once, never undone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from schildwacht.models.base import Base, utcnow


class MetaAccount(Base):
    """One Facebook page an official connected, with the Instagram professional account linked to it (if any)."""

    __tablename__ = "meta_accounts"
    __table_args__ = (UniqueConstraint("official_id", "page_id", name="uq_meta_accounts_official_page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("officials.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    page_id: Mapped[str] = mapped_column(String(64), index=True)
    page_name: Mapped[str] = mapped_column(String(300))
    instagram_id: Mapped[str | None] = mapped_column(String(64), index=True)
    instagram_username: Mapped[str | None] = mapped_column(String(300))
    token_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="connected")  # vocabulary.MetaAccountStatus
    problem: Mapped[str | None] = mapped_column(Text)  # Dutch, shown to the official and staff
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    disconnected_at: Mapped[datetime | None]
    disconnected_by: Mapped[str | None] = mapped_column(String(320))


class MetaOAuthState(Base):
    """One connect attempt between the official's click and Meta's redirect back (single use, short-lived).

    Only the sha256 of the state parameter is kept; the personal link to return to is kept encrypted."""

    __tablename__ = "meta_oauth_states"

    state_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("officials.id"), index=True)
    link_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class MetaComment(Base):
    """A comment collected from a connected account (uid `facebook:<id>` / `instagram:<id>`) and its fate; also the
    removal record of X posts and YouTube comments (`x:<id>`, `youtube:<id>`, account_id NULL; see
    schildwacht/removals.py)."""

    __tablename__ = "meta_comments"

    uid: Mapped[str] = mapped_column(String(200), primary_key=True)
    official_id: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("meta_accounts.id"), index=True)
    object_id: Mapped[str] = mapped_column(String(200))  # the post or media it was left under
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_via: Mapped[str | None] = mapped_column(String(40))  # poll (gone on re-read) or webhook (verb remove)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
