"""Invite links: signed, single use, expiring; and the double opt-in flow through the official's pages."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous.encoding import base64_decode, base64_encode
from sqlalchemy import select

from schildwacht.db import session_scope
from schildwacht.models import AuditEvent, Consent, Official
from schildwacht.models.base import utcnow
from tests.triage.registry.registry_helpers import add_official, add_org
from tests.triage.registry.registry_web import web_client
from triage.registry import service
from triage.registry.service import LinkError


@pytest.fixture
def invited(db):
    with session_scope(db) as s:
        add_org(s, "gm-a")
        add_official(s, "off-a", "gm-a", status="invited")
    return "off-a"


def _issue(db, settings, official_id="off-a", purpose="invite", now=None) -> str:
    with session_scope(db) as s:
        return service.issue_link(s, settings, s.get(Official, official_id), purpose, "test", now=now)


def _reason(db, settings, token, **kw) -> str | None:
    with session_scope(db) as s:
        try:
            service.resolve_link(s, settings, token, **kw)
        except LinkError as exc:
            return exc.reason
    return None


def test_valid_link_resolves(db, settings, invited):
    token = _issue(db, settings)
    assert _reason(db, settings, token) is None


def test_tampered_link_refused(db, settings, invited):
    token = _issue(db, settings)
    payload, stamp, sig = token.rsplit(".", 2)
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]  # the first character carries 6 significant bits
    assert _reason(db, settings, f"{payload}.{stamp}.{flipped}") == "ongeldig"
    # the payload changed to point at another official, signature kept
    data = json.loads(base64_decode(payload))
    forged = base64_encode(json.dumps({**data, "o": "off-other"}, separators=(",", ":"))).decode()
    assert _reason(db, settings, f"{forged}.{stamp}.{sig}") == "ongeldig"
    # a link signed with another key (e.g. another installation) is refused as well
    other = settings.model_copy(update={"secret_key": "another-key"})
    assert _reason(db, other, token) == "ongeldig"
    assert _reason(db, settings, "not-a-token") == "ongeldig"


def test_expired_link_refused(db, settings, invited):
    issued = utcnow() - timedelta(days=settings.invite_valid_days, minutes=1)
    token = _issue(db, settings, now=issued)
    assert _reason(db, settings, token) == "verlopen"
    # still valid just before the end of its lifetime
    fresh = _issue(db, settings)
    assert _reason(db, settings, fresh, now=utcnow() + timedelta(days=settings.invite_valid_days, minutes=-1)) is None
    assert (
        _reason(db, settings, fresh, now=utcnow() + timedelta(days=settings.invite_valid_days, minutes=1)) == "verlopen"
    )


def test_new_invite_revokes_the_previous_one(db, settings, invited):
    first = _issue(db, settings)
    second = _issue(db, settings)
    assert _reason(db, settings, first) == "ingetrokken"
    assert _reason(db, settings, second) is None


def test_invite_cannot_be_used_as_manage_link(db, settings, invited):
    token = _issue(db, settings)
    assert _reason(db, settings, token, purpose="manage") == "ongeldig"


def _app(db, settings) -> TestClient:
    return web_client(db, settings)


CHOICES = {
    "notice_read": "ja",
    "handles": "mastodon: @a@social.example\nx: @wethouderA",
    "name_variants": "wethouder A\nA. Achternaam",
    "alert_contacts": "griffier@gm-a.example",
    "sees_content": "ja",
    "gender": "v",
}


def test_double_opt_in_records_consent_and_link_is_single_use(db, settings, invited):
    client = _app(db, settings)
    token = _issue(db, settings)

    page = client.get(f"/mijn/{token}")
    assert page.status_code == 200
    assert f"versie {settings.privacy_notice_version}" in page.text and "Privacyverklaring" in page.text

    no_notice = client.post(f"/mijn/{token}/kiezen", data={**CHOICES, "notice_read": ""})
    assert no_notice.status_code == 422
    confirm = client.post(f"/mijn/{token}/kiezen", data=CHOICES)
    assert confirm.status_code == 200 and "@wethouderA" in confirm.text
    with session_scope(db) as s:  # choosing alone does not start anything
        assert s.get(Official, "off-a").status == "invited"
        assert s.scalars(select(Consent)).all() == []

    done = client.post(f"/mijn/{token}/bevestigen")
    assert done.status_code == 303
    manage_url = done.headers["location"]
    with session_scope(db) as s:
        official = s.get(Official, "off-a")
        assert official.status == "active"
        assert official.handles == {"mastodon": ["@a@social.example"], "x": ["@wethouderA"]}
        assert official.alert_contacts == ["griffier@gm-a.example"] and official.sees_content is True
        consent = s.scalars(select(Consent)).one()
        assert consent.notice_version == settings.privacy_notice_version
        assert consent.recorded_by == "official:off-a" and consent.method == service.METHOD_LINK
        assert consent.scope["platforms"] == ["mastodon", "x"]
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "consent.recorded")).one()

    # reused: refused on every step, and nothing changes
    assert client.get(f"/mijn/{token}").status_code == 410
    assert client.post(f"/mijn/{token}/kiezen", data=CHOICES).status_code == 410
    assert client.post(f"/mijn/{token}/bevestigen").status_code == 410
    with session_scope(db) as s:
        assert len(s.scalars(select(Consent)).all()) == 1

    manage = client.get(manage_url)
    assert manage.status_code == 200 and "Mijn gegevens" in manage.text
    # tampered and expired links are refused by the pages too
    assert client.get(f"/mijn/{token[:-2]}xx").status_code == 403
    old = _issue(db, settings, purpose="manage", now=utcnow() - timedelta(days=settings.manage_link_valid_days + 1))
    assert client.get(f"/mijn/{old}").status_code == 410


def test_confirm_refused_when_notice_changed_in_between(db, settings, invited):
    client = _app(db, settings)
    token = _issue(db, settings)
    assert client.post(f"/mijn/{token}/kiezen", data=CHOICES).status_code == 200
    newer = settings.model_copy(update={"privacy_notice_version": "2027-1"})
    with session_scope(db) as s, pytest.raises(service.RegistryError, match="gewijzigd"):
        service.confirm_invite(s, newer, token)
    with session_scope(db) as s:
        assert s.get(Official, "off-a").status == "invited"


def test_official_can_correct_data_and_scope_change_is_recorded(db, settings, invited):
    client = _app(db, settings)
    token = _issue(db, settings)
    client.post(f"/mijn/{token}/kiezen", data=CHOICES)
    manage_url = client.post(f"/mijn/{token}/bevestigen").headers["location"].split("?")[0]
    r = client.post(
        f"{manage_url}/wijzigen", data={**CHOICES, "full_name": "A. Gecorrigeerd", "handles": "x: @wethouderA"}
    )
    assert r.status_code == 200, r.text
    with session_scope(db) as s:
        official = s.get(Official, "off-a")
        assert official.full_name == "A. Gecorrigeerd" and official.handles == {"x": ["@wethouderA"]}
        consents = s.scalars(select(Consent).order_by(Consent.id)).all()
        assert [c.scope["platforms"] for c in consents] == [["mastodon", "x"], ["x"]]
    bad = client.post(f"{manage_url}/wijzigen", data={**CHOICES, "handles": "myspace: @oud"})
    assert bad.status_code == 422 and "Onbekend platform" in bad.text
