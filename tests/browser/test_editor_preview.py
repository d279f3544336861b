"""In a real browser: an editor previews unsaved changes from the admin form, and a draft shows its banner."""

from contextlib import contextmanager

import pytest
from playwright.sync_api import sync_playwright

from oncosite.roles import CLINICAL_EDITORS
from tests.factories import SectionFactory, SourceFactory, TumourFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = {
    "executable_path": "/usr/bin/chromium",
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
}


@contextmanager
def browser_page(base_url: str):
    # Playwright's sync API runs an event loop in this thread, and Django's connections are then scoped to it:
    # set up data before and check the database after this block, never inside it.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        try:
            yield browser.new_context(base_url=base_url).new_page()
        finally:
            browser.close()


def log_in(page, username):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def test_editor_previews_unsaved_section_text_in_a_new_tab(live_server):
    UserFactory(username="editor", groups=[CLINICAL_EDITORS])
    tumour = TumourFactory(name="Angiosarcoma", slug="angiosarcoma", status="draft", published_at=None)
    SectionFactory(tumour=tumour, heading="Treatment", body="Surgery first.")
    SourceFactory(tumour=tumour)

    with browser_page(live_server.url) as page:
        log_in(page, "editor")
        page.goto(f"/admin/tumours/tumour/{tumour.pk}/change/")
        page.fill("#id_sections-0-body", "Surgery, then radiotherapy (not saved yet).")
        with page.context.expect_page() as new_tab:
            page.click("input[name=_preview]")
        preview = new_tab.value
        preview.wait_for_load_state()
        preview_article = preview.inner_text("article")
        preview_banner = preview.inner_text(".draft-banner")

        page.goto("/tumours/angiosarcoma/")
        draft_banner = page.inner_text(".draft-banner")
        page.context.clear_cookies()
        anonymous_status = page.goto("/tumours/angiosarcoma/").status

    assert "Surgery, then radiotherapy (not saved yet)." in preview_article
    assert "Preview of unsaved changes" in preview_banner
    assert draft_banner.startswith("Draft — not visible to the public")
    assert anonymous_status == 404
    assert tumour.sections.get().body == "Surgery first."
