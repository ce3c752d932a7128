"""The case workflow: claims, decisions, notes, links and merges, reveals and exports.

Invariants every function keeps:
- scoped to the acting user's organisation: an id from another organisation behaves exactly like an id that does
  not exist (NotFound);
- every change is audited (and, where it touches a case's handling, appended to its custody chain);
- a case is closed as "geen_actie" only with a reason from DISMISSAL_REASONS, and a threat or doxxing case only
  from its own case page (never by the bulk or one-key action).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.dml import affected_rows
from schildwacht.models import Case, CaseLink, CaseNote, LabelCorrection, Mention, StaffUser
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import STEP_KEYS, CaseStep
from schildwacht.vocabulary import (
    CASE_STATUSES,
    CASE_WRITE_ROLES,
    CLOSED_STATUSES,
    LABEL_NL,
    LABELS,
    OPEN_STATUSES,
    SEVERITY_RANK,
)
from triage import audit, label_corrections
from triage.web.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError

# Labels whose cases are closed only on the case page, after reading them (never by bulk or the `d` key).
CASE_PAGE_ONLY_LABELS = ("threat", "doxxing")
# Why a case needs no action; the key is stored in cases.dismissal_reason. "anders" needs a free-text note.
DISMISSAL_REASONS: dict[str, str] = {
    "vals_positief": "Vals positief: geen haat of bedreiging",
    "niet_gericht": "Niet gericht aan de betrokkene",
    "citaat_of_nieuws": "Citaat, satire of nieuwsbericht",
    "al_bekend": "Al bekend of elders afgehandeld",
    "anders": "Anders (zie toelichting)",
}
MERGED_REASON = "samengevoegd"  # set by merge_cases only, never chosen in a form
NOTE_MAX = 4000
STATEMENT_MAX = 20000


def can_write(user: StaffUser) -> bool:
    return user.role in CASE_WRITE_ROLES


def require_writer(user: StaffUser) -> None:
    if not can_write(user):
        raise Forbidden("Uw rol (alleen-lezen) mag niets wijzigen.")


def get_case(session: Session, user: StaffUser, case_id: int, *, for_update: bool = False) -> Case:
    q = select(Case).where(Case.id == case_id, Case.organisation_id == user.organisation_id)
    if for_update:
        q = q.with_for_update()
    case = session.scalars(q).first()
    if case is None:
        raise NotFound("Zaak niet gevonden.")
    return case


def scoped_mentions(user: StaffUser):
    """SELECT of the mentions of the user's organisation."""
    return select(Mention).where(Mention.organisation_id == user.organisation_id)


def get_mention(session: Session, user: StaffUser, mention_id: int) -> Mention:
    m = session.scalars(scoped_mentions(user).where(Mention.id == mention_id)).first()
    if m is None:
        raise NotFound("Bericht niet gevonden.")
    return m


def audit_case(session: Session, user: StaffUser, action: str, case_id: int, **details: Any) -> None:
    audit.record_case(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action=action,
        case_id=case_id,
        details={"case_id": case_id, **details},
    )


def reveal(session: Session, user: StaffUser, case_id: int, mention_id: int, channel: str = "web") -> Mention:
    """Record that the user chose to read a post's text (a post of this case, its thread or its author)."""
    case = get_case(session, user, case_id)
    m = get_mention(session, user, mention_id)
    audit.record_case(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action="mention.reveal",
        case_id=case.id,
        object_type="mention",
        object_id=m.id,
        details={"case_id": case.id, "mention_id": m.id, "mention_uid": m.uid, "channel": channel},
    )
    session.commit()
    return m


# ---------------------------------------------------------------- claims


def _claimed_by_colleague(session: Session, case: Case) -> Conflict:
    holder = session.get(StaffUser, case.claimed_by_id) if case.claimed_by_id else None
    who = holder.name if holder else "een collega"
    return Conflict(f"Deze zaak is geclaimd door {who}. Vraag {who} om de zaak vrij te geven of aan u toe te wijzen.")


