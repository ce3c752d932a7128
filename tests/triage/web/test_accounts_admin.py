"""Staff accounts in the UI: a beheerder lists, invites (by e-mail), changes roles and blocks accounts of the own
organisation; every user changes their own password; a forgotten password is reset through a single-use,
expiring e-mailed link. Real PostgreSQL, a real local SMTP server, the real web app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from schildwacht.models import AuditEvent, StaffSession, StaffToken, StaffUser
from schildwacht.models.base import utcnow
from tests.support.mailsink import mail_sink
from tests.triage.web.triageweb_support import DEMO_PASSWORD, USERS, Client, csrf_of, login
from triage.web.accounts import RESET_INTERVAL
from triage.web.app import create_app

LINK = r"/wachtwoord/nieuw/([A-Za-z0-9_\-]+)"
NEW_PASSWORD = "paarse olifant danst op dinsdag"


@pytest.fixture
def mailed(world, db):
    """The app with its SMTP server pointed at a local sink; yields (app, sink)."""
    with mail_sink() as sink:
        settings = world.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": sink.port})
        yield create_app(settings, db), sink


def _user(db, email: str) -> StaffUser:
    with db() as s:
        user = s.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        s.expunge(user)
        return user


def _live_sessions(db, user_id: int) -> int:
    with db() as s:
        query = select(func.count()).select_from(StaffSession)
        return s.scalar(query.where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None)))


def _password_login(app, email: str, password: str) -> int:
    client = Client(app, base_url="http://testserver")
    token = csrf_of(client.get("/inloggen").text)
    data = {"csrf_token": token, "email": email, "wachtwoord": password}
    return client.post("/inloggen", data=data, follow_redirects=False).status_code


def _age_reset_links(db) -> None:
    """Move the issued links back past the resend interval (as if the person waited)."""
    with db() as s, s.begin():
        s.execute(update(StaffToken).values(created_at=StaffToken.created_at - RESET_INTERVAL))


def test_only_a_beheerder_manages_and_only_the_own_organisation(world, client_factory, db):
    admin = client_factory("beheerder_a")
    page = admin.get("/beheer/medewerkers")
    assert page.status_code == 200
    assert USERS["triagist_a"] in page.text and USERS["triagist_b"] not in page.text  # scoped to the organisation
    assert "Medewerkers" in admin.get("/zaken").text  # in the navigation for a beheerder
    triagist = client_factory("triagist_a")
    refused = triagist.get("/beheer/medewerkers")
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert triagist.form(f"/beheer/medewerkers/{world.users['beheerder_a']}/blokkeren").status_code == 403
    other = world.users["triagist_b"]  # another organisation's account: as unknown as a made-up id
    assert admin.form(f"/beheer/medewerkers/{other}/blokkeren").status_code == 404
    assert admin.form(f"/beheer/medewerkers/{other}/rol", {"rol": "beheerder"}).status_code == 404
    assert admin.form("/beheer/medewerkers/999999/blokkeren").status_code == 404
    me = world.users["beheerder_a"]
    assert admin.form(f"/beheer/medewerkers/{me}/rol", {"rol": "alleen-lezen"}).status_code == 403
    b = _user(db, USERS["triagist_b"])
    assert (b.active, b.role) == (True, "triagist")
    assert _user(db, USERS["beheerder_a"]).role == "beheerder"


def test_role_change_and_blocking_end_the_sessions(world, client_factory, db, app):
    admin = client_factory("beheerder_a")
    colleague = client_factory("triagist_a")
    uid = world.users["triagist_a"]
    assert _live_sessions(db, uid) == 1
    r = admin.form(f"/beheer/medewerkers/{uid}/rol", {"rol": "alleen-lezen"})
    assert r.status_code == 303
    assert _user(db, USERS["triagist_a"]).role == "alleen-lezen" and _live_sessions(db, uid) == 0
    assert colleague.get("/zaken", follow_redirects=False).headers["location"] == "/inloggen"
    assert admin.form(f"/beheer/medewerkers/{uid}/rol", {"rol": "baas"}).status_code == 422

    again = client_factory("triagist_a")
    assert again.get("/zaken").status_code == 200
    assert admin.form(f"/beheer/medewerkers/{uid}/blokkeren").status_code == 303
    assert _user(db, USERS["triagist_a"]).active is False and _live_sessions(db, uid) == 0
    assert again.get("/zaken", follow_redirects=False).headers["location"] == "/inloggen"
    assert _password_login(app, USERS["triagist_a"], DEMO_PASSWORD) == 401  # the right password no longer works
    with db() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(uid))).all()
    assert {"staff.role", "staff.deactivate"} <= set(actions)


def test_invitation_is_mailed_and_its_link_sets_the_password_once(mailed, db):
    app, sink = mailed
    admin = login(app, "beheerder_a")
    r = admin.form("/beheer/medewerkers/uitnodigen", {"naam": "Eva Nieuw", "email": "E.Nieuw@Voorbeeld.example"})
    assert r.status_code == 303
    recipients, message = sink.wait_for(1)[0]
    assert recipients == ["e.nieuw@voorbeeld.example"] and "Schildwacht" in message["Subject"]
    token = sink.link(LINK)
    listed = admin.get("/beheer/medewerkers").text
    assert "Eva Nieuw" in listed and token not in listed  # the link is only in the mail
    user = _user(db, "e.nieuw@voorbeeld.example")
    assert (user.role, user.organisation_id, user.active) == ("triagist", "gm-voorbeeld", True)
    with db() as s:
        assert token not in str(s.scalars(select(AuditEvent.details)).all())
        assert s.scalar(select(StaffToken.token_sha256)) != token  # only its hash is stored

    newcomer = login(app, None)
    form = newcomer.get(f"/wachtwoord/nieuw/{token}")
    assert form.status_code == 200 and "e.nieuw@voorbeeld.example" in form.text
    weak = newcomer.form(f"/wachtwoord/nieuw/{token}", {"nieuw": "welkom01", "herhaal": "welkom01"})
    assert weak.status_code == 422  # refused by the password policy; the link still works
    done = newcomer.form(f"/wachtwoord/nieuw/{token}", {"nieuw": NEW_PASSWORD, "herhaal": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/zaken"
    assert newcomer.get("/zaken").status_code == 200  # logged in by the link
    newcomer.csrf = csrf_of(newcomer.get("/account").text)  # the login started a fresh session
    assert newcomer.get(f"/wachtwoord/nieuw/{token}").status_code == 410  # used: single use
    again = newcomer.form(f"/wachtwoord/nieuw/{token}", {"nieuw": "een ander lang wachtwoord", "herhaal": "x"})
    assert again.status_code == 410
    assert _password_login(app, "e.nieuw@voorbeeld.example", NEW_PASSWORD) == 303
    duplicate = admin.form("/beheer/medewerkers/uitnodigen", {"naam": "Dubbel", "email": "e.nieuw@voorbeeld.example"})
    assert duplicate.status_code == 422 and len(sink.mails) == 1


def test_invitation_without_mail_server_keeps_nothing(world, db):
    settings = world.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 9})  # nothing listens
    admin = login(create_app(settings, db), "beheerder_a")
    r = admin.form("/beheer/medewerkers/uitnodigen", {"naam": "Niemand", "email": "niemand@voorbeeld.example"})
    assert r.status_code == 422 and "niet worden verstuurd" in r.text
    with db() as s:
        assert s.scalars(select(StaffUser).where(StaffUser.email == "niemand@voorbeeld.example")).first() is None
        assert s.scalar(select(func.count()).select_from(StaffToken)) == 0


def test_own_password_change(world, client_factory, db, app):
    me = client_factory("triagist_a")
    other_device = client_factory("triagist_a")
    page = me.get("/account")
    assert page.status_code == 200 and "Wachtwoord wijzigen" in page.text
    wrong = me.form("/account/wachtwoord", {"huidig": "fout", "nieuw": NEW_PASSWORD, "herhaal": NEW_PASSWORD})
    assert wrong.status_code == 422 and "huidige wachtwoord klopt niet" in wrong.text
    typo = me.form("/account/wachtwoord", {"huidig": DEMO_PASSWORD, "nieuw": NEW_PASSWORD, "herhaal": "anders"})
    assert typo.status_code == 422
    r = me.form("/account/wachtwoord", {"huidig": DEMO_PASSWORD, "nieuw": NEW_PASSWORD, "herhaal": NEW_PASSWORD})
    assert r.status_code == 303
    assert me.get("/zaken").status_code == 200  # this browser stays logged in (a fresh session)
    assert other_device.get("/zaken", follow_redirects=False).headers["location"] == "/inloggen"
    assert _password_login(app, USERS["triagist_a"], DEMO_PASSWORD) == 401
    assert _password_login(app, USERS["triagist_a"], NEW_PASSWORD) == 303


def test_forgotten_password_link_is_single_use_and_expires(mailed, db):
    app, sink = mailed
    visitor = login(app, None)
    assert "Wachtwoord vergeten?" in visitor.get("/inloggen").text
    unknown = visitor.form("/wachtwoord-vergeten", {"email": "onbekend@voorbeeld.example"})
    known = visitor.form("/wachtwoord-vergeten", {"email": USERS["triagist_a"]})
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.count("Als er een actief account") == known.text.count("Als er een actief account") == 1
    recipients, _ = sink.wait_for(1)[0]
    assert recipients == [USERS["triagist_a"]] and len(sink.mails) == 1  # only the existing account got mail
    first = sink.link(LINK)
    again = visitor.form("/wachtwoord-vergeten", {"email": USERS["triagist_a"]})
    assert again.status_code == 200 and len(sink.mails) == 1  # at most one mail per interval, same answer
    _age_reset_links(db)
    visitor.form("/wachtwoord-vergeten", {"email": USERS["triagist_a"]})
    second = sink.link(LINK, sink.wait_for(2) and -1)
    assert visitor.get(f"/wachtwoord/nieuw/{first}").status_code == 410  # a newer link spends the older one

    with db() as s, s.begin():  # the link is older than its lifetime
        s.execute(update(StaffToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert visitor.get(f"/wachtwoord/nieuw/{second}").status_code == 410

    _age_reset_links(db)
    visitor.form("/wachtwoord-vergeten", {"email": USERS["triagist_a"]})
    third = sink.link(LINK, sink.wait_for(3) and -1)
    r = visitor.form(f"/wachtwoord/nieuw/{third}", {"nieuw": NEW_PASSWORD, "herhaal": NEW_PASSWORD})
    assert r.status_code == 303
    assert visitor.get(f"/wachtwoord/nieuw/{third}").status_code == 410
    assert _password_login(app, USERS["triagist_a"], NEW_PASSWORD) == 303
