"""Right of access: an official's export holds all their data and nothing of another official."""

from __future__ import annotations

import json

from sqlalchemy import select

from schildwacht.db import session_scope
from schildwacht.models import Case, Consent, Mention, Official
from tests.triage.registry.registry_helpers import add_case, add_mention, add_official, add_org
from tests.triage.registry.registry_web import web_client
from triage.registry import service
from triage.registry.export import export_official


def _world(db, settings):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        a = add_official(s, "off-a", "gm-a")
        b = add_official(s, "off-b", "gm-a", gender="m")
        a.alert_contacts = ["griffie@gm-a.example"]
        for i in range(2):
            add_mention(s, a, text=f"ongemarkeerd A {i}")
            add_mention(s, b, text=f"GEHEIM-B ongemarkeerd {i}", author="@b-author@x.example")
        add_case(s, a, "nieuw", posts=2, author="mastodon:@troll-a@bad.example")
        add_case(s, a, "afgerond", author="mastodon:@troll-a2@bad.example")
        add_case(s, b, "nieuw", author="mastodon:@GEHEIM-B-troll@bad.example")
        m = add_mention(s, a, text="<script>alert('x')</script> dreiging", flagged=True)
        m.case_id = s.scalars(select(Case.id).where(Case.official_id == "off-a")).first()
        service.audit(s, "gm-a", "test", "official.updated", "official", "off-b", {"fields": ["GEHEIM-B"]})
        manage = service.issue_link(s, settings, a, "manage", "test")
    return manage


def test_export_contains_all_and_only_this_officials_data(db, settings):
    _world(db, settings)
    with session_scope(db) as s:
        data = export_official(s, "off-a")
        expected_mentions = set(s.scalars(select(Mention.uid).where(Mention.official_id == "off-a")))
        expected_cases = set(s.scalars(select(Case.id).where(Case.official_id == "off-a")))
        expected_consents = len(s.scalars(select(Consent).where(Consent.official_id == "off-a")).all())
        b_uids = set(s.scalars(select(Mention.uid).where(Mention.official_id == "off-b")))
        b_cases = set(s.scalars(select(Case.id).where(Case.official_id == "off-b")))
    assert data["official"]["id"] == "off-a" and data["official"]["alert_contacts"] == ["griffie@gm-a.example"]
    assert {m["uid"] for m in data["mentions"]} == expected_mentions and len(expected_mentions) == 6
    assert {c["id"] for c in data["cases"]} == expected_cases and len(expected_cases) == 2
    assert len(data["consents"]) == expected_consents == 1
    assert [p["purpose"] for p in data["personal_links"]] == ["manage"]
    assert "nonce" not in json.dumps(data["personal_links"])  # the link itself is never exported
    text = json.dumps(data, ensure_ascii=False)
    assert "GEHEIM-B" not in text and "off-b" not in text and "Naam off-b" not in text
    assert not ({m["uid"] for m in data["mentions"]} & b_uids) and not ({c["id"] for c in data["cases"]} & b_cases)


def test_export_pages_json_and_html(db, settings):
    manage = _world(db, settings)
    client = web_client(db, settings)
    r = client.get(f"/mijn/{manage}/inzage.json")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = r.json()
    assert data["official"]["id"] == "off-a" and "GEHEIM-B" not in r.text
    html = client.get(f"/mijn/{manage}/inzage.html")
    assert html.status_code == 200
    assert "Naam off-a" in html.text and "GEHEIM-B" not in html.text
    assert "<script>alert" not in html.text and "&lt;script&gt;" in html.text  # autoescaped
    assert html.headers["referrer-policy"] == "no-referrer"
    with session_scope(db) as s:  # the official's own export is logged
        assert s.get(Official, "off-a") is not None
        from schildwacht.models import AuditEvent

        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "official.exported")).all()
