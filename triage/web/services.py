"""Triage logic behind the web UI and the JSON API. Every function is scoped to the acting user's organisation:
an id from another organisation behaves exactly like an id that does not exist (NotFound)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import AuditEvent, Case, Mention, Official, StaffUser
from schildwacht.models.base import utcnow
from schildwacht.models.mentions import CASE_STATUSES, SEVERITY_RANK
from schildwacht.models.workflow import STEP_KEYS, WORKFLOW_STEPS, CaseStep
from triage import audit

OPEN_STATUSES = ("nieuw", "in_behandeling", "wacht_op_betrokkene")
CLOSED_STATUSES = ("afgerond", "geen_actie")
WRITE_ROLES = ("beheerder", "triagist")
STATUS_NL = {
    "nieuw": "Nieuw",
    "in_behandeling": "In behandeling",
    "wacht_op_betrokkene": "Wacht op betrokkene",
    "afgerond": "Afgerond",
    "geen_actie": "Geen actie",
}
LABEL_NL = {"threat": "Bedreiging", "doxxing": "Doxing", "gender": "Gendergerelateerd", "abuse": "Belediging/haat"}
RANK_LABEL = {rank: label for label, rank in SEVERITY_RANK.items()}
STEP_NL = dict(WORKFLOW_STEPS)
ACTION_NL = {
    "case.view": "zaak bekeken",
    "mention.reveal": "berichttekst getoond",
    "case.claim": "geclaimd",
    "case.release": "vrijgegeven",
    "case.assign": "toegewezen",
    "case.status": "status gewijzigd",
    "case.step": "stap afgevinkt",
    "case.export_bundle": "bewijsbundel geëxporteerd",
    "alert.sent": "alarm verzonden",
    "alert.refused": "alarm geweigerd (intern adres of geen http(s))",
}

# Suggested offences per label (advice for staff, never a legal verdict); see docs domain brief.
OFFENCES = {
    "threat": [
        (
            "285 Sr",
            "Bedreiging",
            "Dreiging met een zwaar misdrijf (o.a. tegen het leven, zware mishandeling, "
            "brandstichting) die redelijke vrees kan opwekken; ook dreigen tegen familie telt.",
        )
    ],
    "doxxing": [
        (
            "285d Sr",
            "Doxing",
            "Verkrijgen/verspreiden van persoonsgegevens om te intimideren of in de "
            "ambtsuitoefening te hinderen; +1/3 bij burgemeester, wethouder, raadslid.",
        )
    ],
    "abuse": [
        (
            "266/267 Sr",
            "Belediging",
            "Klachtdelict: de betrokkene moet zelf aangifte doen; 267 Sr: +1/3 "
            "wanneer gericht tegen iemand in of vanwege de ambtsuitoefening.",
        ),
        ("261/262 Sr", "Smaad/laster", "Alleen bij het ten laste leggen van een bepaald feit; klachtdelict."),
        ("131 Sr", "Opruiing", "Alleen bij openlijke aansporing tot geweld of strafbare feiten tegen het gezag."),
    ],
    "gender": [
        (
            "266/267 Sr",
            "Belediging",
            "Klachtdelict; 267 Sr: +1/3 wanneer gericht tegen iemand vanwege het "
            "ambt. Seksistische beledigingen vallen hieronder.",
        )
    ],
}


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class Invalid(ServiceError):
    status = 422


def can_write(user: StaffUser) -> bool:
    return user.role in WRITE_ROLES


def require_writer(user: StaffUser) -> None:
    if not can_write(user):
        raise Forbidden("Uw rol (alleen-lezen) mag niets wijzigen.")


# ---------------------------------------------------------------- queue


def sla_minutes(settings: Settings, severity: int) -> int:
    label = RANK_LABEL.get(severity)
    return (
        getattr(settings, f"sla_minutes_{label}", settings.sla_minutes_abuse) if label else settings.sla_minutes_abuse
    )


@dataclass
class QueueFilters:
    official: str | None = None
    platform: str | None = None
    label: str | None = None
    status: str | None = None  # None/"open" = the open statuses, "alle" = everything, else one status

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _platform_of(author_key: str | None) -> str:
    return (author_key or "").partition(":")[0]


def queue(
    session: Session, user: StaffUser, settings: Settings, filters: QueueFilters | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """The organisation's cases, most urgent first (severity, then age), with SLA state."""
    f = filters or QueueFilters()
    q = select(Case).where(Case.organisation_id == user.organisation_id)
    if not f.status or f.status == "open":
        q = q.where(Case.status.in_(OPEN_STATUSES))
    elif f.status != "alle":
        if f.status not in CASE_STATUSES:
            raise Invalid("Onbekende status.")
        q = q.where(Case.status == f.status)
    if f.official:
        q = q.where(Case.official_id == f.official)
    if f.label:
        q = q.where(Case.labels.contains([f.label]))
    if f.platform:
        q = q.where(exists().where(and_(Mention.case_id == Case.id, Mention.platform == f.platform)))
    q = q.order_by(Case.severity, Case.opened_at, Case.id).limit(limit)
    cases = session.scalars(q).all()
    return [case_summary(session, c, settings) for c in cases]


