"""Steunpakket steps that Schildwacht records itself, from what it demonstrably did, with that evidence as the note.

- "bewijs_vastgelegd": every flagged post of the case was captured at collection (raw bytes with their sha256) and
  captured again on flag with status "ok" (`record_evidence_captured`, called by the capture); never while any
  capture of the case failed or is partial.
- "intern_gemeld": the alert mail was accepted by the mail server (`record_alert_mailed`, called by the alert
  dispatcher after the SMTP server said 250); never for a bounce, a refusal or a webhook.
- "gir_geregistreerd": the case was part of a GIR export (`record_gir_export`, called by that export).

Invariants: only the steps in AUTOMATIC_STEPS are ever recorded here; the steps that need a person's judgement
(platform report, aftercare, aangifte) never are. A step a person recorded or corrected (`automatic` False) is never
overwritten. Every recording is audited ("case.step", details `automatic: true`) and appended to the custody chain.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.models import Case, Mention
from schildwacht.models.base import utcnow
from schildwacht.models.evidence import Capture
from schildwacht.models.workflow import CaseStep
from schildwacht.vocabulary import amsterdam_time
from triage import audit

AUTOMATIC_STEPS = ("bewijs_vastgelegd", "intern_gemeld", "gir_geregistreerd")
CAPTURE_ACTOR = "system:capture"
ALERT_ACTOR = "system:alerts"
GIR_ACTOR_PREFIX = "gir-export:"
SYSTEM_ACTOR_NL = {
    CAPTURE_ACTOR: "Schildwacht (bewijsvastlegging)",
    ALERT_ACTOR: "Schildwacht (alarmmail)",
}
"""How a system actor is shown to staff; a GIR export shows who exported (`actor_nl`)."""


def actor_nl(done_by: str, names: dict[str, str] | None = None) -> str:
    """Who or what recorded an automatic step, in Dutch ("Schildwacht (alarmmail)", "GIR-export door Anna")."""
    if done_by in SYSTEM_ACTOR_NL:
        return SYSTEM_ACTOR_NL[done_by]
    if done_by.startswith(GIR_ACTOR_PREFIX):
        who = done_by.removeprefix(GIR_ACTOR_PREFIX)
        return f"GIR-export door {(names or {}).get(who, who)}"
    return (names or {}).get(done_by, done_by)


def record_automatic(
    session: Session, case_id: int, step: str, actor: str, note: str, reference: str | None = None
) -> bool:
    """Record (or refresh) an automatic step; False when a person already recorded it (then nothing changes).

    The caller commits."""
    if step not in AUTOMATIC_STEPS:
        raise ValueError(f"{step} is never recorded automatically")
    case = session.get(Case, case_id)
    if case is None:
        return False
    row = session.scalars(
        select(CaseStep).where(CaseStep.case_id == case_id, CaseStep.step == step).with_for_update()
    ).first()
    if row is not None and not row.automatic:
        return False
    if row is None:
        row = CaseStep(case_id=case_id, organisation_id=case.organisation_id, step=step, done_by=actor, automatic=True)
        session.add(row)
    elif row.note == note and row.reference == reference:
        return True  # nothing new happened: no second audit event
    row.done_at, row.done_by, row.note, row.reference, row.automatic = utcnow(), actor, note, reference, True
    session.flush()
    audit.record_case(
        session,
        actor=actor,
        organisation_id=case.organisation_id,
        action="case.step",
        case_id=case_id,
        details={"case_id": case_id, "step": step, "automatic": True, "reference": reference, "note": note},
    )
    return True


def _latest_capture(session: Session, mention_id: int) -> Capture | None:
    return session.scalars(
        select(Capture).where(Capture.mention_id == mention_id).order_by(Capture.id.desc()).limit(1)
    ).first()


def evidence_note(session: Session, case_id: int) -> str | None:
    """The hashes of both captures of every flagged post of the case, or None while any post lacks a successful
    capture at collection (raw sha256) or on flag (latest capture "ok")."""
    posts = session.scalars(
        select(Mention).where(Mention.case_id == case_id, Mention.flagged.is_(True)).order_by(Mention.id)
    ).all()
    if not posts:
        return None
    lines = []
    for post in posts:
        collected = (post.raw_meta or {}).get("sha256")
        capture = _latest_capture(session, post.id)
        if not collected or capture is None or capture.status != "ok":
            return None
        parts = [f"verzameling sha256 {collected}"]
        parts += [
            f"{name} sha256 {sha}"
            for name, sha in (
                ("ruwe respons", capture.raw_sha256),
                ("WARC", capture.warc_sha256),
                ("schermafbeelding", capture.screenshot_sha256),
                ("PDF", capture.pdf_sha256),
            )
            if sha
        ]
        lines.append(f"{post.uid}: " + "; ".join(parts))
    return "\n".join(lines)


def record_evidence_captured(session: Session, case_id: int) -> bool:
    """Record "bewijs vastgelegd" when both captures of every flagged post succeeded; True when recorded."""
    note = evidence_note(session, case_id)
    if note is None:
        return False
    return record_automatic(session, case_id, "bewijs_vastgelegd", CAPTURE_ACTOR, note)


def record_alert_mailed(session: Session, case_id: int, recipients: Iterable[str], at: datetime | None = None) -> bool:
    """Record "intern gemeld": the mail server accepted the alert mail for `recipients` (at `at`)."""
    recipients = sorted(set(recipients))
    if not recipients:
        return False
    when = amsterdam_time(at or utcnow())
    note = f"Alarmmail aangenomen door de mailserver op {when} Nederlandse tijd voor: {', '.join(recipients)}"
    return record_automatic(session, case_id, "intern_gemeld", ALERT_ACTOR, note, reference=", ".join(recipients))


def record_gir_export(session: Session, case_ids: Iterable[int], actor: str) -> int:
    """Record "geregistreerd in GIR" for every case of a GIR export made by `actor`; returns how many were recorded.

    The caller has scoped `case_ids` to one organisation and commits."""
    when = amsterdam_time(utcnow())
    note = f"Opgenomen in de GIR-export van {when} Nederlandse tijd."
    return sum(
        record_automatic(session, int(case_id), "gir_geregistreerd", GIR_ACTOR_PREFIX + actor, note)
        for case_id in sorted(set(case_ids))
    )
