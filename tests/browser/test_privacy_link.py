"""From the request form's privacy link to the notice and back, without losing what was typed."""

import pytest
from playwright.sync_api import expect

from orders.models import TestRequest

pytestmark = pytest.mark.browser


def test_visitor_reads_the_privacy_notice_mid_form_and_loses_nothing(site, visit):
    page = visit(375).page
    page.goto("/tumours/leiomyosarcoma/request-test/")
    page.get_by_label("Carer or family member").check()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Message").fill("Mornings are best.")

    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Read our privacy notice (opens in a new tab)").click()
    notice = opened.value
    expect(notice.get_by_role("heading", level=1)).to_have_text("Privacy notice: requesting a test")
    expect(notice.get_by_role("heading", name="How long we keep it")).to_be_visible()
    notice.close()

    expect(page.get_by_label("Full name")).to_have_value("Ada Lovelace")
    expect(page.get_by_label("Email address")).to_have_value("ada@example.com")
    expect(page.get_by_label("Message")).to_have_value("Mornings are best.")
    expect(page.get_by_label("Carer or family member")).to_be_checked()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    assert TestRequest.objects.get().full_name == "Ada Lovelace"
