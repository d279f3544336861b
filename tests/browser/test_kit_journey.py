"""A visitor on a tumour page discovers the test and requests it from the kit's page, with and without
JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_from_the_tumour_page_through_discover_oncofocus_to_the_request_form(site, visit, javascript):
    page = visit(375, javascript=javascript).page
    page.goto("/tumours/leiomyosarcoma/")
    page.get_by_role("link", name="Discover Oncofocus Today").click()

    expect(page).to_have_url(re.compile(r"/tests/oncofocus/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Oncofocus")
    trail = page.get_by_role("navigation", name="Breadcrumb")
    expect(trail.get_by_role("link")).to_have_text(["Home", "Tests", "Oncofocus"])
    expect(page.locator(".kit-page__product")).to_contain_text("This page describes our own product.")
    tumours = page.get_by_role("region", name="Tumours Oncofocus is available for")
    expect(tumours.get_by_role("link", name="Leiomyosarcoma").first).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"kit-journey-{'js' if javascript else 'nojs'}-375.png", full_page=True)

    # Without a choice, the form says so; then the visitor picks their tumour.
    page.get_by_role("button", name="Continue to the request form").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Choose your tumour from the list.")
    page.get_by_label("Your tumour").select_option(label="Leiomyosarcoma")
    page.get_by_role("button", name="Continue to the request form").click()

    expect(page).to_have_url(re.compile(r"/tumours/leiomyosarcoma/request-test/\?kit=oncofocus$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Request an Oncofocus test")
    expect(page.locator(".summary-list")).to_contain_text("Leiomyosarcoma")
    expect(page.locator(".summary-list")).to_contain_text("Oncofocus")


def test_the_footer_and_home_page_lead_to_the_kit_page(site, visit):
    page = visit(1280).page
    page.goto("/privacy/")
    page.locator(".site-footer").get_by_role("link", name="About the Oncofocus test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oncofocus")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Discover Oncofocus").first.click()
    expect(page).to_have_url(re.compile(r"/tests/oncofocus/$"))
