"""The retention loop (`run_forever`): it runs the job until stopped, counts successful runs, and a failed run is
logged and retried instead of ending the loop (runs are counted independently through their audit events); the
audit record and the log line of one run; the boundaries: a record exactly at its cutoff goes, in every window; and
the edges the window tests do not reach: the expiry date a case shows, sessions that ended by revocation, ledger
rows that other rows point at, minimisation of officials whose closed cases are not held, purge times that later
runs leave alone. Expected values are computed by hand from the windows in Settings and the rows each test makes."""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from datetime import timedelta

from sqlalchemy import create_engine, func, select

from schildwacht.config import Settings
from schildwacht.db import make_sessionmaker, session_scope
from schildwacht.models import AuditEvent, Case, Consent, DeadLetterRecord, Mention, Official, StaffSession, StaffUser
from schildwacht.models.workflow import LabelCorrection, LoginAttempt
from tests.support.waiting import wait_for
from tests.triage.registry.registry_helpers import NOW, add_case, add_mention, add_official, add_org, add_staff
from triage.registry.retention import case_expiry, run_forever, run_retention
from triage.web import login_limits

SECOND = timedelta(seconds=1)


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
    assert result == [0]
    messages = {r.getMessage() for r in caplog.records if r.name == "triage.registry.retention"}
    assert messages == {"bewaartermijn-run mislukt; volgende poging over 0.01 s"}


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


def test_case_expiry_is_the_last_change_plus_the_window_of_its_status(settings):
    changed = NOW - timedelta(days=3)

    def case(status: str, legal_hold: bool = False) -> Case:
        return Case(status=status, legal_hold=legal_hold, updated_at=changed)

    assert case_expiry(case("geen_actie"), settings) == changed + timedelta(days=settings.retain_dismissed_days)
    assert case_expiry(case("afgerond"), settings) == changed + timedelta(days=settings.retain_closed_days)
    for open_status in ("nieuw", "in_behandeling"):
        assert case_expiry(case(open_status), settings) is None
    assert case_expiry(case("afgerond", legal_hold=True), settings) is None
    assert case_expiry(case("in_behandeling", legal_hold=True), settings) is None


def _letter(s, offset: int, parked_days_ago: timedelta) -> None:
    payload = f"geparkeerd bericht {offset}".encode()
    s.add(
        DeadLetterRecord(
            payload_sha256=hashlib.sha256(payload).hexdigest(),
            stage="classify",
            reason="ongeldig",
            payload=payload,
            payload_size=len(payload),
            parked_at=NOW - parked_days_ago,
            dlq_partition=0,
            dlq_offset=offset,
        )
    )


def test_every_window_includes_its_last_day(db, settings):
    """A row exactly as old as its window goes; one a second younger stays (for every window of the schedule)."""
    settings = settings.model_copy(update={"session_max_age_s": settings.retain_login_records_days * 86400})
    days = {
        "dismissed": timedelta(days=settings.retain_dismissed_days),
        "closed": timedelta(days=settings.retain_closed_days),
        "ledger": timedelta(days=settings.retain_ledger_days),
        "withdrawn": timedelta(days=settings.retain_withdrawn_official_days),
        "payload": timedelta(days=settings.retain_dead_letter_payload_days),
        "letter": timedelta(days=settings.retain_dead_letters_days),
        "audit": timedelta(days=settings.retain_audit_days),
        "login": timedelta(days=settings.retain_login_records_days),
    }
    with session_scope(db) as s:
        add_org(s, "gm-a")
        active = add_official(s, "off-a", "gm-a")
        for status, window in (("geen_actie", days["dismissed"]), ("afgerond", days["closed"])):
            for age in (window, window - SECOND):
                add_case(s, active, status, age_days=age / timedelta(days=1))
        for age in (days["ledger"], days["ledger"] - SECOND):
            add_mention(s, active, age_days=age / timedelta(days=1))
        for n, age in enumerate((days["withdrawn"], days["withdrawn"] - SECOND)):
            official = add_official(s, f"off-w{n}", "gm-a", status="withdrawn")
            official.withdrawn_at = NOW - age
        _letter(s, 1, days["payload"])  # payload goes, letter stays
        _letter(s, 2, days["payload"] - SECOND)  # both stay
        _letter(s, 3, days["letter"])  # the whole letter goes
        _letter(s, 4, days["letter"] - SECOND)  # only its payload goes
        for n, age in enumerate((days["audit"], days["audit"] - SECOND)):
            s.add(AuditEvent(at=NOW - age, actor="t", action=f"old.{n}", object_type="x", object_id="1", details={}))
        user = add_staff(s, "a@gm-a.example", "gm-a")
        for sid, age in (("a", days["login"]), ("b", days["login"] - SECOND)):  # not revoked, at the absolute limit
            s.add(
                StaffSession(
                    sid_sha256=sid * 64, user_id=user.id, organisation_id="gm-a", created_at=NOW - age, last_seen_at=NOW
                )
            )
    with session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)
    assert (counts["dismissed_cases_deleted"], counts["closed_cases_deleted"]) == (1, 1)
    assert counts["ledger_rows_deleted"] == 1 and counts["withdrawn_officials_minimised"] == 1
    assert (counts["dead_letter_payloads_purged"], counts["dead_letters_deleted"]) == (3, 1)
    assert counts["audit_events_deleted"] == 1 and counts["staff_sessions_deleted"] == 1
    with db() as s:
        assert set(s.scalars(select(AuditEvent.action))) == {"old.1", "retention.run"}
        assert [r.sid_sha256[0] for r in s.scalars(select(StaffSession))] == ["b"]
        assert [o.id for o in s.scalars(select(Official).where(Official.minimised_at.is_not(None)))] == ["off-w0"]


