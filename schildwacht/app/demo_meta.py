"""The demo's Facebook source: a fictional page of the demo wethouder, connected as if she had done it from her
personal page, collected once by the meta spider from the local fake Graph API (schildwacht/app/demo/fake_meta.py)
through the whole pipeline like every other collected post.

Only this crawl may reach the fake on 127.0.0.1; the page token is fictional, stored encrypted like a real one.
"""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

from sqlalchemy import select

from collectors.crawl import crawl
from schildwacht.app.demo.fake_meta import PAGE_ID, PAGE_NAME, FakeMeta
from schildwacht.app.pipeline import Runtime, processed_summary
from schildwacht.meta_tokens import encrypt
from schildwacht.models import MetaAccount, Official

DEMO_OFFICIAL = "off-zoetelief"
DEMO_PAGE_TOKEN = "demo-paginatoken-schildwacht"


def connect_demo_page(rt: Runtime) -> None:
    """The demo official's fictional page, connected (once per database)."""
    with rt.sessions.begin() as session:
        official = session.get(Official, DEMO_OFFICIAL)
        if official is None or session.scalar(select(MetaAccount).where(MetaAccount.page_id == PAGE_ID)):
            return
        session.add(
            MetaAccount(
                official_id=official.id,
                organisation_id=official.organisation_id,
                page_id=PAGE_ID,
                page_name=PAGE_NAME,
                token_ciphertext=encrypt(rt.settings, DEMO_PAGE_TOKEN),
            )
        )


def collect_demo_meta(rt: Runtime, timeout: float = 600) -> dict[str, Any]:
    """Connect the fictional page, collect its comments and wait until they are scored; the one-line result."""
    connect_demo_page(rt)
    fake = FakeMeta(DEMO_PAGE_TOKEN)
    try:
        base = fake.serve()
        settings = rt.settings.model_copy(
            update={
                "meta_graph_url": base,
                "collector_download_delay": 0.0,
                "outbound_allowed_networks": [*rt.settings.outbound_allowed_networks, ip_network("127.0.0.1/32")],
            }
        )
        stats = crawl("meta", settings)
    finally:
        fake.close()
    uids = list(stats.get("schildwacht/published_uids", []))
    result = processed_summary(rt.sessions, len(fake.comments), uids, stats.get("schildwacht/parked", 0), timeout)
    result["requests"] = len(fake.requests)
    return result
