"""Staff corrections of a post's classifier labels: the read side shared by the case page, the feedback export and
the evidence bundle.

Invariants:
- the model's flags and scores on a mention are evidence and are never changed; a correction is a separate,
  append-only row (schildwacht.models.LabelCorrection);
- a post's corrected labels are its model flags with its corrections applied in id order (`added` puts a label in,
  `removed` takes it out); a post without corrections has no corrected labels (None), not a copy of its flags.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.models import LabelCorrection, StaffUser
from schildwacht.vocabulary import SEVERITY_RANK

ADDED = "added"
REMOVED = "removed"
ACTIONS = (ADDED, REMOVED)


def apply_corrections(flags: Iterable[str], changes: Iterable[tuple[str, str]]) -> list[str]:
    """The labels after the (label, action) changes, applied in the order given (oldest first), most urgent first."""
    labels = set(flags)
    for label, action in changes:
        if action == ADDED:
            labels.add(label)
        else:
            labels.discard(label)
    return sorted(labels, key=lambda lab: (SEVERITY_RANK.get(lab, 9), lab))


def corrections_by_mention(session: Session, mention_ids: Iterable[int]) -> dict[int, list[LabelCorrection]]:
    """The corrections of these posts, per post in id order (posts without any are absent)."""
    ids = sorted(set(mention_ids))
    out: dict[int, list[LabelCorrection]] = {}
    if not ids:
        return out
    rows = session.scalars(
        select(LabelCorrection).where(LabelCorrection.mention_id.in_(ids)).order_by(LabelCorrection.id)
    )
    for row in rows:
        out.setdefault(row.mention_id, []).append(row)
    return out


def correction_records(session: Session, corrections: Sequence[LabelCorrection]) -> list[dict[str, Any]]:
    """The corrections as plain records (author by name, never by e-mail), oldest first."""
    author_ids = {c.author_id for c in corrections}
    names = (
        {
            row.id: row.name
            for row in session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(author_ids)))
        }
        if author_ids
        else {}
    )
    return [
        {
            "label": c.label,
            "action": c.action,
            "reason": c.reason,
            "by": names.get(c.author_id, "onbekend"),
            "at": c.created_at.isoformat(),
        }
        for c in sorted(corrections, key=lambda c: c.id)
    ]
