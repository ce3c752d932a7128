"""Authors are data subjects too: search, export (AVG art. 15) and erase (art. 17) what one organisation keeps about
the writer of posts, by handle (`schildwacht auteurs zoek|inzage|wis`).

Invariants:
- Everything is scoped to one organisation: another organisation's data about the same handle is never read,
  shown or touched.
- Erasure removes the author's content (text, handle, name, profile, URL, spans; evidence blobs nobody else refers
  to) except where a case still needs it: a case on legal hold or an open case keeps its posts; the request is
  noted on those cases too, so whoever decides on them sees it. A closed case keeps its content-free skeleton, with
  `author_key` replaced by `gewist:<case id>`.
- Every affected case gets a custody note that says what was erased and why something was kept, without the
  handle or any content; the audit event holds counts only, so no log keeps the erased handle.
- A search or export is audited; every post text an export holds is audited as a reveal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schildwacht.models import Case, Mention
from schildwacht.models.base import utcnow
from schildwacht.vocabulary import OPEN_STATUSES
from triage import audit
from triage.registry import purge
from triage.registry.export import MENTION_FIELDS, audit_text_reveals
from triage.registry.service import PLATFORMS

FORMAT = "schildwacht-auteur-inzage/1"


class AuthorError(ValueError):
    """A refusal shown to a person (Dutch)."""


@dataclass(frozen=True)
class Author:
    """An author as asked for: a handle, optionally on one platform (`platform:handle`)."""

    handle: str
    platform: str | None = None

    @classmethod
    def parse(cls, value: str) -> Author:
        value = (value or "").strip()
        platform, sep, handle = value.partition(":")
        if sep and platform.lower() in PLATFORMS and handle.strip():
            return cls(handle.strip(), platform.lower())
        if not value:
            raise AuthorError(
                "Geef een gebruikersnaam op, bijv. @naam@server.example of mastodon:@naam@server.example."
            )
        return cls(value)

    def mentions(self, organisation_id: str):
        """SQL conditions: this author's posts in the organisation (handles compared case-insensitively)."""
        conditions = [
            Mention.organisation_id == organisation_id,
            func.lower(Mention.author_handle) == self.handle.lower(),
        ]
        if self.platform:
            conditions.append(Mention.platform == self.platform)
        return conditions

    def cases(self, organisation_id: str):
        """SQL conditions: this author's cases in the organisation (`author_key` is platform:lower-cased handle)."""
        key = self.handle.lower()
        if self.platform:
            by_key = Case.author_key == f"{self.platform}:{key}"
        else:
            by_key = Case.author_key.endswith(f":{key}", autoescape=True)
        return [Case.organisation_id == organisation_id, by_key]


def _cases(session: Session, organisation_id: str, author: Author) -> list[Case]:
    return list(session.scalars(select(Case).where(*author.cases(organisation_id)).order_by(Case.id)))


def _mentions(session: Session, organisation_id: str, author: Author) -> list[Mention]:
    query = select(Mention).where(*author.mentions(organisation_id)).order_by(Mention.created_at, Mention.id)
    return list(session.scalars(query))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _case_row(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "status": case.status,
        "labels": list(case.labels or []),
        "legal_hold": case.legal_hold,
        "opened_at": case.opened_at.isoformat(),
    }


def search(session: Session, organisation_id: str, handle: str, actor: str) -> dict[str, Any]:
    """The author's cases and posts in the organisation (no content); audited as `author.search` (counts only)."""
    author = Author.parse(handle)
    cases, mentions = _cases(session, organisation_id, author), _mentions(session, organisation_id, author)
    result = {
        "organisation_id": organisation_id,
        "cases": [_case_row(c) for c in cases],
        "mentions": [
            {
                "id": m.id,
                "platform": m.platform,
                "created_at": m.created_at.isoformat(),
                "flagged": m.flagged,
                "case_id": m.case_id,
                "has_content": m.content_purged_at is None,
            }
            for m in mentions
        ],
    }
    _audit(session, organisation_id, actor, "author.search", {"cases": len(cases), "mentions": len(mentions)})
    return result


def export(session: Session, organisation_id: str, handle: str, actor: str, channel: str = "cli") -> dict[str, Any]:
    """Everything the organisation keeps about the author (right of access); each text audited as a reveal."""
    author = Author.parse(handle)
    cases, mentions = _cases(session, organisation_id, author), _mentions(session, organisation_id, author)
    data = {
        "format": FORMAT,
        "generated_at": utcnow().isoformat(),
        "organisation_id": organisation_id,
        "author": {"handle": author.handle, "platform": author.platform},
        "cases": [_case_row(c) for c in cases],
        "mentions": [{f: _plain(getattr(m, f)) for f in MENTION_FIELDS} for m in mentions],
    }
    _audit(session, organisation_id, actor, "author.exported", {"cases": len(cases), "mentions": len(mentions)})
    audit_text_reveals(session, data, actor, organisation_id, channel=f"auteur-inzage.{channel}")
    return data


def erase(session: Session, organisation_id: str, handle: str, actor: str, reason: str) -> dict[str, Any]:
    """Erase the author's data that no legal hold or open case needs (module docstring); returns the counts."""
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise AuthorError("Geef een reden op (bijv. 'verzoek van de betrokkene van 12-05'); die komt in het logboek.")
    author = Author.parse(handle)
    cases = {c.id: c for c in _cases(session, organisation_id, author)}
    mentions = _mentions(session, organisation_id, author)
    cases.update({c.id: c for c in session.scalars(select(Case).where(Case.id.in_({m.case_id for m in mentions})))})
    held = sorted(i for i, c in cases.items() if c.legal_hold)
    open_ = sorted(i for i, c in cases.items() if not c.legal_hold and c.status in OPEN_STATUSES)
    kept = set(held) | set(open_)
    doomed = [m for m in mentions if m.case_id not in kept and m.content_purged_at is None]
    purged = purge.purge_mention_content(session, Mention.id.in_([m.id for m in doomed])) if doomed else 0
    per_case: dict[int, int] = {}
    for m in doomed:
        if m.case_id is not None:
            per_case[m.case_id] = per_case.get(m.case_id, 0) + 1
    anonymised = [i for i in sorted(cases) if i not in kept]
    for case_id in anonymised:
        cases[case_id].author_key = f"gewist:{case_id}"
    session.flush()
    for case_id in sorted(cases):
        kept_because = "legal_hold" if case_id in held else "open_case" if case_id in open_ else None
        _note(session, case_id, actor, per_case.get(case_id, 0), kept_because, reason)
    blobs = purge.delete_orphan_blobs(session)
    counts = {
        "mentions_purged": purged,
        "cases_anonymised": len(anonymised),
        "kept_legal_hold": held,
        "kept_open": open_,
        "evidence_blobs_deleted": blobs,
    }
    _audit(session, organisation_id, actor, "author.erased", {**counts, "reason": reason})
    return counts


def _note(session: Session, case_id: int, actor: str, purged: int, kept_because: str | None, reason: str) -> None:
    """Custody note about an erasure request, without handle or content."""
    try:
        from triage.bundle import custody
    except ImportError:  # bundle stage not installed
        return
    details = {"action": "author.erase", "mentions_purged": purged, "reason": reason}
    if kept_because:
        details["kept_because"] = kept_because
    custody.append_event(session, case_id, "note", actor, details)


def _audit(session: Session, organisation_id: str, actor: str, action: str, details: dict[str, Any]) -> None:
    audit.record(
        session,
        actor=actor,
        organisation_id=organisation_id,
        action=action,
        object_type="author",
        object_id="-",  # never the handle: the log outlives an erasure
        details=details,
    )
