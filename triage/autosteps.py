"""Steunpakket steps that Schildwacht records itself, from what it demonstrably did, with that evidence as the note.

- "bewijs_vastgelegd": every flagged post of the case was captured at collection (raw bytes with their sha256) and
  captured again on flag with status "ok" (`record_evidence_captured`, called by the capture); never while any
  capture of the case failed or is partial.
- "intern_gemeld": the alert mail was accepted by the mail server (`record_alert_mailed`, called by the alert
  dispatcher after the SMTP server said 250); never for a bounce, a refusal or a webhook.
- "gir_geregistreerd": the case was part of a GIR export (`record_gir_export`, called by that export; it writes the
  same rows as `record_automatic` would case by case, in bulk).

Invariants: only the steps in AUTOMATIC_STEPS are ever recorded here; the steps that need a person's judgement
(platform report, aftercare, aangifte) never are. A step a person recorded or corrected (`automatic` False) is never
overwritten. Every recording is audited ("case.step", details `automatic: true`) and appended to the custody chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Integer, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.orm import Session

from schildwacht.models import AuditEvent, Case, Mention
from schildwacht.models.base import utcnow
from schildwacht.models.evidence import Capture, CustodyEvent
from schildwacht.models.workflow import CaseStep
from schildwacht.vocabulary import amsterdam_time
from triage import audit
from triage.bundle import custody

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


def gir_note(at: datetime) -> str:
    """The note of a "geregistreerd in GIR" step recorded by an export made at `at`."""
    return f"Opgenomen in de GIR-export van {amsterdam_time(at)} Nederlandse tijd."


def record_gir_export(session: Session, case_ids: Iterable[int], actor: str, at: datetime | None = None) -> int:
    """Record "geregistreerd in GIR" for every case of a GIR export made by `actor` (at `at`, default now); returns
    how many were recorded.

    Same rows as `record_automatic` case by case (a person's step is left alone and not counted; an automatic step
    with the same note counts but gets no second audit event), written in bulk: the steps with one INSERT and one
    UPDATE, the audit events and the custody events with one multi-row INSERT each, so a year of cases takes
    seconds. The caller has scoped `case_ids` to one organisation and commits."""
    ids = sorted({int(case_id) for case_id in case_ids})
    if not ids:
        return 0
    custody.lock_all_chains(session)  # first, before any write of this transaction could hold a single chain's lock
    now = at or utcnow()
    step, done_by, note = "gir_geregistreerd", GIR_ACTOR_PREFIX + actor, gir_note(now)
    wanted = bindparam("ids", ids, type_=ARRAY(Integer))
    cases = session.execute(select(Case.id, Case.organisation_id).where(Case.id == any_(wanted)))
    organisation = {row.id: row.organisation_id for row in cases}
    existing = {
        row.case_id: row
        for row in session.execute(
            select(CaseStep.id, CaseStep.case_id, CaseStep.automatic, CaseStep.note, CaseStep.reference)
            .where(CaseStep.case_id == any_(wanted), CaseStep.step == step)
            .order_by(CaseStep.case_id)
            .with_for_update()
        )
    }
    fresh = [cid for cid in ids if cid in organisation and cid not in existing]
    unchanged = {cid for cid, row in existing.items() if row.automatic and row.note == note and row.reference is None}
    redone = [cid for cid, row in existing.items() if row.automatic and cid not in unchanged]
    values = {"done_at": now, "done_by": done_by, "note": note, "reference": None, "automatic": True}
    if fresh:
        session.execute(
            insert(CaseStep),
            [{"case_id": cid, "organisation_id": organisation[cid], "step": step, **values} for cid in fresh],
        )
    if redone:
        ids_redone = bindparam("redone", [existing[cid].id for cid in redone], type_=ARRAY(Integer))
        session.execute(
            update(CaseStep).where(CaseStep.id == any_(ids_redone)).values(**values),
            execution_options={"synchronize_session": "fetch"},
        )
    changed = sorted(fresh + redone)
    details = {
        cid: {"case_id": cid, "step": step, "automatic": True, "reference": None, "note": note} for cid in changed
    }
    if changed:
        session.execute(
            insert(AuditEvent),
            [
                {
                    "at": now,
                    "actor": done_by,
                    "organisation_id": organisation[cid],
                    "action": "case.step",
                    "object_type": "case",
                    "object_id": str(cid),
                    "details": details[cid],
                }
                for cid in changed
            ],
        )
        _append_custody(session, {cid: {"action": "case.step", **details[cid]} for cid in changed}, done_by, now)
    return len(changed) + len(unchanged)


def _append_custody(session: Session, details: dict[int, dict], actor: str, at: datetime) -> None:
    """Append one "case.step" custody event per case (`details` by case id), as `custody.append_event` does one at
    a time: the next `seq` and `prev_hash` of each chain, the same hash; one multi-row INSERT.

    It holds every chain for the transaction (`custody.lock_all_chains`): a concurrent single append waits, as it
    waits for another append to its own case, and a chain never forks."""
    cases = sorted(details)
    custody.lock_all_chains(session)  # already held when called from record_gir_export; taking it again is a no-op
    last = {
        row.case_id: row
        for row in session.execute(
            select(CustodyEvent.case_id, CustodyEvent.seq, CustodyEvent.hash)
            .where(CustodyEvent.case_id == any_(bindparam("cases", cases, type_=ARRAY(Integer))))
            .ext(distinct_on(CustodyEvent.case_id))
            .order_by(CustodyEvent.case_id, CustodyEvent.seq.desc())
        )
    }
    kind = audit.CUSTODY_KIND["case.step"]
    rows = []
    for cid in cases:
        previous = last.get(cid)
        record = {
            "case_id": cid,
            "seq": previous.seq + 1 if previous else 1,
            "at": custody.format_time(at),
            "kind": kind,
            "actor": actor,
            "details": json.loads(custody.canonical_json(details[cid])),
            "prev_hash": previous.hash if previous else custody.GENESIS,
        }
        rows.append({**record, "at": at, "hash": custody.event_hash(record)})
    session.execute(insert(CustodyEvent), rows)