def case_summary(session: Session, case: Case, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    minutes = sla_minutes(settings, case.severity)
    due = case.opened_at + timedelta(minutes=minutes)
    acknowledged = case.claimed_at is not None or case.status != "nieuw"
    remaining = int((due - now).total_seconds() // 60)
    counts = session.execute(
        select(Mention.platform, func.count()).where(Mention.case_id == case.id).group_by(Mention.platform)
    ).all()
    claimed_by = session.get(StaffUser, case.claimed_by_id) if case.claimed_by_id else None
    official = session.get(Official, case.official_id)
    return {
        "id": case.id,
        "severity": case.severity,
        "severity_label": RANK_LABEL.get(case.severity),
        "labels": list(case.labels or []),
        "labels_nl": [LABEL_NL.get(lab, lab) for lab in case.labels or []],
        "status": case.status,
        "status_nl": STATUS_NL.get(case.status, case.status),
        "official": {"id": official.id, "name": official.full_name, "role": official.role} if official else None,
        "author_key": case.author_key,
        "platforms": sorted({p for p, _ in counts} or {_platform_of(case.author_key)}),
        "post_count": sum(n for _, n in counts),
        "opened_at": case.opened_at.isoformat(),
        "last_post_at": case.last_post_at.isoformat() if case.last_post_at else None,
        "claimed_by": {"id": claimed_by.id, "name": claimed_by.name} if claimed_by else None,
        "claimed_at": case.claimed_at.isoformat() if case.claimed_at else None,
        "sla": {
            "minutes": minutes,
            "due_at": due.isoformat(),
            "acknowledged": acknowledged,
            "remaining_minutes": remaining,
            "overdue": (not acknowledged) and remaining < 0,
        },
    }


def filter_options(session: Session, user: StaffUser) -> dict[str, list]:
    officials = session.scalars(
        select(Official).where(Official.organisation_id == user.organisation_id).order_by(Official.full_name)
    ).all()
    platforms = session.scalars(
        select(Mention.platform)
        .where(Mention.organisation_id == user.organisation_id)
        .distinct()
        .order_by(Mention.platform)
    ).all()
    return {
        "officials": [(o.id, f"{o.full_name} ({o.role})") for o in officials],
        "platforms": list(platforms),
        "labels": [(k, LABEL_NL[k]) for k in SEVERITY_RANK],
        "statuses": list(STATUS_NL.items()),
    }


def colleagues(session: Session, user: StaffUser) -> list[StaffUser]:
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.organisation_id == user.organisation_id,
                StaffUser.active.is_(True),
                StaffUser.role.in_(WRITE_ROLES),
            )
            .order_by(StaffUser.name)
        )
    )


# ---------------------------------------------------------------- case detail


def get_case(session: Session, user: StaffUser, case_id: int, *, for_update: bool = False) -> Case:
    q = select(Case).where(Case.id == case_id, Case.organisation_id == user.organisation_id)
    if for_update:
        q = q.with_for_update()
    case = session.scalars(q).first()
    if case is None:
        raise NotFound("Zaak niet gevonden.")
    return case


