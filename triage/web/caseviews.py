"""What the case workflow looks like to staff: the queue, the case page, the author view, in Dutch words.

Read-only except for the audit events that record a view of content. Every query is scoped to the acting user's
organisation. Post text is never part of a view unless the user revealed that post (`revealed` ids); labels are
shown as Dutch words and score levels, the numbers only as technical detail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Float, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import AuditEvent, Case, CaseLink, CaseNote, Mention, Official, StaffUser
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import WORKFLOW_STEPS, CaseStep
from schildwacht.vocabulary import (
    CASE_STATUS_NL,
    CASE_STATUSES,
    CASE_WRITE_ROLES,
    LABEL_NL,
    OPEN_STATUSES,
    SELF_ASSESSED_INTRO,
    SEVERITY_RANK,
    legal_advice,
)
from triage import audit, label_corrections, legal_hold
from triage.autosteps import actor_nl
from triage.intake_receipt import receipt_view
from triage.removal_notice import removed_at
from triage.web import step_forms
from triage.web.casework import CASE_PAGE_ONLY_LABELS, DISMISSAL_REASONS, MERGED_REASON, get_case, scoped_mentions
from triage.web.dutch import decimal, score_level
from triage.web.errors import Invalid, NotFound

REASON_NL = {**DISMISSAL_REASONS, MERGED_REASON: "Samengevoegd met een andere zaak"}
RANK_LABEL = {rank: label for label, rank in SEVERITY_RANK.items()}
STEP_NL = dict(WORKFLOW_STEPS)
ACTION_NL = {
    "case.view": "zaak bekeken",
    "mention.reveal": "berichttekst getoond",
    "case.claim": "geclaimd",
    "case.release": "vrijgegeven",
    "case.assign": "toegewezen",
    "case.status": "status gewijzigd",
    "case.reopen": "heropend",
    "case.step": "stap afgevinkt",
    "case.step.withdraw": "automatische stap ingetrokken",
    "case.platform_answer": "antwoord platform vastgelegd",
    "case.note": "notitie toegevoegd",
    "mention.label_correction": "label gecorrigeerd",
    "case.victim_statement": "verklaring betrokkene vastgelegd",
    "case.link": "gekoppeld aan andere zaak",
    "case.merge": "samengevoegd",
    "case.export_bundle": "bewijsbundel geëxporteerd",
    "case.attachment": "bijlage toegevoegd",
    "case.attachment.view": "bijlage gedownload",
    "case.capture": "opnieuw vastgelegd",
    "alert.sent": "alarm verzonden",
    "alert.refused": "alarm geweigerd (intern adres of geen http(s))",
}
SORTS = {
    "urgentie": "Meest urgent",
    "laatste_bericht": "Laatste bericht",
    "nieuwste": "Nieuwste zaak",
    "oudste": "Oudste zaak",
}
PER_PAGE = 50


def sla_minutes(settings: Settings, severity: int) -> int:
    label = RANK_LABEL.get(severity)
    return (
        getattr(settings, f"sla_minutes_{label}", settings.sla_minutes_abuse) if label else settings.sla_minutes_abuse
    )


def assessment(label: str | None, score: float | None) -> str | None:
    """ "Bedreiging — hoog": the label in Dutch with the level of its score (None without a label)."""
    if not label:
        return None
    level = score_level(score)
    name = LABEL_NL.get(label, label)
    return f"{name} — {level}" if level else name


def author_handle_of(author_key: str | None) -> str:
    """The account part of a case's author key ("mastodon:@boos@x.example" -> "@boos@x.example")."""
    return (author_key or "").partition(":")[2]


_HANDLE_OF_KEY = func.substr(Case.author_key, func.strpos(Case.author_key, ":") + 1)


# ---------------------------------------------------------------- queue


@dataclass
class QueueFilters:
    """The queue's filters, search, sort and page, as they travel in the URL (`as_query`)."""

    official: str | None = None
    platform: str | None = None
    label: str | None = None  # the case's most serious label (its kind)
    status: str | None = None  # None/"open" = the open statuses, "alle" = everything, else one status
    q: str | None = None  # case number, author, or post text
    sort: str | None = None  # a key of SORTS; None = "urgentie"
    page: int = 1

    def as_query(self, **changes: Any) -> str:
        """The query string of the queue page (its page parameter is called "pagina")."""
        values = {**self.__dict__, **changes}
        page = values.pop("page")
        return urlencode({k: v for k, v in values.items() if v} | ({"pagina": page} if page and page > 1 else {}))


