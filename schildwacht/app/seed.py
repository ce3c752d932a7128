"""Load organisations, consenting officials and staff accounts from a JSON file (the bundled demo by default)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import Headers

from schildwacht.models import Case, Consent, Mention, Official, Organisation, StaffUser
from schildwacht.vocabulary import SEVERITY_RANK
from triage.security import hash_password
from triage.web import casework, evidence_view

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "officials.json"
DEMO_SCREENSHOT = DEMO_FILE.parent / "intake" / "dm-schermafbeelding.png"
PNG_HEADERS = Headers({"content-type": "image/png"})
DEMO_PASSWORD = "schildwacht-demo"
DEMO_NOTICE_VERSION = "demo-2026-1"


def seed(session: Session, path: Path = DEMO_FILE, password: str = DEMO_PASSWORD) -> dict[str, int]:
    """Insert what is not there yet (by id / e-mail); returns counts of inserted rows."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    counts = {"organisations": 0, "officials": 0, "staff": 0}
    for org in doc.get("organisations", []):
        if session.get(Organisation, org["id"]) is None:
            session.add(
                Organisation(
                    **{k: org.get(k) for k in ("id", "name", "kind", "address", "contact_email", "webhook_url")}
                )
            )
            counts["organisations"] += 1
    session.flush()
    for off in doc.get("officials", []):
        if session.get(Official, off["id"]) is not None:
            continue
        withdrawn = off.get("consent") == "withdrawn"
        official = Official(
            id=off["id"],
            organisation_id=off["organisation_id"],
            full_name=off["full_name"],
            role=off["role"],
            gender=off.get("gender"),
            email=off.get("email"),
            handles=off.get("handles", {}),
            name_variants=off.get("name_variants", []),
            status="withdrawn" if withdrawn else "active",
        )
        session.add(official)
        session.flush()
        consent = Consent(
            official_id=official.id,
            notice_version=DEMO_NOTICE_VERSION,
            method="demo-seed",
            recorded_by="system:seed",
            scope={"platforms": sorted(official.handles)},
        )
        if withdrawn:
            consent.withdrawn_at = consent.given_at
        session.add(consent)
        counts["officials"] += 1
    for user in doc.get("staff", []):
        if session.query(StaffUser).filter_by(email=user["email"]).first() is None:
            session.add(
                StaffUser(
                    email=user["email"],
                    name=user["name"],
                    organisation_id=user["organisation_id"],
                    role=user["role"],
                    password_hash=hash_password(password),
                )
            )
            counts["staff"] += 1
    session.flush()
    return counts


DEMO_TRIAGIST = "j.kokkelink@voorbeeld.example"


def demo_casework(session: Session) -> dict[str, int]:
    """After the demo posts are processed: a little staff work on the demo organisation's cases, so the UI shows a
    note, a victim statement, an attachment (the forwarded screenshot), a label correction, a "geen actie" with its
    reason and two linked cases of a repeat author; then a few months of closed fictional history for the statistics
    (schildwacht/app/demo_history.py).

    Done through the case workflow as the demo triagist (audited like real work); cases it cannot find are skipped.
    Returns what was done."""
    user = session.scalars(select(StaffUser).where(StaffUser.email == DEMO_TRIAGIST)).one()
    cases = list(
        session.scalars(
            select(Case)
            .where(Case.organisation_id == user.organisation_id, Case.status == "nieuw")
            .order_by(Case.severity, Case.opened_at)
        )
    )
    done = {"notes": 0, "statements": 0, "attachments": 0, "corrections": 0, "dismissed": 0, "links": 0}
    threat = next((c for c in cases if "threat" in (c.labels or [])), None)
    if threat is not None:
        casework.add_note(session, user, threat.id, "Betrokkene telefonisch gesproken; zij wil aangifte doen.")
        casework.set_victim_statement(
            session, user, threat.id, "Ik voel me niet meer veilig thuis en laat de kinderen niet alleen buiten spelen."
        )
        done["notes"] = done["statements"] = 1
        screenshot = DEMO_SCREENSHOT.read_bytes()
        upload = UploadFile(io.BytesIO(screenshot), filename=DEMO_SCREENSHOT.name, headers=PNG_HEADERS)
        evidence_view.add_attachment(session, user, threat.id, upload, "Schermafbeelding, doorgestuurd door betrokkene")
        session.commit()
        done["attachments"] = 1
    mild = next((c for c in reversed(cases) if not set(c.labels or []) & set(casework.CASE_PAGE_ONLY_LABELS)), None)
    if mild is not None:
        done["corrections"] = _demo_label_correction(session, user, mild.id)
        result = casework.bulk_dismiss(session, user, [mild.id], "citaat_of_nieuws", "Citaat uit een nieuwsbericht.")
        done["dismissed"] = len(result.dismissed)
    repeat = session.execute(
        select(Case.author_key, func.array_agg(Case.id))
        .where(Case.organisation_id == user.organisation_id, Case.status == "nieuw")
        .group_by(Case.author_key)
        .having(func.count() > 1)
        .order_by(Case.author_key)
        .limit(1)
    ).first()
    if repeat is not None:
        first, second = sorted(repeat[1])[:2]
        casework.link_cases(session, user, first, second)
        done["links"] = 1
    from schildwacht.app.demo_history import seed_history

    seed_history(session)  # a few closed months, so every statistics chart shows something (not in `done`)
    return done


def _demo_label_correction(session: Session, user: StaffUser, case_id: int) -> int:
    """The case about to be dismissed as a quote: remove the model's most urgent label from its first flagged post,
    with the reason (a negative training example for `feedback export`); returns the number of corrections (0/1)."""
    posts = session.scalars(select(Mention).where(Mention.case_id == case_id).order_by(Mention.id))
    post = next((m for m in posts if m.flags), None)
    if post is None:
        return 0
    label = sorted(post.flags, key=lambda lab: SEVERITY_RANK.get(lab, 9))[0]
    reason = "Citaat uit een nieuwsbericht; geen eigen uiting van de auteur."
    casework.correct_label(session, user, case_id, post.id, label, "removed", reason)
    return 1
