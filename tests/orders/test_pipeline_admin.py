import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from orders.models import AccessLog, StatusChange, TestRequest
from orders.services import change_status, create_test_request
from tests.factories import TestKitFactory, TestRequestFactory, TumourFactory, UserFactory

CHANGELIST = "admin:orders_testrequest_changelist"
EXPORT = "admin:orders_testrequest_export"


def change_url(test_request):
    return reverse("admin:orders_testrequest_change", args=[test_request.pk])


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


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


def test_status_change_with_note_and_internal_note_appear_in_the_timeline(sales_client, sales, demo_tumour):
    request = TestRequestFactory(tumour=demo_tumour)
    response = sales_client.post(
        change_url(request),
        {"status": "contacted", "status_note": "Left a voicemail", "owner": "", "new_note": "Prefers mornings"},
    )
    assert response.status_code == 302
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "new",
        "contacted",
        sales,
        "Left a voicemail",
    )
    html = sales_client.get(change_url(request)).content.decode()
    timeline = html[html.index("Timeline") :]
    assert timeline.index("Request received") < timeline.index("New → Contacted") < timeline.index("Prefers mornings")
    assert "Left a voicemail" in timeline and "sales" in timeline


def test_saving_without_a_status_change_records_none(sales_client, demo_tumour):
    request = TestRequestFactory(tumour=demo_tumour)
    sales_client.post(change_url(request), {"status": "new", "owner": "", "new_note": ""})
    assert StatusChange.objects.count() == 0


def test_closing_and_reopening_sets_closed_at(demo_tumour, sales):
    request = TestRequestFactory(tumour=demo_tumour)
    change_status(test_request=request, to_status="lost", by=sales)
    assert request.closed_at is not None
    change_status(test_request=request, to_status="contacted", by=sales)
    assert request.closed_at is None
    assert StatusChange.objects.filter(test_request=request).count() == 2


