"""`schildwacht feedback export`: staff decisions as labelled examples for improving the classifier.

Purpose and lawful basis (docs/privacy/dpia.md, "Modelverbetering"): improving the accuracy of the classifier that
protects the organisation's own officials is part of the same public task (AVG art. 6(1)(e)), a compatible further
use under art. 6(4); it is a second purpose and named as such. Invariants of the export:
- one organisation per export (required), never a pool of organisations;
- only posts of cases staff closed themselves: `afgerond` (confirmed) or `geen_actie` (false positive);
- only what the retention schedule still keeps at export time (not past its window, content not purged), and each
  example says when its source is deleted (`delete_by`, absent for a case on legal hold): the copy goes by then;
- dismissed posts (often harsh but legitimate criticism) are exported without text, author or spans: their scores
  and predicted labels suffice to calibrate thresholds; confirmed posts carry their text, never an author;
- a post staff corrected (triage/label_corrections.py) takes its corrected labels as its training labels, with
  `label_source: "correction"` (otherwise "decision"); a dismissed post whose correction leaves a label carries its
  text too (staff judged it hateful, so it is no longer legitimate criticism); reasons and names stay out;
- every export is audited with the organisation and the count.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.contracts import FEEDBACK_FORMAT
from schildwacht.models import Case, Mention
from schildwacht.models.base import utcnow
from schildwacht.vocabulary import LABELS, CaseStatus
from triage import audit
from triage.label_corrections import apply_corrections, corrections_by_mention
from triage.registry.retention import case_expiry


def feedback_examples(
    session: Session, settings: Settings, organisation_id: str, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The organisation's labelled examples (module docstring), oldest case first."""
    now = now or utcnow()
    query = (
        select(Mention, Case)
        .join(Case, Mention.case_id == Case.id)
        .where(
            Case.organisation_id == organisation_id,
            Case.status.in_((CaseStatus.AFGEROND.value, CaseStatus.GEEN_ACTIE.value)),
            Mention.content_purged_at.is_(None),
        )
        .order_by(Case.id, Mention.id)
    )
    rows = session.execute(query).all()
    corrections = corrections_by_mention(session, [mention.id for mention, _ in rows])
    for mention, case in rows:
        expiry = case_expiry(case, settings)
        if expiry is not None and expiry <= now:
            continue  # retention would already have deleted it
        confirmed = case.status == CaseStatus.AFGEROND
        flags = set(mention.flags or [])
        changes = [(c.label, c.action) for c in corrections.get(mention.id, [])]
        corrected = apply_corrections(flags, changes) if changes else None
        training = set(corrected) if corrected is not None else (flags if confirmed else set())
        yield {
            "format": FEEDBACK_FORMAT,
            "organisation_id": organisation_id,
            "text": mention.text if confirmed or corrected else None,
            "labels": {label: int(label in training) for label in LABELS},
            "label_source": "correction" if corrected is not None else "decision",
            "decision": "confirmed" if confirmed else "false_positive",
            "case_status": case.status,
            "dismissal_reason": case.dismissal_reason,
            "case_id": case.id,
            "uid": mention.uid,
            "platform": mention.platform,
            "predicted": sorted(flags),
            "scores": mention.scores,
            "model": {"name": mention.model_name, "version": mention.model_version},
            "decided_at": case.updated_at.isoformat(),
            "delete_by": expiry.isoformat() if expiry else None,
        }


def write_feedback(
    session: Session, out: IO[str], settings: Settings, organisation_id: str, actor: str = "system:cli"
) -> int:
    """Write the examples as JSON lines to `out`, audit the export (`feedback.export`) and commit; returns the count."""
    count = 0
    texts = 0
    for example in feedback_examples(session, settings, organisation_id):
        out.write(json.dumps(example, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
        texts += example["text"] is not None
    audit.record(
        session,
        actor=actor,
        organisation_id=organisation_id,
        action="feedback.export",
        object_type="feedback",
        object_id=organisation_id,
        details={"examples": count, "with_text": texts, "format": FEEDBACK_FORMAT},
    )
    session.commit()
    return count
