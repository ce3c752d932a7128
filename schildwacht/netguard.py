"""The one outbound-request guard for every server-side fetch (server-side request forgery).

URLs that Schildwacht fetches come from outside: a post's permalink, a URL a staff member pasted, an official's
webhook, a Mastodon handle's instance. Every fetch goes through `OutboundGuard`, directly (`Pins.client`, an httpx
client) or through an adapter that enforces the same rule (the capture browser's forward proxy in
`triage.bundle.guarded_proxy`; in the collectors, the DNS resolver `collectors.outbound.GuardedResolver` and the
downloader middleware `collectors.middlewares.OutboundGuardMiddleware`).

Invariants:
- only `http` and `https` URLs are fetched; `file:`, `data:`, `ftp:` and every other scheme are refused;
- a host name is resolved exactly once per `Pins` (one fetch, one capture, one crawl), and the answer is checked as
  a whole: if any address is loopback, private, link-local, multicast, reserved, unspecified, shared (CGNAT),
  IPv4-mapped/compatible IPv6 or an IPv6 transition address (NAT64, 6to4, Teredo), the name is refused;
- connections go only to an address of that checked answer (pinned): a second DNS answer is never asked for, so a
  name that rebinds to 127.0.0.1 after the check cannot be reached through it;
- the original name stays in the Host header and in TLS (SNI and certificate check);
- nothing follows redirects on its own behalf without the hop passing the guard again;
- an address inside `allowed_networks` (setting `outbound_allowed_networks`, empty by default) is allowed although
  it is not public: the one explicit switch for intranet deployments and tests. IPv4-mapped and transition
  addresses stay refused even then.
"""

from __future__ import annotations

import inspect
import ipaddress
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import httpcore
import httpx

from schildwacht.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], Sequence[str]]
"""A DNS lookup: host name -> its addresses as text; raises `UnresolvableHost` when there are none."""

ALLOWED_SCHEMES = ("http", "https")
# httpx's own default connection limits, read from its public signature so that pinned clients keep tracking them
HTTPX_DEFAULT_LIMITS: httpx.Limits = inspect.signature(httpx.HTTPTransport).parameters["limits"].default
# IPv6 ranges that carry an IPv4 address (or tunnel to one): checking the IPv6 address says nothing about where
# the packets end up, so they are refused outright.
_TRANSITION_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("::/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32")
)
_NON_PUBLIC = (
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_unspecified", "ongespecificeerd"),
    ("is_multicast", "multicast"),
    ("is_reserved", "gereserveerd"),
    ("is_private", "privé-netwerk"),
)


class OutboundRefused(Exception):
    """The guard refuses this destination for good (scheme or address); retrying cannot help.

    The message is Dutch / English and safe to show to staff."""


class UnresolvableHost(OSError):
    """The host name has no addresses (now): a transient failure, not a refusal."""


def system_resolve(host: str) -> list[str]:
    """The system resolver's TCP addresses for `host`, in its order, without duplicates."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"{host}: naam niet gevonden / name not found ({exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# The legacy IPv4 spellings inet_aton (and browsers) read as an address: 1 to 4 parts, decimal, octal or hex.
_INET_ATON_FORM = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}", re.IGNORECASE)


def literal_address(host: str) -> IPAddress | None:
    """The IP address that `host` spells, or None when `host` is a name (to be resolved).

    Everything a resolver or browser takes as an address without asking DNS counts: IPv4 and IPv6 literals (with
    or without URL brackets, with an IPv6 zone) and the legacy IPv4 forms of inet_aton (`2130706433`, `0x7f.1`,
    `127.1`, octal `0177.0.0.1`), each also with one trailing dot. Save-time checks (schildwacht.contacts) and
    the send-time guard (`Pins`) use this one reading, so they can never disagree about what a host is."""
    name = host.removeprefix("[").removesuffix("]")
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    name = name.removesuffix(".")
    if not _INET_ATON_FORM.fullmatch(name):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        return None


class OutboundGuard:
    """The rule: which schemes and addresses server-side fetches may reach. Immutable and thread-safe."""

    def __init__(self, allowed_networks: Iterable[IPNetwork | str] = (), resolver: Resolver = system_resolve) -> None:
        self.allowed_networks = tuple(ipaddress.ip_network(n) for n in allowed_networks)
        self.resolver = resolver

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboundGuard:
        """The guard of this deployment: closed unless `outbound_allowed_networks` opens named networks."""
        return cls(settings.outbound_allowed_networks)

    def refusal(self, address: IPAddress) -> str | None:
        """Why `address` may not be contacted (Dutch), or None when it may."""
        if isinstance(address, ipaddress.IPv6Address) and (
            address.ipv4_mapped is not None
            or address.sixtofour is not None
            or address.teredo is not None
            or any(address in net for net in _TRANSITION_NETWORKS)
        ):
            return "IPv6-adres met ingebed IPv4-adres"
        if any(address in net for net in self.allowed_networks):
            return None
        for attribute, label in _NON_PUBLIC:
            if getattr(address, attribute):
                return label
        if getattr(address, "is_site_local", False) or not address.is_global:
            return "niet-openbaar"
        return None

    def check_url(self, url: str | httpx.URL) -> httpx.URL:
        """The parsed URL if its scheme may be fetched and it names a host; `OutboundRefused` otherwise."""
        try:
            parsed = httpx.URL(str(url))
        except httpx.InvalidURL as exc:
            raise OutboundRefused(f"ongeldige URL / invalid URL: {exc}") from None
        if parsed.scheme not in ALLOWED_SCHEMES:
            raise OutboundRefused(
                f"alleen http- en https-adressen worden opgehaald, niet {parsed.scheme or '(geen)'}:"
                " / only http(s) URLs are fetched"
            )
        if not parsed.raw_host:
            raise OutboundRefused("de URL noemt geen server / the URL names no host")
        return parsed

    def pins(self) -> Pins:
        """A fresh set of pinned resolutions: one per host for as long as the caller keeps it."""
        return Pins(self)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client pinned by its own `Pins` (see `Pins.client`)."""
        return self.pins().client(**kwargs)