@dataclass
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    filters: QueueFilters = field(default_factory=QueueFilters)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def _like(text: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def _queue_query(session: Session, user: StaffUser, f: QueueFilters):
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
        if f.label not in SEVERITY_RANK:
            raise Invalid("Onbekende soort.")
        q = q.where(Case.severity == SEVERITY_RANK[f.label])
    if f.platform:
        q = q.where(exists().where(and_(Mention.case_id == Case.id, Mention.platform == f.platform)))
    term = (f.q or "").strip()
    if term:
        number = re.fullmatch(r"#?(\d{1,9})", term)
        matches = [
            Case.author_key.ilike(_like(term)),
            exists().where(and_(Mention.case_id == Case.id, Mention.text.ilike(_like(term)))),
        ]
        if number:
            matches.append(Case.id == int(number.group(1)))
        q = q.where(or_(*matches))
    return q


def queue(
    session: Session, user: StaffUser, settings: Settings, filters: QueueFilters | None = None, per_page: int = PER_PAGE
) -> QueuePage:
    """One page of the organisation's cases (most urgent first by default: severity, then age), with SLA state.

    A search term matches the case number, the author or the text of a post; a text search is audited, because it
    reads post content (every staff role may reveal text, so every role may search it)."""
    f = filters or QueueFilters()
    if f.sort and f.sort not in SORTS:
        raise Invalid("Onbekende sortering.")
    per_page = max(1, min(per_page, 500))
    q = _queue_query(session, user, f)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    order = {
        "laatste_bericht": (Case.last_post_at.desc(), Case.id.desc()),
        "nieuwste": (Case.opened_at.desc(), Case.id.desc()),
        "oudste": (Case.opened_at, Case.id),
    }.get(f.sort or "", (Case.severity, Case.opened_at, Case.id))
    page = max(1, f.page or 1)
    cases = session.scalars(q.order_by(*order).offset((page - 1) * per_page).limit(per_page)).all()
    search = (f.q or "").strip()
    if search:
        audit.record(
            session,
            actor=user.email,
            organisation_id=user.organisation_id,
            action="queue.search",
            object_type="queue",
            object_id=user.organisation_id,
            details={"q": search[:200], "results": total},
        )
        session.commit()
    repeat = repeat_counts(session, user, [c.author_key for c in cases])
    rows = [
        case_summary(session, c, settings, repeat_cases=repeat.get(author_handle_of(c.author_key), 1)) for c in cases
    ]
    return QueuePage(rows=rows, total=total, page=page, per_page=per_page, filters=f)


def repeat_counts(session: Session, user: StaffUser, author_keys: Iterable[str]) -> dict[str, int]:
    """Per account (handle, across platforms): how many cases of the organisation it has."""
    handles = {author_handle_of(k) for k in author_keys if author_handle_of(k)}
    if not handles:
        return {}
    rows = session.execute(
        select(_HANDLE_OF_KEY, func.count())
        .where(Case.organisation_id == user.organisation_id, _HANDLE_OF_KEY.in_(handles))
        .group_by(_HANDLE_OF_KEY)
    ).all()
    return {handle: n for handle, n in rows}


def top_score(session: Session, case: Case) -> float | None:
    """The highest score any post of the case has for the case's most serious label."""
    label = RANK_LABEL.get(case.severity)
    if label is None:
        return None
    value = session.scalar(select(func.max(Mention.scores[label].astext.cast(Float))).where(Mention.case_id == case.id))
    return float(value) if value is not None else None


def case_summary(
    session: Session, case: Case, settings: Settings, now: datetime | None = None, repeat_cases: int = 1
) -> dict[str, Any]:
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
    severity_label = RANK_LABEL.get(case.severity)
    score = top_score(session, case)
    return {
        "id": case.id,
        "severity": case.severity,
        "severity_label": severity_label,
        "labels": list(case.labels or []),
        "labels_nl": [LABEL_NL.get(lab, lab) for lab in case.labels or []],
        "top_score": score,
        "assessment_nl": assessment(severity_label, score),
        "case_page_only": any(lab in CASE_PAGE_ONLY_LABELS for lab in case.labels or []),
        "status": case.status,
        "status_nl": CASE_STATUS_NL.get(case.status, case.status),
        "dismissal_reason": case.dismissal_reason,
        "dismissal_reason_nl": REASON_NL.get(case.dismissal_reason or "", case.dismissal_reason),
        "dismissal_note": case.dismissal_note,
        "merged_into_id": case.merged_into_id,
        "official": {"id": official.id, "name": official.full_name, "role": official.role} if official else None,
        "author_key": case.author_key,
        "author_handle": author_handle_of(case.author_key),
        "repeat_cases": repeat_cases,
        "platforms": sorted({p for p, _ in counts} or {case.author_key.partition(":")[0]}),
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
        "legal_hold": legal_hold.view(case, settings, now),
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
        "statuses": list(CASE_STATUS_NL.items()),
        "sorts": list(SORTS.items()),
    }


def colleagues(session: Session, user: StaffUser) -> list[StaffUser]:
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.organisation_id == user.organisation_id,
                StaffUser.active.is_(True),
                StaffUser.role.in_(CASE_WRITE_ROLES),
            )
            .order_by(StaffUser.name)
        )
    )


