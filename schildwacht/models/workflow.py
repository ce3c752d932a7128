"""Triage workflow: Steunpakket checklist steps, case notes and links, the alert outbox and login attempts (rate
limiting)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from schildwacht.models.base import Base, utcnow

# Steunpakket online haat: the steps a support worker ticks off, in order (key, Dutch label).
WORKFLOW_STEPS: tuple[tuple[str, str], ...] = (
    ("bewijs_vastgelegd", "Bewijs vastgelegd"),
    ("intern_gemeld", "Intern gemeld (burgemeester/griffier)"),
    ("gemeld_bij_platform", "Gemeld bij platform (referentie)"),
    ("nazorg", "Nazorg (contact vastgelegd)"),
    ("melding_aangifte", "Melding/aangifte bij politie (registratienummer, VPT-code)"),
    ("gir_geregistreerd", "Geregistreerd in GIR"),
)
STEP_KEYS = tuple(k for k, _ in WORKFLOW_STEPS)


class CaseStep(Base):
    """One completed Steunpakket step of a case (one row per step; redoing it updates the row)."""

    __tablename__ = "case_steps"
    __table_args__ = (Index("uq_case_steps_case_step", "case_id", "step", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_by: Mapped[str] = mapped_column(String(320))
    reference: Mapped[str | None] = mapped_column(String(400))  # platform ref, police registration number, GIR nr
    vpt_code: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    # gemeld_bij_platform only: when the platform answered the notice (DSA); null while unanswered.
    platform_answered_at: Mapped[datetime | None]
    # gemeld_bij_platform only: the platform's answer (vocabulary.PLATFORM_ANSWERS) and its reference, as staff
    # recorded them; "geen_reactie" leaves `platform_answered_at` empty (the notice counts as unanswered).
    platform_answer: Mapped[str | None] = mapped_column(String(20))
    platform_answer_reference: Mapped[str | None] = mapped_column(String(400))
    # True when Schildwacht recorded the step itself from what it did (triage/autosteps.py: evidence captured, alert
    # mail accepted, case in a GIR export); `done_by` is then the system actor. A staff correction sets it False.
    automatic: Mapped[bool] = mapped_column(default=False)


class MonthlyReportMailing(Base):
    """The monthly report of one organisation for one month (`month` = "2026-11"), e-mailed at most once: the row
    is claimed (`claimed_until`) before any mail goes out, each accepted recipient is added to `delivered` and
    committed at once, and `sent_at` closes it. A restart resumes with the recipients not yet in `delivered`."""

    __tablename__ = "monthly_report_mailings"
    __table_args__ = (Index("uq_monthly_report_mailings_org_month", "organisation_id", "month", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    month: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[list[str]] = mapped_column(JSONB, default=list)  # addresses whose server accepted the mail
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    sent_by: Mapped[str | None] = mapped_column(String(320))  # "system:monthly-report" or "cli:<who>"


class CaseNote(Base):
    """A staff note on a case: free text, timestamped, written by one staff user (shown by name)."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LabelCorrection(Base):
    """A staff correction of one classifier label on one post: `added` or `removed`, with the reason.

    Append-only: the post's corrected labels are its model flags with the corrections applied in id order
    (triage/label_corrections.py). The model's flags and scores on the mention are evidence and never change."""

    __tablename__ = "label_corrections"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)  # the case it was corrected on
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    label: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(10))  # added, removed
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseLink(Base):
    """Two related cases of one organisation (stored once, with case_id < other_case_id)."""

    __tablename__ = "case_links"
    __table_args__ = (Index("uq_case_links_pair", "case_id", "other_case_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertOutbox(Base):
    """A pending or sent alert about a threat/doxxing case (transactional outbox: never lost)."""

    __tablename__ = "alert_outbox"
    __table_args__ = (Index("uq_alert_outbox_case_label", "case_id", "label", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    label: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(30))  # nieuw, escalatie
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # settled channels: "mail:x" / "hook:y" delivered, "refused:<stored value>" refused for good
    delivered: Mapped[list[str]] = mapped_column(JSONB, default=list)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class LoginAttempt(Base):
    """Failed and successful logins, for the login limits per account, per address and per both
    (triage.web.login_limits). `email` is the normalised form; `ip` the client address as the server trusts it."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_ip_at", "email", "ip", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    success: Mapped[bool] = mapped_column(default=False)
