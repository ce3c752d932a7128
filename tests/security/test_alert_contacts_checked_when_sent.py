"""Stored alert contacts are checked again when an alert is sent, by the one save-time rule (issue 16, finding 5;
review item 13).

Before the fix the dispatcher sorted contacts by a copy of that rule (`"://" in value`) and accepted any http(s)
URL the guard let through: a stored `http://` webhook was POSTed to, a URL stored as an e-mail address was POSTed
to as a webhook, and a contact refused in one round was looked up and tried again in every retry while another
channel kept failing. Now `schildwacht.contacts.alert_contact` (with the deployment's guard) judges every stored
value, the field's kind must match, and a refused contact is remembered on the alert row ("refused:<value>" in
`delivered`) and never checked or contacted again. Receivers are real servers on loopback; 127.0.0.2 stands in for
a public one and is declared reachable.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from schildwacht.embedded import free_port
from schildwacht.models import AuditEvent, Official, Organisation
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import AlertOutbox
from tests.security.sites import INTERNAL, PUBLIC_STAND_IN, Inbox, Site
from tests.triage.web.triageweb_support import ORG_A, add_case
from triage.alerts import dispatch_pending, enqueue_case_alert


@pytest.fixture
def public_https(certificate) -> Iterator[Site]:
    with Site(PUBLIC_STAND_IN, tls=certificate.server_context()) as site:
        yield site


def _opened(settings, *networks: str):
    return settings.model_copy(update={"outbound_allowed_networks": [ipaddress.ip_network(n) for n in networks]})


def _alert(db, *, contacts: list, org_email: str | None = None) -> None:
    with db() as s, s.begin():
        s.execute(
            update(Organisation).where(Organisation.id == ORG_A).values(contact_email=org_email, webhook_url=None)
        )
        s.execute(update(Official).where(Official.id == "off-azzouzi").values(alert_contacts=contacts))
        case = add_case(s, org=ORG_A, official="off-azzouzi", labels=["doxxing"], texts=["Azzouzi woont op nr 12"])
        enqueue_case_alert(s, case)


def test_a_stored_http_webhook_is_refused_for_good(world, db):
    with Site(PUBLIC_STAND_IN) as plain_http:
        hook = plain_http.url("/alarm")
        _alert(db, contacts=[hook])
        settings = _opened(world.settings, f"{PUBLIC_STAND_IN}/32")
        assert dispatch_pending(db, settings) == 0
        with db() as s, s.begin():
            row = s.scalars(select(AlertOutbox)).one()
            assert row.sent_at is not None and row.attempts == 0 and row.delivered == [f"refused:{hook}"]
            assert "een webhook moet met https:// beginnen" in row.last_error
            s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
        assert dispatch_pending(db, settings) == 0
        assert plain_http.seen == []


def test_a_url_stored_as_an_e_mail_address_is_refused_not_posted(world, db, public_https):
    _alert(db, contacts=[{"email": public_https.url("/als-adres")}], org_email=public_https.url("/organisatie"))
    assert dispatch_pending(db, _opened(world.settings, f"{PUBLIC_STAND_IN}/32")) == 0
    with db() as s:
        row = s.scalars(select(AlertOutbox)).one()
        assert row.sent_at is not None and row.attempts == 0
        assert row.last_error.count("staat als e-mailadres opgeslagen maar is een URL") == 2
    assert public_https.seen == []


def test_a_refused_contact_is_not_checked_again_while_another_is_retried(world, db, certificate):
    """Round 1: the webhook (loopback) is refused while the mail server is down. Round 2 runs with loopback opened
    and the mail server up: the remembered refusal keeps the webhook from being checked or contacted again."""
    with Site(INTERNAL, tls=certificate.server_context()) as internal, Inbox() as inbox:
        hook = internal.url("/alarm", host="localhost")
        _alert(db, contacts=[hook, "meldpunt@a.example"])
        mail_down = world.settings.model_copy(update={"smtp_port": free_port(), "alert_timeout_s": 5})
        assert dispatch_pending(db, mail_down) == 0
        with db() as s, s.begin():
            row = s.scalars(select(AlertOutbox)).one()
            assert row.sent_at is None and row.attempts == 1 and row.delivered == [f"refused:{hook}"]
            assert "meldpunt@a.example" in row.last_error and "loopback" in row.last_error
            s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
        loopback_open = _opened(world.settings.model_copy(update={"smtp_port": inbox.port}), "127.0.0.0/8")
        assert dispatch_pending(db, loopback_open) == 0  # closed, but not completely delivered
        with db() as s:
            row = s.scalars(select(AlertOutbox)).one()
            assert row.sent_at is not None and row.attempts == 1
            assert row.delivered == [f"refused:{hook}", "mail:meldpunt@a.example"]
            assert row.last_error == f"https://localhost:{internal.port}: eerder geweigerd / refused earlier"
            audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "alert.refused")).one()
            assert audit.details["refused"] == [f"https://localhost:{internal.port}"]
            assert audit.details["channels"] == ["mail:meldpunt@a.example"]
        assert [recipients for recipients, _ in inbox.messages] == [["meldpunt@a.example"]]
        assert internal.seen == []
