"""A salesperson's morning, in a real browser: the overdue request first, a call attempt, the consent e-mail, a
follow-up for tomorrow, two unassigned requests handed to a colleague, last month's overview. axe-core checks
every sales screen and each is screenshotted at 1280 px."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from oncosite.roles import SALES_TEAM
from orders.default_templates import add_default_templates
from orders.models import ContactAttempt, EmailTemplate, FieldChange, Notification, TestRequest
from tests.browser.conftest import SCREENSHOTS, log_in, run_axe
from tests.factories import TestRequestFactory
from tests.orders.helpers import received

pytestmark = pytest.mark.browser


def assert_accessible(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"sales-{name}-1280.png", full_page=True)
    violations = run_axe(page)
    assert violations == [], "\n".join(f"{x['id']} ({x['impact']}): {x['help']}\n  " + "\n  ".join(x["nodes"])
                                       for x in violations)  # fmt: skip


def test_a_salespersons_morning(site, visit, staff_user):
    add_default_templates(EmailTemplate)  # the migration's rows are gone after an earlier transactional test
    sam = staff_user("sam", SALES_TEAM)
    sam.first_name, sam.last_name, sam.email = "Sam", "Seller", "sam@oncosite.invalid"
    sam.save()
    bea = staff_user("bea", SALES_TEAM)
    bea.first_name, bea.last_name = "Bea", "Colleague"
    bea.save()
    overdue = received(
        TestRequestFactory(tumour=site, owner=sam, full_name="Grace Hopper", email="grace@example.com",
                           phone="020 7946 0000", phone_e164="+442079460000", reference="OF-LATE0001"),
        timedelta(days=4),
    )  # fmt: skip
    received(TestRequestFactory(tumour=site, owner=sam, reference="OF-FRESH001"), timedelta(hours=1))
    loose = [received(TestRequestFactory(tumour=site, reference=f"OF-LOOSE00{i}"), timedelta(hours=2)) for i in (1, 2)]
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    # Last month's one request, finished since.
    mid_last_month = timezone.localdate().replace(day=1) - timedelta(days=15)
    received(
        TestRequestFactory(tumour=site, owner=bea, status="report_issued", reference="OF-LASTMON1"),
        timezone.localdate() - mid_last_month,
    )

    page = visit(1280).page
    log_in(page, "sam")
    page.locator("#orders-testrequest").get_by_role("link", name="Test requests").click()
    expect(page).to_have_url(re.compile(r"/admin/orders/testrequest/\?view=mine$"))
    first_row = page.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text("OF-LATE0001")
    expect(first_row.locator(".overdue")).to_have_text("Overdue")
    assert_accessible(page, "list")

    first_row.get_by_role("link", name="OF-LATE0001").click()
    expect(page.get_by_role("link", name="grace@example.com")).to_have_attribute("href", "mailto:grace@example.com")
    expect(page.get_by_role("link", name="020 7946 0000")).to_have_attribute("href", "tel:+442079460000")
    page.get_by_label("How").select_option(label="Phone")
    page.get_by_label("What happened").select_option(label="No answer")
    page.get_by_label("Note (optional)").fill("Rang at 9:05, no voicemail.")
    page.get_by_role("button", name="Log attempt").click()
    expect(page.locator(".messagelist")).to_contain_text("Contact attempt logged")
    expect(page.locator("[data-attempts]")).to_have_text("1 attempt so far.")
    assert_accessible(page, "request")

    page.get_by_label("Template").select_option(label="Consent form")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#id_body")).to_contain_text("Dear Grace,")
    assert_accessible(page, "email-preview")
    page.get_by_role("button", name="Send e-mail").click()
    expect(page.locator(".messagelist")).to_contain_text("E-mail queued")
    expect(page.locator(".orders-timeline")).to_contain_text("E-mail: Consent form – sent")
    assert mail.outbox[-1].to == ["grace@example.com"] and mail.outbox[-1].reply_to == ["sam@oncosite.invalid"]

    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Next action on").fill(tomorrow.isoformat())
    page.locator("#id_next_action_note").fill("Call back about the consent form")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".orders-timeline")).to_contain_text("Call back about the consent form")
    overdue.refresh_from_db()
    assert overdue.next_action_on == tomorrow and overdue.first_contacted_at is not None

    page.goto("/admin/orders/testrequest/?view=mine")
    page.locator("#changelist-filter").get_by_role("link", name="Unassigned").click()
    for request in loose:
        page.locator(f"input[name='_selected_action'][value='{request.pk}']").check()
    page.locator("select[name='action']").select_option(label="Assign to the owner chosen")
    page.locator("select[name='assign_to']").select_option(label="Bea Colleague")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("2 request(s) assigned to Bea Colleague")
    assigned = TestRequest.objects.filter(owner=bea, status="new").values_list("reference", flat=True)
    assert set(assigned) == {"OF-LOOSE001", "OF-LOOSE002"}
    assert FieldChange.objects.filter(field="owner", changed_by=sam).count() == 2

    page.get_by_role("link", name="Sales overview").click()
    page.get_by_role("link", name="Last month").click()
    expect(page.get_by_label("From", exact=True)).to_have_value(last_month.replace(day=1).isoformat())
    expect(page.locator("[data-total]")).to_have_text("1")
    assert_accessible(page, "overview")
    assert ContactAttempt.objects.count() == 1 and Notification.objects.filter(kind="message").count() == 1
