"""Load organisations, consenting officials and staff accounts from a JSON file (the bundled demo by default)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from schildwacht.models import Consent, Official, Organisation, StaffUser
from triage.security import hash_password

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "officials.json"
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
