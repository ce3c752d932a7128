"""Safe decisions, notes, the author view, error pages and the layout at desktop and phone widths, in Chromium."""

from __future__ import annotations

import pytest

from schildwacht.models import Case, CaseNote
from tests.triage.web.browser_support import no_horizontal_scroll, shot, sign_in
from tests.triage.web.triageweb_support import ORG_A, add_case

pytestmark = pytest.mark.browser


def _status(db, case_id: int) -> str:
    with db() as s:
        return s.get(Case, case_id).status


def test_dismiss_needs_a_reason_and_never_closes_a_threat_from_the_queue(world, live_server, browser, db):
    page, base = browser.person(1280, 900), live_server
    sign_in(page, base, "triagist_a")
    page.goto(f"{base}/zaken?sort=urgentie&official=")
    rows = page.locator("tr.case")
    assert rows.first.get_attribute("data-case-id") == str(world.cases["threat"])

    # `d` on the threat row: refused with a message, nothing selected, nothing closed
    page.keyboard.press("j")
    page.keyboard.press("d")
    page.wait_for_selector("#melding:has-text('open de zaak om hem af te sluiten')")
    assert page.locator("input[name=case_ids]:checked").count() == 0
    assert page.locator(f"tr[data-case-id='{world.cases['threat']}'] input[name=case_ids]").count() == 0
    shot(page, "decisions-01-d-op-bedreiging.png")

    # `?` lists every shortcut
    page.keyboard.press("?")
    overview = page.locator("#sneltoetsen-overzicht")
    assert overview.is_visible() and "naar stap 1 tot 6" in overview.inner_text()
    shot(page, "decisions-02-sneltoetsen.png")
    page.keyboard.press("Escape")
    assert not overview.is_visible()

    # `d` on the abuse row (oldest abuse, third row): that row is selected and the reason is asked
    abuse = page.locator(f"tr[data-case-id='{world.cases['abuse']}']")
    index = [r.get_attribute("data-case-id") for r in rows.all()].index(str(world.cases["abuse"]))
    page.keyboard.press("Escape")
    for _ in range(index):
        page.keyboard.press("j")
    page.keyboard.press("d")
    assert abuse.locator("input[name=case_ids]").is_checked()
    assert page.evaluate("() => document.activeElement.name") == "reden"
    # submitting without a reason is stopped by the form (required); nothing is closed
    page.click("#bulk button[type=submit]")
    assert _status(db, world.cases["abuse"]) == "nieuw"
    # a stale page that still offers the threat case: the server refuses it and says so
    page.evaluate(
        """id => { const box = document.createElement('input'); box.type = 'checkbox'; box.name = 'case_ids';
        box.value = id; box.checked = true; box.setAttribute('form', 'bulk'); document.body.appendChild(box); }""",
        str(world.cases["threat"]),
    )
    page.select_option("#bulk select[name=reden]", "vals_positief")
    shot(page, "decisions-03-reden-gekozen.png")
    page.click("#bulk button[type=submit]")
    page.wait_for_selector(".flash:has-text('1 zaak afgesloten')")
    flash = page.locator(".flash").inner_text()
    assert f"Niet afgesloten: #{world.cases['threat']}" in flash and "zaakpagina" in flash
    assert "sort=urgentie" in page.url  # the queue as it was
    assert _status(db, world.cases["abuse"]) == "geen_actie" and _status(db, world.cases["threat"]) == "nieuw"
    assert page.locator(f"tr[data-case-id='{world.cases['abuse']}']").count() == 0
    shot(page, "decisions-04-na-geen-actie.png")
    assert page.dialogs == []


def test_close_reopen_and_note_on_the_case_page(world, live_server, browser, db):
    page, base = browser.person(1280, 900), live_server
    sign_in(page, base, "triagist_a")
    cid = world.cases["threat"]
    page.goto(f"{base}/zaken/{cid}")
    page.keyboard.press("c")
    page.wait_for_selector("[data-testid=claimed-by]:has-text('Joris Kokkelink')")

    # "geen actie" without a reason: a Dutch refusal, the case stays open
    page.select_option(".status-form select[name=status]", "geen_actie")
    page.click(".status-form button")
    page.wait_for_selector(".error-page[data-status='422']")
    assert "Kies een reden" in page.locator(".error").inner_text()
    assert _status(db, cid) == "in_behandeling"
    page.go_back()
    page.goto(f"{base}/zaken/{cid}")
    page.select_option(".status-form select[name=status]", "geen_actie")
    page.select_option(".status-form select[name=reden]", "citaat_of_nieuws")
    page.fill(".status-form input[name=toelichting]", "citaat uit een krantenartikel")
    page.click(".status-form button")
    page.wait_for_selector("[data-testid=dismissal-reason]:has-text('Citaat, satire of nieuwsbericht')")
    assert _status(db, cid) == "geen_actie"
    shot(page, "decisions-05-gesloten-met-reden.png")

    page.fill(".reopen-form input[name=toelichting]", "toch een bedreiging")
    page.click(".reopen-form button")
    page.wait_for_selector("[data-testid=case-status]:has-text('In behandeling')")
    assert _status(db, cid) == "in_behandeling"
    assert "heropend" in page.locator(".log").inner_text()

    # `n` focuses the note field; the note shows the author's name and the time
    page.keyboard.press("n")
    page.keyboard.type("Wethouder gebeld; zij doet aangifte.")
    page.click(".note-form button")
    page.wait_for_selector("[data-testid=note]:has-text('Wethouder gebeld')")
    note = page.locator("[data-testid=note]").first.inner_text()
    assert "Joris Kokkelink" in note and "@" not in note
    with db() as s:
        assert s.query(CaseNote).filter_by(case_id=cid).count() == 1
    # `1`..`6` jump to the Steunpakket steps
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("3")
    assert page.evaluate("() => document.activeElement.name") == "referentie"
    shot(page, "decisions-06-heropend-notitie.png")
    assert page.dialogs == []


