"""The outbound guard itself (issue 16, findings 4 and 5): schemes, addresses, one resolution, pinned connections.

Only loopback is ever contacted. 127.0.0.2 stands in for a public server (the guard is told so through
`allowed_networks`, exactly as an operator would allow an intranet network); 127.0.0.1 is the internal one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from schildwacht.netguard import OutboundGuard, OutboundRefused, UnresolvableHost
from tests.security.sites import PUBLIC_STAND_IN, Seen, Site, self_signed, twin_sites
from triage.bundle.guarded_proxy import GuardedProxy


@pytest.fixture
def twins() -> Iterator[tuple[Site, Site]]:
    """(public stand-in, internal site) on the same port; the public one closes each connection after answering."""
    with twin_sites(
        lambda request: (200, {"Connection": "close"}, b"openbaar"), lambda request: (200, {}, b"GEHEIM")
    ) as sites:
        yield sites


class RebindingResolver:
    """DNS that answers the public stand-in the first time and 127.0.0.1 every time after (DNS rebinding)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.calls.append(host)
        return [PUBLIC_STAND_IN] if len(self.calls) == 1 else ["127.0.0.1"]


REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.0.10",
    "169.254.169.254",
    "0.0.0.0",
    "100.64.0.1",
    "224.0.0.1",
    "233.1.1.1",
    "255.255.255.255",
    "192.0.2.1",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:8.8.8.8",
    "::7f00:1",
    "fd00::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "64:ff9b::7f00:1",
    "2002:7f00:1::1",
    "2001::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address):
    with pytest.raises(OutboundRefused, match="niet-openbaar"):
        OutboundGuard().pins().addresses(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2a00:1450:400e:80f::200e"])
def test_public_addresses_pass(address):
    assert [str(a) for a in OutboundGuard().pins().addresses(address)] == [address]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/html,<b>x</b>",
        "ftp://ftp.example.org/x",
        "gopher://example.org/",
        "javascript:alert(1)",
        "http:///zonder-server",
    ],
)
def test_only_http_and_https_urls(url):
    with pytest.raises(OutboundRefused):
        OutboundGuard().check_url(url)
    with pytest.raises(OutboundRefused), OutboundGuard().client() as client:
        client.get(url)


def test_names_are_checked_on_their_whole_answer():
    mixed = OutboundGuard(resolver=lambda host: ["93.184.215.14", "127.0.0.1"])
    with pytest.raises(OutboundRefused, match="wijst naar het niet-openbare adres 127.0.0.1"):
        mixed.pins().addresses("gemengd.test")
    with pytest.raises(OutboundRefused, match="localhost"):
        OutboundGuard().pins().addresses("localhost")  # the real system resolver
    with pytest.raises(UnresolvableHost):  # a label over 63 characters: refused locally, no DNS query leaves
        OutboundGuard().pins().addresses("x" * 64 + ".invalid")


def test_allowed_networks_open_exactly_those_addresses():
    guard = OutboundGuard(allowed_networks=["127.0.0.2/32"])
    assert [str(a) for a in guard.pins().addresses("127.0.0.2")] == ["127.0.0.2"]
    for other in ("127.0.0.1", "::ffff:127.0.0.2", "10.0.0.1"):
        with pytest.raises(OutboundRefused):
            guard.pins().addresses(other)


def test_rebinding_dns_is_resolved_once_and_the_connection_pinned(twins):
    public, internal = twins
    resolver = RebindingResolver()
    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=resolver)
    with guard.client() as client:  # the server closes after each answer: every request is a new connection
        answers = [client.get(public.url(f"/{n}", host="herbind.test")).text for n in range(3)]
    assert answers == ["openbaar"] * 3
    assert resolver.calls == ["herbind.test"]
    assert [seen.host for seen in public.seen] == [f"herbind.test:{public.port}"] * 3  # Host keeps the name
    assert internal.seen == []


