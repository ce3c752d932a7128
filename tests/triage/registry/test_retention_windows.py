"""Retention windows for the permanent traces of issue 24 (points 3 and 6): dead letters, content-free ledger rows,
audit_events and the registry records of withdrawn officials. Each test builds rows on both sides of a window and
checks that exactly the rows past it go."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select, text

from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Consent, DeadLetterRecord, Mention, Official
from schildwacht.models.registry import PersonalLink
from tests.triage.registry.registry_helpers import NOW, add_case, add_mention, add_official, add_org
from triage.registry.retention import run_retention


def _letter(s, n: int, age_days: float, payload: bytes) -> None:
    s.add(
        DeadLetterRecord(
            payload_sha256=hashlib.sha256(payload).hexdigest(),
            stage="classify",
            reason=f"ongeldig bericht {n}",
            payload=payload,
            payload_size=len(payload),
            parked_at=NOW - timedelta(days=age_days),
            dlq_partition=0,
            dlq_offset=n,
        )
    )


def test_dead_letters_keep_payload_days_then_reason_hash_size_then_nothing(db, settings):
    payload_days, letter_days = settings.retain_dead_letter_payload_days, settings.retain_dead_letters_days
    ages = {1: payload_days - 1, 2: payload_days + 1, 3: letter_days - 1, 4: letter_days + 1}
    with session_scope(db) as s:
        for n, age in ages.items():
            _letter(s, n, age, f"post van iemand die nooit toestemde {n}".encode())
    with session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)
    # payloads of 2 and 3 purged (4 is deleted whole); letter 4 deleted
    assert (counts["dead_letter_payloads_purged"], counts["dead_letters_deleted"]) == (3, 1)
    with session_scope(db) as s:
        rows = {r.dlq_offset: r for r in s.scalars(select(DeadLetterRecord))}
        assert set(rows) == {1, 2, 3}
        assert rows[1].payload == b"post van iemand die nooit toestemde 1" and rows[1].payload_purged_at is None
        for n in (2, 3):
            original = f"post van iemand die nooit toestemde {n}".encode()
            assert rows[n].payload is None and rows[n].payload_purged_at == NOW
            assert rows[n].payload_sha256 == hashlib.sha256(original).hexdigest()
            assert rows[n].payload_size == len(original) and rows[n].reason == f"ongeldig bericht {n}"


def test_ledger_rows_go_after_their_window_flagged_and_recent_stay(db, settings):
    days = settings.retain_ledger_days
    with session_scope(db) as s:
        add_org(s, "gm-a")
        a = add_official(s, "off-a", "gm-a")
        old = add_mention(s, a, age_days=days + 1).id
        recent = add_mention(s, a, age_days=days - 1).id
        case = add_case(s, a, "in_behandeling", age_days=days + 50)
        in_case = s.scalars(select(Mention.id).where(Mention.case_id == case.id)).one()
    with session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)  # purges content (0 days), then deletes the old ledger row
    assert counts["unflagged_purged"] == 2 and counts["ledger_rows_deleted"] == 1
    with session_scope(db) as s:
        assert set(s.scalars(select(Mention.id))) == {recent, in_case}
    assert old not in (recent, in_case)


def test_audit_events_go_after_their_window_except_about_a_held_case(db, settings):
    days = settings.retain_audit_days
    with session_scope(db) as s:
        add_org(s, "gm-a")
        a = add_official(s, "off-a", "gm-a")
        held = add_case(s, a, "afgerond", legal_hold=True).id
        free = add_case(s, a, "in_behandeling").id

        def event(action: str, age: float, object_type: str = "case", object_id: object = free, **details) -> None:
            s.add(
                AuditEvent(
                    at=NOW - timedelta(days=age),
                    organisation_id="gm-a",
                    actor="t@gm-a.example",
                    action=action,
                    object_type=object_type,
                    object_id=str(object_id),
                    details=details,
                )
            )

        event("old.free", days + 1, case_id=free)
        event("old.official", days + 1, object_type="official", object_id="off-a")
        event("old.held.object", days + 1, object_id=held)
        event("old.held.details", days + 1, object_type="mention", object_id=99, case_id=held)
        event("recent.free", days - 1, case_id=free)
    with session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)
    assert counts["audit_events_deleted"] == 2
    with session_scope(db) as s:
        left = set(s.scalars(select(AuditEvent.action)))
    assert left == {"old.held.object", "old.held.details", "recent.free", "retention.run"}


def test_audit_log_stays_append_only_outside_the_retention_purge(db, settings):
    with session_scope(db) as s:
        s.add(AuditEvent(actor="x", action="a", object_type="t", object_id="1", details={}))
    with db() as s:
        try:
            s.execute(text("DELETE FROM audit_events"))
            raise AssertionError("an undeclared delete of audit_events must be refused")
        except Exception as exc:  # noqa: BLE001 - the database's refusal
            assert "append-only" in str(exc)
        s.rollback()
        assert s.scalar(text("SELECT count(*) FROM audit_events")) == 1


def test_withdrawn_official_record_is_minimised_after_the_window_unless_a_case_is_held(db, settings):
    days = settings.retain_withdrawn_official_days
    with session_scope(db) as s:
        add_org(s, "gm-a")
        ids = {}
        for key, age, held in (("due", days + 1, False), ("recent", days - 1, False), ("held", days + 1, True)):
            o = add_official(s, f"off-{key}", "gm-a", status="withdrawn", gender="x")
            o.withdrawn_at = NOW - timedelta(days=age)
            o.email = f"{key}@gm-a.example"
            o.alert_contacts = [f"griffie-{key}@gm-a.example"]
            s.add(
                Consent(
                    official_id=o.id,
                    notice_version="2026-1",
                    method="test",
                    recorded_by="test",
                    scope={"platforms": ["mastodon"], "handles": o.handles, "alert_contacts": o.alert_contacts},
                    withdrawn_at=o.withdrawn_at,
                )
            )
            s.add(
                PersonalLink(
                    nonce=f"n-{key}", official_id=o.id, purpose="manage", created_by="t", expires_at=NOW, used_at=None
                )
            )
            if held:
                add_case(s, o, "afgerond", legal_hold=True)
            ids[key] = o.id
    with session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)
    assert counts["withdrawn_officials_minimised"] == 1
    with session_scope(db) as s:
        due = s.get(Official, ids["due"])
        assert (due.handles, due.name_variants, due.alert_contacts, due.gender, due.email) == ({}, [], [], None, None)
        assert due.minimised_at == NOW and due.full_name == "Naam off-due" and due.role == "wethouder"
        [consent] = due.consents
        assert consent.scope == {"platforms": ["mastodon"]} and consent.notice_version == "2026-1"
        assert s.scalars(select(PersonalLink.nonce)).all() and "n-due" not in s.scalars(select(PersonalLink.nonce))
        for key in ("recent", "held"):
            kept = s.get(Official, ids[key])
            assert kept.minimised_at is None and kept.handles and kept.gender == "x" and kept.email
    with session_scope(db) as s:  # idempotent
        assert run_retention(s, settings, now=NOW)["withdrawn_officials_minimised"] == 0