def segments(text: str | None, spans: Iterable[dict] | None) -> list[dict[str, Any]]:
    """Split a post into plain and flagged pieces (each rendered escaped; flagged ones stay masked)."""
    if not text:
        return []
    ranges = []
    for sp in spans or []:
        try:
            start, end = int(sp.get("start", -1)), int(sp.get("end", -1))
        except (TypeError, ValueError):
            continue
        if not (0 <= start < end <= len(text)) or (sp.get("text") and text[start:end] != sp["text"]):
            found = text.find(sp.get("text") or "\0") if sp.get("text") else -1
            if found < 0:
                continue
            start, end = found, found + len(sp["text"])
        ranges.append((start, end, str(sp.get("label") or "")))
    ranges.sort()
    out, pos = [], 0
    for start, end, label in ranges:
        start = max(start, pos)
        if start >= end:
            continue
        if start > pos:
            out.append({"text": text[pos:start], "flag": None})
        out.append({"text": text[start:end], "flag": label or "gemarkeerd"})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:], "flag": None})
    return out


def mention_view(m: Mention, revealed: bool, case_id: int | None = None) -> dict[str, Any]:
    has_text = m.text is not None
    return {
        "id": m.id,
        "uid": m.uid,
        "platform": m.platform,
        "post_id": m.post_id,
        "url": m.url,
        "author_handle": m.author_handle,
        "author_display_name": m.author_display_name,
        "author_profile_url": m.author_profile_url,
        "author_id": m.author_id,
        "created_at": m.created_at.isoformat(),
        "collected_at": m.collected_at.isoformat(),
        "thread_id": m.thread_id,
        "in_reply_to_id": m.in_reply_to_id,
        "case_id": m.case_id,
        "flags": list(m.flags or []),
        "flags_nl": [LABEL_NL.get(f, f) for f in m.flags or []],
        "scores": {k: round(float(v), 3) for k, v in (m.scores or {}).items() if isinstance(v, (int, float))},
        "spans": [
            {"start": s.get("start"), "end": s.get("end"), "label": s.get("label"), "source": s.get("source")}
            for s in m.spans or []
        ],
        "model": f"{m.model_name} {m.model_version}",
        "has_text": has_text,
        "text_length": len(m.text) if has_text else 0,
        "purged": m.content_purged_at is not None,
        "revealed": bool(revealed and has_text),
        "text": m.text if revealed and has_text else None,
        "segments": segments(m.text, m.spans) if revealed and has_text else [],
        "own_case": case_id is not None and m.case_id == case_id,
    }


def _scoped_mentions(user: StaffUser):
    return select(Mention).where(Mention.organisation_id == user.organisation_id)


# A pile-on thread can put 100,000 posts in one case: the page shows the first ones (`post_count` says how many),
# so that every query below stays bounded (context and history are limited too).
CASE_POSTS_SHOWN = 500


def case_detail(
    session: Session, user: StaffUser, settings: Settings, case_id: int, revealed: Iterable[int] = ()
) -> dict[str, Any]:
    """Everything the case page shows; audited as a view of case content by the caller."""
    case = get_case(session, user, case_id)
    revealed = set(revealed)
    posts = list(
        session.scalars(
            _scoped_mentions(user)
            .where(Mention.case_id == case.id)
            .order_by(Mention.created_at, Mention.id)
            .limit(CASE_POSTS_SHOWN)
        )
    )
    post_ids = {m.id for m in posts}
    thread_ids = {m.thread_id for m in posts if m.thread_id}
    native_ids = {m.post_id for m in posts}
    parent_ids = {m.in_reply_to_id for m in posts if m.in_reply_to_id}
    context: list[Mention] = []
    conds = []
    if thread_ids:
        conds.append(Mention.thread_id.in_(thread_ids))
    if parent_ids:
        conds.append(Mention.post_id.in_(parent_ids))
    if native_ids:
        conds.append(Mention.in_reply_to_id.in_(native_ids))
    if conds:
        context = [
            m
            for m in session.scalars(
                _scoped_mentions(user).where(or_(*conds)).order_by(Mention.created_at, Mention.id).limit(200)
            )
            if m.id not in post_ids
        ]
    handles = {m.author_handle for m in posts if m.author_handle}
    history: list[Mention] = []
    if handles:
        history = [
            m
            for m in session.scalars(
                _scoped_mentions(user)
                .where(Mention.author_handle.in_(handles))
                .order_by(Mention.created_at.desc(), Mention.id.desc())
                .limit(100)
            )
            if m.id not in post_ids
        ]
    official = session.get(Official, case.official_id)
    steps = {s.step: s for s in session.scalars(select(CaseStep).where(CaseStep.case_id == case.id))}
    offences, seen = [], set()
    for label in sorted(case.labels or [], key=lambda lab: SEVERITY_RANK.get(lab, 9)):
        for art, name, note in OFFENCES.get(label, []):
            if art not in seen:
                seen.add(art)
                offences.append({"article": art, "name": name, "note": note})
    log = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.organisation_id == user.organisation_id,
            AuditEvent.object_type.in_(("case", "mention")),
            AuditEvent.details["case_id"].astext == str(case.id),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(50)
    ).all()
    return {
        "case": case_summary(session, case, settings),
        "posts": [mention_view(m, m.id in revealed, case.id) for m in posts],
        "context": [mention_view(m, m.id in revealed, case.id) for m in context],
        "history": [mention_view(m, m.id in revealed, case.id) for m in history],
        "official": {
            "id": official.id,
            "name": official.full_name,
            "role": official.role,
            "gender": official.gender,
            "handles": official.handles,
            "status": official.status,
            "alert_contacts": official.alert_contacts,
        }
        if official
        else None,
        "steps": [
            {
                "key": key,
                "label": label,
                "done": key in steps,
                "done_at": steps[key].done_at.isoformat() if key in steps else None,
                "done_by": steps[key].done_by if key in steps else None,
                "reference": steps[key].reference if key in steps else None,
                "vpt_code": steps[key].vpt_code if key in steps else None,
                "note": steps[key].note if key in steps else None,
            }
            for key, label in WORKFLOW_STEPS
        ],
        "offences": offences,
        "log": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "action_nl": ACTION_NL.get(e.action, e.action),
                "detail": STEP_NL.get(e.details.get("step"), "")
                or STATUS_NL.get(e.details.get("to"), "")
                or e.details.get("to")
                or "",
            }
            for e in log
        ],
    }


