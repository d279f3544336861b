"""axe-core at WCAG 2.2 AA on every public page, no sideways scrolling at 320 px, and screenshots to look at."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, run_axe, send_request

pytestmark = pytest.mark.browser


def open_page(page, url):
    page.goto(url)


def form_with_errors(page, url):
    page.goto(url)
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


def confirmation(page, url):
    page.goto(url)
    send_request(page, requester="Carer or family member", name="Ada Lovelace", email="ada@example.com", country="GB")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")


def kit_pick_without_a_choice(page, url):
    page.goto(url)
    page.get_by_role("button", name="Continue to the request form").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


REQUEST_FORM = "/tumours/leiomyosarcoma/request-test/"
PAGES = {
    "home": (open_page, "/"),
    "index": (open_page, "/tumours/"),
    "index-letter": (open_page, "/tumours/letter/l/"),
    "index-empty-letter": (open_page, "/tumours/letter/b/"),
    "tumour": (open_page, "/tumours/leiomyosarcoma/"),
    "kit": (open_page, "/tests/oncofocus/"),
    "kit-pick-errors": (kit_pick_without_a_choice, "/tests/oncofocus/"),
    "tests": (open_page, "/tests/"),
    "search-kit": (open_page, "/search/?q=oncofocus"),
    "search-results": (open_page, "/search/?q=smooth+muscle"),
    "search-no-results": (open_page, "/search/?q=leiomyosarcomma+zebra"),
    "request-form-errors": (form_with_errors, REQUEST_FORM),
    "request-sent": (confirmation, REQUEST_FORM),
    "not-found": (open_page, "/tumours/no-such-tumour/"),
    "privacy": (open_page, "/privacy/"),
    "contact": (open_page, "/contact/"),
}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_passes_axe_and_is_screenshotted(site, visit, name, width):
    action, url = PAGES[name]
    v = visit(width)
    action(v.page, url)
    violations = run_axe(v.page)
    SCREENSHOTS.mkdir(exist_ok=True)
    v.page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    assert violations == [], "\n".join(f"{x['id']} ({x['impact']}): {x['help']}\n  " + "\n  ".join(x["nodes"])
                                       for x in violations)  # fmt: skip
    expected_errors = ["404"] if name in ("not-found", "index-empty-letter") else []
    assert all(any(code in e for code in expected_errors) for e in v.errors), v.errors


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_reflows_at_320_px_without_sideways_scrolling(site, visit, name):
    action, url = PAGES[name]
    page = visit(320).page
    action(page, url)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px"


def test_focus_is_visible_on_links_and_fields(site, visit):
    page = visit().page
    page.goto("/tumours/leiomyosarcoma/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Tab")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.backgroundColor, s.boxShadow, s.outlineStyle]; }"
    )
    assert style[0] == "rgb(255, 191, 71)" or style[1] != "none" or style[2] != "none", style


def test_tumour_page_prints_its_text_and_sources_without_the_site_chrome(site, visit):
    page = visit().page
    page.goto("/tumours/leiomyosarcoma/")
    page.emulate_media(media="print")
    for hidden in [".site-header", ".site-footer", ".breadcrumbs", ".contents", ".kit-box__cta"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("heading", name="Leiomyosarcoma", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    printed_address = page.evaluate(
        "getComputedStyle(document.querySelector('.sources a[href^=\"http\"]'), '::after').content"
    )
    assert "https://en.wikipedia.org/wiki/Leiomyosarcoma" in printed_address
    SCREENSHOTS.mkdir(exist_ok=True)
    page.pdf(path=SCREENSHOTS / "tumour-print.pdf")