def staff_names(session: Session, organisation_id: str) -> dict[str, str]:
    """E-mail -> name for the organisation's staff (staff are shown by name, never by e-mail)."""
    rows = session.execute(select(StaffUser.email, StaffUser.name).where(StaffUser.organisation_id == organisation_id))
    return {email: name for email, name in rows}


# ---------------------------------------------------------------- posts


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


def mention_view(
    m: Mention, revealed: bool, case_id: int | None = None, corrections: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One post as staff see it; `corrections` (label_corrections.correction_records) yields the corrected labels
    beside the model's, which stay as they were."""
    has_text = m.text is not None
    shown = bool(revealed and has_text)
    scores = {k: round(float(v), 3) for k, v in (m.scores or {}).items() if isinstance(v, (int, float))}
    flags = sorted(m.flags or [], key=lambda lab: SEVERITY_RANK.get(lab, 9))
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
        "flags_nl": [LABEL_NL.get(f, f) for f in flags],
        "assessments_nl": [assessment(f, scores.get(f)) for f in flags],
        "scores": scores,
        "scores_nl": [(LABEL_NL.get(k, k), decimal(v)) for k, v in sorted(scores.items(), key=lambda kv: -kv[1])],
        "spans": [
            {"start": s.get("start"), "end": s.get("end"), "label": s.get("label"), "source": s.get("source")}
            for s in m.spans or []
        ],
        "marked_count": len(m.spans or []),
        "model": f"{m.model_name} {m.model_version}",
        "has_text": has_text,
        "text_length": len(m.text) if m.text is not None else 0,
        "purged": m.content_purged_at is not None,
        "revealed": shown,
        "text": m.text if shown else None,
        "segments": segments(m.text, m.spans) if shown else [],
        "own_case": case_id is not None and m.case_id == case_id,
        "intake": receipt_view(m),  # handed over (mail, upload, CLI): channel, by whom, OCR confidence and warning
        "removed_at": removed_at(m),  # deleted on the platform since (by it or the author), when noticed
        **_corrected(flags, corrections or []),
    }


def _corrected(flags: list[str], corrections: list[dict[str, Any]]) -> dict[str, Any]:
    changes = [(c["label"], c["action"]) for c in corrections]
    corrected = label_corrections.apply_corrections(flags, changes) if corrections else None
    return {
        "corrections": [
            {**c, "label_nl": LABEL_NL.get(c["label"], c["label"]), "added": c["action"] == label_corrections.ADDED}
            for c in corrections
        ],
        "corrected_labels": corrected,
        "corrected_nl": [LABEL_NL.get(lab, lab) for lab in corrected] if corrected is not None else None,
        "corrected_by": sorted({c["by"] for c in corrections}),
    }


# ---------------------------------------------------------------- case page

# A pile-on thread can put 100,000 posts in one case: the page shows the first ones (`post_count` says how many),
# so that every query below stays bounded (context and history are limited too).
CASE_POSTS_SHOWN = 500


