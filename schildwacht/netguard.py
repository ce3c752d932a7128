"""The one outbound-request guard for every server-side fetch (server-side request forgery).

URLs that Schildwacht fetches come from outside: a post's permalink, a URL a staff member pasted, an official's
webhook, a Mastodon handle's instance. Every fetch goes through `OutboundGuard`, directly (`Pins.client`, an httpx
client) or through an adapter that enforces the same rule (the capture browser's forward proxy in
`triage.bundle.guarded_proxy`, the collectors' DNS resolver and downloader middleware in `collectors.guard`).

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

import ipaddress
import socket
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
# IPv6 ranges that carry an IPv4 address (or tunnel to one): checking the IPv6 address says nothing about where
# the packets end up, so they are refused outright.
_TRANSITION_NETWORKS = tuple(ipaddress.ip_network(n) for n in
                             ("::/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32"))
_NON_PUBLIC = (("is_loopback", "loopback"), ("is_link_local", "link-local"), ("is_unspecified", "ongespecificeerd"),
               ("is_multicast", "multicast"), ("is_reserved", "gereserveerd"), ("is_private", "privé-netwerk"))


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


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class OutboundGuard:
    """The rule: which schemes and addresses server-side fetches may reach. Immutable and thread-safe."""

    def __init__(self, allowed_networks: Iterable[IPNetwork | str] = (), resolver: Resolver = system_resolve) -> None:
        self.allowed_networks = tuple(ipaddress.ip_network(n) for n in allowed_networks)
        self.resolver = resolver

    @classmethod
    def from_settings(cls, settings: Settings) -> "OutboundGuard":
        """The guard of this deployment: closed unless `outbound_allowed_networks` opens named networks."""
        return cls(settings.outbound_allowed_networks)

    def refusal(self, address: IPAddress) -> str | None:
        """Why `address` may not be contacted (Dutch), or None when it may."""
        if isinstance(address, ipaddress.IPv6Address) and (
                address.ipv4_mapped is not None or address.sixtofour is not None or address.teredo is not None
                or any(address in net for net in _TRANSITION_NETWORKS)):
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
            raise OutboundRefused(f"alleen http- en https-adressen worden opgehaald, niet {parsed.scheme or '(geen)'}:"
                                  " / only http(s) URLs are fetched")
        if not parsed.raw_host:
            raise OutboundRefused("de URL noemt geen server / the URL names no host")
        return parsed

    def pins(self) -> "Pins":
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
        literal = _literal(host)
        found = [literal] if literal else [ipaddress.ip_address(a.split("%")[0]) for a in self.guard.resolver(host)]
        if not found:
            raise UnresolvableHost(f"{host}: naam niet gevonden / name not found")
        for address in found:
            reason = self.guard.refusal(address)
            if reason:
                where = f"is een niet-openbaar adres ({reason})" if literal else \
                    f"wijst naar het niet-openbare adres {address} ({reason})"
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

    def client(self, *, verify: Any = True, **kwargs: Any) -> httpx.Client:
        """An httpx client whose every connection is pinned to these checked answers and which refuses other
        schemes. With `follow_redirects=True` each hop is checked when its connection is made."""
        transport = httpx.HTTPTransport(verify=verify, trust_env=False)
        # httpx offers no public hook for the network backend: swap the pool right after construction, with the
        # same TLS context, for one whose backend connects through these pins.
        transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(verify=verify),
                                                  network_backend=_PinnedBackend(self))
        return httpx.Client(transport=transport, trust_env=False,
                            event_hooks={"request": [lambda request: self.guard.check_url(request.url)]}, **kwargs)


class _PinnedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting to the pinned address instead of resolving the name again.

    TLS still runs against the original name: httpcore passes the request's host as server_hostname."""

    def __init__(self, pins: Pins) -> None:
        self.pins = pins

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
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
