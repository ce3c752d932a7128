"""Finding 9: a beheerder could make (and was shown) an official's personal link, open it and change the official's
own choices, recorded as if the official did it; making a new link also revoked the official's own link.

Now personal links go by e-mail to the official's address only and never appear on a staff page; staff changes go
through the staff form and are audited as `official.updated_by_staff` with the staff user as actor; a staff action
does not invalidate the official's link; an action through the official's link stays the official's own, also in a
browser with a staff login.

Review item 1: after the official withdrew, "Uitnodiging e-mailen" set the status to `invited`, which made the
address editable again; a beheerder put in their own address, mailed themselves an invitation and confirmed it, so
monitoring resumed as the official's own consent. Now the address is the official's from their first consent on,
whatever the status: a re-invitation goes only to the last address the official confirmed (or chose themselves).
Before any consent, changing the address revokes the invitations mailed to the old one."""

from __future__ import annotations

import re
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from schildwacht.embedded import free_port
from schildwacht.models import AuditEvent, Official
from tests.triage.web.triageweb_support import USERS, csrf_of, login
from triage.web.app import create_app

OFFICIAL = "off-zoetelief"
OFFICIAL_EMAIL = "zoetelief@voorbeeld.example"
LINK_RE = re.compile(r"/mijn/([A-Za-z0-9_.\-]+)")


