"""Inzage (issue 24 point 7, AVG art. 15): the official's export names who had access to their cases and to whom
something went: audit access, custody events, captures, alerts with their recipients, evidence blobs; readable."""

from __future__ import annotations

import base64
import json

from sqlalchemy import select

from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Mention
from schildwacht.models.evidence import Capture
from schildwacht.models.workflow import AlertOutbox
from tests.triage.registry.registry_helpers import NOW, add_blob, add_case, add_official, add_org
from triage.bundle import custody
from triage.registry import pages
from triage.registry.export import export_official

HOOK_SECRET = "T000/B000/geheim-token"


def _view(s, actor: str, case_id: int, action: str = "case.view", **details) -> None:
    s.add(
        AuditEvent(
            organisation_id="gm-a",
            actor=actor,
            action=action,
            object_type="case" if action == "case.view" else "mention",
            object_id=str(case_id if action == "case.view" else details["mention_id"]),
            details={"case_id": case_id, **details},
        )
    )


def _world(db) -> dict:
    with session_scope(db) as s:
        add_org(s, "gm-a")
        a = add_official(s, "off-a", "gm-a")
        b = add_official(s, "off-b", "gm-a")
        case = add_case(s, a, "in_behandeling", posts=2)
        other = add_case(s, b, "nieuw")
        raw = add_blob(s, b'{"id": "1", "content": "dreiging"}')
        shot = add_blob(s, b"\x89PNG schermafbeelding")
        first = s.scalars(select(Mention).where(Mention.case_id == case.id).order_by(Mention.id)).first()
        first.raw_meta = {"sha256": raw, "size": 1}
        s.add(Capture(mention_id=first.id, url="https://bad.example/1", status="ok", tool="t", screenshot_sha256=shot))
        s.add(
            AlertOutbox(
                case_id=case.id,
                organisation_id="gm-a",
                label="threat",
                reason="nieuw",
                delivered=["mail:griffie@gm-a.example", f"hook:https://hooks.example/services/{HOOK_SECRET}"],
                sent_at=NOW,
            )
        )
        _view(s, "lezer@gm-a.example", case.id)
        _view(s, "triagist@gm-a.example", case.id, "mention.reveal", mention_id=first.id)
        _view(s, "andere-zaak@gm-a.example", other.id)
        custody.append_event(s, case.id, "exported", "triagist@gm-a.example", {"file": "zaak.zip"})
        return {"case": case.id, "raw": raw, "shot": shot, "posts": 2}


def test_inzage_lists_access_recipients_custody_captures_and_evidence(db):
    w = _world(db)
    with session_scope(db) as s:
        data = export_official(s, "off-a")
    assert data["recipients"] == {
        "staff": ["lezer@gm-a.example", "triagist@gm-a.example"],
        "alerts": ["griffie@gm-a.example", "webhook https://hooks.example"],
        "bundles_exported": 1,
    }
    assert [(e["actor"], e["action_nl"], e["case_id"]) for e in data["access"]] == [
        ("lezer@gm-a.example", "zaak bekeken", w["case"]),
        ("triagist@gm-a.example", "berichttekst getoond", w["case"]),
    ]
    # custody: one post_added per post (add_case) plus the export
    assert [e["kind"] for e in data["custody_events"]] == ["post_added"] * w["posts"] + ["exported"]
    assert [c["hashes"] for c in data["captures"]] == [{"screenshot_sha256": w["shot"]}]
    blobs = {b["sha256"]: base64.b64decode(b["data_base64"]) for b in data["evidence_blobs"]}
    assert blobs == {w["raw"]: b'{"id": "1", "content": "dreiging"}', w["shot"]: b"\x89PNG schermafbeelding"}
    [alert] = data["alerts"]
    assert alert["recipients"] == ["griffie@gm-a.example", "webhook https://hooks.example"]
    dumped = json.dumps(data)
    assert HOOK_SECRET not in dumped and "andere-zaak@gm-a.example" not in dumped


def test_inzage_page_is_readable_dutch_and_names_them(db):
    _world(db)
    with session_scope(db) as s:
        page = pages.export_document(export_official(s, "off-a"))
    for text in (
        "Wie uw zaken zag en wie iets ontving",
        "lezer@gm-a.example",
        "berichttekst getoond",
        "webhook https://hooks.example",
        "Bewaarketen (3)",
        "Opnieuw vastgelegd (1)",
        "Bewijsbestanden (2)",
        "bewijsbundel gemaakt",
    ):
        assert text in page, text
    assert HOOK_SECRET not in page and "andere-zaak@gm-a.example" not in page


def test_inzage_without_cases_has_empty_sections(db):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_official(s, "off-a", "gm-a")
    with session_scope(db) as s:
        data = export_official(s, "off-a")
    assert (data["access"], data["alerts"], data["evidence_blobs"]) == ([], [], [])
    assert data["recipients"] == {"staff": [], "alerts": [], "bundles_exported": 0}
