"""Real servers on loopback for the SSRF and alert tests (issue 16, findings 4 and 5), in one place: HTTP(S) sites,
their certificates, an SMTP inbox.

Invariant: every server here listens on a 127.0.0.0/8 address, and every URL a test builds from one points there,
so no test traffic ever leaves the machine. By convention 127.0.0.2 stands in for a public server (tests declare it
reachable through `outbound_allowed_networks`, as an operator would open an intranet network) and 127.0.0.1 is the
internal one that must never be reached.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from schildwacht.embedded import free_port
from schildwacht.netguard import UnresolvableHost

PUBLIC_STAND_IN = "127.0.0.2"
INTERNAL = "127.0.0.1"


def loopback_dns(host: str) -> list[str]:
    """A resolver for the outbound guard in tests: `localhost` is 127.0.0.1 (as in /etc/hosts) and no other name
    has an address, so no DNS query leaves the machine, not even for what Chromium asks on its own behalf."""
    if host == "localhost":
        return [INTERNAL]
    raise UnresolvableHost(f"{host}: geen DNS in tests / no DNS in tests")


@dataclass(frozen=True)
class Seen:
    """One request a `Site` received."""

    method: str
    path: str
    host: str | None
    user_agent: str
    body: bytes


Answer = Callable[[Seen], tuple[int, dict[str, str], bytes]]
"""What a site answers to a request: (status, headers, body)."""


def _ok(request: Seen) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, b"ok"


class Site:
    """A real HTTP(S) server in a thread on a loopback address; records every request (`seen`) and, with TLS, the
    SNI name of every handshake (`sni`). Usable as a context manager."""

    def __init__(self, address: str, answer: Answer = _ok, *, port: int = 0, tls: ssl.SSLContext | None = None) -> None:
        if not ipaddress.ip_address(address).is_loopback:
            raise ValueError(f"test sites listen on loopback only, not {address}")
        self.seen: list[Seen] = []
        self.sni: list[str | None] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                request = Seen(
                    self.command,
                    self.path,
                    self.headers.get("Host"),
                    self.headers.get("User-Agent", ""),
                    self.rfile.read(length),
                )
                site.seen.append(request)
                status, headers, body = answer(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((address, port), Handler)
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: self.sni.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.address, self.port = address, self.server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/", host: str | None = None) -> str:
        """The URL of `path` on this site, by its address or by `host` (a name that the test maps to it)."""
        return f"{self.scheme}://{host or self.address}:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        return [request.path for request in self.seen]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def twin_sites(public: Answer, internal: Answer) -> Iterator[tuple[Site, Site]]:
    """(public stand-in on 127.0.0.2:P, internal site on 127.0.0.1:P): the same port, so a connection that went to
    the wrong address would land on the internal site and be recorded there."""
    for _ in range(20):
        public_site = Site(PUBLIC_STAND_IN, public)
        try:
            internal_site = Site(INTERNAL, internal, port=public_site.port)
        except OSError:
            public_site.close()
            continue
        with public_site, internal_site:
            yield public_site, internal_site
        return
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate and its key on disk."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """A fresh server context (one per `Site`: each records the SNI names of its own handshakes)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate only."""
        return ssl.create_default_context(cafile=str(self.cert))


def self_signed(directory: Path, *names: str) -> Certificate:
    """A fresh self-signed certificate for `names`, written to `directory`. A name that is an IP address goes into
    the certificate as an IP address, any other as a DNS name."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alternative: list[x509.GeneralName] = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    made = Certificate(directory / "cert.pem", directory / "key.pem")
    made.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    made.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return made


class Inbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; `messages` holds (recipients, raw message) of every mail."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.port = free_port()
        self.controller = Controller(self, hostname=INTERNAL, port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 - aiosmtpd
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
