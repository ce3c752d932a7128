"""Withdrawal: collection stops (the collectors' registry loader drops the official) and data is purged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from collectors.registry import Registry
from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Case, Consent, EvidenceBlob, Mention, Official
from schildwacht.models.evidence import CustodyEvent
from schildwacht.models.workflow import AlertOutbox, CaseStep
from tests.triage.registry.registry_helpers import add_blob, add_case, add_mention, add_official, add_org
from triage.registry import service


@pytest.fixture
def world(db):
    """Official A (to withdraw) and official B of the same organisation, each with data."""
    ids = {}
    with session_scope(db) as s:
        add_org(s, "gm-a")
        a = add_official(s, "off-a", "gm-a")
        b = add_official(s, "off-b", "gm-a")
        raw_open = add_blob(s, b"raw bytes of open case post")
        raw_kept = add_blob(s, b"raw bytes of kept case post")
        raw_b = add_blob(s, b"raw bytes of B's post")
        ids["unflagged_a"] = [add_mention(s, a).id for _ in range(3)]
        ids["unflagged_b"] = add_mention(s, b).id
        ids["open"] = add_case(s, a, "in_behandeling", posts=2).id
        ids["kept"] = add_case(s, a, "nieuw").id
        ids["held_before"] = add_case(s, a, "wacht_op_betrokkene", legal_hold=True).id
        ids["closed"] = add_case(s, a, "afgerond").id
        ids["case_b"] = add_case(s, b, "nieuw").id
        s.flush()
        for case_key, sha in (("open", raw_open), ("kept", raw_kept), ("case_b", raw_b)):
            m = s.scalars(select(Mention).where(Mention.case_id == ids[case_key])).first()
            m.raw_meta = {"sha256": sha, "size": 1}
        ids["blobs"] = {"open": raw_open, "kept": raw_kept, "b": raw_b}
        # a recorded aangifte puts a case on legal hold by itself (triage/legal_hold.py); "open" only had nazorg
        for case_key, step in (("open", "nazorg"), ("kept", "melding_aangifte"), ("case_b", "melding_aangifte")):
            s.add(CaseStep(case_id=ids[case_key], organisation_id="gm-a", step=step, done_by="t"))
            s.add(AlertOutbox(case_id=ids[case_key], organisation_id="gm-a", label="threat", reason="nieuw"))
    return ids


def test_withdrawal_stops_matching_in_collectors_registry(db, settings, world):
    registry = Registry(settings, refresh_seconds=0)
    try:
        assert {e.id for e in registry.officials()} == {"off-a", "off-b"}
        with session_scope(db) as s:
            service.withdraw(s, "off-a", "official:off-a")
        assert {e.id for e in registry.officials()} == {"off-b"}
    finally:
        registry.close()


def test_withdrawal_purges_as_specified(db, settings, world):
    with session_scope(db) as s:
        counts = service.withdraw(s, "off-a", "official:off-a", keep_case_ids=[world["kept"]])
    assert counts == {
        "unflagged_purged": 3,
        "cases_deleted": 1,
        "mentions_deleted": 2,
        "cases_on_legal_hold": 1,
        "evidence_blobs_deleted": 1,
    }
    with session_scope(db) as s:
        official = s.get(Official, "off-a")
        assert official.status == "withdrawn" and official.withdrawn_at is not None
        consent = s.scalars(select(Consent).where(Consent.official_id == "off-a")).one()
        assert consent.withdrawn_at is not None and consent.withdrawn_by == "official:off-a"
        # unflagged: ledger rows stay, content is gone
        for mid in world["unflagged_a"]:
            m = s.get(Mention, mid)
            assert m.content_purged_at is not None
            assert (m.text, m.author_handle, m.author_id, m.author_display_name, m.author_profile_url, m.url) == (
                None,
            ) * 6
            assert m.text_sha256 and m.scores
        # the open case not kept is gone with its mentions and custody chain; the others stay
        assert s.get(Case, world["open"]) is None
        assert s.scalars(select(Mention).where(Mention.case_id == world["open"])).all() == []
        assert s.scalars(select(CustodyEvent).where(CustodyEvent.case_id == world["open"])).all() == []
        kept = s.get(Case, world["kept"])
        assert kept.legal_hold is True and all(m.text for m in kept.mentions)
        assert s.get(Case, world["held_before"]).legal_hold is True
        assert s.get(Case, world["closed"]) is not None  # closed cases follow the retention schedule
        # evidence: the deleted case's blob is gone, the kept case's and B's stay
        assert s.get(EvidenceBlob, world["blobs"]["open"]) is None
        assert s.get(EvidenceBlob, world["blobs"]["kept"]) is not None
        assert s.get(EvidenceBlob, world["blobs"]["b"]) is not None
        # rows of other tables that point at the deleted case went with it; the others stay
        for model in (CaseStep, AlertOutbox):
            assert {r.case_id for r in s.scalars(select(model))} == {world["kept"], world["case_b"]}
        # official B is untouched
        assert s.get(Official, "off-b").status == "active"
        assert s.get(Mention, world["unflagged_b"]).text is not None
        assert s.get(Case, world["case_b"]) is not None
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "consent.withdrawn")).one()
        assert event.details["cases_deleted"] == 1 and event.details["kept_case_ids"] == [world["kept"]]


def test_withdrawal_refuses_to_keep_another_officials_case(db, world):
    with session_scope(db) as s, pytest.raises(service.RegistryError):
        service.withdraw(s, "off-a", "official:off-a", keep_case_ids=[world["case_b"]])
    with session_scope(db) as s:  # nothing happened
        assert s.get(Official, "off-a").status == "active"
        assert s.get(Case, world["open"]) is not None


def test_custody_chain_stays_append_only_after_withdrawal(db, world):
    with session_scope(db) as s:
        service.withdraw(s, "off-a", "official:off-a")
    with pytest.raises(Exception, match="append-only"), session_scope(db) as s:
        s.execute(CustodyEvent.__table__.delete().where(CustodyEvent.case_id == world["case_b"]))


def test_official_withdraws_through_personal_link(db, settings, world):
    from tests.triage.registry.registry_web import web_client

    with session_scope(db) as s:
        token = service.issue_link(s, settings, s.get(Official, "off-a"), "manage", "test")
    client = web_client(db, settings)
    form = client.get(f"/mijn/{token}/intrekken")
    assert form.status_code == 200
    assert f'value="{world["open"]}"' in form.text  # offered: deleted unless kept
    assert f'value="{world["kept"]}"' not in form.text  # its aangifte put it on legal hold: it stays anyway
    done = client.post(f"/mijn/{token}/intrekken", data={"keep_case_ids": [str(world["kept"])]})
    assert done.status_code == 200 and "ingetrokken" in done.text
    with session_scope(db) as s:
        assert s.get(Official, "off-a").status == "withdrawn"
        assert s.get(Case, world["open"]) is None and s.get(Case, world["kept"]).legal_hold
    # the personal link still shows what is kept and allows the export after withdrawal
    page = client.get(f"/mijn/{token}")
    assert page.status_code == 200 and "ingetrokken" in page.text
    assert client.get(f"/mijn/{token}/inzage.json").json()["official"]["status"] == "withdrawn"
