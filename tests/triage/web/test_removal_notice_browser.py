"""In Chromium, a removed post on the case page carries the visible notice "Verwijderd door platform of auteur
(opgemerkt op …)" (issue 23); screenshot in test-artifacts/triage_web/."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.triage.web.browser_support import shot, sign_in
from tests.triage.web.triageweb_support import mark_removed

pytestmark = pytest.mark.browser


def test_removed_post_notice_is_visible_on_the_case_page(world, live_server, browser, db):
    cid, mid = world.cases["threat"], world.mentions["threat"]
    mark_removed(
        db, mid, "youtube:channel:UCtest", datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    )  # 11:30 in Amsterdam (CEST, UTC+2)
    page, base = browser.person(1280, 900), live_server
    sign_in(page, base, "triagist_a")
    page.goto(f"{base}/zaken/{cid}")
    notice = page.get_by_test_id("post-removed")
    assert notice.is_visible()
    assert notice.inner_text().startswith("Verwijderd door platform of auteur (opgemerkt op 01-07-2026 11:30)")
    shot(page, "removal-notice-01-zaakpagina.png")
