import pytest
from playwright.sync_api import expect

from oncosite.roles import CLINICAL_EDITORS, SALES_TEAM
from orders.models import TestRequest
from tests.browser.conftest import log_in, send_request
from tests.factories import TestRequestFactory

pytestmark = pytest.mark.browser


def test_an_editors_live_preview_renders_as_they_type_and_a_save_waits_as_a_draft(site, visit, staff_user):
    staff_user("editor", CLINICAL_EDITORS)
    reader = visit().page
    reader.goto("/tumours/leiomyosarcoma/")
    reader.reload()  # now served from the page cache

    editor = visit().page
    log_in(editor, "editor")
    editor.goto(f"/admin/tumours/tumour/{site.pk}/change/")
    row = editor.locator(".editor-row").filter(has=editor.locator("input[value='Treatment']"))
    body = row.locator("textarea.markdownx-editor")
    body.fill("Surgery is the **mainstay** of treatment for localised LMS.")
    expect(row.locator(".markdownx-preview strong")).to_have_text("mainstay")
    editor.get_by_role("button", name="Save draft").click()
    expect(editor.locator(".messagelist")).to_contain_text("Saved as a draft. The live page is unchanged")

    reader.reload()
    expect(reader.get_by_text("Surgery, with as wide a margin")).to_be_visible()
    expect(reader.locator("article strong", has_text="mainstay")).to_have_count(0)


def test_sales_filters_new_requests_opens_one_and_sets_its_status(site, visit, staff_user):
    staff_user("sales", SALES_TEAM)
    TestRequestFactory(tumour=site, status=TestRequest.Status.CONTACTED, reference="OF-OLDER001")
    visitor = visit().page
    visitor.goto("/tumours/leiomyosarcoma/request-test/")
    send_request(visitor, requester="Patient", name="Grace Hopper", email="grace@example.com", country="US")
    reference = visitor.locator(".reference").inner_text()

    page = visit().page
    log_in(page, "sales")
    page.locator("#orders-testrequest").get_by_role("link", name="Test requests").click()
    page.locator("#changelist-filter").get_by_role("link", name="Unassigned", exact=True).click()
    page.locator("#changelist-filter").get_by_role("link", name="New", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.get_by_role("link", name=reference).click()
    expect(page.locator(".readonly").filter(has_text="Grace Hopper")).to_be_visible()
    page.locator("#id_status").select_option(label="Contacted")
    page.locator("#id_status_note").fill("Called, left a voicemail.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert TestRequest.objects.get(reference=reference).status == TestRequest.Status.CONTACTED
    expect(page.get_by_text("Called, left a voicemail.")).to_have_count(0)  # saved and back on the list
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text("Called, left a voicemail.")).to_be_visible()  # the note is on the timeline
