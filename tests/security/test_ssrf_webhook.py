"""Issue 16, finding 5 (alert webhooks): the ingest worker's alert dispatch must not POST to internal addresses.

Before the fix an official's alert contact `http://127.0.0.1/...` received the alert POST from the worker. Now
webhooks go through the outbound guard, pinned and without following redirects; a refused webhook is a permanent
failure with a Dutch reason, not retried. Contacts are written straight into the database here, as stored data
from before save-time validation (finding 5's other half) would be.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from triage.alerts import dispatch_pending, enqueue_case_alert
from triage.models import AuditEvent, Official, Organisation
from triage.models.base import utcnow
from triage.models.workflow import AlertOutbox
from triageweb_support import ORG_A, add_case

PUBLIC_STAND_IN = "127.0.0.2"


class Hook:
    """A real webhook receiver in a thread; answers `status` (with `location` for redirects); records POSTs."""

    def __init__(self, address: str, status: int = 200, location: str | None = None) -> None:
        self.received: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.url = f"http://{address}:{self.server.server_address[1]}/alarm"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def internal_hook() -> Iterator[Hook]:
    hook = Hook("127.0.0.1")
    yield hook
    hook.close()


def _doxxing_case_alerting(db, *, official_hook: str, org_hook: str | None = None) -> int:
    with db() as s, s.begin():
        s.execute(update(Organisation).where(Organisation.id == ORG_A).values(contact_email=None, webhook_url=org_hook))
        s.execute(update(Official).where(Official.id == "off-azzouzi")
                  .values(alert_contacts=[{"webhook": official_hook}]))
        case = add_case(s, org=ORG_A, official="off-azzouzi", labels=["doxxing"], texts=["Azzouzi woont op nr 12"])
        enqueue_case_alert(s, case)
        return case.id


def test_webhook_to_loopback_is_refused_for_good(world, db, internal_hook):
    org_hook = internal_hook.url.replace("127.0.0.1", "localhost") + "/organisatie"
    case_id = _doxxing_case_alerting(db, official_hook=internal_hook.url, org_hook=org_hook)
    assert dispatch_pending(db, world.settings) == 0
    with db() as s, s.begin():
        row = s.scalars(select(AlertOutbox)).one()
        assert row.sent_at is not None and row.attempts == 0  # closed: nothing left that a retry could deliver
        assert row.delivered == []
        assert "geweigerd, wordt niet opnieuw geprobeerd" in row.last_error
        assert "127.0.0.1 is een niet-openbaar adres (loopback)" in row.last_error
        assert "localhost wijst naar het niet-openbare adres 127.0.0.1" in row.last_error
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "alert.refused")).one()
        assert audit.object_id == str(case_id) and sorted(audit.details["refused"]) == sorted(
            [f"hook:{internal_hook.url}", f"hook:{org_hook}"])
        s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
    assert dispatch_pending(db, world.settings) == 0  # a later round does not try again
    assert internal_hook.received == []


def test_non_http_webhooks_are_refused_not_mailed(world, db):
    _doxxing_case_alerting(db, official_hook="file:///etc/passwd", org_hook="ftp://127.0.0.1/alarm")
    assert dispatch_pending(db, world.settings) == 0
    with db() as s:
        row = s.scalars(select(AlertOutbox)).one()
        assert row.sent_at is not None and row.delivered == []
        assert row.last_error.count("alleen http- en https-adressen") == 2


def test_webhook_redirect_to_loopback_is_not_followed(world, db, internal_hook):
    redirecting = Hook(PUBLIC_STAND_IN, status=307, location=internal_hook.url)
    try:
        _doxxing_case_alerting(db, official_hook=redirecting.url)
        settings = world.settings.model_copy(
            update={"outbound_allowed_networks": [ipaddress.ip_network(f"{PUBLIC_STAND_IN}/32")]})
        assert dispatch_pending(db, settings) == 0
        with db() as s:
            row = s.scalars(select(AlertOutbox)).one()
            assert row.sent_at is None and row.attempts == 1 and "307" in row.last_error  # kept for a retry
        assert len(redirecting.received) == 1 and redirecting.received[0]["label"] == "doxxing"
        assert internal_hook.received == []
    finally:
        redirecting.close()


def test_reachable_webhook_is_still_delivered(world, db):
    hook = Hook(PUBLIC_STAND_IN)
    try:
        case_id = _doxxing_case_alerting(db, official_hook=hook.url)
        settings = world.settings.model_copy(
            update={"outbound_allowed_networks": [ipaddress.ip_network(f"{PUBLIC_STAND_IN}/32")]})
        assert dispatch_pending(db, settings) == 1
        assert [payload["case_id"] for payload in hook.received] == [case_id]
    finally:
        hook.close()
