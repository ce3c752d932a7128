"""The capture browser's guarded forward proxy under hostile or broken input (issue 16, finding 4; review item 15).

Before the fix a CONNECT to port 99999 (OverflowError) or a malformed request ended the connection without an
answer and a traceback, a request body of any size was read into memory, and leaving the proxy waited for every
open browser connection until its idle timeout. Now: 400 for a bad request or target, 413 for a body over 10 MiB
(nothing forwarded), 502 for anything else that goes wrong, the proxy keeps serving, and leaving it closes the
browser connections. Only loopback is contacted: the site is a real server on 127.0.0.2 (declared reachable), and
the guard's resolver knows only `localhost`.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from schildwacht.netguard import OutboundGuard
from tests.security.sites import PUBLIC_STAND_IN, Site, loopback_dns
from triage.bundle.guarded_proxy import GuardedProxy

MAX_REQUEST_BODY = 10 * 1024 * 1024  # the cap the proxy promises


@pytest.fixture
def site() -> Iterator[Site]:
    with Site(PUBLIC_STAND_IN) as running:
        yield running


@pytest.fixture
def proxy() -> Iterator[GuardedProxy]:
    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=loopback_dns)
    with GuardedProxy(guard.pins(), timeout=30) as running:
        yield running


def _exchange(proxy: GuardedProxy, raw: bytes) -> bytes:
    """Send `raw` on a fresh connection to the proxy; everything it answers until it closes the connection."""
    host, port = proxy.address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(raw)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _still_serving(proxy: GuardedProxy, site: Site) -> None:
    with httpx.Client(proxy=f"http://{proxy.address}", trust_env=False) as browser:
        assert browser.get(site.url("/daarna")).text == "ok"


@pytest.mark.parametrize(
    "target",
    [f"{PUBLIC_STAND_IN}:99999", f"{PUBLIC_STAND_IN}:0", f"{PUBLIC_STAND_IN}:http", f"{PUBLIC_STAND_IN}", "[::1:443"],
)
def test_connect_to_an_impossible_target_is_a_bad_request(proxy, site, target):
    answer = _exchange(proxy, f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    _still_serving(proxy, site)
    assert site.paths == ["/daarna"]


def test_malformed_request_is_a_bad_request(proxy, site):
    answer = _exchange(proxy, b"GET http://127.0.0.2/ HTTP/1.1\r\nHost: x\r\nkapotte kop zonder dubbele punt\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    _still_serving(proxy, site)


def test_request_bodies_over_10_mib_are_refused_and_not_forwarded(proxy, site):
    with httpx.Client(proxy=f"http://{proxy.address}", trust_env=False, timeout=60) as browser:
        too_large = browser.post(site.url("/groot"), content=b"x" * (MAX_REQUEST_BODY + 1))
        fits = browser.post(site.url("/past"), content=b"x" * 1024)
    assert too_large.status_code == 413 and fits.status_code == 200
    assert site.paths == ["/past"]


def test_a_declared_oversize_body_is_refused_before_it_is_sent(proxy, site):
    answer = _exchange(
        proxy,
        f"POST {site.url('/groot')} HTTP/1.1\r\nHost: {PUBLIC_STAND_IN}\r\n"
        f"Content-Length: {MAX_REQUEST_BODY + 1}\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert site.seen == []


def test_leaving_the_proxy_closes_idle_browser_connections(site):
    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=loopback_dns)
    proxy = GuardedProxy(guard.pins(), timeout=3600)  # an idle tunnel would otherwise be kept for an hour
    proxy.__enter__()
    host, port = proxy.address.rsplit(":", 1)
    browser = socket.create_connection((host, int(port)), timeout=60)
    try:
        target = f"{PUBLIC_STAND_IN}:{site.port}"
        browser.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        assert browser.recv(65536).startswith(b"HTTP/1.1 200 ")  # the tunnel is open and idle
        leaving = threading.Thread(target=proxy.__exit__, args=(None, None, None))
        leaving.start()
        leaving.join(timeout=60)
        assert not leaving.is_alive()
        assert browser.recv(65536) == b""  # the proxy closed the browser's connection
    finally:
        browser.close()
