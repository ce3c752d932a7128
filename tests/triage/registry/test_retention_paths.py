"""The retention loop (`run_forever`): it runs the job until stopped, counts successful runs, and a failed run is
logged and retried instead of ending the loop (runs are counted independently through their audit events); the
audit record of one run; and the boundaries: a record exactly at its cutoff goes."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from sqlalchemy import create_engine, func, select

from schildwacht.config import Settings
from schildwacht.db import make_sessionmaker, session_scope
from schildwacht.models import AuditEvent, Mention, StaffSession, StaffUser
from schildwacht.models.workflow import LoginAttempt
from tests.support.waiting import wait_for
from tests.triage.registry.registry_helpers import NOW, add_mention, add_official, add_org
from triage.registry.retention import run_forever, run_retention
from triage.web import login_limits


def audited_runs(db) -> int:
    with db() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "retention.run"))


def run_in_thread(sessions, settings: Settings, every: float, stop: threading.Event) -> tuple[threading.Thread, list]:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(run_forever(sessions, settings, every, stop)))
    thread.start()
    return thread, result


def test_loop_runs_until_stopped_and_counts_its_runs(db, pg, tmp_path):
    stop = threading.Event()
    thread, result = run_in_thread(db, Settings(database_url=pg.url, data_dir=tmp_path), 0.01, stop)
    try:
        wait_for(lambda: audited_runs(db) >= 3, "three retention runs")
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive()
    assert result == [audited_runs(db)]  # every run it counted wrote one audit event, and no other run did


def test_stopped_loop_does_not_run(db, pg, tmp_path):
    stop = threading.Event()
    stop.set()
    assert run_forever(db, Settings(database_url=pg.url, data_dir=tmp_path), 0.01, stop) == 0
    assert audited_runs(db) == 0


def test_failed_runs_are_logged_and_retried(pg, tmp_path, caplog):
    unreachable = make_sessionmaker(create_engine(f"postgresql+psycopg://x@127.0.0.1:1/{uuid.uuid4().hex}"))
    stop = threading.Event()
    with caplog.at_level(logging.ERROR, logger="triage.registry.retention"):
        thread, result = run_in_thread(unreachable, Settings(database_url=pg.url, data_dir=tmp_path), 0.01, stop)
        try:
            wait_for(lambda: caplog.text.count("bewaartermijn-run mislukt") >= 2, "two failed runs, logged")
        finally:
            stop.set()
            thread.join(60)
    assert result == [0] and "volgende poging over 0.01 s" in caplog.text


def test_the_audit_event_records_the_counts_and_every_window(db, settings):
    windows = dict(
        retain_unflagged_days=3,
        retain_dismissed_days=31,
        retain_closed_days=366,
        retain_login_records_days=29,
        retain_ledger_days=181,
        retain_withdrawn_official_days=364,
        retain_dead_letter_payload_days=8,
        retain_dead_letters_days=32,
        retain_audit_days=731,
        legal_hold_review_days=91,
    )
    with session_scope(db) as s:
        counts = run_retention(s, settings.model_copy(update=windows), now=NOW)
    with db() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "retention.run")).one()
    assert (event.actor, event.object_type, event.object_id, event.organisation_id) == (
        "system:retention",
        "retention",
        NOW.isoformat(),
        None,
    )
    assert event.details == {
        **counts,
        "windows_days": {
            "unflagged": 3,
            "dismissed": 31,
            "closed": 366,
            "login_records": 29,
            "ledger": 181,
            "withdrawn_official": 364,
            "dead_letter_payload": 8,
            "dead_letters": 32,
            "audit": 731,
            "legal_hold_review": 91,
        },
    }


def test_purged_content_carries_the_run_time_and_records_exactly_at_a_cutoff_go(db, settings):
    window = timedelta(days=settings.retain_login_records_days)
    cutoff = NOW - max(window, login_limits.lookback(settings))
    with session_scope(db) as s:
        add_org(s, "gm-a")
        official = add_official(s, "off-a", "gm-a")
        mention = add_mention(s, official, age_days=settings.retain_unflagged_days).id  # collected at the cutoff
        user = StaffUser(email="a@gm-a.example", name="A", organisation_id="gm-a", role="triagist", password_hash="x")
        s.add(user)
        s.flush()
        s.add(LoginAttempt(email="a@gm-a.example", ip="192.0.2.1", at=cutoff, success=False))
        s.add(
            StaffSession(
                sid_sha256="e" * 64,
                user_id=user.id,
                organisation_id="gm-a",
                created_at=NOW - window,
                last_seen_at=NOW - window,
                revoked_at=NOW - window,
            )
        )
    with session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)
    assert counts["unflagged_purged"] == 1
    assert (counts["login_attempts_deleted"], counts["staff_sessions_deleted"]) == (1, 1)
    with db() as s:
        assert s.get(Mention, mention).content_purged_at == NOW
