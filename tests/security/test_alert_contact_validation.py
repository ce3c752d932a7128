"""Finding 5 (save-time part): alert contacts were stored as typed, so `a@x, evil@y`, a `Bcc:` line, a display name
with commas or `http://127.0.0.1/...` ended up as an alert recipient (the ingest worker then mailed or POSTed there).

Now every e-mail field holds exactly one bare address and every webhook field exactly one https URL without
credentials to a non-internal host (schildwacht.contacts), in the registry (service, staff form, the official's
link, the invitation) and in `schildwacht organisations add`. The send-time network guard is tested elsewhere.

Review item 6: the save-time check had its own address rules, different from the send-time guard: it accepted
`https://[64:ff9b::7f00:1]/` (NAT64) and `https://[2002:7f00:1::1]/` (6to4), which reach loopback and which the guard
refuses, and it refused intranet webhooks that `outbound_allowed_networks` allows. Now one reading of a host
(`netguard.literal_address`, inet_aton forms included) and one rule (`OutboundGuard.refusal`) serve both."""

from __future__ import annotations

import ipaddress
import secrets

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from schildwacht.config import get_settings
from schildwacht.contacts import Contact, ContactError, alert_contact, email_address, webhook_url
from schildwacht.models import Official, Organisation
from schildwacht.netguard import OutboundGuard, OutboundRefused, literal_address
from tests.triage.web.triageweb_support import csrf_of, login
from triage.registry import service

BAD_EMAILS = [
    "a@x.example, evil@y.example",
    "a@x.example; evil@y.example",
    "a@x.example\nBcc: evil@y.example",
    "a@x.example\r\nBcc: evil@y.example",
    "Bcc: evil@y.example",
    '"Jansen, Piet" <a@x.example>',
    "Piet <a@x.example>",
    "a@x.example evil@y.example",
    '"a,b"@x.example',
    "a@[127.0.0.1]",
    "a@localhost",
    "niet-een-adres",
    "",
]
BAD_WEBHOOKS = [
    "http://hooks.example.org/alert",
    "http://127.0.0.1:8080/intern",
    "https://127.0.0.1/intern",
    "https://[::1]/intern",
    "https://10.0.0.5/intern",
    "https://169.254.169.254/latest/meta-data",
    "https://2130706433/intern",
    "https://0x7f.1/intern",
    "https://localhost/intern",
    "https://api.localhost/intern",
    "https://user:geheim@hooks.example.org/alert",
    "https://hooks.example.org/a https://evil.example/b",
    "https://hooks.example.org/a\nhttps://evil.example/b",
    "file:///etc/passwd",
    "gopher://hooks.example.org/",
    "https:///zonder-host",
    "https://[64:ff9b::7f00:1]/intern",  # NAT64 of 127.0.0.1
    "https://[2002:7f00:1::1]/intern",  # 6to4 of 127.0.0.1
    "https://[::ffff:127.0.0.1]/intern",
    "https://127.0.0.1./intern",
    "https://0177.0.0.1/intern",
]


@pytest.mark.parametrize("value", BAD_EMAILS)
def test_email_field_refuses_anything_but_one_address(value):
    with pytest.raises(ContactError):
        email_address(value)


@pytest.mark.parametrize("value", BAD_WEBHOOKS)
def test_webhook_field_refuses_anything_but_one_public_https_url(value):
    with pytest.raises(ContactError):
        webhook_url(value)


@pytest.mark.parametrize("value", BAD_EMAILS[:-1] + BAD_WEBHOOKS)
def test_alert_contact_refuses_both_kinds(value):
    with pytest.raises(ContactError):
        alert_contact(value)


