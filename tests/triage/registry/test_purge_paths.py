"""`triage/registry/purge.py` on its own: what a content purge nulls and counts, which evidence blobs still have a
referrer, and deleting no case or the same case twice. Expected counts come from the rows the test made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from schildwacht.db import session_scope
from schildwacht.models import Case, EvidenceBlob, Mention, Official
from schildwacht.models.evidence import Capture, CaseAttachment, CustodyEvent
from schildwacht.models.workflow import AlertOutbox
from tests.triage.registry.registry_helpers import NOW, add_blob, add_case, add_mention, add_official, add_org
from triage.registry import purge
from triage.registry.purge import CAPTURE_HASH_COLUMNS


@pytest.fixture
def official(db):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_official(s, "off-a", "gm-a")


def test_purge_nulls_content_once_and_keeps_the_ledger(db, official):
    with session_scope(db) as s:
        a = s.get(Official, "off-a")
        old = [add_mention(s, a, age_days=10, text=f"oud {i}").id for i in range(3)]
        young = add_mention(s, a, age_days=1, text="jong").id
    purged_at = NOW - timedelta(minutes=1)
    with session_scope(db) as s:
        condition = Mention.created_at <= NOW - timedelta(days=7)
        assert purge.purge_mention_content(s, condition, now=purged_at) == 3
        assert purge.purge_mention_content(s, condition, now=NOW) == 0  # nothing left to purge: not counted again
    with db() as s:
        for mention_id in old:
            m = s.get(Mention, mention_id)
            assert (m.text, m.url, m.author_id, m.author_handle, m.author_display_name, m.author_profile_url) == (
                (None,) * 6
            )
            assert m.spans == [] and m.content_purged_at == purged_at
            assert m.text_sha256 and m.uid and m.scores  # the ledger stays
        kept = s.get(Mention, young)
        assert kept.text == "jong" and kept.content_purged_at is None and kept.spans == [{"start": 0, "end": 3}]


def test_deleting_no_case_deletes_nothing_and_ids_count_once(db, official):
    with session_scope(db) as s:
        a = s.get(Official, "off-a")
        one, other = add_case(s, a, posts=2).id, add_case(s, a).id
        s.add(AlertOutbox(case_id=one, organisation_id="gm-a", label="threat", reason="nieuw", delivered=[]))
    with session_scope(db) as s:
        assert purge.delete_cases(s, []) == {"cases": 0, "mentions": 0, "captures": 0, "custody_events": 0}
    with session_scope(db) as s:
        assert purge.delete_cases(s, [one, one]) == {"cases": 1, "mentions": 2, "captures": 0, "custody_events": 2}
    with db() as s:
        assert s.scalars(select(Case.id)).all() == [other]
        assert s.scalar(select(func.count()).select_from(AlertOutbox)) == 0  # a row of another table pointing at it
        assert s.scalar(select(func.count()).select_from(CustodyEvent)) == 1


def test_dependents_are_the_tables_pointing_at_a_table_besides_the_handled_ones():
    names = {(t.name, c.name) for t, c in purge.dependents("cases")}
    assert ("alert_outbox", "case_id") in names
    assert not {t for t, _ in names} & {"mentions", "custody_events", "captures", "audit_events", "cases"}


@pytest.mark.parametrize("column", CAPTURE_HASH_COLUMNS)
def test_a_blob_named_by_any_capture_hash_is_kept(db, official, column):
    with session_scope(db) as s:
        case = add_case(s, s.get(Official, "off-a"))
        mention = s.scalars(select(Mention).where(Mention.case_id == case.id)).one()
        sha = add_blob(s, f"vastlegging {column}".encode())
        orphan = add_blob(s, b"niemand")
        s.add(Capture(mention_id=mention.id, url="https://x", status="ok", tool="t", **{column: sha}))
    with session_scope(db) as s:
        assert purge.delete_orphan_blobs(s) == 1
    with db() as s:
        assert s.scalars(select(EvidenceBlob.sha256)).all() == [sha] and orphan != sha


def test_a_blob_is_kept_for_a_mention_with_content_only(db, official):
    with session_scope(db) as s:
        a = s.get(Official, "off-a")
        raw, warc, purged_raw = add_blob(s, b"ruw"), add_blob(s, b"warc"), add_blob(s, b"ruw van een gewist bericht")
        add_mention(s, a, raw_sha=raw)
        add_mention(s, a, warc_sha=warc)
        gone = add_mention(s, a, raw_sha=purged_raw)
        gone.content_purged_at = NOW
    with session_scope(db) as s:
        assert purge.delete_orphan_blobs(s) == 1
    with db() as s:
        assert sorted(s.scalars(select(EvidenceBlob.sha256)).all()) == sorted([raw, warc])


def test_deleting_a_case_deletes_its_captures_only(db, official):
    with session_scope(db) as s:
        a = s.get(Official, "off-a")
        doomed, kept = add_case(s, a), add_case(s, a)
        for case in (doomed, kept):
            mention = s.scalars(select(Mention).where(Mention.case_id == case.id)).one()
            s.add(Capture(mention_id=mention.id, url="https://x", status="ok", tool="t"))
        doomed_id, kept_id = doomed.id, kept.id
    with session_scope(db) as s:
        counts = purge.delete_cases(s, [doomed_id])
    assert counts == {"cases": 1, "mentions": 1, "captures": 1, "custody_events": 1}
    with db() as s:
        (left,) = s.scalars(select(Capture)).all()
        assert s.get(Mention, left.mention_id).case_id == kept_id


def test_a_blob_of_an_attachment_is_kept_and_nothing_to_delete_counts_zero(db, official):
    with session_scope(db) as s:
        case = add_case(s, s.get(Official, "off-a"))
        sha = add_blob(s, b"aangifte.pdf")
        s.add(
            CaseAttachment(
                case_id=case.id,
                organisation_id="gm-a",
                sha256=sha,
                filename="aangifte.pdf",
                content_type="application/pdf",
                size=12,
                uploaded_by="t@gm-a.example",
            )
        )
    with session_scope(db) as s:
        assert purge.delete_orphan_blobs(s) == 0
    with db() as s:
        assert s.scalars(select(EvidenceBlob.sha256)).all() == [sha]