class Pins:
    """The checked answer for every host resolved so far in one operation; connections use only these addresses.

    Thread-safe: concurrent lookups of one host wait for the single resolution.
    """

    def __init__(self, guard: OutboundGuard) -> None:
        self.guard = guard
        self._answers: dict[str, list[IPAddress] | str] = {}  # host -> checked addresses, or why it is refused
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def addresses(self, host: str) -> list[IPAddress]:
        """The checked addresses of `host` (resolved on first use only); raises `OutboundRefused` when any address
        of the answer is refused, `UnresolvableHost` when there is none (not remembered: a later call asks again,
        which is safe because no address was handed out)."""
        host = host.strip("[]").lower()
        with self._lock:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            if host not in self._answers:
                self._answers[host] = self._resolve_and_check(host)
            answer = self._answers[host]
        if isinstance(answer, str):
            raise OutboundRefused(answer)
        return answer

    def _resolve_and_check(self, host: str) -> list[IPAddress] | str:
        literal = literal_address(host)
        found = [literal] if literal else [ipaddress.ip_address(a.split("%")[0]) for a in self.guard.resolver(host)]
        if not found:
            raise UnresolvableHost(f"{host}: naam niet gevonden / name not found")
        for address in found:
            reason = self.guard.refusal(address)
            if reason:
                where = (
                    f"is een niet-openbaar adres ({reason})"
                    if literal
                    else f"wijst naar het niet-openbare adres {address} ({reason})"
                )
                return f"{host} {where}; geweigerd / {host} is or resolves to a non-public address, refused"
        return found

    def connect(self, host: str, port: int, timeout: float | None) -> socket.socket:
        """A TCP connection to the first reachable checked address of `host`."""
        error: OSError | None = None
        for address in self.addresses(host):
            try:
                return socket.create_connection((str(address), port), timeout)
            except OSError as exc:
                error = exc
        raise error or UnresolvableHost(host)

    def client(self, *, verify: Any = True, limits: httpx.Limits = HTTPX_DEFAULT_LIMITS, **kwargs: Any) -> httpx.Client:
        """An httpx client whose every connection is pinned to these checked answers and which refuses other
        schemes. With `follow_redirects=True` each hop is checked when its connection is made.

        Everything else is httpx's default: connection limits, keep-alive, certificate check against certifi, or
        against SSL_CERT_FILE / SSL_CERT_DIR when set (an intranet CA). Proxy variables are never used."""
        return httpx.Client(
            transport=_PinnedTransport(self, httpx.create_ssl_context(verify=verify), limits),
            trust_env=False,
            event_hooks={"request": [lambda request: self.guard.check_url(request.url)]},
            **kwargs,
        )


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport, with the given TLS context and limits, whose connection pool connects through `pins`.

    httpx offers no public hook for the network backend, so the pool that HTTPTransport builds is replaced right
    away by one with the same TLS context and limits and the pinned backend."""

    def __init__(self, pins: Pins, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(pins),
        )


class _PinnedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting to the pinned address instead of resolving the name again.

    TLS still runs against the original name: httpcore passes the request's host as server_hostname."""

    def __init__(self, pins: Pins) -> None:
        self.pins = pins

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.pins.addresses(host)
        except UnresolvableHost as exc:
            raise httpcore.ConnectError(str(exc)) from None
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(host)