def test_good_contacts_are_kept():
    assert email_address(" Griffie@Voorbeeld.Example ") == "Griffie@voorbeeld.example"
    assert (
        webhook_url("https://hooks.example.org/alert?kanaal=veiligheid")
        == "https://hooks.example.org/alert?kanaal=veiligheid"
    )
    assert alert_contact("https://8.8.8.8/hook") == Contact("hook", "https://8.8.8.8/hook")
    assert alert_contact(" Veiligheid@Voorbeeld.Example") == Contact("mail", "Veiligheid@voorbeeld.example")


# ---------------------------------------------------------------------------------------------- one rule


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[64:ff9b::7f00:1]", "64:ff9b::7f00:1"),
        ("8.8.8.8", "8.8.8.8"),
        ("hooks.example.org", None),
        ("1.example", None),
        ("0x7f.example", None),
        ("127.0.0.1 x", None),
        ("4294967296", None),
    ],
)
def test_netguard_reads_every_literal_spelling(host, address):
    assert literal_address(host) == (ipaddress.ip_address(address) if address else None)


def _never_resolve(host):
    raise AssertionError(f"{host} is an address and must not go to DNS")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f.1",
        "127.1",
        "10.1.2.3",
        "64:ff9b::7f00:1",
        "2002:7f00:1::1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "100.64.0.1",
        "8.8.8.8",
        "2606:4700::1111",
    ],
)
@pytest.mark.parametrize("allowed", [(), ("10.0.0.0/8", "127.0.0.0/8")])
def test_save_time_and_send_time_agree(host, allowed):
    """The registry's verdict on a webhook with a literal host equals the dispatcher's guard's, for the same
    allowed networks, and the guard reads the literal without asking DNS."""
    guard = OutboundGuard(allowed, resolver=_never_resolve)
    url = f"https://[{host}]/alarm" if ":" in host else f"https://{host}/alarm"
    try:
        guard.pins().addresses(host)
        sent = True
    except OutboundRefused:
        sent = False
    try:
        alert_contact(url, guard) if allowed else alert_contact(url)  # the registry's default is the closed guard
        saved = True
    except ContactError:
        saved = False
    assert saved == sent, (url, allowed, saved, sent)


def test_registry_honours_outbound_allowed_networks(world, db):
    """An intranet webhook is refused by default and accepted where the deployment allows its network."""
    from triage.web.app import create_app

    intranet = "https://10.20.30.40/alarm"
    open_settings = world.settings.model_copy(
        update={"outbound_allowed_networks": [ipaddress.ip_network("10.20.0.0/16")]}
    )
    for settings, expected in ((world.settings, 422), (open_settings, 303)):
        staff = login(create_app(settings, db), "beheerder_a")
        page = staff.get("/ambtsdragers/nieuw")
        r = staff.post(
            "/ambtsdragers/nieuw",
            follow_redirects=False,
            data={
                "csrf_token": csrf_of(page.text),
                "full_name": f"Raadslid {expected}",
                "role": "raadslid",
                "email": "nieuw@voorbeeld.example",
                "alert_contacts": intranet,
            },
        )
        assert r.status_code == expected, (expected, r.text)
    with db() as s:
        added = s.scalars(select(Official).where(Official.full_name.like("Raadslid %"))).all()
        assert [(o.full_name, o.alert_contacts) for o in added] == [("Raadslid 303", [intranet])]


# ---------------------------------------------------------------------------------------------- registry


@pytest.mark.parametrize(
    "contacts",
    [
        "griffie@voorbeeld.example, evil@elders.example",
        "griffie@voorbeeld.example\nBcc: evil@elders.example",
        "http://127.0.0.1:9/hook",
        '"Griffie, Voorbeeld" <griffie@voorbeeld.example>',
    ],
)
def test_registry_service_refuses_bad_alert_contacts(world, db, contacts):
    with db() as s, s.begin():
        with pytest.raises(service.RegistryError):
            service.add_official(s, "gm-voorbeeld", "Nieuw Raadslid", "raadslid", "test", alert_contacts=contacts)
    with db() as s, s.begin():
        with pytest.raises(service.RegistryError):
            service.add_official(
                s,
                "gm-voorbeeld",
                "Nieuw Raadslid",
                "raadslid",
                "test",
                email=contacts.replace("http://127.0.0.1:9/hook", "a@127.0.0.1"),
            )
    with db() as s:
        assert s.scalars(select(Official).where(Official.full_name == "Nieuw Raadslid")).all() == []


