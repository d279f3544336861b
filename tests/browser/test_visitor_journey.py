import re

import pytest
from playwright.sync_api import expect

from orders.models import TestRequest

pytestmark = pytest.mark.browser


def focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e.id || e.getAttribute('data-error-summary') !== null"
        " && 'error-summary' || e.tagName; }"
    )


def test_visitor_searches_reads_and_requests_a_test_by_keyboard(site, visit):
    page = visit(1280).page
    page.goto("/")
    page.get_by_role("searchbox", name="Search tumour and test pages").fill("leiomyosarcoma")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “leiomyosarcoma”")
    expect(page.locator(".search-results mark").first).to_have_text(re.compile("leiomyosarcoma", re.I))
    page.locator(".search-results").get_by_role("link", name="Leiomyosarcoma").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Leiomyosarcoma")
    contents = page.get_by_role("navigation", name="Contents")
    expect(contents.get_by_role("link")).to_have_text(["Location", "Treatment", "Symptoms", "Diagnosis", "Outlook"])
    contents.get_by_role("link", name="Outlook").click()
    outlook = page.get_by_role("heading", name="Outlook", level=2)
    expect(outlook).to_be_in_viewport()
    assert page.url.endswith("#" + outlook.get_attribute("id"))

    page.get_by_role("link", name="Request a test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request an Oncofocus test")
    page.get_by_role("button", name="Send my request").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    assert focused(page) == "error-summary", "the error summary takes focus when the page loads"
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Tell us whether you are a patient, a carer or a clinician.",
            "Enter your full name.",
            "Enter your email address, so that we can reply.",
            "Choose the country you live in.",
            "Tick the box to agree, so that we may contact you about the test.",
        ]
    )
    for field_id in ["id_full_name", "id_email", "id_country", "id_consent"]:
        described = page.locator(f"#{field_id}").get_attribute("aria-describedby") or ""
        assert f"{field_id}-error" in described.split()

    # From here on, keyboard only.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Tell us whether")
    page.keyboard.press("Enter")
    assert focused(page) == "id_requester_type_0", "the summary link moves focus to its field"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page) == "id_full_name"
    page.keyboard.type("Ada Lovelace")
    page.keyboard.press("Tab")
    page.keyboard.type("ada@example.com")
    page.keyboard.press("Tab")
    assert focused(page) == "id_phone"
    page.keyboard.press("Tab")
    assert focused(page) == "id_country"
    page.keyboard.type("United Kingdom")
    page.keyboard.press("Tab")
    assert focused(page) == "id_message"
    page.keyboard.press("Tab")
    assert focused(page) == "id_consent"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the privacy notice link beside the consent box
    expect(page.get_by_role("link", name="Read our privacy notice (opens in a new tab)")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    reference = page.locator(".reference").inner_text()
    stored = TestRequest.objects.get(reference=reference)
    assert (stored.full_name, stored.email, stored.country.code, stored.requester_type) == (
        "Ada Lovelace",
        "ada@example.com",
        "GB",
        "patient",
    )
