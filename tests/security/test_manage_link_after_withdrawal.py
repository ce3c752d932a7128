"""Finding 10 (part): after withdrawal the official's manage link still accepted POSTs (a second withdrawal ran and
was logged again; after a new invitation the old link could change the choices before the new consent).

Now, once consent is withdrawn (or while a new invitation is pending), the manage link only shows a Dutch page that
confirms the withdrawal and says what is kept (legal hold) with the right of access (export); every POST through it
is refused with 409 and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from schildwacht.models import AuditEvent, Case, Consent, Official
from schildwacht.models.registry import PersonalLink
from tests.triage.web.triageweb_support import csrf_of, login
from triage.registry import service

OFFICIAL = "off-zoetelief"
POSTS = {
    "wijzigen": {
        "full_name": "Overgenomen",
        "name_variants": "iets anders",
        "handles": "x: @kaper",
        "alert_contacts": "kaper@elders.example",
    },
    "pauzeren": {},
    "hervatten": {},
    "intrekken": {"keep_case_ids": []},
    "andere-links-intrekken": {},
}


def _state(db) -> tuple:
    """Everything a POST through the link could change: the official's row, consents, cases, links, audit events."""
    with db() as s:
        o = s.get(Official, OFFICIAL)
        return (
            (o.full_name, o.status, o.handles, o.name_variants, o.alert_contacts, o.withdrawn_at, o.updated_at),
            [
                (c.id, c.withdrawn_at, c.withdrawn_by)
                for c in s.scalars(select(Consent).where(Consent.official_id == OFFICIAL).order_by(Consent.id))
            ],
            [
                (c.id, c.legal_hold, c.status)
                for c in s.scalars(select(Case).where(Case.official_id == OFFICIAL).order_by(Case.id))
            ],
            [
                (link.nonce, link.revoked_at)
                for link in s.scalars(
                    select(PersonalLink).where(PersonalLink.official_id == OFFICIAL).order_by(PersonalLink.nonce)
                )
            ],
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )


@pytest.fixture
def withdrawn(world, db, app):
    """The official withdrew through their link and kept the threat case for an aangifte (legal hold)."""
    with db() as s, s.begin():
        token = service.issue_link(s, world.settings, s.get(Official, OFFICIAL), "manage", f"official:{OFFICIAL}")
    official = login(app, None)
    form = official.get(f"/mijn/{token}/intrekken")
    assert form.status_code == 200
    done = official.post(
        f"/mijn/{token}/intrekken",
        data={"csrf_token": csrf_of(form.text), "keep_case_ids": [str(world.cases["threat"])]},
    )
    assert done.status_code == 200, done.text
    return official, token


def _refused_and_nothing_changed(db, client, token: str) -> None:
    before = _state(db)
    for action, data in POSTS.items():
        r = client.post(f"/mijn/{token}/{action}", data={"csrf_token": client.csrf, **data}, follow_redirects=False)
        assert r.status_code == 409, (action, r.status_code)
        assert "ingetrokken" in r.text or "uitnodiging" in r.text
    assert _state(db) == before


def test_withdrawn_link_shows_only_the_confirmation(world, db, withdrawn):
    official, token = withdrawn
    for path in (f"/mijn/{token}", f"/mijn/{token}/intrekken"):
        page = official.get(path)
        assert page.status_code == 200
        assert "ingetrokken" in page.text and "bewaard voor aangifte" in page.text
        assert "<form" not in page.text  # nothing can be changed from here
    assert official.get(f"/mijn/{token}/inzage.json").json()["official"]["status"] == "withdrawn"  # right of access


def test_post_through_old_link_after_withdrawal_is_refused(world, db, withdrawn):
    official, token = withdrawn
    _refused_and_nothing_changed(db, official, token)


def test_old_link_cannot_change_a_new_invitation(world, db, withdrawn):
    official, token = withdrawn
    with db() as s, s.begin():
        service.issue_link(s, world.settings, s.get(Official, OFFICIAL), "invite", "test")
        assert s.get(Official, OFFICIAL).status == "invited"
    _refused_and_nothing_changed(db, official, token)
