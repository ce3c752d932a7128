"""Webhook URLs are credentials: the alert dispatcher shows them as scheme and host only (issue 16, finding 5;
review item 7).

A Slack or Teams webhook URL carries its secret in the path. Before the fix the full URL went into the log, into
the row's `last_error` (shown to staff) and into the append-only audit log (`refused`), and httpx's error for a
failed POST repeated it. Now all three keep `scheme://host:port`; only the contact itself and the row's `delivered`
list, which the dispatcher needs, hold the whole URL. Receivers are real servers on loopback; 127.0.0.2 stands in
for a public one and is declared reachable.
"""

from __future__ import annotations

import ipaddress
import json
import logging

from sqlalchemy import select, update

from schildwacht.models import AuditEvent, Official, Organisation
from schildwacht.models.workflow import AlertOutbox
from tests.security.sites import INTERNAL, PUBLIC_STAND_IN, Site, self_signed
from tests.triage.web.triageweb_support import ORG_A, add_case
from triage.alerts import dispatch_pending, enqueue_case_alert

SECRET_PATH = "/services/T0SCHILD/B0WACHT/GeheimWebhookToken42"


def _alert(db, contacts: list[str]) -> None:
    with db() as s, s.begin():
        s.execute(update(Organisation).where(Organisation.id == ORG_A).values(contact_email=None, webhook_url=None))
        s.execute(update(Official).where(Official.id == "off-azzouzi").values(alert_contacts=contacts))
        case = add_case(s, org=ORG_A, official="off-azzouzi", labels=["doxxing"], texts=["Azzouzi woont op nr 12"])
        enqueue_case_alert(s, case)


def _reachable(settings):
    return settings.model_copy(update={"outbound_allowed_networks": [ipaddress.ip_network(f"{PUBLIC_STAND_IN}/32")]})


def test_a_failing_webhook_is_logged_by_scheme_and_host(world, db, tmp_path, monkeypatch, caplog):
    certificate = self_signed(tmp_path, PUBLIC_STAND_IN)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    caplog.set_level(logging.INFO, logger="triage.alerts")
    with Site(PUBLIC_STAND_IN, lambda request: (500, {}, b""), tls=certificate.server_context()) as hook:
        _alert(db, [hook.url(SECRET_PATH + "?token=1")])
        assert dispatch_pending(db, _reachable(world.settings)) == 0
    assert hook.paths == [SECRET_PATH + "?token=1"]  # it was really tried, and failed
    with db() as s:
        row = s.scalars(select(AlertOutbox)).one()
        assert row.sent_at is None and row.attempts == 1
        assert f"https://{PUBLIC_STAND_IN}:{hook.port}" in row.last_error and "500" in row.last_error
        assert "GeheimWebhookToken42" not in row.last_error and "token=1" not in row.last_error
    assert f"https://{PUBLIC_STAND_IN}:{hook.port}" in caplog.text and "GeheimWebhookToken42" not in caplog.text


def test_refused_webhooks_are_recorded_by_scheme_and_host(world, db, caplog):
    caplog.set_level(logging.INFO, logger="triage.alerts")
    with Site(PUBLIC_STAND_IN) as plain_http:
        # refused for their scheme or their address, so never contacted: no traffic leaves loopback
        contacts = [
            plain_http.url(SECRET_PATH),
            f"https://{INTERNAL}:8443{SECRET_PATH}",
            f"https://user:pass@10.20.30.40{SECRET_PATH}",
        ]
        _alert(db, contacts)
        assert dispatch_pending(db, _reachable(world.settings)) == 0
    assert plain_http.seen == []
    with db() as s:
        row = s.scalars(select(AlertOutbox)).one()
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "alert.refused")).one()
        assert row.sent_at is not None and row.last_error.count("geweigerd") == 3
        recorded = [row.last_error, json.dumps(audit.details), caplog.text]
    assert sorted(audit.details["refused"]) == sorted(
        [f"http://{PUBLIC_STAND_IN}:{plain_http.port}", f"https://{INTERNAL}:8443", "https://10.20.30.40"]
    )
    for text in recorded:
        assert "GeheimWebhookToken42" not in text and "T0SCHILD" not in text and "pass@" not in text, text