def _related(session: Session, user: StaffUser, case: Case) -> list[dict[str, Any]]:
    links = session.scalars(
        select(CaseLink).where(
            CaseLink.organisation_id == user.organisation_id,
            or_(CaseLink.case_id == case.id, CaseLink.other_case_id == case.id),
        )
    ).all()
    ids = {lk.other_case_id if lk.case_id == case.id else lk.case_id for lk in links}
    merged_from = set(session.scalars(select(Case.id).where(Case.merged_into_id == case.id)))
    if case.merged_into_id:
        ids.add(case.merged_into_id)
    others = session.scalars(
        select(Case).where(Case.organisation_id == user.organisation_id, Case.id.in_(ids | merged_from))
    ).all()
    out = []
    for other in sorted(others, key=lambda c: c.id):
        relation = (
            "samengevoegd in"
            if other.id == case.merged_into_id
            else "samengevoegd uit"
            if other.id in merged_from
            else "gekoppeld"
        )
        out.append(
            {
                "id": other.id,
                "relation": relation,
                "labels_nl": [LABEL_NL.get(lab, lab) for lab in other.labels or []],
                "status_nl": CASE_STATUS_NL.get(other.status, other.status),
            }
        )
    return out


# The steps the case page puts the cursor on, in order, until each is recorded; then on "Afronden". The GIR step is
# recorded by the GIR export (triage.autosteps), so the page does not wait for it.
FOCUS_ORDER = ("bewijs_vastgelegd", "intern_gemeld", "gemeld_bij_platform", "nazorg", "melding_aangifte")


