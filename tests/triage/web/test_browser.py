"""Browser acceptance tests: Debian chromium through Playwright against a live uvicorn server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schildwacht.models import Case
from schildwacht.models.workflow import CaseStep
from tests.triage.web.browser_support import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_login_queue_claim_reveal_checklist_close(world, live_server, browser_page, db):
    page, base = browser_page, live_server
    sign_in(page, base, "triagist_a")
    rows = page.locator("tr.case")
    assert rows.count() == 4
    assert rows.first.get_attribute("data-case-id") == str(world.cases["threat"])  # threat first
    assert "overdue" in rows.first.get_attribute("class")
    assert page.locator("#sneltoetsen").is_visible()
    page.screenshot(path=str(ARTIFACTS / "01-wachtrij.png"), full_page=True)

    # keyboard: j selects the first row, c claims it (then the case page opens)
    page.keyboard.press("j")
    assert "selected" in rows.first.get_attribute("class")
    page.keyboard.press("c")
    page.wait_for_url(f"{base}/zaken/{world.cases['threat']}")
    assert page.get_by_test_id("claimed-by").inner_text() == "Joris Kokkelink"
    post = page.locator(f"#bericht-{world.mentions['threat']}")
    assert "ik weet waar je woont" not in post.inner_text()
    assert "Tekst verborgen" in post.inner_text()
    assert page.get_by_text("Advies, geen juridisch oordeel").is_visible()
    page.screenshot(path=str(ARTIFACTS / "02-zaak-verborgen.png"), full_page=True)

    # r reveals the first hidden post; the flagged span stays blurred until hovered
    page.keyboard.press("r")
    page.wait_for_selector(f"#bericht-{world.mentions['threat']} [data-testid=post-text]")
    post = page.locator(f"#bericht-{world.mentions['threat']}")
    assert "ik weet waar je woont" in post.inner_text()
    slur = post.locator(".slur").first
    assert "blur" in slur.evaluate("e => getComputedStyle(e).filter")
    page.screenshot(path=str(ARTIFACTS / "03-zaak-getoond.png"), full_page=True)
    slur.hover()
    page.wait_for_function("e => getComputedStyle(e).filter === 'none'", arg=slur.element_handle())

    # Steunpakket checklist
    values = {
        "intern_gemeld": {"referentie": "burgemeester"},
        "gemeld_bij_platform": {"referentie": "DSA-42"},
        "nazorg": {"notitie": "Telefonisch contact met wethouder"},
        "melding_aangifte": {"referentie": "PL0900-2026-123"},  # VPT code pre-filled: the official is a wethouder
        "gir_geregistreerd": {"referentie": "GIR-2026-7"},
    }
    for key in (
        "bewijs_vastgelegd",
        "intern_gemeld",
        "gemeld_bij_platform",
        "nazorg",
        "melding_aangifte",
        "gir_geregistreerd",
    ):
        item = page.locator(f"li[data-step={key}]")
        for field, value in values.get(key, {}).items():
            item.locator(f"input[name={field}]").fill(value)
        item.locator("button").click()
        page.wait_for_selector(f"li[data-step={key}].done")
    assert "PL0900-2026-123" in page.locator("li[data-step=melding_aangifte]").inner_text()
    assert "VPT-code VPT" in page.locator("li[data-step=melding_aangifte]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "04-stappen.png"), full_page=True)

    page.select_option("select[name=status]", "afgerond")
    page.click(".status-form button")
    page.wait_for_selector("[data-testid=case-status]:has-text('Afgerond')")
    page.screenshot(path=str(ARTIFACTS / "05-afgerond.png"), full_page=True)
    with db() as s:
        assert s.get(Case, world.cases["threat"]).status == "afgerond"
        assert len(s.scalars(select(CaseStep).where(CaseStep.case_id == world.cases["threat"])).all()) == 6
    page.goto(f"{base}/zaken")
    assert page.locator(f"tr[data-case-id='{world.cases['threat']}']").count() == 0
    assert page.dialogs == []


def test_hostile_post_renders_as_inert_text(world, live_server, browser_page):
    page, base = browser_page, live_server
    sign_in(page, base, "triagist_a")
    page.goto(f"{base}/zaken/{world.cases['xss']}")
    post = f"#bericht-{world.mentions['xss']}"
    page.click(f"{post} .reveal-form button")
    page.wait_for_selector(f"{post} [data-testid=post-text]")
    text = page.locator(f"{post} [data-testid=post-text]")
    shown = text.inner_text()
    assert "<script>window.__xss=1" in shown and "<img src=x onerror=" in shown
    assert '<a href="javascript:window.__xss=3">hier</a>' in shown
    assert page.evaluate("() => window.__xss") is None
    assert page.title() != "gehackt"
    assert text.locator("img, script, a, iframe, svg").count() == 0
    assert page.locator("img").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    # clicking the would-be link text does nothing
    text.click()
    assert page.evaluate("() => window.__xss") is None
    assert page.dialogs == []
    page.screenshot(path=str(ARTIFACTS / "06-xss-inert.png"), full_page=True)