def test_a_revoked_session_goes_after_the_window_even_when_its_absolute_limit_is_longer(db, settings):
    window = timedelta(days=settings.retain_login_records_days)
    settings = settings.model_copy(update={"session_max_age_s": int((window * 3).total_seconds())})
    with session_scope(db) as s:
        add_org(s, "gm-a")
        user = add_staff(s, "a@gm-a.example", "gm-a")
        for sid, revoked in (("r", NOW - window - SECOND), ("l", None)):  # logged out / still live
            s.add(
                StaffSession(
                    sid_sha256=sid * 64,
                    user_id=user.id,
                    organisation_id="gm-a",
                    created_at=NOW - window - SECOND,
                    last_seen_at=NOW - window - SECOND,
                    revoked_at=revoked,
                )
            )
    with session_scope(db) as s:
        assert run_retention(s, settings, now=NOW)["staff_sessions_deleted"] == 1
    with db() as s:
        assert [r.sid_sha256[0] for r in s.scalars(select(StaffSession))] == ["l"]


def test_ledger_rows_go_whatever_corrections_other_posts_have_but_one_pointed_at_stays(db, settings):
    """A label correction elsewhere keeps no ledger row; a ledger row that a correction points at is kept, and the
    run does not fail on it."""
    old = settings.retain_ledger_days + 1
    with session_scope(db) as s:
        add_org(s, "gm-a")
        official = add_official(s, "off-a", "gm-a")
        author = add_staff(s, "t@gm-a.example", "gm-a")
        case = add_case(s, official, "in_behandeling")
        corrected = s.scalars(select(Mention.id).where(Mention.case_id == case.id)).one()
        free = add_mention(s, official, age_days=old).id
        pointed_at = add_mention(s, official, age_days=old).id
        for mention_id in (corrected, pointed_at):
            s.add(
                LabelCorrection(
                    mention_id=mention_id,
                    case_id=case.id,
                    organisation_id="gm-a",
                    label="threat",
                    action="removed",
                    reason="geen dreiging",
                    author_id=author.id,
                )
            )
    with session_scope(db) as s:
        assert run_retention(s, settings, now=NOW)["ledger_rows_deleted"] == 1
    with db() as s:
        assert set(s.scalars(select(Mention.id))) == {corrected, pointed_at}
    assert free not in (corrected, pointed_at)


def test_minimised_official_loses_content_access_and_a_closed_case_does_not_block_it(db, settings):
    """Only a case on legal hold keeps a withdrawn official's record whole; a closed case without hold does not. A
    consent stored without platforms (or without any scope) is minimised to an empty platform list."""
    with session_scope(db) as s:
        add_org(s, "gm-a")
        official = add_official(s, "off-a", "gm-a", status="withdrawn")
        official.withdrawn_at = NOW - timedelta(days=settings.retain_withdrawn_official_days + 1)
        official.sees_content = True
        add_case(s, official, "afgerond")
        for scope in ({"handles": {"mastodon": ["@off-a@social.example"]}}, None):
            s.add(Consent(official_id="off-a", notice_version="2026-1", method="test", recorded_by="t", scope=scope))
    with session_scope(db) as s:
        assert run_retention(s, settings, now=NOW)["withdrawn_officials_minimised"] == 1
    with db() as s:
        minimised = s.get(Official, "off-a")
        assert minimised.minimised_at == NOW and minimised.sees_content is False
        assert [c.scope for c in minimised.consents] == [{"platforms": []}, {"platforms": []}]


def test_a_later_run_keeps_the_time_a_payload_was_purged(db, settings):
    with session_scope(db) as s:
        _letter(s, 1, timedelta(days=settings.retain_dead_letter_payload_days))
    with session_scope(db) as s:
        assert run_retention(s, settings, now=NOW)["dead_letter_payloads_purged"] == 1
    with session_scope(db) as s:
        assert run_retention(s, settings, now=NOW + timedelta(days=1))["dead_letter_payloads_purged"] == 0
    with db() as s:
        assert s.scalars(select(DeadLetterRecord.payload_purged_at)).one() == NOW


def test_a_run_logs_its_counts(db, settings, caplog):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_mention(s, add_official(s, "off-a", "gm-a"))
    with caplog.at_level(logging.INFO, logger="triage.registry.retention"), session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)
    assert counts["unflagged_purged"] == 1
    assert [r.getMessage() for r in caplog.records if r.name == "triage.registry.retention"] == [
        f"bewaartermijnen toegepast: {counts}"
    ]
