"""Scrapy add-on that applies the Schildwacht configuration to a crawl (ADDONS in collectors/settings.py).

A crawl started by `schildwacht collect` / `capture-url` / `replay` gets its `schildwacht.config.Settings` as the
Scrapy setting SCHILDWACHT_SETTINGS (collectors/crawl.py); `scrapy crawl|check|shell` from the repository root
gets none, and the add-on reads the environment (`get_settings()`), as every other Schildwacht process does. Either
way the values below come from that one object, at Scrapy's "addon" priority: a `-s NAME=VALUE` on the command line
still wins.
"""

from __future__ import annotations

from scrapy.settings import Settings as ScrapySettings

from collectors.evidence import COLLECTOR_VERSION
from schildwacht.config import Settings, get_settings


class SchildwachtConfiguration:
    """Sets SCHILDWACHT_SETTINGS (always present afterwards) and the politeness and size limits derived from it."""

    def update_settings(self, settings: ScrapySettings) -> None:
        config: Settings = settings.get("SCHILDWACHT_SETTINGS") or get_settings()
        values = {
            "SCHILDWACHT_SETTINGS": config,
            "USER_AGENT": f"SchildwachtBot/{COLLECTOR_VERSION} ({config.collector_contact})",
            "DOWNLOAD_DELAY": config.collector_download_delay,
            "AUTOTHROTTLE_START_DELAY": max(config.collector_download_delay, 0.01),
            "DOWNLOAD_TIMEOUT": config.collector_timeout_seconds,
            "DOWNLOAD_MAXSIZE": config.collector_max_bytes,
            "DOWNLOAD_WARNSIZE": config.collector_max_bytes // 2,
        }
        for name, value in values.items():
            settings.set(name, value, priority="addon")
