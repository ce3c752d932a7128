"""Files staff upload in the web app for the intake stage (screenshots, e-mails, chat exports) until it reads them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schildwacht.models.base import Base, utcnow


class IntakeUpload(Base):
    """One uploaded file waiting for, or handled by, the collectors' intake stage (spider `uploads`).

    The web app only stores the bytes (hashed on receipt) with who uploaded them for which official; the intake
    stage reads them like `schildwacht intake` does (OCR, parsing, matching, Kafka) and then sets `processed_at`
    and `result` and empties `data`: from then on the file lives on as the evidence of its mentions (or in the
    dead letter that parked it), never here."""

    __tablename__ = "intake_uploads"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("officials.id"))
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned; for display and the file type only
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    note: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(320))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    result: Mapped[str | None] = mapped_column(Text)  # Dutch, e.g. "1 bericht doorgestuurd, 0 geparkeerd"