def audit_case(session: Session, user: StaffUser, action: str, case_id: int, **details: Any) -> None:
    audit.record_case(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action=action,
        case_id=case_id,
        details={"case_id": case_id, **details},
    )


def view_case(
    session: Session,
    user: StaffUser,
    settings: Settings,
    case_id: int,
    revealed: Iterable[int] = (),
    channel: str = "web",
) -> dict[str, Any]:
    detail = case_detail(session, user, settings, case_id, revealed)
    shown = [m["id"] for m in detail["posts"] + detail["context"] + detail["history"] if m["revealed"]]
    audit_case(session, user, "case.view", case_id, channel=channel, revealed_mentions=shown)
    session.commit()
    return detail


def get_mention(session: Session, user: StaffUser, mention_id: int) -> Mention:
    m = session.scalars(_scoped_mentions(user).where(Mention.id == mention_id)).first()
    if m is None:
        raise NotFound("Bericht niet gevonden.")
    return m


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


# ---------------------------------------------------------------- claims and workflow


def claim(session: Session, user: StaffUser, case_id: int) -> None:
    """Claim a case; a conditional UPDATE guarantees that of two concurrent claims exactly one wins."""
    require_writer(user)
    case = get_case(session, user, case_id)
    if case.status in CLOSED_STATUSES:
        raise Conflict("Deze zaak is al gesloten.")
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
    if result.rowcount != 1:
        session.rollback()
        current = get_case(session, user, case_id)
        if current.claimed_by_id == user.id:
            return
        raise Conflict("Deze zaak is al geclaimd door een collega.")
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
        raise Conflict("Deze zaak is geclaimd door een collega.")
    target = session.scalars(
        select(StaffUser).where(
            StaffUser.id == colleague_id, StaffUser.organisation_id == user.organisation_id, StaffUser.active.is_(True)
        )
    ).first()
    if target is None:
        raise NotFound("Collega niet gevonden.")
    if target.role not in WRITE_ROLES:
        raise Invalid("Deze collega heeft een alleen-lezen account.")
    case.assigned_to_id = target.id
    case.claimed_by_id = target.id
    case.claimed_at = utcnow()
    if case.status == "nieuw":
        case.status = "in_behandeling"
    case.updated_at = utcnow()
    audit_case(session, user, "case.assign", case_id, to=target.email)
    session.commit()


def _require_claimant(case: Case, user: StaffUser) -> None:
    require_writer(user)
    if case.claimed_by_id != user.id:
        raise Conflict("Claim de zaak eerst; zo werken nooit twee mensen tegelijk aan dezelfde zaak.")


