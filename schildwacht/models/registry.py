"""Organisations, the officials who opted in, their consent records and their personal links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, false, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schildwacht.models.base import Base, utcnow

GENDERS = ("v", "m", "x")
LINK_PURPOSES = ("invite", "manage")


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # gemeente, provincie, waterschap
    address: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    webhook_url: Mapped[str | None] = mapped_column(Text)
    # Agreed to count in the anonymous national aggregate (triage/statistics/aggregate.py): counts only, no case.
    shares_statistics: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Opt-in: the previous month's report is e-mailed on the first working day (triage/statistics/monthly_mail.py)
    # to `report_recipients` ({"burgemeester"|"griffier"|"veiligheidscoordinator": one e-mail address}).
    report_mail_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    report_recipients: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Official(Base):
    __tablename__ = "officials"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str | None] = mapped_column(String(10))  # self-declared, optional: v, m, x
    email: Mapped[str | None] = mapped_column(String(320))  # where the invite / personal link is sent
    handles: Mapped[dict[str, list[str]]] = mapped_column(JSONB, default=dict)  # {"mastodon": ["@a@b"], ...}
    name_variants: Mapped[list[str]] = mapped_column(JSONB, default=list)
    alert_contacts: Mapped[list[str]] = mapped_column(JSONB, default=list)
    sees_content: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="invited", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None]
    # Set when the retention job minimised a withdrawn official's record (handles, variants, contacts, gender,
    # e-mail and consent scopes cleared) after `retain_withdrawn_official_days`.
    minimised_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    consents: Mapped[list[Consent]] = relationship(back_populates="official", order_by="Consent.given_at")


class Consent(Base):
    """One opt-in: which version of the privacy notice, when, how, recorded by whom, for what scope."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("officials.id"), index=True)
    notice_version: Mapped[str] = mapped_column(String(40))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(80))  # double-opt-in link, paper form, demo seed
    recorded_by: Mapped[str] = mapped_column(String(320))
    scope: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(320))
    withdrawal_method: Mapped[str | None] = mapped_column(String(80))

    official: Mapped[Official] = relationship(back_populates="consents")


class PersonalLink(Base):
    """The server side of a signed link for an official: invite (single use) or manage (until replaced).

    The link itself is an itsdangerous signature over {official, nonce, purpose}; this row makes it single-use
    (used_at) and revocable (revoked_at), and keeps its own expiry next to the signature's max age.
    """

    __tablename__ = "personal_links"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("officials.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # invite, manage
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # the official's choices between choose and confirm
