"""How a handed-over post came in (forwarded mail, upload, `schildwacht intake`): its custody event and its view.

The collector's IntakeReceipt (channel, who handed it over, the file and its sha256, OCR confidence) travels in the
contract's `raw.intake` and is stored with the rest of the raw payload's description in `mentions.raw_meta`.
Invariants: a flagged mention with a receipt adds exactly one 'received_via_intake' event to its case's custody
chain, in the same transaction as the 'created'/'post_added' event that brought it into the case; the actor is
whoever handed the file over; a mention without a receipt (read from a platform) adds none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from schildwacht.models import Mention
from schildwacht.vocabulary import INTAKE_CHANNEL_NL, INTAKE_FORMAT_NL, ocr_warning
from triage.bundle.custody import append_event

KIND = "received_via_intake"


def receipt_of(mention: Mention) -> dict[str, Any] | None:
    """The stored IntakeReceipt of a mention (a dict), or None when it was not handed over."""
    receipt = (mention.raw_meta or {}).get("intake")
    return receipt if isinstance(receipt, dict) else None


def record_receipt(session: Session, case_id: int, mention: Mention) -> None:
    """Append the 'received_via_intake' custody event of a handed-over mention to its case (nothing otherwise)."""
    receipt = receipt_of(mention)
    if receipt is None:
        return
    append_event(
        session,
        case_id,
        KIND,
        str(receipt["handed_over_by"]),
        {
            "mention_uid": mention.uid,
            "channel": receipt["channel"],
            "format": mention.platform,
            "handed_over_by": receipt["handed_over_by"],
            "file_name": receipt["file_name"],
            "file_sha256": receipt["file_sha256"],
            "evidence_sha256": (mention.raw_meta or {}).get("sha256"),
            "received_at": mention.collected_at.isoformat(),
            "ocr_confidence": receipt.get("ocr_confidence"),
        },
    )


def receipt_view(mention: Mention) -> dict[str, Any] | None:
    """The receipt as staff read it on the case page (Dutch), with the OCR warning where the reading is uncertain."""
    receipt = receipt_of(mention)
    if receipt is None:
        return None
    confidence = receipt.get("ocr_confidence")
    return {
        "channel_nl": INTAKE_CHANNEL_NL.get(receipt["channel"], receipt["channel"]),
        "format_nl": INTAKE_FORMAT_NL.get(mention.platform, mention.platform),
        "handed_over_by": receipt["handed_over_by"],
        "file_name": receipt["file_name"],
        "file_sha256": receipt["file_sha256"],
        "ocr_confidence": confidence,
        "ocr_warning": ocr_warning(confidence),
    }