class Inbox:
    """A real SMTP server's handler that keeps (recipients, parsed message) of every delivered mail."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], object]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        with self.lock:
            self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def web(world, db, smtp):
    port, inbox = smtp
    settings = world.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    with db() as s, s.begin():
        s.execute(update(Official).where(Official.id == OFFICIAL).values(email=OFFICIAL_EMAIL))
    return create_app(settings, db), inbox


def _token_from(inbox: Inbox, index: int = -1) -> tuple[list[str], str]:
    recipients, message = inbox.mails[index]
    match = LINK_RE.search(message.get_body(("plain",)).get_content())
    assert match, "the mail carries the personal link"
    return recipients, match.group(1)


def _send_link(staff, official_id: str):
    page = staff.get(f"/ambtsdragers/{official_id}")
    assert page.status_code == 200
    return staff.post(
        f"/ambtsdragers/{official_id}/uitnodigen", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )


def _staff_pages(staff, official_id: str, *extra) -> list[str]:
    """Every staff view of the official: the list, the staff page and both exports (POSTed as their buttons do)."""
    texts = [r.text for r in extra] + [staff.get(url).text for url in ("/ambtsdragers", f"/ambtsdragers/{official_id}")]
    token = csrf_of(texts[-1])
    for export in ("inzage.json", "inzage.html"):
        r = staff.post(f"/ambtsdragers/{official_id}/{export}", data={"csrf_token": token})
        assert r.status_code == 200, (export, r.status_code)
        texts.append(r.text)
    return texts


def _assert_no_link(pages: list[str], token: str) -> None:
    for text in pages:
        assert token not in text
        assert [m for m in LINK_RE.findall(text) if m != "stijl.css"] == []


def test_staff_pages_hold_no_usable_personal_link(web, db):
    app, inbox = web
    staff = login(app, "beheerder_a")
    sent = _send_link(staff, OFFICIAL)
    assert sent.status_code == 200, sent.text
    assert [m for m in LINK_RE.findall(sent.text) if m != "stijl.css"] == []  # was: the manage link, to copy
    assert "verstuurd" in sent.text and OFFICIAL_EMAIL in sent.text
    assert len(inbox.mails) == 1
    recipients, token = _token_from(inbox)
    assert recipients == [OFFICIAL_EMAIL]
    assert login(app, None).get(f"/mijn/{token}").status_code == 200  # the mailed link is the real one
    _assert_no_link(_staff_pages(staff, OFFICIAL, sent), token)

    # an invitation (before opt-in) goes the same way: by mail, never shown
    new = staff.get("/ambtsdragers/nieuw")
    created = staff.post(
        "/ambtsdragers/nieuw",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(new.text),
            "full_name": "Nieuw Raadslid",
            "role": "raadslid",
            "email": "nieuw.raadslid@voorbeeld.example",
        },
    )
    assert created.status_code == 303
    new_id = created.headers["location"].rsplit("/", 1)[1]
    invited = _send_link(staff, new_id)
    assert invited.status_code == 200 and len(inbox.mails) == 2
    recipients, invite = _token_from(inbox)
    assert recipients == ["nieuw.raadslid@voorbeeld.example"]
    _assert_no_link(_staff_pages(staff, new_id, invited), invite)


def test_no_link_without_an_address_of_the_official(web, db):
    app, inbox = web
    staff = login(app, "beheerder_a")
    with db() as s, s.begin():
        s.execute(update(Official).where(Official.id == "off-debruijn").values(email=None))
    r = _send_link(staff, "off-debruijn")  # no e-mail address on record
    assert r.status_code == 422 and "e-mailadres" in r.text
    assert inbox.mails == [] and not LINK_RE.findall(r.text.replace("/mijn/stijl.css", ""))


def test_staff_change_is_audited_as_staff_and_link_keeps_working(web, db):
    app, inbox = web
    staff = login(app, "beheerder_a")
    assert _send_link(staff, OFFICIAL).status_code == 200
    _, token = _token_from(inbox)

    page = staff.get(f"/ambtsdragers/{OFFICIAL}")
    changed = staff.post(
        f"/ambtsdragers/{OFFICIAL}",
        follow_redirects=False,
        data={"csrf_token": csrf_of(page.text), "full_name": "Wethouder Z. Gecorrigeerd", "role": "wethouder"},
    )
    assert changed.status_code == 200, changed.text
    # staff may not redirect the official's personal links to another address after opt-in
    moved = staff.post(
        f"/ambtsdragers/{OFFICIAL}",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(page.text),
            "full_name": "Wethouder Z. Gecorrigeerd",
            "role": "wethouder",
            "email": "beheerder@elders.example",
        },
    )
    assert moved.status_code == 422
    assert _send_link(staff, OFFICIAL).status_code == 200  # a second link, e.g. because the first one was lost
    with db() as s:
        assert s.get(Official, OFFICIAL).email == OFFICIAL_EMAIL
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.object_id == OFFICIAL, AuditEvent.action.like("official.updated%"))
        ).all()
    assert [(e.actor, e.action, e.details["fields"]) for e in events] == [
        (USERS["beheerder_a"], "official.updated_by_staff", ["full_name"])
    ]

    official = login(app, None)  # the official's own browser, with the first link
    home = official.get(f"/mijn/{token}")
    assert home.status_code == 200, home.text
    saved = official.post(
        f"/mijn/{token}/wijzigen",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(home.text),
            "full_name": "Wethouder Z. Gecorrigeerd",
            "name_variants": "wethouder Zoetelief\nZ. Zoetelief",
            "gender": "v",
        },
    )
    assert saved.status_code == 200, saved.text
    with db() as s:
        assert s.get(Official, OFFICIAL).name_variants == ["wethouder Zoetelief", "Z. Zoetelief"]
        own = s.scalars(
            select(AuditEvent).where(AuditEvent.object_id == OFFICIAL, AuditEvent.action == "official.updated")
        ).all()
    assert [(e.actor, "name_variants" in e.details["fields"]) for e in own] == [(f"official:{OFFICIAL}", True)]


def test_only_the_official_ends_their_other_links(web, db):
    app, inbox = web
    staff = login(app, "beheerder_a")
    assert _send_link(staff, OFFICIAL).status_code == 200
    assert _send_link(staff, OFFICIAL).status_code == 200
    (_, first), (_, second) = _token_from(inbox, 0), _token_from(inbox, 1)
    official = login(app, None)
    assert official.get(f"/mijn/{first}").status_code == 200  # the staff's second mail left the first working
    r = official.post(
        f"/mijn/{second}/andere-links-intrekken", data={"csrf_token": official.csrf}, follow_redirects=False
    )
    assert r.status_code == 200 and "1 andere beheerlink(s) ingetrokken" in r.text
    assert official.get(f"/mijn/{first}").status_code == 410
    assert official.get(f"/mijn/{second}").status_code == 200


def test_official_link_in_a_staff_browser_stays_the_officials_action(web, db):
    """Decision: the link is the credential, so what is done through it is the official's own action even in a
    browser with a staff login; staff never get a link, so a staff user holding one got it from the official."""
    app, inbox = web
    staff = login(app, "beheerder_a")
    assert _send_link(staff, OFFICIAL).status_code == 200
    _, token = _token_from(inbox)
    home = staff.get(f"/mijn/{token}")
    assert home.status_code == 200
    r = staff.post(f"/mijn/{token}/pauzeren", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert r.status_code == 200, r.text
    with db() as s:
        paused = s.scalars(select(AuditEvent).where(AuditEvent.action == "official.paused")).one()
        staff_acts = s.scalars(
            select(AuditEvent.action).where(AuditEvent.actor == USERS["beheerder_a"], AuditEvent.object_id == OFFICIAL)
        ).all()
    assert paused.actor == f"official:{OFFICIAL}"
    assert "official.paused" not in staff_acts and "link.mailed" in staff_acts


ATTACKER = "beheerder@elders.example"


def _recipients(inbox: Inbox) -> list[str]:
    return [address for recipients, _ in inbox.mails for address in recipients]


def test_staff_cannot_redirect_a_reinvitation_after_withdrawal(web, db):
    """The review's attack, step by step, through the web app."""
    app, inbox = web
    staff = login(app, "beheerder_a")
    assert _send_link(staff, OFFICIAL).status_code == 200
    _, manage = _token_from(inbox)
    official = login(app, None)  # the official's own browser: a new address of their own, then withdrawal
    home = official.get(f"/mijn/{manage}")
    own_address = "z.zoetelief@thuis.example"
    moved = official.post(
        f"/mijn/{manage}/wijzigen",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(home.text),
            "full_name": "Wethouder Zoetelief",
            "email": own_address,
            "name_variants": "wethouder Zoetelief",
        },
    )
    assert moved.status_code == 200, moved.text
    withdrawn = official.post(
        f"/mijn/{manage}/intrekken", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False
    )
    assert withdrawn.status_code == 200, withdrawn.text
    with db() as s:
        assert s.get(Official, OFFICIAL).status == "withdrawn"
        consents_before = [(c.id, c.withdrawn_at) for c in s.get(Official, OFFICIAL).consents]

    # 1. "Uitnodiging e-mailen" on the withdrawn official: status invited, the mail goes to the official's address
    invited = _send_link(staff, OFFICIAL)
    assert invited.status_code == 200, invited.text
    assert _recipients(inbox)[-1] == own_address
    # 2. the staff page offers no address field any more, and a forged form field is refused
    page = staff.get(f"/ambtsdragers/{OFFICIAL}")
    assert 'name="email"' not in page.text and own_address in page.text
    hijack = staff.post(
        f"/ambtsdragers/{OFFICIAL}",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(page.text),
            "full_name": "Wethouder Zoetelief",
            "role": "wethouder",
            "email": ATTACKER,
        },
    )
    assert hijack.status_code == 422 and "laatst bevestigde" in hijack.text
    # 3. a second invitation still goes to the official only
    assert _send_link(staff, OFFICIAL).status_code == 200
    assert ATTACKER not in _recipients(inbox) and _recipients(inbox)[-1] == own_address
    with db() as s:
        o = s.get(Official, OFFICIAL)
        assert o.email == own_address and o.status == "invited"
        assert [(c.id, c.withdrawn_at) for c in o.consents] == consents_before  # no consent resumed monitoring
        assert (
            s.scalars(
                select(AuditEvent).where(
                    AuditEvent.object_id == OFFICIAL,
                    AuditEvent.action.like("official.updated%"),
                    AuditEvent.actor == USERS["beheerder_a"],
                )
            ).all()
            == []
        )


