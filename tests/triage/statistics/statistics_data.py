"""A small, hand-counted data set for November 2026 (Europe/Amsterdam, UTC+1 in November).

Organisation A gets four cases inside November, one just after (1 December 00:00 local) and one just before
(31 October 23:59 local), one merged case, a loose flagged post and an unflagged one; organisation B gets a threat
case with an aangifte that must never be counted for A; organisation C has an official and no cases. The expected
figures are written out by hand in test_service.py, next to the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from schildwacht.models import AuditEvent, Case, CaseStep, Official, Organisation
from schildwacht.vocabulary import AMSTERDAM, SEVERITY_RANK
from tests.support.mentions import add_mention

SECRET_TEXT = "GEHEIME-BERICHTTEKST ik weet waar je woont"  # must never appear in statistics
FORMULA = '=HYPERLINK("http://evil.example/","klik")'  # a reference typed by staff that a spreadsheet would run
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=AMSTERDAM)  # "now" for the SLA: every November deadline has passed


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMSTERDAM)


@dataclass
class Made:
    org_a: str
    org_b: str
    org_c: str
    cases: dict[str, int] = field(default_factory=dict)


def _official(s: Session, oid: str, org: str, role: str, gender: str | None, status: str = "active") -> None:
    s.add(Official(id=oid, organisation_id=org, full_name=f"Naam {oid}", role=role, gender=gender, status=status))


def _case(
    s: Session,
    org: str,
    official: str,
    labels: list[str],
    author: str,
    opened: datetime,
    posts: list[datetime],
    *,
    claimed_after: int | None = None,
    status: str = "nieuw",
    merged_into: int | None = None,
) -> Case:
    case = Case(
        organisation_id=org,
        official_id=official,
        author_key=author,
        labels=labels,
        severity=min(SEVERITY_RANK[label] for label in labels),
        status=status,
        opened_at=opened,
        last_post_at=posts[-1] if posts else opened,
        claimed_at=opened + timedelta(minutes=claimed_after) if claimed_after is not None else None,
        merged_into_id=merged_into,
    )
    s.add(case)
    s.flush()
    platform, handle = author.split(":", 1)
    for moment in posts:
        add_mention(
            s,
            organisation_id=org,
            official_id=official,
            text=SECRET_TEXT,
            platform=platform,
            author=handle,
            created_at=moment,
            flags=labels,
            case_id=case.id,
        )
    return case


def _step(s: Session, case: Case, step: str, done: datetime, answered: datetime | None = None, ref: str = "") -> None:
    s.add(
        CaseStep(
            case_id=case.id,
            organisation_id=case.organisation_id,
            step=step,
            done_at=done,
            done_by="test@org.example",
            reference=ref or None,
            platform_answered_at=answered,
        )
    )


def _status(s: Session, case: Case, to: str, at: datetime, action: str = "case.status") -> None:
    s.add(
        AuditEvent(
            at=at,
            organisation_id=case.organisation_id,
            actor="test@org.example",
            action=action,
            object_type="case",
            object_id=str(case.id),
            details={"case_id": case.id, "to": to},
        )
    )


def build(s: Session, org_a: str = "st-a", org_b: str = "st-b", org_c: str = "st-c") -> Made:
    """Store the data set; organisations that exist already (the web tests' seeded ones) are used as they are."""
    for org in (org_a, org_b, org_c):
        if s.get(Organisation, org) is None:
            s.add(Organisation(id=org, name=f"Gemeente {org}", kind="gemeente"))
    s.flush()
    _official(s, "st-v", org_a, "wethouder", "v")
    _official(s, "st-v2", org_a, "raadslid", "v")
    _official(s, "st-m", org_a, "raadslid", "m")
    _official(s, "st-x", org_a, "burgemeester", None)
    _official(s, "st-w", org_a, "wethouder", "m", status="withdrawn")
    _official(s, "st-i", org_a, "wethouder", "m", status="invited")
    _official(s, "st-o", org_b, "wethouder", "v")
    _official(s, "st-c1", org_c, "raadslid", "v")
    s.flush()
    made = Made(org_a, org_b, org_c)

    c1 = _case(
        s,
        org_a,
        "st-v",
        ["threat"],
        "mastodon:@een@x.example",
        local(2, 10),
        [local(2, 9, 30), local(2, 23, 30)],
        claimed_after=30,
        status="afgerond",
    )
    _step(s, c1, "bewijs_vastgelegd", local(2, 11))
    _step(s, c1, "intern_gemeld", local(2, 11))
    _step(s, c1, "melding_aangifte", local(3, 9), ref="PL0900-2026-1")
    _step(s, c1, "gemeld_bij_platform", local(2, 12), answered=local(3, 0), ref="MST-1")
    _status(s, c1, "afgerond", local(3, 10))  # closed after 24 h ...
    _status(s, c1, "in_behandeling", local(3, 12), action="case.reopen")
    _status(s, c1, "afgerond", local(4, 10))  # ... reopened and closed again: 48 h counts

    c2 = _case(
        s,
        org_a,
        "st-v",
        ["threat", "abuse"],
        "mastodon:@een@x.example",
        local(10, 20),
        [local(10, 19)],
        claimed_after=90,
        status="in_behandeling",
    )
    _step(s, c2, "bewijs_vastgelegd", local(10, 21))
    _step(s, c2, "gemeld_bij_platform", local(10, 22), ref="+31 6 12345678")

    c3 = _case(
        s, org_a, "st-m", ["abuse"], "bluesky:@twee.bsky.social", local(20, 8), [local(20, 7, 45)], status="geen_actie"
    )
    _status(s, c3, "geen_actie", local(20, 14))

    c4 = _case(
        s,
        org_a,
        "st-x",
        ["doxxing"],
        "mastodon:@drie@x.example",
        local(30, 23, 30),
        [local(30, 23, 15)],
        claimed_after=10,
    )
    _step(s, c4, "intern_gemeld", local(30, 23, 50), ref=FORMULA)

    # Outside November: 1 December 00:00 local is 30 November 23:00 UTC; 31 October 23:59 local.
    c5 = _case(
        s,
        org_a,
        "st-v",
        ["threat"],
        "mastodon:@een@x.example",
        local(1, 0, month=12),
        [local(1, 0, 10, month=12)],
        claimed_after=5,
    )
    _step(s, c5, "melding_aangifte", local(1, 9, month=12))
    _case(
        s,
        org_a,
        "st-m",
        ["abuse"],
        "mastodon:@een@x.example",
        local(31, 23, 59, month=10),
        [local(31, 23, 50, month=10)],
    )
    # Merged into c3: its posts moved there, the case itself must not be counted again.
    _case(
        s, org_a, "st-m", ["abuse"], "bluesky:@twee.bsky.social", local(21, 8), [], status="afgerond", merged_into=c3.id
    )
    # A flagged post outside any case (Sunday 15 November 14:00) and an unflagged one.
    add_mention(s, organisation_id=org_a, official_id="st-v", text="x", created_at=local(15, 14), flags=["gender"])
    add_mention(s, organisation_id=org_a, official_id="st-v", text="y", created_at=local(16, 14), flags=[])

    # Organisation B: a November threat case with an aangifte, by the same author.
    b1 = _case(
        s,
        org_b,
        "st-o",
        ["threat"],
        "mastodon:@een@x.example",
        local(5, 10),
        [local(5, 9), local(5, 9, 5)],
        claimed_after=5,
    )
    _step(s, b1, "melding_aangifte", local(5, 12))
    _step(s, b1, "gemeld_bij_platform", local(5, 12), answered=local(5, 13))
    s.flush()
    made.cases.update(c1=c1.id, c2=c2.id, c3=c3.id, c4=c4.id, c5=c5.id, b1=b1.id)
    return made
