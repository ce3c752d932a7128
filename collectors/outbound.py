"""The outbound guard (schildwacht/netguard.py) inside Scrapy: a DNS resolver that only ever answers checked
addresses, and the exception a refused request fails with.

What is guaranteed for every collector request (the submitted-URL spider's included):
- the downloader middleware `collectors.middlewares.OutboundGuardMiddleware` refuses, before anything is sent,
  a URL that is not http(s) or whose host is or resolves to a refused address; every redirect hop is a new
  request and passes it again. The request fails with `RefusedDestination`, which the spiders park (dead letter)
  with the Dutch reason;
- the connection itself is made by Twisted's HostnameEndpoint, which asks the reactor's name resolver, which is
  `GuardedResolver` (TWISTED_DNS_RESOLVER): it answers from the crawl's `Pins`, the same single, checked
  resolution the middleware made, and answers nothing for a refused host. So the check and the connection share
  one resolution; DNS rebinding between them cannot reach another address, and even a request that somehow skipped
  the middleware cannot connect to a refused address. IP literals pass through the same resolver.
- handlers for file:, data:, ftp: and s3: are disabled in the settings.
Limits: this holds for Scrapy's default Twisted HTTP/1.1 handler, which these settings keep (the experimental
httpx/aiohttp handlers resolve names themselves and would keep only the middleware's check); with a proxy from the
environment (HttpProxyMiddleware) the resolver checks the proxy's address, the middleware still the target's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress, IHostnameResolver, IHostResolution, IResolutionReceiver
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from zope.interface import implementer

from schildwacht.netguard import IPAddress, OutboundGuard

log = logging.getLogger(__name__)


class RefusedDestination(IgnoreRequest):
    """The outbound guard refused the request's URL or address; nothing was sent. The message is Dutch/English."""


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:  # pragma: no cover - Twisted never cancels a resolution it started
        pass


@implementer(IHostnameResolver)
class GuardedResolver:
    """The reactor's name resolver for a crawl: one checked resolution per host (the crawl's pins), refused hosts
    resolve to nothing."""

    def __init__(self, reactor: Any, guard: OutboundGuard) -> None:
        self.reactor = reactor
        self.pins = guard.pins()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        return cls(reactor, OutboundGuard.from_settings(crawler.settings["SCHILDWACHT_SETTINGS"]))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def pin(self, host: str) -> Deferred[list[IPAddress]]:
        """The checked addresses of `host`, resolved in a thread on first use; fails with `OutboundRefused` or
        `UnresolvableHost`."""
        return deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self.pins.addresses, host)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        # mypy reads zope interface methods (declared without `self`) as plain functions and `@implementer`
        # classes as unrelated to their interface (the mypy-zope plugin that fixes this supports only older mypy
        # releases): hence `receiver: Any` and the `type: ignore` on the return.
        receiver: Any = resolutionReceiver
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)

        def deliver(addresses: list[IPAddress]) -> None:
            for address in addresses:
                kind = IPv4Address if address.version == 4 else IPv6Address
                if addressTypes is None or kind in addressTypes:
                    receiver.addressResolved(kind("TCP", str(address), portNumber))

        def refuse(failure: Failure) -> None:
            log.error("geen verbinding met %s: %s", hostName, failure.getErrorMessage())

        done = self.pin(hostName)
        done.addCallbacks(deliver, refuse)
        done.addBoth(lambda _: receiver.resolutionComplete())
        return resolution  # type: ignore[return-value]
