"""The retention job deletes exactly what is due and nothing else, and logs the counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Case, EvidenceBlob, Mention
from schildwacht.models.evidence import Capture, CustodyEvent
from tests.triage.registry.registry_helpers import NOW, add_blob, add_case, add_mention, add_official, add_org
from triage.registry.retention import run_retention


def _world(db):
    ids = {}
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_org(s, "gm-b")
        a = add_official(s, "off-a", "gm-a")
        b = add_official(s, "off-b", "gm-b")
        ids["unflagged_old"] = add_mention(s, a, age_days=10).id
        ids["unflagged_new"] = add_mention(s, b, age_days=1).id
        ids["dismissed_old"] = add_case(s, a, "geen_actie", age_days=31, posts=2).id
        ids["dismissed_new"] = add_case(s, b, "geen_actie", age_days=29).id
        ids["closed_old"] = add_case(s, b, "afgerond", age_days=366).id
        ids["closed_new"] = add_case(s, a, "afgerond", age_days=364).id
        ids["hold_old"] = add_case(s, a, "afgerond", age_days=4000, legal_hold=True).id
        ids["hold_dismissed"] = add_case(s, b, "geen_actie", age_days=4000, legal_hold=True).id
        ids["open_old"] = add_case(s, a, "in_behandeling", age_days=4000).id
        # evidence: one blob per case below, one capture-only blob, one orphan
        blobs = {}
        for key in ("dismissed_old", "closed_new", "hold_old"):
            blobs[key] = add_blob(s, f"raw {key}".encode())
            m = s.scalars(select(Mention).where(Mention.case_id == ids[key])).first()
            m.raw_meta = {"sha256": blobs[key], "size": 1}
        blobs["unflagged_raw"] = add_blob(s, b"raw bytes of an unflagged post")  # goes with its content
        s.get(Mention, ids["unflagged_old"]).raw_meta = {"sha256": blobs["unflagged_raw"], "size": 1}
        blobs["unflagged_new_raw"] = add_blob(s, b"raw bytes of a recent unflagged post")
        s.get(Mention, ids["unflagged_new"]).raw_meta = {"sha256": blobs["unflagged_new_raw"], "size": 1}
        blobs["capture_kept"] = add_blob(s, b"screenshot of open case")
        blobs["capture_deleted"] = add_blob(s, b"screenshot of old dismissed case")
        blobs["orphan"] = add_blob(s, b"nobody refers to me")
        open_mention = s.scalars(select(Mention).where(Mention.case_id == ids["open_old"])).first()
        old_mention = s.scalars(select(Mention).where(Mention.case_id == ids["dismissed_old"])).first()
        s.add(
            Capture(
                mention_id=open_mention.id,
                url="https://x",
                status="ok",
                tool="t",
                screenshot_sha256=blobs["capture_kept"],
            )
        )
        s.add(
            Capture(
                mention_id=old_mention.id,
                url="https://x",
                status="ok",
                tool="t",
                screenshot_sha256=blobs["capture_deleted"],
            )
        )
        ids["blobs"] = blobs
    return ids


def _state(db):
    with session_scope(db) as s:
        return {
            "cases": set(s.scalars(select(Case.id))),
            "blobs": set(s.scalars(select(EvidenceBlob.sha256))),
            "mentions": {m.id: m.text for m in s.scalars(select(Mention))},
            "custody": set(s.scalars(select(CustodyEvent.case_id))),
            "captures": len(s.scalars(select(Capture)).all()),
        }


def test_retention_deletes_exactly_what_is_due(db, settings):
    ids = _world(db)
    before = _state(db)
    with session_scope(db) as s:
        counts = run_retention(s, settings.model_copy(update={"retain_unflagged_days": 7}), now=NOW)
    assert counts == {
        "unflagged_purged": 1,
        "dismissed_cases_deleted": 1,
        "closed_cases_deleted": 1,
        "withdrawn_open_cases_deleted": 0,
        "mentions_deleted": 3,
        "captures_deleted": 1,
        "custody_events_deleted": 3,
        "evidence_blobs_deleted": 4,
        "login_attempts_deleted": 0,
        "staff_sessions_deleted": 0,
        "ledger_rows_deleted": 0,
        "withdrawn_officials_minimised": 0,
        "dead_letter_payloads_purged": 0,
        "dead_letters_deleted": 0,
        "audit_events_deleted": 0,
        "legal_hold_reviews_overdue": 2,  # hold_old and hold_dismissed: held 4000 days ago, never reviewed
    }
    after = _state(db)
    due_cases = {ids["dismissed_old"], ids["closed_old"]}
    assert after["cases"] == before["cases"] - due_cases
    assert after["custody"] == before["custody"] - due_cases
    assert after["captures"] == before["captures"] - 1
    b = ids["blobs"]
    assert after["blobs"] == before["blobs"] - {
        b["dismissed_old"],
        b["capture_deleted"],
        b["orphan"],
        b["unflagged_raw"],
    }
    # unflagged: the old one is purged (row kept), the one inside the 7-day window keeps its content
    assert ids["unflagged_old"] in after["mentions"] and after["mentions"][ids["unflagged_old"]] is None
    assert after["mentions"][ids["unflagged_new"]] is not None
    # every other remaining mention is unchanged
    unchanged = {k: v for k, v in after["mentions"].items() if k != ids["unflagged_old"]}
    assert unchanged == {k: before["mentions"][k] for k in unchanged}
    with session_scope(db) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "retention.run")).one()
        assert event.details["closed_cases_deleted"] == 1 and event.details["windows_days"]["unflagged"] == 7
        assert event.actor == "system:retention"


def test_retention_default_keeps_no_unflagged_content_and_is_idempotent(db, settings):
    ids = _world(db)
    with session_scope(db) as s:
        first = run_retention(s, settings, now=NOW)
    assert first["unflagged_purged"] == 2  # default 0 days: not kept at all
    with session_scope(db) as s:
        assert s.get(Mention, ids["unflagged_new"]).text is None
        second = run_retention(s, settings, now=NOW)
    overdue = second.pop("legal_hold_reviews_overdue")  # a count of what is kept, not an action: same every run
    assert overdue == first["legal_hold_reviews_overdue"] == 2
    assert set(second.values()) == {0}
    with session_scope(db) as s:  # both runs are logged
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.action == "retention.run")).all()) == 2


def test_windows_move_with_time(db, settings):
    ids = _world(db)
    with session_scope(db) as s:
        run_retention(s, settings, now=NOW)
    with session_scope(db) as s:  # two days later the 29-day dismissed and 364-day closed cases are due
        counts = run_retention(s, settings, now=NOW + timedelta(days=2))
        assert counts["dismissed_cases_deleted"] == 1 and counts["closed_cases_deleted"] == 1
        remaining = set(s.scalars(select(Case.id)))
    assert remaining == {ids["hold_old"], ids["hold_dismissed"], ids["open_old"]}


def test_open_case_that_arrived_after_withdrawal_is_deleted(db, settings):
    """A post ingested while the withdrawal committed may open a case; the next run removes it (not held ones)."""
    with session_scope(db) as s:
        add_org(s, "gm-a")
        a = add_official(s, "off-a", "gm-a", status="withdrawn")
        b = add_official(s, "off-b", "gm-a")
        late = add_case(s, a, "nieuw").id
        held = add_case(s, a, "in_behandeling", legal_hold=True).id
        closed = add_case(s, a, "afgerond").id
        active = add_case(s, b, "nieuw").id
    with session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)
        assert counts["withdrawn_open_cases_deleted"] == 1 and counts["mentions_deleted"] == 1
        assert set(s.scalars(select(Case.id))) == {held, closed, active}
    assert late not in (held, closed, active)


def test_login_records_go_after_their_window_but_a_live_session_stays(db, settings):
    from schildwacht.models import StaffSession, StaffUser
    from schildwacht.models.workflow import LoginAttempt

    window = timedelta(days=settings.retain_login_records_days)
    with session_scope(db) as s:
        add_org(s, "gm-a")
        user = StaffUser(email="a@gm-a.example", name="A", organisation_id="gm-a", role="triagist", password_hash="x")
        s.add(user)
        s.flush()

        def session_row(sid: str, age: timedelta, revoked: bool) -> None:
            s.add(
                StaffSession(
                    sid_sha256=sid * 64,
                    user_id=user.id,
                    organisation_id="gm-a",
                    created_at=NOW - age,
                    last_seen_at=NOW - age,
                    revoked_at=NOW - age if revoked else None,
                )
            )

        session_row("a", window + timedelta(days=1), revoked=True)  # ended long ago: goes
        session_row("b", window + timedelta(days=1), revoked=False)  # expired by age long ago: goes
        session_row("c", window - timedelta(days=1), revoked=True)  # ended, inside the window: stays
        for age in (window + timedelta(hours=1), window - timedelta(hours=1)):
            s.add(LoginAttempt(email="a@gm-a.example", ip="192.0.2.1", at=NOW - age, success=False))
    with session_scope(db) as s:
        counts = run_retention(s, settings, now=NOW)
    assert (counts["login_attempts_deleted"], counts["staff_sessions_deleted"]) == (1, 2)
    with session_scope(db) as s:
        assert [r.sid_sha256[0] for r in s.scalars(select(StaffSession))] == ["c"]
        assert s.scalar(select(LoginAttempt.at)) == NOW - window + timedelta(hours=1)
    # With a window of 0 days, a live session (not revoked, within the absolute limit) is still never deleted.
    with session_scope(db) as s:
        s.add(
            StaffSession(
                sid_sha256="d" * 64,
                user_id=s.scalar(select(StaffUser.id)),
                organisation_id="gm-a",
                created_at=NOW - timedelta(minutes=5),
                last_seen_at=NOW - timedelta(minutes=5),
            )
        )
    with session_scope(db) as s:
        run_retention(s, settings.model_copy(update={"retain_login_records_days": 0}), now=NOW)
    with session_scope(db) as s:
        assert [r.sid_sha256[0] for r in s.scalars(select(StaffSession))] == ["d"]


def test_login_attempts_the_login_limits_still_read_are_kept_whatever_the_window(db, settings):
    """With a retention window shorter than the login limits look back (0 days here), a run must not clear a lockout:
    failures inside the limits' look-back stay; older ones go."""
    from schildwacht.models.workflow import LoginAttempt
    from triage.web.login_limits import ACCOUNT_MEMORY, lockout

    email, limit = "a@gm-a.example", settings.login_account_max_failures
    lookback = max(
        ACCOUNT_MEMORY,
        timedelta(minutes=settings.login_window_minutes),
        timedelta(seconds=settings.login_backoff_max_s),
    )
    with session_scope(db) as s:
        for i in range(limit):  # failures from many addresses: the account is locked (back-off)
            s.add(LoginAttempt(email=email, ip=f"192.0.2.{i}", at=NOW - timedelta(seconds=10 + i), success=False))
        s.add(LoginAttempt(email=email, ip="192.0.2.200", at=NOW - lookback - timedelta(minutes=1), success=False))
    with session_scope(db) as s:
        before = lockout(s, settings, email, "198.51.100.1", NOW)
    assert before is not None and before.scope == "account"
    with session_scope(db) as s:
        counts = run_retention(s, settings.model_copy(update={"retain_login_records_days": 0}), now=NOW)
    assert counts["login_attempts_deleted"] == 1  # only the one older than the look-back
    with session_scope(db) as s:
        assert lockout(s, settings, email, "198.51.100.1", NOW) == before
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == limit
