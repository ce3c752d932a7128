"""Staff see on the Ambtsdragers page how much of the X cap and the YouTube quota is used, before it runs out, and
why a source is paused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from schildwacht.collector_allowance import add_usage, pause
from tests.triage.web.browser_support import shot, sign_in
from tests.triage.web.triageweb_support import login
from tests.triage.web.webfixtures import served
from triage.web.app import create_app


def test_staff_see_usage_warning_and_pause(world, db):
    settings = world.settings.model_copy(
        update={
            "collector_x_bearer_token": SecretStr("x-token"),
            "collector_youtube_api_key": SecretStr("yt-key"),
            "collector_youtube_daily_quota": 10_000,
        }
    )
    now = datetime.now(UTC)
    with db() as s, s.begin():
        add_usage(s, "x", 8_000, now)
        add_usage(s, "x", 200, now)
        add_usage(s, "x", 999, now - timedelta(days=40))  # another month: not this month's use
        add_usage(s, "youtube", 120, now)
        pause(s, "youtube", "YouTube weigert de API-sleutel <b>", until=None, credential="yt-key")
    client = login(create_app(settings, db), "triagist_a")
    try:
        page = client.get("/ambtsdragers")
    finally:
        client.close()

    assert page.status_code == 200
    assert "X: 8.200 van 10.000 berichten deze maand (bijna op)" in page.text
    assert "YouTube: 120 van 10.000 quota-eenheden vandaag — gepauzeerd: YouTube weigert de API-sleutel &lt;b&gt;" in (
        page.text
    )


def test_no_line_for_sources_without_credentials(world, client_factory):
    page = client_factory("triagist_a").get("/ambtsdragers")
    assert page.status_code == 200 and "Verzamelen via platform-API" not in page.text


def test_the_lines_render_in_the_browser(world, db, browser_page):
    settings = world.settings.model_copy(update={"collector_x_bearer_token": SecretStr("x-token")})
    with db() as s, s.begin():
        add_usage(s, "x", 8_200, datetime.now(UTC))
    with served(settings, db, log_level="warning") as url:
        sign_in(browser_page, url, "triagist_a")
        browser_page.goto(f"{url}/ambtsdragers")
        line = browser_page.locator("section.verzamelen li")
        assert line.inner_text() == "X: 8.200 van 10.000 berichten deze maand (bijna op)"
        shot(browser_page, "ambtsdragers_verzamelen.png")
