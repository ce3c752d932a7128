"""Identity-based hate (issue 17) in Chromium: the queue shows its Dutch chip in its own colour between gendered hate
and abuse, the soort filter keeps only it, and on the case page staff read its offence advice and add the label to a
post with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from schildwacht.models import LabelCorrection, Mention
from tests.triage.web.browser_support import shot, sign_in
from tests.triage.web.test_identity_label import IDENTITY_NL, _identity_and_gender_cases

pytestmark = pytest.mark.browser


def test_identity_in_queue_filter_and_case_page(world, live_server, browser, db):
    identity, gender = _identity_and_gender_cases(db)
    page, base = browser.person(1280, 900), live_server
    sign_in(page, base, "triagist_a")
    page.goto(f"{base}/zaken")
    order = page.locator("tr.case").evaluate_all("rows => rows.map(r => Number(r.dataset.caseId))")
    assert order.index(gender) < order.index(identity) < order.index(world.cases["abuse"])
    chip = page.locator(f'tr[data-case-id="{identity}"] [data-testid=assessment]')
    assert chip.inner_text().startswith(f"{IDENTITY_NL} — ")
    colours = {
        case_id: page.locator(f'tr[data-case-id="{case_id}"] [data-testid=assessment]').evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for case_id in (identity, gender, world.cases["abuse"])
    }
    assert colours[identity] == "rgb(11, 110, 79)"  # app.css .badge.sev-identity #0b6e4f
    assert len(set(colours.values())) == 3  # distinct from gendered hate and abuse
    shot(page, "identity-01-wachtrij.png")

    page.goto(f"{base}/zaken?label=identity")
    assert page.locator("tr.case").evaluate_all("rows => rows.map(r => Number(r.dataset.caseId))") == [identity]

    page.goto(f"{base}/zaken/{identity}")
    advice = page.locator("section.advice").inner_text()
    assert advice.index("137c Sr") < advice.index("137d Sr") < advice.index("266/267 Sr")
    shot(page, "identity-02-zaak.png")

    mid = world.mentions["abuse"]
    page.goto(f"{base}/zaken/{world.cases['abuse']}")
    post = page.locator(f"#bericht-{mid}")
    post.locator("details.label-correction summary").click()
    post.locator("select[name=label]").select_option("identity")
    post.locator("select[name=actie]").select_option("toevoegen")
    post.get_by_label("Reden").fill("Gericht op haar afkomst, niet alleen een belediging")
    post.locator("button:has-text('Correctie opslaan')").click()
    page.wait_for_selector(f"#bericht-{mid} [data-testid=corrected-labels]")
    badge = page.locator(f"#bericht-{mid} [data-testid=corrected-labels]").inner_text()
    assert badge == f"Gecorrigeerd door Joris Kokkelink: {IDENTITY_NL}, Belediging / haat"
    shot(page, "identity-03-correctie.png")
    with db() as s:
        rows = s.scalars(select(LabelCorrection)).all()
        assert [(r.label, r.action, r.mention_id) for r in rows] == [("identity", "added", mid)]
        assert s.get(Mention, mid).flags == ["abuse"]