def test_author_view_from_the_case_page(world, live_server, browser, db):
    with db() as s, s.begin():
        add_case(s, org=ORG_A, official="off-debruijn", labels=["abuse"], texts=["nog eens"], author="@boos@x.example")
    page, base = browser.person(1280, 900), live_server
    sign_in(page, base, "triagist_a")
    badge = page.locator(f"tr[data-case-id='{world.cases['threat']}'] [data-testid=repeat-badge]")
    assert badge.inner_text() == "Herhaaldelijk · 2 zaken"
    page.goto(f"{base}/zaken/{world.cases['threat']}")
    page.click("[data-testid=author-link]")
    page.wait_for_url(f"{base}/auteurs/**")
    cases = page.locator("[data-testid=author-cases] tr.case")
    assert cases.count() == 2
    assert page.locator("article.post").count() == 3  # two on mastodon, the earlier one on bluesky
    assert "bluesky" in page.locator("h1 + p").inner_text()
    assert "ik weet waar je woont" not in page.content()  # text stays on the case page
    shot(page, "decisions-07-auteur.png")


def test_404_and_403_are_dutch_html_pages(world, live_server, browser):
    page, base = browser.person(1280, 900), live_server
    sign_in(page, base, "lezer_b")
    response = page.goto(f"{base}/zaken/{world.cases['threat']}")  # another organisation's case
    assert response.status == 404 and page.locator("h1").inner_text() == "Niet gevonden"
    shot(page, "decisions-08-404.png")
    page.goto(f"{base}/bestaat/niet")
    assert page.locator("h1").inner_text() == "Niet gevonden" and "Foutcode 404" in page.content()
    # a read-only account posting a claim (e.g. from an old tab) gets a Dutch 403 page
    page.goto(f"{base}/zaken/{world.cases['b_threat']}")
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    page.evaluate(
        """([url, csrf]) => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
        const t = document.createElement('input'); t.type = 'hidden'; t.name = 'csrf_token'; t.value = csrf;
        f.appendChild(t); document.body.appendChild(f); f.submit(); }""",
        [f"/zaken/{world.cases['b_threat']}/claimen", csrf],
    )
    page.wait_for_selector(".error-page[data-status='403']")
    assert page.locator("h1").inner_text() == "Geen toegang" and "alleen-lezen" in page.locator(".error").inner_text()
    assert "{" not in page.locator("main").inner_text()  # no JSON
    shot(page, "decisions-09-403.png")


def test_queue_fits_1280_px_and_a_phone(world, live_server, browser, db):
    with db() as s, s.begin():  # a long handle and many labels must wrap, not widen the page
        add_case(
            s,
            org=ORG_A,
            official="off-terhorst",
            labels=["gender", "abuse"],
            texts=["a", "b", "c"],
            author="@een-heel-lang-account-dat-niet-mag-uitsteken-" + "x" * 40 + "@instance.example",
        )
    desktop, base = browser.person(1280, 800), live_server
    sign_in(desktop, base, "triagist_a")
    assert desktop.locator("tr.case").count() == 5
    assert no_horizontal_scroll(desktop)
    shot(desktop, "decisions-10-wachtrij-1280.png")
    desktop.goto(f"{base}/zaken/{world.cases['threat']}")
    assert no_horizontal_scroll(desktop)

    phone = browser.person(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(phone, base, "triagist_a")
    assert no_horizontal_scroll(phone)
    first = phone.locator("tr.case").first
    assert first.bounding_box()["width"] <= 390
    claim = first.locator(".claim-form button")
    assert claim.is_visible()
    shot(phone, "decisions-11-telefoon-wachtrij.png")
    claim.tap()
    phone.wait_for_url(f"{base}/zaken/{world.cases['threat']}")
    assert no_horizontal_scroll(phone)
    assert phone.get_by_test_id("claimed-by").inner_text() == "Joris Kokkelink"
    shot(phone, "decisions-12-telefoon-zaak.png")


LABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
    .filter(e => e.type !== 'hidden')
    .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
    .map(e => e.outerHTML.slice(0, 120))"""
# WCAG 2.1 contrast ratio of each badge's text against its own background (relative luminance of sRGB).
BADGE_CONTRAST = """() => {
  const lum = c => { const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  return Array.from(document.querySelectorAll('.badge')).map(e => { const s = getComputedStyle(e);
    const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
    return [e.textContent.trim(), (a + 0.05) / (b + 0.05)]; });
}"""


def test_every_input_has_a_label_skip_link_and_badges_meet_aa_contrast(world, live_server, browser):
    page, base = browser.person(1280, 900), live_server
    sign_in(page, base, "triagist_a")
    page.goto(f"{base}/zaken/{world.cases['threat']}")
    page.keyboard.press("c")
    page.wait_for_selector(".step-form")  # claimed: every form of the case page is there
    for url in ("/zaken", f"/zaken/{world.cases['threat']}"):
        page.goto(base + url)
        assert page.evaluate(LABELLED) == [], url
        ratios = page.evaluate(BADGE_CONTRAST)
        assert ratios and all(ratio >= 4.5 for _, ratio in ratios), ratios
        page.keyboard.press("Tab")  # the first stop is the skip link, and it leads to the content
        assert page.evaluate("() => document.activeElement.textContent") == "Naar de inhoud"
        assert page.locator("a.skip").is_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "inhoud"
