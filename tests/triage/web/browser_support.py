"""Playwright helpers for the triage browser tests: Debian chromium, people (pages in their own browser context,
so each has its own session cookie) that record dialogs, sign-in, and screenshots under test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.triage.web.triageweb_support import CHROMIUM, DEMO_PASSWORD, USERS, require

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "triage_web"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


class Browser:
    """One headless chromium; `person()` opens a page in a fresh context (its own cookies) at a viewport size."""

    def __init__(self, instance) -> None:
        self.instance = instance

    def person(self, width: int = 1400, height: int = 1000, **options):
        context = self.instance.new_context(viewport={"width": width, "height": height}, **options)
        page = context.new_page()
        page.set_default_timeout(15_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs  # every alert/confirm shown, each dismissed
        return page


@pytest.fixture
def browser():
    require(CHROMIUM is not None, "chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield Browser(instance)
        instance.close()


@pytest.fixture
def browser_page(browser):
    return browser.person()


def shot(page, name: str) -> Path:
    """A full-page screenshot under test-artifacts/triage_web/ (look at it before reporting)."""
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, base: str, who: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/zaken")
    assert page.url.endswith("/inloggen")
    page.fill("input[name=email]", USERS[who])
    page.fill("input[name=wachtwoord]", password)
    page.click("form[action='/inloggen'] button[type=submit]")
    page.wait_for_url(f"{base}/zaken")


def no_horizontal_scroll(page) -> bool:
    """True when the page is not wider than the viewport (nothing to scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