def test_a_fresh_resolution_that_rebinds_is_refused(twins):
    public, internal = twins
    resolver = RebindingResolver()
    resolver.calls.append("(earlier lookup)")  # the first answer was already used elsewhere
    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=resolver)
    with pytest.raises(OutboundRefused, match="127.0.0.1"), guard.client() as client:
        client.get(public.url("/", host="herbind.test"))
    assert internal.seen == [] and public.seen == []


def test_every_redirect_hop_is_checked(twins):
    _, internal = twins
    with Site(PUBLIC_STAND_IN, lambda request: (302, {"Location": internal.url("/x")}, b"")) as redirecting:
        guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"])
        with pytest.raises(OutboundRefused, match="127.0.0.1"), guard.client(follow_redirects=True) as client:
            client.get(redirecting.url("/post"))
        assert redirecting.paths == ["/post"]
        assert internal.seen == []


def test_pinned_https_keeps_the_name_for_sni_and_certificate(tmp_path):
    certificate = self_signed(tmp_path, "publiek.test")
    with Site(PUBLIC_STAND_IN, tls=certificate.server_context()) as site:
        guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=lambda host: [PUBLIC_STAND_IN])
        with guard.client(verify=certificate.client_context()) as client:
            assert client.get(site.url("/", host="publiek.test")).text == "ok"
        assert site.sni == ["publiek.test"] and [(s.path, s.host) for s in site.seen] == [
            ("/", f"publiek.test:{site.port}")
        ]


def test_pinned_client_keeps_httpx_connection_limits():
    """More requests at once than httpcore's bare default pool (10 connections) allows: each is answered only when
    all have arrived, so a pinned client with httpcore's defaults instead of httpx's (100) would never get there."""
    at_once = 16
    all_arrived = threading.Barrier(at_once)

    def answer(request: Seen) -> tuple[int, dict[str, str], bytes]:
        all_arrived.wait(timeout=60)
        return 200, {}, b"ok"

    with (
        Site(PUBLIC_STAND_IN, answer) as site,
        OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"]).client(timeout=120) as client,
    ):
        statuses: list[int | str] = []

        def fetch(n: int) -> None:
            try:
                statuses.append(client.get(site.url(f"/{n}")).status_code)
            except httpx.HTTPError as exc:
                statuses.append(type(exc).__name__)

        threads = [threading.Thread(target=fetch, args=(n,)) for n in range(at_once)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert statuses == [200] * at_once


def test_proxy_pins_plain_http_and_connect_tunnels(twins, tmp_path):
    public, internal = twins
    certificate = self_signed(tmp_path, "herbind.test")
    resolver = RebindingResolver()
    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=resolver)
    with Site(PUBLIC_STAND_IN, tls=certificate.server_context()) as tls_site:
        with (
            GuardedProxy(guard.pins(), timeout=20) as proxy,
            httpx.Client(
                proxy=f"http://{proxy.address}", verify=certificate.client_context(), trust_env=False
            ) as browser,
        ):
            assert browser.get(public.url("/a", host="herbind.test")).text == "openbaar"
            assert browser.get(public.url("/b", host="herbind.test")).text == "openbaar"
            assert browser.get(tls_site.url("/c", host="herbind.test")).text == "ok"  # CONNECT, same pin
            refused = browser.get(internal.url("/geheim"))
            with pytest.raises(httpx.ProxyError, match="403"):  # a refused CONNECT tunnel
                browser.get(f"https://localhost:{internal.port}/geheim")
        assert refused.status_code == 403 and "niet-openbaar" in refused.text
    assert resolver.calls == ["herbind.test", "localhost"]  # herbind.test once, for plain HTTP and the tunnel
    assert public.paths == ["/a", "/b"] and tls_site.sni == ["herbind.test"]
    assert internal.seen == []
    assert any("127.0.0.1" in r for r in proxy.refusals) and any("localhost" in r for r in proxy.refusals)
