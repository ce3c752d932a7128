"""The official connects their Facebook page in Chromium: the button on their personal page, Meta's dialog (the
local fake agrees at once), back on their page with the page and its Instagram account listed and an Ontkoppelen
button; then they disconnect it."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from schildwacht.models import MetaAccount, Official
from tests.collectors.conftest import FakeHttp
from tests.support.fake_graph import FakeGraph
from tests.triage.web.browser_support import shot
from tests.triage.web.webfixtures import served
from triage.registry import service

pytestmark = pytest.mark.browser
SCREENSHOTS = "/tmp/shots"


def test_official_connects_and_disconnects_a_facebook_page(world, browser, db):
    http = FakeHttp()
    graph = FakeGraph(http)
    graph.add_page("104000000000001", "EAAG-paginatoken", "178410000000001")
    graph.instagram_of["104000000000001"] = {"id": "178410000000001", "username": "mariekezoetelief"}
    graph.user_pages["EAAG-gebruiker"] = [
        {"id": "104000000000001", "name": "Wethouder Marieke Zoetelief", "access_token": "EAAG-paginatoken"}
    ]
    settings = world.settings.model_copy(
        update={
            "meta_app_id": "1234567890",
            "meta_app_secret": SecretStr(graph.app_secret),
            "meta_graph_url": graph.base,
            "meta_dialog_url": f"{graph.base}/dialog/oauth",
            "outbound_allowed_networks": ["127.0.0.0/8"],
        }
    )
    with db() as s, s.begin():
        token = service.issue_link(s, settings, s.get(Official, "off-zoetelief"), "manage", "test")
    try:
        with served(settings, db, log_level="warning") as base:
            graph.callback_base = base
            official = browser.person(1100, 1400)
            official.goto(f"{base}/mijn/{token}")
            official.click("a:has-text('Koppel Facebook-pagina / Instagram-account')")
            official.wait_for_selector("text=Gekoppeld: Wethouder Marieke Zoetelief")
            row = official.locator("table.meta-accounts tbody tr")
            assert row.count() == 1 and "@mariekezoetelief" in row.inner_text() and "gekoppeld" in row.inner_text()
            assert "EAAG-paginatoken" not in official.content()
            official.locator("h2:has-text('Facebook-pagina en Instagram-account')").scroll_into_view_if_needed()
            shot(official, "meta-01-gekoppeld.png")
            official.screenshot(path=f"{SCREENSHOTS}/meta-gekoppeld-ontkoppelen.png", full_page=True)
            official.click("table.meta-accounts button:has-text('Ontkoppelen')")
            official.wait_for_selector("text=Ontkoppeld: Wethouder Marieke Zoetelief")
            assert official.locator("table.meta-accounts").count() == 0
    finally:
        http.close()
    with db() as s:
        account = s.scalars(select(MetaAccount)).one()
        assert account.status == "disconnected" and account.token_ciphertext is None
