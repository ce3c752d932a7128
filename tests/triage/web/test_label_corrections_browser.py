"""A support worker corrects a post's label on the case page, in Chromium: the reason is required by the form, the
correction appears beside the model's labels with the worker's name, and the model's scores stay as they were."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schildwacht.models import LabelCorrection, Mention
from tests.triage.web.browser_support import shot, sign_in

pytestmark = pytest.mark.browser


def test_correct_a_label_on_the_case_page(world, live_server, browser, db):
    page, base = browser.person(1280, 900), live_server
    cid, mid = world.cases["abuse"], world.mentions["abuse"]
    with db() as s:
        scores_before = dict(s.get(Mention, mid).scores)
    sign_in(page, base, "triagist_a")
    page.goto(f"{base}/zaken/{cid}")
    post = page.locator(f"#bericht-{mid}")
    post.locator("details.label-correction summary").click()
    post.locator("select[name=label]").select_option("gender")
    post.locator("select[name=actie]").select_option("toevoegen")
    post.locator("button:has-text('Correctie opslaan')").click()  # no reason: the form stops it
    with db() as s:
        assert s.scalars(select(LabelCorrection)).all() == []
    post.get_by_label("Reden").fill("Vrouwonvriendelijk scheldwoord, model zag alleen belediging")
    post.locator("button:has-text('Correctie opslaan')").click()
    page.wait_for_selector(f"#bericht-{mid} [data-testid=corrected-labels]")
    badge = page.locator(f"#bericht-{mid} [data-testid=corrected-labels]").inner_text()
    assert badge == "Gecorrigeerd door Joris Kokkelink: Gendergerelateerde haat, Belediging / haat"
    assert "Vrouwonvriendelijk scheldwoord" in page.locator(f"#bericht-{mid} ul.corrections").inner_text()
    assert "Label gecorrigeerd" in page.locator("body").inner_text()
    shot(page, "label-correction-01-gecorrigeerd.png")
    with db() as s:
        rows = s.scalars(select(LabelCorrection)).all()
        assert [(r.label, r.action, r.mention_id) for r in rows] == [("gender", "added", mid)]
        assert s.get(Mention, mid).scores == scores_before and s.get(Mention, mid).flags == ["abuse"]