def claim(session: Session, user: StaffUser, case_id: int) -> None:
    """Claim a case; a conditional UPDATE guarantees that of two concurrent claims exactly one wins."""
    require_writer(user)
    case = get_case(session, user, case_id)
    if case.status in CLOSED_STATUSES:
        raise Conflict("Deze zaak is al gesloten. Heropen de zaak om eraan te werken.")
    now = utcnow()
    result = session.execute(
        update(Case)
        .where(
            Case.id == case_id,
            Case.organisation_id == user.organisation_id,
            Case.claimed_by_id.is_(None),
            Case.status.in_(OPEN_STATUSES),
        )
        .values(
            claimed_by_id=user.id,
            claimed_at=now,
            assigned_to_id=user.id,
            updated_at=now,
            status=func.coalesce(func.nullif(Case.status, "nieuw"), "in_behandeling"),
        )
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        session.rollback()
        current = get_case(session, user, case_id)
        if current.claimed_by_id == user.id:
            return
        raise _claimed_by_colleague(session, current)
    audit_case(session, user, "case.claim", case_id)
    session.commit()


def release(session: Session, user: StaffUser, case_id: int) -> None:
    require_writer(user)
    case = get_case(session, user, case_id, for_update=True)
    if case.claimed_by_id is None:
        return
    if case.claimed_by_id != user.id and user.role != "beheerder":
        raise Forbidden("Alleen wie de zaak claimde (of een beheerder) kan hem vrijgeven.")
    previous = case.claimed_by_id
    case.claimed_by_id = None
    case.claimed_at = None
    case.updated_at = utcnow()
    audit_case(session, user, "case.release", case_id, previous_claimant=previous)
    session.commit()


def assign(session: Session, user: StaffUser, case_id: int, colleague_id: int) -> None:
    """Hand a case to a colleague of the same organisation (the claim moves with it)."""
    require_writer(user)
    case = get_case(session, user, case_id, for_update=True)
    if case.claimed_by_id not in (None, user.id) and user.role != "beheerder":
        raise _claimed_by_colleague(session, case)
    target = session.scalars(
        select(StaffUser).where(
            StaffUser.id == colleague_id, StaffUser.organisation_id == user.organisation_id, StaffUser.active.is_(True)
        )
    ).first()
    if target is None:
        raise NotFound("Collega niet gevonden.")
    if target.role not in CASE_WRITE_ROLES:
        raise Invalid("Deze collega heeft een alleen-lezen account.")
    case.assigned_to_id = target.id
    case.claimed_by_id = target.id
    case.claimed_at = utcnow()
    if case.status == "nieuw":
        case.status = "in_behandeling"
    case.updated_at = utcnow()
    audit_case(session, user, "case.assign", case_id, to=target.email)
    session.commit()


def _require_claimant(session: Session, case: Case, user: StaffUser) -> None:
    require_writer(user)
    if case.claimed_by_id is None:
        raise Conflict("Claim de zaak eerst; zo werken nooit twee mensen tegelijk aan dezelfde zaak.")
    if case.claimed_by_id != user.id:
        raise _claimed_by_colleague(session, case)


# ---------------------------------------------------------------- decisions


def dismissal(reason: str | None, note: str | None) -> tuple[str, str | None]:
    """Validate a "geen actie" reason and note; returns (reason, note) or raises Invalid (Dutch)."""
    reason = (reason or "").strip()
    note = (note or "").strip()[:NOTE_MAX] or None
    if reason not in DISMISSAL_REASONS:
        raise Invalid("Kies een reden om de zaak zonder actie af te sluiten.")
    if reason == "anders" and not note:
        raise Invalid("Licht de reden 'anders' toe.")
    return reason, note


def set_status(
    session: Session,
    user: StaffUser,
    case_id: int,
    status: str,
    note: str | None = None,
    reason: str | None = None,
) -> None:
    """Change the status of a case the user has claimed; "geen_actie" needs a reason (see `dismissal`)."""
    require_writer(user)
    if status not in CASE_STATUSES or status == "nieuw":
        raise Invalid("Ongeldige status.")
    case = get_case(session, user, case_id, for_update=True)
    _require_claimant(session, case, user)
    details: dict[str, Any] = {"from": case.status, "to": status, "note": (note or "").strip() or None}
    if status == "geen_actie":
        reason, note = dismissal(reason, note)
        case.dismissal_reason, case.dismissal_note = reason, note
        details.update(reason=reason, note=note)
    else:
        case.dismissal_reason = case.dismissal_note = None
    case.status = status
    case.updated_at = utcnow()
    audit_case(session, user, "case.status", case_id, **details)
    session.commit()


@dataclass
class BulkResult:
    """Outcome of a bulk "geen actie": closed, refused (threat/doxxing: case page only) and otherwise skipped."""

    dismissed: list[int]
    case_page_only: list[int]
    skipped: list[int]


def bulk_dismiss(
    session: Session, user: StaffUser, case_ids: Iterable[int], reason: str | None, note: str | None = None
) -> BulkResult:
    """Close obvious false positives as "geen actie" with one reason: only open cases of the organisation, unclaimed
    or claimed by the user, and never a threat or doxxing case (those are refused and listed in the result)."""
    require_writer(user)
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise Invalid("Selecteer eerst een of meer zaken.")
    reason, note = dismissal(reason, note)
    severe = sorted(
        session.scalars(
            select(Case.id).where(
                Case.id.in_(ids),
                Case.organisation_id == user.organisation_id,
                or_(*(Case.labels.contains([label]) for label in CASE_PAGE_ONLY_LABELS)),
            )
        )
    )
    candidates = [i for i in ids if i not in set(severe)]
    done = (
        session.scalars(
            update(Case)
            .where(
                Case.id.in_(candidates),
                Case.organisation_id == user.organisation_id,
                Case.status.in_(OPEN_STATUSES),
                or_(Case.claimed_by_id.is_(None), Case.claimed_by_id == user.id),
            )
            .values(status="geen_actie", dismissal_reason=reason, dismissal_note=note, updated_at=utcnow())
            .returning(Case.id)
            .execution_options(synchronize_session=False)
        ).all()
        if candidates
        else []
    )
    for cid in done:
        audit_case(session, user, "case.status", cid, to="geen_actie", bulk=True, reason=reason, note=note)
    session.commit()
    done = sorted(done)
    return BulkResult(done, severe, [i for i in candidates if i not in set(done)])


def reopen(session: Session, user: StaffUser, case_id: int, note: str | None = None) -> None:
    """Reopen a closed case: it becomes "in behandeling", claimed by the user, its dismissal reason cleared."""
    require_writer(user)
    case = get_case(session, user, case_id, for_update=True)
    if case.status not in CLOSED_STATUSES:
        raise Conflict("Deze zaak is niet gesloten.")
    if case.merged_into_id is not None:
        raise Conflict(f"Deze zaak is samengevoegd met zaak #{case.merged_into_id}; werk daar verder.")
    previous = case.status
    now = utcnow()
    case.status = "in_behandeling"
    case.dismissal_reason = case.dismissal_note = None
    case.claimed_by_id = case.assigned_to_id = user.id
    case.claimed_at = case.updated_at = now
    audit_case(session, user, "case.reopen", case_id, **{"from": previous, "to": "in_behandeling"}, note=note or None)
    session.commit()


def complete_step(
    session: Session,
    user: StaffUser,
    case_id: int,
    step: str,
    reference: str | None = None,
    vpt_code: str | None = None,
    note: str | None = None,
) -> None:
    require_writer(user)
    if step not in STEP_KEYS:
        raise NotFound("Onbekende stap.")
    case = get_case(session, user, case_id, for_update=True)
    if case.status in CLOSED_STATUSES:
        raise Conflict("Deze zaak is gesloten; heropen de zaak om een stap vast te leggen.")
    _require_claimant(session, case, user)
    reference = (reference or "").strip()[:400] or None
    vpt_code = (vpt_code or "").strip()[:100] or None
    note = (note or "").strip()[:NOTE_MAX] or None
    if step == "gemeld_bij_platform" and not reference:
        raise Invalid("Vul de referentie van het platform in.")
    if step == "melding_aangifte" and not reference:
        raise Invalid("Vul het registratienummer van de politie in.")
    row = session.scalars(select(CaseStep).where(CaseStep.case_id == case.id, CaseStep.step == step)).first()
    if row is None:
        row = CaseStep(case_id=case.id, organisation_id=case.organisation_id, step=step, done_by=user.email)
        session.add(row)
    corrected = row.done_by if row.automatic else None  # a person corrects what Schildwacht recorded itself
    row.done_at, row.done_by, row.reference, row.vpt_code, row.note = utcnow(), user.email, reference, vpt_code, note
    row.automatic = False
    if case.status == "nieuw":
        case.status = "in_behandeling"
    case.updated_at = utcnow()
    audit_case(
        session, user, "case.step", case_id, step=step, reference=reference, vpt_code=vpt_code, corrected=corrected
    )
    session.commit()


def withdraw_automatic_step(session: Session, user: StaffUser, case_id: int, step: str, reason: str | None) -> None:
    """Remove a step Schildwacht recorded itself that did not really happen (with a reason; audited with what was
    removed). Steps a person recorded are corrected through `complete_step`, never withdrawn here."""
    require_writer(user)
    case = get_case(session, user, case_id, for_update=True)
    _require_claimant(session, case, user)
    reason = (reason or "").strip()[:NOTE_MAX]
    if not reason:
        raise Invalid("Geef aan waarom deze automatisch vastgelegde stap niet klopt.")
    row = session.scalars(select(CaseStep).where(CaseStep.case_id == case.id, CaseStep.step == step)).first()
    if row is None or not row.automatic:
        raise NotFound("Geen automatisch vastgelegde stap om in te trekken.")
    removed = {"done_by": row.done_by, "done_at": row.done_at.isoformat(), "reference": row.reference, "note": row.note}
    session.delete(row)
    case.updated_at = utcnow()
    audit_case(session, user, "case.step.withdraw", case_id, step=step, reason=reason, removed=removed)
    session.commit()


def open_from_alert(session: Session, user: StaffUser, case_id: int) -> bool:
    """Opening a case from its alert mail claims it for the user when it is open and nobody holds it; True when
    the user holds the claim afterwards. Read-only users and closed or held cases are only shown."""
    case = get_case(session, user, case_id)
    if not can_write(user) or case.status in CLOSED_STATUSES:
        return False
    if case.claimed_by_id is None:
        try:
            claim(session, user, case_id)
        except Conflict:  # a colleague was faster; the page says who
            return False
        return True
    return case.claimed_by_id == user.id


def finish(session: Session, user: StaffUser, case_id: int) -> None:
    """ "Afronden": close the case as handled (status "afgerond"); the page then offers the evidence bundle."""
    set_status(session, user, case_id, "afgerond")


# ---------------------------------------------------------------- notes, statement, related cases


def add_note(session: Session, user: StaffUser, case_id: int, text: str) -> CaseNote:
    """A timestamped note by the user on a case of the organisation (any writer; no claim needed)."""
    require_writer(user)
    case = get_case(session, user, case_id)
    text = (text or "").strip()
    if not text:
        raise Invalid("Een notitie mag niet leeg zijn.")
    if len(text) > NOTE_MAX:
        raise Invalid(f"Een notitie is hooguit {NOTE_MAX} tekens.")
    note = CaseNote(case_id=case.id, organisation_id=case.organisation_id, author_id=user.id, text=text)
    session.add(note)
    session.flush()
    audit_case(session, user, "case.note", case.id, note_id=note.id, length=len(text))
    session.commit()
    return note


def correct_label(
    session: Session, user: StaffUser, case_id: int, mention_id: int, label: str, action: str, reason: str | None
) -> LabelCorrection:
    """Add or remove one label of a post of the case, with a reason (any writer; no claim needed; audited and in the
    custody chain). The model's flags and scores stay as they are: they are evidence."""
    require_writer(user)
    case = get_case(session, user, case_id)
    mention = get_mention(session, user, mention_id)
    if mention.case_id != case.id:
        raise NotFound("Bericht niet gevonden in deze zaak.")
    if label not in LABELS:
        raise Invalid("Onbekend label.")
    if action not in label_corrections.ACTIONS:
        raise Invalid("Kies 'toevoegen' of 'verwijderen'.")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Geef een reden voor de correctie.")
    if len(reason) > NOTE_MAX:
        raise Invalid(f"Een reden is hooguit {NOTE_MAX} tekens.")
    earlier = label_corrections.corrections_by_mention(session, [mention.id]).get(mention.id, [])
    current = label_corrections.apply_corrections(mention.flags or [], [(c.label, c.action) for c in earlier])
    name = LABEL_NL.get(label, label)
    if action == label_corrections.ADDED and label in current:
        raise Conflict(f"Dit bericht heeft het label '{name}' al.")
    if action == label_corrections.REMOVED and label not in current:
        raise Conflict(f"Dit bericht heeft het label '{name}' niet.")
    row = LabelCorrection(
        mention_id=mention.id,
        case_id=case.id,
        organisation_id=case.organisation_id,
        label=label,
        action=action,
        reason=reason,
        author_id=user.id,
    )
    session.add(row)
    session.flush()
    audit.record_case(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action="mention.label_correction",
        case_id=case.id,
        object_type="mention",
        object_id=mention.id,
        details={"case_id": case.id, "mention_id": mention.id, "label": label, "correction": action, "reason": reason},
    )
    session.commit()
    return row


def set_victim_statement(session: Session, user: StaffUser, case_id: int, text: str) -> None:
    """Record the victim impact statement ("verklaring/impact betrokkene"); empty text clears it."""
    require_writer(user)
    case = get_case(session, user, case_id, for_update=True)
    text = (text or "").strip()
    if len(text) > STATEMENT_MAX:
        raise Invalid(f"De verklaring is hooguit {STATEMENT_MAX} tekens.")
    case.victim_statement = text or None
    case.updated_at = utcnow()
    audit_case(session, user, "case.victim_statement", case.id, length=len(text))
    session.commit()


def _other_case(session: Session, user: StaffUser, case: Case, other_id: int) -> Case:
    if other_id == case.id:
        raise Invalid("Kies een andere zaak.")
    try:
        return get_case(session, user, other_id, for_update=True)
    except NotFound:
        raise NotFound(f"Zaak #{other_id} niet gevonden.") from None


def link_cases(session: Session, user: StaffUser, case_id: int, other_id: int) -> None:
    """Record that two cases of the organisation belong together (idempotent; audited on both)."""
    require_writer(user)
    case = get_case(session, user, case_id, for_update=True)
    other = _other_case(session, user, case, other_id)
    low, high = sorted((case.id, other.id))
    exists = session.scalars(select(CaseLink).where(CaseLink.case_id == low, CaseLink.other_case_id == high)).first()
    if exists is None:
        session.add(
            CaseLink(case_id=low, other_case_id=high, organisation_id=user.organisation_id, created_by_id=user.id)
        )
        audit_case(session, user, "case.link", case.id, other_case_id=other.id)
        audit_case(session, user, "case.link", other.id, other_case_id=case.id)
    session.commit()


def merge_cases(session: Session, user: StaffUser, source_id: int, target_id: int) -> int:
    """Move every post of `source` into `target` and close `source` (reason "samengevoegd", merged_into_id set).

    The target takes over the labels, the notes (moved) and the Steunpakket steps it has not done itself (copied:
    the source keeps its own record); both custody chains record the merge with the moved post, note and step ids.
    Returns the number of posts moved."""
    require_writer(user)
    source = get_case(session, user, source_id, for_update=True)
    target = _other_case(session, user, source, target_id)
    for case in (source, target):
        if case.status in CLOSED_STATUSES:
            raise Conflict(f"Zaak #{case.id} is gesloten; heropen de zaak eerst.")
        if case.claimed_by_id not in (None, user.id):
            raise _claimed_by_colleague(session, case)
    moved = list(session.scalars(select(Mention.id).where(Mention.case_id == source.id).order_by(Mention.id)))
    session.execute(
        update(Mention).where(Mention.case_id == source.id).values(case_id=target.id),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(LabelCorrection).where(LabelCorrection.case_id == source.id).values(case_id=target.id),
        execution_options={"synchronize_session": False},
    )
    notes = list(session.scalars(select(CaseNote.id).where(CaseNote.case_id == source.id).order_by(CaseNote.id)))
    session.execute(
        update(CaseNote).where(CaseNote.case_id == source.id).values(case_id=target.id),
        execution_options={"synchronize_session": False},
    )
    steps = _copy_missing_steps(session, source, target)
    labels = sorted(set(target.labels or []) | set(source.labels or []), key=lambda lab: SEVERITY_RANK.get(lab, 9))
    target.labels = labels
    target.severity = min((SEVERITY_RANK.get(lab, 9) for lab in labels), default=9)
    target.last_post_at = max(target.last_post_at, source.last_post_at)
    now = utcnow()
    target.updated_at = now
    source.status, source.merged_into_id, source.updated_at = "geen_actie", target.id, now
    source.dismissal_reason, source.dismissal_note = MERGED_REASON, f"Samengevoegd met zaak #{target.id}."
    source.claimed_by_id = None
    carried = {"mention_ids": moved, "note_ids": notes, "steps": steps}
    audit_case(session, user, "case.merge", source.id, into=target.id, **carried)
    audit_case(session, user, "case.merge", target.id, merged_from=source.id, **carried)
    session.commit()
    return len(moved)


def _copy_missing_steps(session: Session, source: Case, target: Case) -> list[str]:
    """Copy the source's Steunpakket steps the target lacks onto the target (same who, when and references);
    returns their keys in checklist order."""
    have = set(session.scalars(select(CaseStep.step).where(CaseStep.case_id == target.id)))
    rows = {row.step: row for row in session.scalars(select(CaseStep).where(CaseStep.case_id == source.id))}
    copied = [key for key in STEP_KEYS if key in rows and key not in have]
    for key in copied:
        row = rows[key]
        session.add(
            CaseStep(
                case_id=target.id,
                organisation_id=target.organisation_id,
                step=key,
                done_at=row.done_at,
                done_by=row.done_by,
                reference=row.reference,
                vpt_code=row.vpt_code,
                note=row.note,
                platform_answered_at=row.platform_answered_at,
                platform_answer=row.platform_answer,
                platform_answer_reference=row.platform_answer_reference,
                automatic=row.automatic,
            )
        )
    return copied


# ---------------------------------------------------------------- export


def export_bundle(session: Session, user: StaffUser, settings: Settings, case_id: int, out_path: Path) -> Path:
    """Build the signed evidence bundle (bundle stage) for a case of the user's organisation.

    The bundle stage appends the 'exported' custody event itself; here the export is also audited."""
    require_writer(user)
    get_case(session, user, case_id)
    from triage.bundle.export import export_bundle as _export
    from triage.bundle.keys import KeyProblem

    try:
        path = _export(session, case_id, user.email, out_path, settings=settings)
    except KeyProblem as exc:
        session.rollback()
        raise ServiceError(
            f"Bewijsbundel kon niet worden ondertekend: {exc}. Neem contact op met de beheerder."
        ) from exc
    audit.record(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action="case.export_bundle",
        object_type="case",
        object_id=case_id,
        details={"case_id": case_id, "file": str(Path(path).name)},
    )
    session.commit()
    return Path(path)
