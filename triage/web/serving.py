"""How `schildwacht web` serves the app with uvicorn; tests start their live servers the same way.

Invariants:
- X-Forwarded-For/-Proto are believed only from the addresses in `settings.trusted_proxies` (none by default), so
  the client address the login limits see cannot be chosen by the client;
- the access log carries no personal-link tokens or query values (triage.web.access_log).
"""

from __future__ import annotations

import ipaddress
from typing import Any

import uvicorn

from schildwacht.config import Settings
from triage.web.access_log import install_redaction


def trusted_proxies(settings: Settings) -> list[str]:
    """The configured proxy addresses/networks; ValueError on anything that is not one ("*" included)."""
    entries = [entry.strip() for entry in settings.trusted_proxies.split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"SCHILDWACHT_TRUSTED_PROXIES: {entry!r} is geen IP-adres of netwerk / is not an IP "
                             "address or network") from None
    return entries


def serve_config(settings: Settings, app: Any, host: str | None = None, port: int | None = None,
                 **options: Any) -> uvicorn.Config:
    """The uvicorn configuration for the app (extra uvicorn options pass through)."""
    proxies = trusted_proxies(settings)
    config = uvicorn.Config(app, host=host or settings.web_host, port=port or settings.web_port,
                            proxy_headers=bool(proxies), forwarded_allow_ips=proxies, **options)
    install_redaction()  # after uvicorn.Config, which (re)configures the uvicorn loggers
    return config
