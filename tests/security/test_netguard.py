"""The outbound guard itself (issue 16, findings 4 and 5): schemes, addresses, one resolution, pinned connections.

Only loopback is ever contacted. 127.0.0.2 stands in for a public server (the guard is told so through
`allowed_networks`, exactly as an operator would allow an intranet network); 127.0.0.1 is the internal one.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from schildwacht.netguard import OutboundGuard, OutboundRefused, UnresolvableHost
from triage.bundle.guarded_proxy import GuardedProxy

PUBLIC_STAND_IN = "127.0.0.2"


class Site:
    """A real HTTP(S) server in a thread that records (path, Host header, SNI) of every request."""

    def __init__(self, address: str, port: int = 0, answer=None, tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.sni: list[str | None] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                site.seen.append((self.path, self.headers.get("Host")))
                code, headers, body = (answer or (lambda path: (200, {}, b"ok")))(self.path)
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((address, port), Handler)
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: self.sni.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def twin_sites() -> Iterator[tuple[Site, Site]]:
    """(public stand-in on 127.0.0.2:P, internal site on 127.0.0.1:P): the same port, so a connection that went to
    the wrong address would land on the internal site."""
    for _ in range(20):
        public = Site(PUBLIC_STAND_IN, answer=lambda path: (200, {"Connection": "close"}, b"openbaar"))
        try:
            internal = Site("127.0.0.1", public.port, answer=lambda path: (200, {}, b"GEHEIM"))
        except OSError:
            public.close()
            continue
        yield public, internal
        public.close()
        internal.close()
        return
    pytest.fail("no port free on both 127.0.0.1 and 127.0.0.2")


class RebindingResolver:
    """DNS that answers the public stand-in the first time and 127.0.0.1 every time after (DNS rebinding)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.calls.append(host)
        return [PUBLIC_STAND_IN] if len(self.calls) == 1 else ["127.0.0.1"]


REFUSED = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.0.10", "169.254.169.254", "0.0.0.0",
           "100.64.0.1", "224.0.0.1", "233.1.1.1", "255.255.255.255", "192.0.2.1", "::1", "::", "::ffff:127.0.0.1",
           "::ffff:8.8.8.8", "::7f00:1", "fd00::1", "fe80::1", "fec0::1", "ff02::1", "64:ff9b::7f00:1",
           "2002:7f00:1::1", "2001::1"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address):
    with pytest.raises(OutboundRefused, match="niet-openbaar"):
        OutboundGuard().pins().addresses(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2a00:1450:400e:80f::200e"])
def test_public_addresses_pass(address):
    assert [str(a) for a in OutboundGuard().pins().addresses(address)] == [address]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/html,<b>x</b>", "ftp://ftp.example.org/x",
                                 "gopher://example.org/", "javascript:alert(1)", "http:///zonder-server"])
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
    with pytest.raises(UnresolvableHost):
        OutboundGuard().pins().addresses("bestaat-niet.invalid")


def test_allowed_networks_open_exactly_those_addresses():
    guard = OutboundGuard(allowed_networks=["127.0.0.2/32"])
    assert [str(a) for a in guard.pins().addresses("127.0.0.2")] == ["127.0.0.2"]
    for other in ("127.0.0.1", "::ffff:127.0.0.2", "10.0.0.1"):
        with pytest.raises(OutboundRefused):
            guard.pins().addresses(other)


def test_rebinding_dns_is_resolved_once_and_the_connection_pinned(twin_sites):
    public, internal = twin_sites
    resolver = RebindingResolver()
    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=resolver)
    with guard.client() as client:  # the server closes after each answer: every request is a new connection
        answers = [client.get(f"http://herbind.test:{public.port}/{n}").text for n in range(3)]
    assert answers == ["openbaar"] * 3
    assert resolver.calls == ["herbind.test"]
    assert [host for _, host in public.seen] == [f"herbind.test:{public.port}"] * 3  # Host keeps the name
    assert internal.seen == []


def test_a_fresh_resolution_that_rebinds_is_refused(twin_sites):
    public, internal = twin_sites
    resolver = RebindingResolver()
    resolver.calls.append("(earlier lookup)")  # the first answer was already used elsewhere
    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=resolver)
    with pytest.raises(OutboundRefused, match="127.0.0.1"), guard.client() as client:
        client.get(f"http://herbind.test:{public.port}/")
    assert internal.seen == [] and public.seen == []


def test_every_redirect_hop_is_checked(twin_sites):
    public, internal = twin_sites
    redirecting = Site(PUBLIC_STAND_IN, answer=lambda path: (302, {"Location": f"http://127.0.0.1:{public.port}/x"},
                                                               b""))
    try:
        guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"])
        with pytest.raises(OutboundRefused, match="127.0.0.1"), guard.client(follow_redirects=True) as client:
            client.get(f"http://{PUBLIC_STAND_IN}:{redirecting.port}/post")
        assert [path for path, _ in redirecting.seen] == ["/post"]
        assert internal.seen == []
    finally:
        redirecting.close()


def _tls_for(name: str, tmp_path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context with a fresh self-signed certificate for `name`, client context trusting only it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return server, ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))


def test_pinned_https_keeps_the_name_for_sni_and_certificate(tmp_path):
    server_tls, client_tls = _tls_for("publiek.test", tmp_path)
    site = Site(PUBLIC_STAND_IN, tls=server_tls)
    try:
        guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=lambda host: [PUBLIC_STAND_IN])
        with guard.client(verify=client_tls) as client:
            assert client.get(f"https://publiek.test:{site.port}/").text == "ok"
        assert site.sni == ["publiek.test"] and site.seen == [("/", f"publiek.test:{site.port}")]
    finally:
        site.close()


def test_proxy_pins_plain_http_and_connect_tunnels(twin_sites, tmp_path):
    public, internal = twin_sites
    server_tls, client_tls = _tls_for("herbind.test", tmp_path)
    tls_site = Site(PUBLIC_STAND_IN, tls=server_tls)
    resolver = RebindingResolver()
    guard = OutboundGuard(allowed_networks=[f"{PUBLIC_STAND_IN}/32"], resolver=resolver)
    try:
        with GuardedProxy(guard.pins(), timeout=20) as proxy, \
                httpx.Client(proxy=f"http://{proxy.address}", verify=client_tls, trust_env=False) as browser:
            assert browser.get(f"http://herbind.test:{public.port}/a").text == "openbaar"
            assert browser.get(f"http://herbind.test:{public.port}/b").text == "openbaar"
            assert browser.get(f"https://herbind.test:{tls_site.port}/c").text == "ok"  # CONNECT, same pin
            refused = browser.get(f"http://127.0.0.1:{internal.port}/geheim")
            with pytest.raises(httpx.ProxyError, match="403"):  # a refused CONNECT tunnel
                browser.get(f"https://localhost:{internal.port}/geheim")
        assert refused.status_code == 403 and "niet-openbaar" in refused.text
    finally:
        tls_site.close()
    assert resolver.calls == ["herbind.test", "localhost"]  # herbind.test once, for plain HTTP and the tunnel
    assert [path for path, _ in public.seen] == ["/a", "/b"] and tls_site.sni == ["herbind.test"]
    assert internal.seen == []
    assert any("127.0.0.1" in r for r in proxy.refusals) and any("localhost" in r for r in proxy.refusals)