def set_status(session: Session, user: StaffUser, case_id: int, status: str, note: str | None = None) -> None:
    require_writer(user)
    if status not in CASE_STATUSES or status == "nieuw":
        raise Invalid("Ongeldige status.")
    case = get_case(session, user, case_id, for_update=True)
    _require_claimant(case, user)
    previous = case.status
    case.status = status
    case.updated_at = utcnow()
    audit_case(session, user, "case.status", case_id, **{"from": previous, "to": status, "note": note or None})
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
    _require_claimant(case, user)
    reference = (reference or "").strip()[:400] or None
    vpt_code = (vpt_code or "").strip()[:100] or None
    note = (note or "").strip()[:4000] or None
    if step == "gemeld_bij_platform" and not reference:
        raise Invalid("Vul de referentie van het platform in.")
    if step == "melding_aangifte" and not reference:
        raise Invalid("Vul het registratienummer van de politie in.")
    row = session.scalars(select(CaseStep).where(CaseStep.case_id == case.id, CaseStep.step == step)).first()
    if row is None:
        row = CaseStep(case_id=case.id, organisation_id=case.organisation_id, step=step, done_by=user.email)
        session.add(row)
    row.done_at, row.done_by, row.reference, row.vpt_code, row.note = utcnow(), user.email, reference, vpt_code, note
    if case.status == "nieuw":
        case.status = "in_behandeling"
    case.updated_at = utcnow()
    audit_case(session, user, "case.step", case_id, step=step, reference=reference, vpt_code=vpt_code)
    session.commit()


def bulk_dismiss(session: Session, user: StaffUser, case_ids: Iterable[int], note: str | None = None) -> list[int]:
    """Close obvious false positives as "geen actie": only open cases of the org, unclaimed or claimed by the user."""
    require_writer(user)
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        return []
    done = session.scalars(
        update(Case)
        .where(
            Case.id.in_(ids),
            Case.organisation_id == user.organisation_id,
            Case.status.in_(OPEN_STATUSES),
            or_(Case.claimed_by_id.is_(None), Case.claimed_by_id == user.id),
        )
        .values(status="geen_actie", updated_at=utcnow())
        .returning(Case.id)
        .execution_options(synchronize_session=False)
    ).all()
    for cid in done:
        audit_case(session, user, "case.status", cid, **{"to": "geen_actie", "bulk": True, "note": note or None})
    session.commit()
    return sorted(done)


def export_bundle(session: Session, user: StaffUser, settings: Settings, case_id: int, out_path) -> Any:
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
        details={"case_id": case_id, "file": str(path.name)},
    )
    session.commit()
    return path


# ---------------------------------------------------------------- feedback export


def feedback_examples(session: Session, organisation_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Staff decisions as labelled examples: geen_actie = false positive, afgerond = confirmed."""
    q = (
        select(Mention, Case)
        .join(Case, Mention.case_id == Case.id)
        .where(Case.status.in_(CLOSED_STATUSES), Mention.text.is_not(None))
        .order_by(Case.id, Mention.id)
    )
    if organisation_id:
        q = q.where(Case.organisation_id == organisation_id)
    for m, case in session.execute(q):
        confirmed = case.status == "afgerond"
        flags = set(m.flags or [])
        yield {
            "text": m.text,
            "labels": {lab: int(confirmed and lab in flags) for lab in SEVERITY_RANK},
            "decision": "confirmed" if confirmed else "false_positive",
            "case_status": case.status,
            "case_id": case.id,
            "uid": m.uid,
            "platform": m.platform,
            "organisation_id": case.organisation_id,
            "predicted": sorted(flags),
            "scores": m.scores,
            "model": {"name": m.model_name, "version": m.model_version},
            "decided_at": case.updated_at.isoformat() if case.updated_at else None,
        }


def write_feedback(session: Session, out, organisation_id: str | None = None, actor: str = "system:cli") -> int:
    n = 0
    for example in feedback_examples(session, organisation_id):
        out.write(json.dumps(example, ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    audit.record(
        session,
        actor=actor,
        organisation_id=organisation_id,
        action="feedback.export",
        object_type="feedback",
        object_id=organisation_id or "*",
        details={"examples": n},
    )
    session.commit()
    return n


@dataclass
class LoginResult:
    user: StaffUser | None = None
    error: str | None = None
    limited: bool = False
    extra: dict = field(default_factory=dict)
