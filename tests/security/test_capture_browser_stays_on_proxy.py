"""The capture browser opens no connection around the guarded proxy (issue 16, finding 4; review item 11).

A page that Chromium captures tries WebTransport (HTTP/3 over QUIC, UDP) to IP literals on loopback, which no
proxy setting governs by itself. The run uses the capture's own command line (`chromium_command`); a UDP socket on
each target records every datagram. `--disable-quic` alone does not stop WebTransport (a run without the proxy
flags sends QUIC Initial packets despite it); with the proxy flags Chromium refuses WebTransport, and the flags
close QUIC, DNS-over-HTTPS and the media router's discovery as well. Only loopback is contacted: the page is a real
server on 127.0.0.2 and the guard's resolver knows only `localhost`, so nothing Chromium asks the proxy for leaves
the machine.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from urllib.parse import unquote

import pytest

from schildwacht.netguard import OutboundGuard
from tests.security.sites import PUBLIC_STAND_IN, Seen, Site, loopback_dns
from tests.triage.bundle.bundlecase import CHROMIUM, require
from triage.bundle.capture import chromium_command
from triage.bundle.guarded_proxy import GuardedProxy


class UdpTrap:
    """A UDP socket on a loopback address that keeps every datagram sent to it."""

    def __init__(self, family: socket.AddressFamily, address: str) -> None:
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def datagrams(self) -> list[bytes]:
        received = []
        while True:
            try:
                received.append(self.sock.recv(65536))
            except BlockingIOError:
                return received


@pytest.fixture
def traps() -> Iterator[dict[str, UdpTrap]]:
    """UDP traps on 127.0.0.1 and, where the machine has IPv6 loopback, on ::1; keyed by the URL host."""
    made = {"127.0.0.1": UdpTrap(socket.AF_INET, "127.0.0.1")}
    try:
        made["[::1]"] = UdpTrap(socket.AF_INET6, "::1")
    except OSError:
        pass
    yield made
    for trap in made.values():
        trap.sock.close()


def test_webtransport_to_ip_literals_sends_no_packet(tmp_path, traps):
    require(CHROMIUM is not None, "chromium")
    targets = [f"https://{host}:{trap.port}/wt" for host, trap in traps.items()]
    settled = threading.Event()
    outcomes: list[str] = []
    script = "".join(
        f"try {{ new WebTransport({target!r}).ready.then(() => report('open'), e => report('refused: ' + e)); }}"
        f" catch (e) {{ report('thrown: ' + e); }}\n"
        for target in targets
    )
    page = (
        f"<html><body><p>Wethouder, we weten je te vinden.</p><script>\n"
        f"function report(what) {{ fetch('/uitkomst?' + encodeURIComponent(what)); }}\n{script}</script>"
        f'<img src="/wacht"></body></html>'
    ).encode()

    def answer(request: Seen) -> tuple[int, dict[str, str], bytes]:
        if request.path.startswith("/uitkomst?"):
            outcomes.append(unquote(request.path.partition("?")[2]))
            if len(outcomes) == len(targets):
                settled.set()
            return 204, {}, b""
        if request.path == "/wacht":  # holds the page's load event until every attempt has settled
            settled.wait(timeout=120)
            return 200, {"Content-Type": "image/gif"}, b"GIF89a"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page

    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=loopback_dns)
    with Site(PUBLIC_STAND_IN, answer) as site, GuardedProxy(guard.pins(), timeout=60) as proxy:
        done = subprocess.run(
            chromium_command(CHROMIUM, proxy, tmp_path / "profiel", ["--dump-dom"], site.url("/")),
            capture_output=True,
            timeout=180,
            check=False,
        )
    assert done.returncode == 0 and b"Wethouder" in done.stdout, done.stderr[-2000:]
    assert settled.is_set() and len(outcomes) == len(targets)
    assert not any(outcome == "open" for outcome in outcomes), outcomes
    assert {host: trap.datagrams() for host, trap in traps.items()} == {host: [] for host in traps}