def test_assign_to_me_and_the_owner_filters(sales_client, sales, demo_tumour):
    mine = TestRequestFactory(tumour=demo_tumour, reference="OF-MINE0001")
    TestRequestFactory(tumour=demo_tumour, reference="OF-FREE0001")
    colleague = UserFactory(username="colleague", groups=["Sales team"])
    TestRequestFactory(tumour=demo_tumour, reference="OF-THEM0001", owner=colleague)
    response = sales_client.post(
        reverse(CHANGELIST), {"action": "assign_to_me", "_selected_action": [mine.pk], "index": 0}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.owner == sales
    listing = sales_client.get(reverse(CHANGELIST), {"owner": "me"}).content.decode()
    assert "OF-MINE0001" in listing and "OF-FREE0001" not in listing and "OF-THEM0001" not in listing
    listing = sales_client.get(reverse(CHANGELIST), {"owner": "none"}).content.decode()
    assert "OF-FREE0001" in listing and "OF-MINE0001" not in listing and "OF-THEM0001" not in listing
    listing = sales_client.get(reverse(CHANGELIST)).content.decode()
    assert "Assigned to me" in listing and "Unassigned" in listing
    assert "colleague" in listing  # the owner column


def test_only_sales_team_members_can_own_requests(sales_client, editor, demo_tumour, superuser):
    request = TestRequestFactory(tumour=demo_tumour)
    html = sales_client.get(change_url(request)).content.decode()
    owner_select = html[html.index('name="owner"') : html.index("</select>", html.index('name="owner"'))]
    assert ">sales<" in owner_select
    assert "editor" not in owner_select and "root" not in owner_select
    response = sales_client.post(change_url(request), {"status": "new", "owner": editor.pk})
    assert response.status_code == 200  # refused with an error
    request.refresh_from_db()
    assert request.owner is None


def test_superuser_outside_the_team_cannot_assign_to_self(client, superuser, demo_tumour):
    client.force_login(superuser)
    request = TestRequestFactory(tumour=demo_tumour)
    client.post(reverse(CHANGELIST), {"action": "assign_to_me", "_selected_action": [request.pk], "index": 0})
    request.refresh_from_db()
    assert request.owner is None


def test_duplicates_by_email_or_phone_are_flagged_and_linked_both_ways(sales_client, demo_tumour):
    kit = TestKitFactory()
    first = create_test_request(tumour=demo_tumour, test_kit=kit, data=data(phone="+44 20 7946 0000"))
    by_email = create_test_request(tumour=demo_tumour, test_kit=kit, data=data(email="ADA@example.com"))
    by_phone = create_test_request(
        tumour=demo_tumour, test_kit=kit, data=data(email="other@example.com", phone="+44 (20) 7946-0000")
    )
    other_tumour = create_test_request(tumour=TumourFactory(), test_kit=kit, data=data())
    stranger = create_test_request(tumour=demo_tumour, test_kit=kit, data=data(email="bob@example.com"))
    assert first.duplicate_of is None
    assert by_email.duplicate_of == first and by_phone.duplicate_of == first
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


def test_sales_overview_counts_and_chart(sales_client, sales, demo_tumour):
    other = TumourFactory(name="Chondrosarcoma")
    now = timezone.now()
    for i in range(3):
        request = TestRequestFactory(tumour=demo_tumour)
        TestRequest.objects.filter(pk=request.pk).update(created_at=now - timedelta(hours=10 * (i + 1)))
        StatusChange.objects.create(
            test_request=request, from_status="new", to_status="contacted", changed_at=now, changed_by=sales
        )
        TestRequest.objects.filter(pk=request.pk).update(status="contacted")
    TestRequestFactory(tumour=other)
    old = TestRequestFactory(tumour=other)
    TestRequest.objects.filter(pk=old.pk).update(created_at=now - timedelta(weeks=20))
    response = sales_client.get(reverse("admin:orders_testrequest_overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 requests in all" in html
    assert "<strong data-median>20.0 hours</strong>" in html  # waits of 10, 20 and 30 hours
    assert "<script" not in html.split('id="content-main"')[1]
    assert "<svg" in html and "<rect" in html
    by_status = response.context["by_status"]
    assert {bar.label: bar.count for bar in by_status}["Contacted"] == 3
    assert {bar.label: bar.count for bar in response.context["by_tumour"]} == {"Leiomyosarcoma": 3, "Chondrosarcoma": 2}
    weeks = response.context["by_week"]
    assert len(weeks) == 12 and sum(bar.count for bar in weeks) == 4  # the 20-week-old one is outside


def test_changelist_has_export_and_overview_buttons_keeping_filters(sales_client, demo_tumour):
    html = sales_client.get(reverse(CHANGELIST), {"status__exact": "new"}).content.decode()
    assert f'href="{reverse(EXPORT)}?status__exact=new"' in html
    assert "Export CSV" in html and "Sales overview" in html


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_is_exactly_the_filtered_list_and_escapes_formulas(sales_client, demo_tumour):
    TestRequestFactory(tumour=demo_tumour, reference="OF-KEEP0001", full_name="=HYPERLINK(1)", message="-2+3")
    TestRequestFactory(tumour=demo_tumour, reference="OF-KEEP0002", full_name="@SUM(A1)", message="\tx")
    TestRequestFactory(tumour=demo_tumour, reference="OF-SKIP0001", status="lost")
    response = sales_client.get(reverse(EXPORT), {"status__exact": "new"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][0] == "Reference"
    by_reference = {row[0]: row for row in rows[1:]}
    assert set(by_reference) == {"OF-KEEP0001", "OF-KEEP0002"}
    name, message = rows[0].index("Full name"), rows[0].index("Message")
    assert by_reference["OF-KEEP0001"][name] == "'=HYPERLINK(1)"
    assert by_reference["OF-KEEP0001"][message] == "'-2+3"
    assert by_reference["OF-KEEP0002"][name] == "'@SUM(A1)"
    assert by_reference["OF-KEEP0002"][message] == "'\tx"


def test_export_follows_search_and_is_logged_without_the_search_words(sales_client, sales, demo_tumour):
    TestRequestFactory(tumour=demo_tumour, reference="OF-ADA00001", email="ada@example.com")
    TestRequestFactory(tumour=demo_tumour, reference="OF-BOB00001", email="bob@example.com")
    rows = read_csv(sales_client.get(reverse(EXPORT), {"q": "ada@", "status__exact": "new"}))
    assert [row[0] for row in rows[1:]] == ["OF-ADA00001"]
    entry = AccessLog.objects.get(action="export")
    assert entry.user == sales
    assert "status__exact=new" in entry.detail and "search" in entry.detail and "ada" not in entry.detail


def test_opening_a_request_is_logged(sales_client, sales, demo_tumour):
    request = TestRequestFactory(tumour=demo_tumour)
    sales_client.get(change_url(request))
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.test_request) == (sales, "view", request)


def test_access_log_is_for_superusers_only_and_read_only(client, sales_client, superuser, demo_tumour):
    request = TestRequestFactory(tumour=demo_tumour)
    sales_client.get(change_url(request))
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


def test_staff_outside_the_sales_team_never_see_personal_data_even_with_the_permission(client, demo_tumour):
    snoop = UserFactory(username="snoop")
    snoop.user_permissions.add(Permission.objects.get(codename="view_testrequest"))
    client.force_login(snoop)
    request = TestRequestFactory(tumour=demo_tumour)
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(change_url(request)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403
    assert client.get(reverse("admin:orders_testrequest_overview")).status_code == 403
    assert not AccessLog.objects.exists()


def test_editor_cannot_export(editor_client, db):
    assert editor_client.get(reverse(EXPORT)).status_code == 403


@pytest.mark.parametrize("rows", [5, 50])
def test_changelist_queries_do_not_grow_with_rows(sales_client, demo_tumour, rows, django_assert_max_num_queries):
    owner = UserFactory(username="owner", groups=["Sales team"])
    first = TestRequestFactory(tumour=demo_tumour)
    for _ in range(rows - 1):
        TestRequestFactory(tumour=demo_tumour, owner=owner, duplicate_of=first)
    # Session, user, groups, pg_class estimate (PostgreSQL), count, page, filters, date hierarchy...: a fixed
    # number whatever the rows.
    with django_assert_max_num_queries(11):
        response = sales_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert response.content.decode().count("OF-T") >= rows


def test_a_note_given_without_a_status_change_is_kept(sales_client, demo_tumour):
    request = TestRequestFactory(tumour=demo_tumour)
    sales_client.post(change_url(request), {"status": "new", "status_note": "No answer yet", "owner": ""})
    assert StatusChange.objects.count() == 0
    assert request.notes.get().text == "No answer yet"