def test_staff_form_refuses_injected_address(world, db, client_factory):
    staff = client_factory("beheerder_a")
    page = staff.get("/ambtsdragers/nieuw")
    r = staff.post(
        "/ambtsdragers/nieuw",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(page.text),
            "full_name": "Nieuw Raadslid",
            "role": "raadslid",
            "email": "nieuw@voorbeeld.example",
            "alert_contacts": "griffie@voorbeeld.example, evil@elders.example",
        },
    )
    assert r.status_code == 422 and "e-mailadres" in r.text
    with db() as s:
        assert s.scalars(select(Official).where(Official.full_name == "Nieuw Raadslid")).all() == []


def test_official_link_refuses_internal_webhook(world, db, app):
    with db() as s, s.begin():
        token = service.issue_link(s, world.settings, s.get(Official, "off-zoetelief"), "manage", "test")
    official = login(app, None)
    home = official.get(f"/mijn/{token}")
    r = official.post(
        f"/mijn/{token}/wijzigen",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(home.text),
            "full_name": "Wethouder Zoetelief",
            "alert_contacts": "http://127.0.0.1:8000/api/intern",
        },
    )
    assert r.status_code == 422 and "https://" in r.text
    with db() as s:
        assert s.get(Official, "off-zoetelief").alert_contacts in (None, [])


def test_invitation_refuses_bcc_injection(world, db, app):
    with db() as s, s.begin():
        new = service.add_official(s, "gm-voorbeeld", "Nieuw Raadslid", "raadslid", "test")
        token = service.issue_link(s, world.settings, new, "invite", "test")
        new_id = new.id
    official = login(app, None)
    page = official.get(f"/mijn/{token}")
    r = official.post(
        f"/mijn/{token}/kiezen",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(page.text),
            "notice_read": "ja",
            "name_variants": "raadslid Nieuw",
            "alert_contacts": "mij@voorbeeld.example\r\nBcc: evil@elders.example",
        },
    )
    assert r.status_code == 422
    with db() as s:
        assert s.get(Official, new_id).alert_contacts == []


# ---------------------------------------------------------------------------------------------- CLI


@pytest.fixture
def cli(pg, db, monkeypatch):
    from typer import Typer

    from triage.web.cli import register

    monkeypatch.setenv("DATABASE_URL", pg.url)
    monkeypatch.setenv("SCHILDWACHT_SECRET_KEY", secrets.token_urlsafe(48))
    get_settings.cache_clear()
    app = Typer()
    register(app)
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, ["organisations", "add", *args])
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--email", "a@x.example, evil@y.example"),
        ("--email", "a@x.example\nBcc: evil@y.example"),
        ("--webhook", "http://127.0.0.1:8000/hook"),
        ("--webhook", "https://user:pw@hooks.example.org/"),
    ],
)
def test_cli_organisations_add_refuses_bad_contacts(cli, db, option, value):
    r = cli("gm-fout", "--naam", "Gemeente Fout", option, value)
    assert r.exit_code != 0
    with db() as s:
        assert s.get(Organisation, "gm-fout") is None


def test_cli_organisations_add_keeps_good_contacts(cli, db):
    r = cli(
        "gm-goed",
        "--naam",
        "Gemeente Goed",
        "--email",
        "veiligheid@goed.example",
        "--webhook",
        "https://hooks.goed.example/alarm",
    )
    assert r.exit_code == 0, r.output
    with db() as s:
        org = s.get(Organisation, "gm-goed")
        assert (org.contact_email, org.webhook_url) == ("veiligheid@goed.example", "https://hooks.goed.example/alarm")