def test_address_change_before_first_consent_revokes_earlier_invitations(web, db):
    """Before the first consent staff fill in the address; an invitation mailed to an address they later replace
    cannot be used any more, so a consent only comes through a link sent to the address on record."""
    app, inbox = web
    staff = login(app, "beheerder_a")
    new = staff.get("/ambtsdragers/nieuw")
    created = staff.post(
        "/ambtsdragers/nieuw",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(new.text),
            "full_name": "Nieuw Raadslid",
            "role": "raadslid",
            "email": "nieuw.raadslid@voorbeeld.example",
        },
    )
    new_id = created.headers["location"].rsplit("/", 1)[1]
    assert _send_link(staff, new_id).status_code == 200
    recipients, first = _token_from(inbox)
    assert recipients == ["nieuw.raadslid@voorbeeld.example"]
    page = staff.get(f"/ambtsdragers/{new_id}")
    assert 'name="email"' in page.text  # no consent yet: staff prepare the invitation
    changed = staff.post(
        f"/ambtsdragers/{new_id}",
        follow_redirects=False,
        data={"csrf_token": csrf_of(page.text), "full_name": "Nieuw Raadslid", "role": "raadslid", "email": ATTACKER},
    )
    assert changed.status_code == 200, changed.text
    assert login(app, None).get(f"/mijn/{first}").status_code == 410  # "ingetrokken"
