"""Registry test helpers on the real PostgreSQL: two organisations, officials, staff, mentions, cases, evidence."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from schildwacht.models import Case, Consent, EvidenceBlob, Mention, Official, Organisation, StaffUser
from tests.support.mentions import add_mention as support_add_mention
from triage.bundle import custody

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
_seq = itertools.count(1)


def add_org(s: Session, org_id: str) -> Organisation:
    org = Organisation(id=org_id, name=f"Gemeente {org_id}", kind="gemeente", contact_email=f"privacy@{org_id}.example")
    s.add(org)
    s.flush()
    return org


def add_official(
    s: Session, official_id: str, org_id: str, status: str = "active", gender: str | None = "v", role: str = "wethouder"
) -> Official:
    o = Official(
        id=official_id,
        organisation_id=org_id,
        full_name=f"Naam {official_id}",
        role=role,
        gender=gender,
        handles={"mastodon": [f"@{official_id}@social.example"]},
        name_variants=[f"wethouder {official_id}"],
        status=status,
    )
    s.add(o)
    s.flush()
    if status in ("active", "paused"):
        s.add(Consent(official_id=o.id, notice_version="2026-1", method="test", recorded_by="test", scope={}))
        s.flush()
    return o


def add_staff(s: Session, email: str, org_id: str, role: str = "beheerder") -> StaffUser:
    u = StaffUser(email=email, name=email.split("@")[0], organisation_id=org_id, role=role, password_hash="x")
    s.add(u)
    s.flush()
    return u


def add_blob(s: Session, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    s.add(EvidenceBlob(sha256=sha, content_type="application/json", size=len(data), data=data))
    s.flush()
    return sha


def add_mention(
    s: Session,
    official: Official,
    *,
    flagged: bool = False,
    text: str | None = None,
    author: str = "@troll@bad.example",
    case: Case | None = None,
    age_days: float = 0,
    raw_sha: str | None = None,
    warc_sha: str | None = None,
    now: datetime = NOW,
) -> Mention:
    n = next(_seq)
    at = now - timedelta(days=age_days)
    text = text if text is not None else f"bericht {n} over {official.full_name}"
    return support_add_mention(
        s,
        organisation_id=official.organisation_id,
        official_id=official.id,
        text=text,
        post_id=str(n),
        url=f"https://bad.example/{n}",
        author=author,
        author_display_name=f"Display {author}",
        author_profile_url=f"https://bad.example/{author}",
        created_at=at,
        scores={"threat": 0.9 if flagged else 0.01},
        flags=["threat"] if flagged else [],
        spans=[{"start": 0, "end": 3}],
        model_name="test",
        model_version="1",
        ingested_at=at,
        raw_meta={"sha256": raw_sha, "size": 1, "warc_sha256": warc_sha} if raw_sha or warc_sha else None,
        case_id=case.id if case else None,
    )


def add_case(
    s: Session,
    official: Official,
    status: str = "nieuw",
    age_days: float = 0,
    legal_hold: bool = False,
    labels: list[str] | None = None,
    author: str = "mastodon:@troll@bad.example",
    posts: int = 1,
    now: datetime = NOW,
) -> Case:
    at = now - timedelta(days=age_days)
    c = Case(
        organisation_id=official.organisation_id,
        official_id=official.id,
        author_key=author,
        labels=labels or ["threat"],
        severity=0,
        status=status,
        opened_at=at,
        last_post_at=at,
        legal_hold=legal_hold,
    )
    s.add(c)
    s.flush()
    for _ in range(posts):
        m = add_mention(s, official, flagged=True, case=c, age_days=age_days, author=author.split(":", 1)[1], now=now)
        m.flags = list(c.labels)
        custody.append_event(s, c.id, "post_added", "test", {"mention_uid": m.uid})
    c.updated_at = at  # after the flushes above, so onupdate does not move it to "now"
    s.flush()
    return c