def step_views(
    steps: dict[str, CaseStep], names: dict[str, str], prefill: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every Steunpakket step in order: done or not, by whom ("automatisch" with the system or export that recorded
    it), and what its form offers (`step_forms.prefill`)."""
    out = []
    for key, label in WORKFLOW_STEPS:
        row = steps.get(key)
        out.append(
            {
                "key": key,
                "label": label,
                "done": row is not None,
                "automatic": bool(row and row.automatic),
                "done_at": row.done_at.isoformat() if row else None,
                "done_by": (actor_nl(row.done_by, names) if row.automatic else names.get(row.done_by, row.done_by))
                if row
                else None,
                "reference": row.reference if row else None,
                "vpt_code": row.vpt_code if row else None,
                "note": row.note if row else None,
                "platform_answer": row.platform_answer if row else None,
                "platform_answered_at": row.platform_answered_at.isoformat()
                if row and row.platform_answered_at
                else None,
                "platform_answer_reference": row.platform_answer_reference if row else None,
                "prefill": prefill.get(key, {}),
            }
        )
    return out


def case_detail(
    session: Session, user: StaffUser, settings: Settings, case_id: int, revealed: Iterable[int] = ()
) -> dict[str, Any]:
    """Everything the case page shows; audited as a view of case content by the caller."""
    case = get_case(session, user, case_id)
    revealed = set(revealed)
    posts = list(
        session.scalars(
            scoped_mentions(user)
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
                scoped_mentions(user).where(or_(*conds)).order_by(Mention.created_at, Mention.id).limit(200)
            )
            if m.id not in post_ids
        ]
    handles = {m.author_handle for m in posts if m.author_handle}
    history: list[Mention] = []
    if handles:
        history = [
            m
            for m in session.scalars(
                scoped_mentions(user)
                .where(Mention.author_handle.in_(handles))
                .order_by(Mention.created_at.desc(), Mention.id.desc())
                .limit(100)
            )
            if m.id not in post_ids
        ]
    official = session.get(Official, case.official_id)
    steps = {s.step: s for s in session.scalars(select(CaseStep).where(CaseStep.case_id == case.id))}
    names = staff_names(session, user.organisation_id)
    advice = legal_advice(case.labels or [])  # the same advice the police report prints
    offences = [{"article": o.article, "name": o.name, "note": o.note} for o in advice.suggested] + [
        {"article": o.article, "name": o.name, "note": f"{SELF_ASSESSED_INTRO}: {o.note}"} for o in advice.self_assessed
    ]
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
    notes = session.execute(
        select(CaseNote, StaffUser.name)
        .join(StaffUser, StaffUser.id == CaseNote.author_id)
        .where(CaseNote.case_id == case.id, CaseNote.organisation_id == user.organisation_id)
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
    ).all()
    repeat = repeat_counts(session, user, [case.author_key]).get(author_handle_of(case.author_key), 1)
    corrections = {
        mention_id: label_corrections.correction_records(session, rows)
        for mention_id, rows in label_corrections.corrections_by_mention(session, post_ids).items()
    }
    return {
        "case": case_summary(session, case, settings, repeat_cases=repeat),
        "posts": [mention_view(m, m.id in revealed, case.id, corrections.get(m.id)) for m in posts],
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
        "victim_statement": case.victim_statement,
        "notes": [
            {"id": n.id, "at": n.created_at.isoformat(), "author": author_name, "text": n.text}
            for n, author_name in notes
        ],
        "related": _related(session, user, case),
        "steps": step_views(steps, names, step_forms.prefill(session, case, official, posts[0].url if posts else None)),
        "next_step": next(
            (key for key in FOCUS_ORDER if key not in steps),
            None,
        ),
        "offences": offences,
        "log": [
            {
                "at": e.at.isoformat(),
                "actor": actor_nl(e.actor, names),
                "action": e.action,
                "action_nl": ACTION_NL.get(e.action, e.action),
                "detail": STEP_NL.get(e.details.get("step") or "", "")
                or REASON_NL.get(e.details.get("reason") or "", "")
                or CASE_STATUS_NL.get(e.details.get("to") or "", "")
                or (f"zaak #{e.details['other_case_id']}" if e.details.get("other_case_id") else "")
                or "",
            }
            for e in log
        ],
    }


def view_case(
    session: Session,
    user: StaffUser,
    settings: Settings,
    case_id: int,
    revealed: Iterable[int] = (),
    channel: str = "web",
) -> dict[str, Any]:
    """The case page's content; the view (and which texts were shown) is audited."""
    detail = case_detail(session, user, settings, case_id, revealed)
    shown = [m["id"] for m in detail["posts"] + detail["context"] + detail["history"] if m["revealed"]]
    audit.record_case(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action="case.view",
        case_id=case_id,
        details={"case_id": case_id, "channel": channel, "revealed_mentions": shown},
    )
    session.commit()
    return detail


# ---------------------------------------------------------------- author view

AUTHOR_POSTS_SHOWN = 200


def author_view(session: Session, user: StaffUser, settings: Settings, handle: str, channel: str = "web") -> dict:
    """Every case and post of one account (its handle, on any platform) in the organisation's own data.

    Post text stays hidden here (it is read on the case page, where revealing is audited); the view is audited."""
    handle = (handle or "").strip().lower()
    if not handle:
        raise Invalid("Geef een account op.")
    cases = session.scalars(
        select(Case)
        .where(Case.organisation_id == user.organisation_id, _HANDLE_OF_KEY == handle)
        .order_by(Case.opened_at.desc(), Case.id.desc())
    ).all()
    posts = session.scalars(
        scoped_mentions(user)
        .where(or_(func.lower(Mention.author_handle) == handle, func.lower(Mention.author_id) == handle))
        .order_by(Mention.created_at.desc(), Mention.id.desc())
        .limit(AUTHOR_POSTS_SHOWN)
    ).all()
    if not cases and not posts:
        raise NotFound("Van dit account zijn geen zaken of berichten bekend in uw organisatie.")
    audit.record(
        session,
        actor=user.email,
        organisation_id=user.organisation_id,
        action="author.view",
        object_type="author",
        object_id=handle,
        details={"channel": channel, "cases": [c.id for c in cases], "posts": len(posts)},
    )
    session.commit()
    platforms = sorted({m.platform for m in posts} | {c.author_key.partition(":")[0] for c in cases})
    return {
        "handle": handle,
        "platforms": platforms,
        "display_names": sorted({m.author_display_name for m in posts if m.author_display_name}),
        "cases": [case_summary(session, c, settings, repeat_cases=len(cases)) for c in cases],
        "posts": [mention_view(m, False) for m in posts],
        "posts_capped": len(posts) == AUTHOR_POSTS_SHOWN,
    }
