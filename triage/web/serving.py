"""How `schildwacht web` serves the app with uvicorn; tests start their live servers the same way.

Invariants:
- X-Forwarded-For/-Proto are believed only from the addresses in `settings.trusted_proxies` (none by default), so
  the client address the login limits see cannot be chosen by the client; each entry reaches uvicorn in the form it
  matches (a network with host bits, `127.0.0.5/8`, as `127.0.0.0/8`);
- a forwarded header from a peer that is not trusted is ignored and logged once per peer (`ForwardedHeaderWatch`):
  behind a proxy that is not configured every login seems to come from the proxy;
- the access log carries no personal-link tokens or query values (triage.web.access_log);
- `Server` stops on SIGHUP as on SIGTERM: gracefully, then raising the signal again for the process's own handler.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import signal
import threading
from collections.abc import Generator
from typing import Any

import uvicorn
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from schildwacht.config import Settings
from triage.web.access_log import install_redaction

log = logging.getLogger(__name__)
MAX_WARNED_PEERS = 256  # peers remembered for the once-per-peer warning; beyond this, no more warnings


class Server(uvicorn.Server):
    """uvicorn's server, stopping on SIGHUP (a closed terminal) as it stops on SIGINT and SIGTERM: it finishes the
    requests in flight, shuts down, and raises the signal again once its own handlers are gone, so that
    `schildwacht.termination` ends the command outside any request. uvicorn itself leaves SIGHUP to the process's
    handler, whose exception then rises inside whatever request is being served, where uvicorn logs and swallows it:
    `schildwacht demo` kept running after a SIGHUP that arrived while a page was being sent."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        with super().capture_signals():
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = signal.signal(signal.SIGHUP, self.handle_exit)
            try:
                yield
            finally:
                signal.signal(signal.SIGHUP, previous)


def trusted_proxies(settings: Settings) -> list[str]:
    """The configured proxy addresses and networks in normal form ("10.0.0.5", "127.0.0.0/8"); ValueError on
    anything that is not one ("*" included)."""
    normalised = []
    for entry in (entry.strip() for entry in settings.trusted_proxies.split(",")):
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(
                f"SCHILDWACHT_TRUSTED_PROXIES: {entry!r} is geen IP-adres of netwerk / is not an IP address or network"
            ) from None
        normalised.append(str(network) if "/" in entry else str(network.network_address))
    return normalised


class ForwardedHeaderWatch:
    """ASGI wrapper outside the proxy-header handling: logs a warning the first time a peer that is not a trusted
    proxy sends X-Forwarded-For (which is then ignored). Remembers at most MAX_WARNED_PEERS peers."""

    def __init__(self, app: Any, proxies: list[str]) -> None:
        self.app = app
        self.networks = [ipaddress.ip_network(proxy) for proxy in proxies]
        self.warned: set[str] = set()

    def _trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        client = scope.get("client")
        if (
            scope["type"] in ("http", "websocket")
            and client
            and client[0] not in self.warned
            and len(self.warned) < MAX_WARNED_PEERS
            and any(name == b"x-forwarded-for" for name, _ in scope["headers"])
            and not self._trusted(client[0])
        ):
            self.warned.add(client[0])
            log.warning(
                "X-Forwarded-For van %s genegeerd: geen vertrouwde proxy. Staat de app achter een reverse "
                "proxy, zet dan SCHILDWACHT_TRUSTED_PROXIES op het adres ervan. / X-Forwarded-For from %s "
                "ignored: not a trusted proxy; behind a reverse proxy, set SCHILDWACHT_TRUSTED_PROXIES to "
                "its address.",
                client[0],
                client[0],
            )
        await self.app(scope, receive, send)


def serve_config(
    settings: Settings, app: Any, host: str | None = None, port: int | None = None, **options: Any
) -> uvicorn.Config:
    """The uvicorn configuration for the app (extra uvicorn options pass through). The proxy-header handling is
    uvicorn's own middleware, placed here (uvicorn's `proxy_headers` stays off) so that `ForwardedHeaderWatch` sees
    the real peer."""
    proxies = trusted_proxies(settings)
    if proxies:
        app = ProxyHeadersMiddleware(app, trusted_hosts=proxies)
    config = uvicorn.Config(
        ForwardedHeaderWatch(app, proxies),
        host=host or settings.web_host,
        port=port or settings.web_port,
        proxy_headers=False,
        **options,
    )
    install_redaction()  # after uvicorn.Config, which (re)configures the uvicorn loggers
    return config
