"""The demo's X source: the x spider, run once against the fictional local X API (schildwacht/app/demo/fake_x.py),
through the whole pipeline like every other collected post.

Only this crawl may reach the fake on 127.0.0.1 (its address is added to the outbound allowance for it alone); the
token is fictional and only the fake accepts it.
"""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

from pydantic import SecretStr

from collectors.crawl import crawl
from schildwacht.app.demo.fake_x import FakeX
from schildwacht.app.pipeline import Runtime, processed_summary
from schildwacht.config import Settings

DEMO_TOKEN = "demo-bearer-token-schildwacht"


def with_demo_x(settings: Settings, base_url: str) -> Settings:
    """`settings` with the fictional X at `base_url` as the X API, and its token."""
    return settings.model_copy(
        update={
            "collector_x_api_url": base_url,
            "collector_x_bearer_token": SecretStr(DEMO_TOKEN),
            "collector_download_delay": 0.0,
            "collector_x_conversation_days": 36_500,  # the demo posts have fixed dates: follow them whatever their age
            "outbound_allowed_networks": [*settings.outbound_allowed_networks, ip_network("127.0.0.1/32")],
        }
    )


def collect_demo_x(rt: Runtime, timeout: float = 600) -> tuple[Settings, dict[str, Any]]:
    """Collect the fictional X posts and wait until they are scored; returns the settings with the demo's X token
    (so the staff pages show the X allowance) and the one-line result."""
    fake = FakeX.demo(DEMO_TOKEN)
    try:
        settings = with_demo_x(rt.settings, fake.serve())
        stats = crawl("x", settings)
    finally:
        fake.close()
    uids = list(stats.get("schildwacht/published_uids", []))
    result = processed_summary(rt.sessions, len(fake.tweets), uids, stats.get("schildwacht/parked", 0), timeout)
    result["requests"] = len(fake.requests)
    return settings, result
