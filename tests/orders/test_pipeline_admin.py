"""The request's page in the sales admin: the pipeline form, the timeline, duplicates, the access log."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from orders.models import AccessLog, FieldChange, RequestStatusChange, TestRequest
from orders.services import create_test_request
from tests.factories import TestKitFactory, TestRequestFactory, TumourFactory, UserFactory
from tests.orders.helpers import change_url, request_form

CHANGELIST = "admin:orders_testrequest_changelist"


def data(**overrides):
    return {
        "requester_type": "patient",
        "full_name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "",
        "country": "GB",
        "message": "",
        **overrides,
    }


def test_status_change_with_note_and_internal_note_appear_in_the_timeline_newest_first(
    sales_client, sales, test_request
):
    form = request_form(sales_client, test_request)
    form.update(status="contacted", status_note="Left a voicemail", new_note="Prefers mornings")
    response = sales_client.post(change_url(test_request), form)
    assert response.status_code == 302
    change = RequestStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "new",
        "contacted",
        sales,
        "Left a voicemail",
    )
    html = sales_client.get(change_url(test_request)).content.decode()
    timeline = html[html.index("Timeline, newest first") :]
    assert timeline.index("Prefers mornings") < timeline.index("New → Contacted") < timeline.index("Request received")
    assert "Left a voicemail" in timeline and "sales" in timeline
    assert 'class="orders-timeline__note"' in timeline  # notes stand out


def test_saving_the_form_unchanged_records_nothing(sales_client, test_request):
    response = sales_client.post(change_url(test_request), request_form(sales_client, test_request))
    assert response.status_code == 302
    assert not RequestStatusChange.objects.exists() and not FieldChange.objects.exists()


def test_a_note_given_without_a_status_change_is_kept(sales_client, test_request):
    form = request_form(sales_client, test_request)
    sales_client.post(change_url(test_request), {**form, "status_note": "No answer yet"})
    assert RequestStatusChange.objects.count() == 0
    assert test_request.notes.get().text == "No answer yet"


def test_email_and_phone_are_links_and_the_record_cannot_be_edited(sales_client, test_request):
    html = sales_client.get(change_url(test_request)).content.decode()
    assert '<a href="mailto:ada@example.com">ada@example.com</a>' in html
    assert '<a href="tel:+442079460000">+44 20 7946 0000</a>' in html
    form = request_form(sales_client, test_request)
    sales_client.post(change_url(test_request), {**form, "full_name": "Mallory", "email": "m@example.com"})
    test_request.refresh_from_db()
    assert (test_request.full_name, test_request.email) == ("Ada Patient", "ada@example.com")


def test_next_action_is_saved_and_recorded(sales_client, sales, test_request):
    form = request_form(sales_client, test_request)
    tomorrow = timezone.localdate() + timedelta(days=1)
    form.update(next_action_on=tomorrow.isoformat(), next_action_note="Call after the clinic")
    assert sales_client.post(change_url(test_request), form).status_code == 302
    test_request.refresh_from_db()
    assert (test_request.next_action_on, test_request.next_action_note) == (tomorrow, "Call after the clinic")
    change = FieldChange.objects.get(field="next_action")
    assert change.changed_by == sales and "Call after the clinic" in change.to_value
    assert "Next action:" in sales_client.get(change_url(test_request)).content.decode()


def test_only_sales_team_members_can_own_requests(sales_client, editor, test_request, superuser):
    html = sales_client.get(change_url(test_request)).content.decode()
    owner_select = html[html.index('name="owner"') : html.index("</select>", html.index('name="owner"'))]
    assert ">sales<" in owner_select
    assert "editor" not in owner_select and "root" not in owner_select
    form = request_form(sales_client, test_request)
    response = sales_client.post(change_url(test_request), {**form, "owner": editor.pk})
    assert response.status_code == 200  # refused with an error
    test_request.refresh_from_db()
    assert test_request.owner is None


def test_duplicates_by_email_or_phone_are_flagged_and_linked_both_ways(sales_client, demo_tumour):
    kit = TestKitFactory()
    first = create_test_request(tumour=demo_tumour, test_kit=kit, data=data(phone="+44 20 7946 0000"))
    by_email = create_test_request(tumour=demo_tumour, test_kit=kit, data=data(email="ADA@example.com"))
    by_phone = create_test_request(
        tumour=demo_tumour, test_kit=kit, data=data(email="other@example.com", phone="020 7946 0000")
    )
    other_tumour = create_test_request(tumour=TumourFactory(), test_kit=kit, data=data())
    stranger = create_test_request(tumour=demo_tumour, test_kit=kit, data=data(email="bob@example.com"))
    assert first.duplicate_of is None
    assert by_email.duplicate_of == first and by_phone.duplicate_of == first  # E.164 matches a national number
    assert other_tumour.duplicate_of is None and stranger.duplicate_of is None
    listing = sales_client.get(reverse(CHANGELIST), {"duplicate": "yes"}).content.decode()
    assert by_email.reference in listing and by_phone.reference in listing
    assert stranger.reference not in listing
    earlier_page = sales_client.get(change_url(first)).content.decode()
    assert change_url(by_email) in earlier_page and change_url(by_phone) in earlier_page
    assert change_url(first) in sales_client.get(change_url(by_email)).content.decode()


def test_requests_more_than_30_days_apart_are_not_duplicates(demo_tumour):
    kit = TestKitFactory()
    first = create_test_request(tumour=demo_tumour, test_kit=kit, data=data())
    TestRequest.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert create_test_request(tumour=demo_tumour, test_kit=kit, data=data()).duplicate_of is None


def test_opening_a_request_is_logged(sales_client, sales, test_request):
    sales_client.get(change_url(test_request))
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.test_request) == (sales, "view", test_request)


def test_access_log_is_for_superusers_only_and_read_only(client, sales_client, superuser, test_request):
    sales_client.get(change_url(test_request))
    entry = AccessLog.objects.get()
    assert sales_client.get(reverse("admin:orders_accesslog_changelist")).status_code == 403
    client.force_login(superuser)
    listing = client.get(reverse("admin:orders_accesslog_changelist"))
    assert listing.status_code == 200 and "sales" in listing.content.decode()
    assert client.get(reverse("admin:orders_accesslog_change", args=[entry.pk])).status_code == 200
    client.post(reverse("admin:orders_accesslog_change", args=[entry.pk]), {"username": "forged"})
    entry.refresh_from_db()
    assert entry.username == "sales"
    assert client.get(reverse("admin:orders_accesslog_delete", args=[entry.pk])).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "admin:orders_testrequest_changelist",
        "admin:orders_testrequest_export",
        "admin:orders_testrequest_overview",
    ],
)
def test_staff_outside_the_sales_team_never_see_personal_data_even_with_the_permission(client, db, name):
    snoop = UserFactory(username="snoop")
    snoop.user_permissions.add(Permission.objects.get(codename="view_testrequest"))
    snoop.user_permissions.add(Permission.objects.get(codename="change_testrequest"))
    client.force_login(snoop)
    test_request = TestRequestFactory()
    assert client.get(reverse(name)).status_code == 403
    for url in (
        change_url(test_request),
        reverse("admin:orders_testrequest_email", args=[test_request.pk]),
        reverse("admin:orders_testrequest_attempt", args=[test_request.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert not AccessLog.objects.exists()
