"""Issue 16, finding 5 (alert webhooks): the ingest worker's alert dispatch must not POST to internal addresses.

Before the fix an official's alert contact `http://127.0.0.1/...` received the alert POST from the worker. Now every
stored contact is checked again when sent, with the save-time rule and the deployment's outbound guard, webhooks go
through the guard, pinned and without following redirects, and a refused webhook is a permanent failure with a Dutch
reason, not retried. Contacts are written straight into the database here, as stored data from before save-time
validation would be. Every receiver is a real HTTPS server on loopback whose certificate the dispatcher is told to
trust (SSL_CERT_FILE, as for an intranet CA); 127.0.0.2 stands in for a public receiver.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from schildwacht.models import AuditEvent, Official, Organisation
from schildwacht.models.base import utcnow
from schildwacht.models.workflow import AlertOutbox
from tests.security.sites import INTERNAL, PUBLIC_STAND_IN, Seen, Site
from tests.triage.web.triageweb_support import ORG_A, add_case
from triage.alerts import dispatch_pending, enqueue_case_alert


def _received(request: Seen) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, b""


@pytest.fixture
def internal_hook(certificate) -> Iterator[Site]:
    with Site(INTERNAL, _received, tls=certificate.server_context()) as hook:
        yield hook


def _reachable(settings):
    """The settings with the public stand-in declared reachable."""
    return settings.model_copy(update={"outbound_allowed_networks": [ipaddress.ip_network(f"{PUBLIC_STAND_IN}/32")]})


def _doxxing_case_alerting(db, *, official_hook: str, org_hook: str | None = None) -> int:
    with db() as s, s.begin():
        s.execute(update(Organisation).where(Organisation.id == ORG_A).values(contact_email=None, webhook_url=org_hook))
        s.execute(
            update(Official).where(Official.id == "off-azzouzi").values(alert_contacts=[{"webhook": official_hook}])
        )
        case = add_case(s, org=ORG_A, official="off-azzouzi", labels=["doxxing"], texts=["Azzouzi woont op nr 12"])
        enqueue_case_alert(s, case)
        return case.id


def test_webhook_to_loopback_is_refused_for_good(world, db, internal_hook):
    official_hook = internal_hook.url("/alarm")
    org_hook = internal_hook.url("/alarm/organisatie", host="localhost")
    case_id = _doxxing_case_alerting(db, official_hook=official_hook, org_hook=org_hook)
    assert dispatch_pending(db, world.settings) == 0
    with db() as s, s.begin():
        row = s.scalars(select(AlertOutbox)).one()
        assert row.sent_at is not None and row.attempts == 0  # closed: nothing left that a retry could deliver
        assert not [entry for entry in row.delivered if entry.startswith(("hook:", "mail:"))]
        assert row.last_error.count("geweigerd, wordt niet opnieuw geprobeerd") == 2
        assert row.last_error.count("intern adres") == 2 and row.last_error.count("(loopback)") == 2
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "alert.refused")).one()
        assert audit.object_id == str(case_id) and sorted(audit.details["refused"]) == sorted(
            [f"https://127.0.0.1:{internal_hook.port}", f"https://localhost:{internal_hook.port}"]
        )
        s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
    assert dispatch_pending(db, world.settings) == 0  # a later round does not try again
    assert internal_hook.seen == []


def test_non_http_webhooks_are_refused_not_mailed(world, db):
    _doxxing_case_alerting(db, official_hook="file:///etc/passwd", org_hook="ftp://127.0.0.1/alarm")
    assert dispatch_pending(db, world.settings) == 0
    with db() as s:
        row = s.scalars(select(AlertOutbox)).one()
        assert row.sent_at is not None and row.attempts == 0
        assert not [entry for entry in row.delivered if entry.startswith(("hook:", "mail:"))]
        assert row.last_error.count("een webhook moet met https:// beginnen") == 2


def test_webhook_redirect_to_loopback_is_not_followed(world, db, certificate, internal_hook):
    moved = (307, {"Location": internal_hook.url("/alarm")}, b"")
    with Site(PUBLIC_STAND_IN, lambda request: moved, tls=certificate.server_context()) as redirecting:
        _doxxing_case_alerting(db, official_hook=redirecting.url("/alarm"))
        assert dispatch_pending(db, _reachable(world.settings)) == 0
        with db() as s:
            row = s.scalars(select(AlertOutbox)).one()
            assert row.sent_at is None and row.attempts == 1 and "307" in row.last_error  # kept for a retry
        assert [json.loads(request.body)["label"] for request in redirecting.seen] == ["doxxing"]
    assert internal_hook.seen == []


def test_reachable_webhook_is_retried_after_a_server_error_and_delivered(world, db, certificate):
    statuses = [500, 200]
    with Site(PUBLIC_STAND_IN, lambda request: (statuses.pop(0), {}, b""), tls=certificate.server_context()) as hook:
        case_id = _doxxing_case_alerting(db, official_hook=hook.url("/alarm"))
        settings = _reachable(world.settings)
        assert dispatch_pending(db, settings) == 0  # 500: kept for a retry
        with db() as s, s.begin():
            row = s.scalars(select(AlertOutbox)).one()
            assert row.sent_at is None and row.attempts == 1 and "500" in row.last_error
            s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
        assert dispatch_pending(db, settings) == 1
        with db() as s:
            row = s.scalars(select(AlertOutbox)).one()
            assert row.sent_at is not None and row.delivered == [f"hook:{hook.url('/alarm')}"]
    payloads = [json.loads(request.body) for request in hook.seen]
    assert [payload["case_id"] for payload in payloads] == [case_id, case_id]
    assert payloads[-1]["label"] == "doxxing" and payloads[-1]["official_role"] == "wethouder"
    assert payloads[-1]["url"] == f"https://schildwacht.test/zaken/{case_id}"
    assert "woont" not in json.dumps(payloads) and "Azzouzi" not in json.dumps(payloads)
