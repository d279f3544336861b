"""In a real browser: an editor previews unsaved changes from the admin form, and a draft shows its banner."""

import pytest
from playwright.sync_api import sync_playwright

from oncosite.roles import CLINICAL_EDITORS
from tests.factories import SectionFactory, SourceFactory, TumourFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = {
    "executable_path": "/usr/bin/chromium",
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
}


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        context = browser.new_context(base_url=live_server.url)
        yield context.new_page()
        browser.close()


def log_in(page, username):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def test_editor_previews_unsaved_section_text_in_a_new_tab(page):
    UserFactory(username="editor", groups=[CLINICAL_EDITORS])
    tumour = TumourFactory(name="Angiosarcoma", slug="angiosarcoma", status="draft", published_at=None)
    SectionFactory(tumour=tumour, heading="Treatment", body="Surgery first.")
    SourceFactory(tumour=tumour)
    log_in(page, "editor")
    page.goto(f"/admin/tumours/tumour/{tumour.pk}/change/")
    page.fill("#id_sections-0-body", "Surgery, then radiotherapy (not saved yet).")
    with page.context.expect_page() as new_tab:
        page.click("input[name=_preview]")
    preview = new_tab.value
    preview.wait_for_load_state()
    assert "Surgery, then radiotherapy (not saved yet)." in preview.inner_text("article")
    assert "Preview of unsaved changes" in preview.inner_text(".draft-banner")
    assert tumour.sections.get().body == "Surgery first."

    page.goto("/tumours/angiosarcoma/")
    assert page.inner_text(".draft-banner").startswith("Draft — not visible to the public")

    page.context.clear_cookies()
    response = page.goto("/tumours/angiosarcoma/")
    assert response.status == 404
