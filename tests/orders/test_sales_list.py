"""The list a salesperson opens first: their open requests, the longest waiting first, overdue marked."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import TestRequest
from tests.factories import TestRequestFactory
from tests.orders.helpers import received


def listing(client, **params) -> str:
    response = client.get(reverse("admin:orders_testrequest_changelist"), params)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [chunk.split('">', 2)[1].split("<")[0] for chunk in body.split('class="field-reference"')[1:]]


def test_the_bare_list_opens_on_my_open_requests(sales_client, client, superuser, db):
    response = sales_client.get(reverse("admin:orders_testrequest_changelist"))
    assert response.status_code == 302 and response["Location"] == "?view=mine"
    client.force_login(superuser)  # not in the Sales team: owns nothing, sees all
    assert client.get(reverse("admin:orders_testrequest_changelist")).status_code == 200


def test_my_open_shows_mine_oldest_waiting_first_with_the_overdue_marked(sales_client, sales, colleague, demo_tumour):
    fresh = received(TestRequestFactory(tumour=demo_tumour, owner=sales, reference="OF-FRESH001"), timedelta(hours=1))
    late = received(TestRequestFactory(tumour=demo_tumour, owner=sales, reference="OF-LATE0001"), timedelta(days=5))
    contacted = TestRequestFactory(
        tumour=demo_tumour, owner=sales, reference="OF-CALLED01", status="contacted", first_contacted_at=timezone.now()
    )
    TestRequestFactory(tumour=demo_tumour, owner=sales, reference="OF-CLOSED01", status="lost")
    TestRequestFactory(tumour=demo_tumour, owner=colleague, reference="OF-THEIRS01")
    html = listing(sales_client, view="mine")
    assert rows(html) == [late.reference, fresh.reference, contacted.reference]
    late_row = html[html.index("OF-LATE0001") : html.index("OF-FRESH001")]
    assert "Overdue" in late_row and "working days" in late_row
    fresh_row = html[html.index("OF-FRESH001") : html.index("OF-CALLED01")]
    assert "Overdue" not in fresh_row
    for column in ("Requester", "Tumour", "Country", "Status", "Owner", "Waiting", "Next action on"):
        assert f">{column}<" in html or f">{column}</a>" in html, column
    assert "Ada Patient" in html and "United Kingdom" in html


def test_named_views(sales_client, sales, colleague, demo_tumour):
    today = timezone.localdate()
    TestRequestFactory(tumour=demo_tumour, reference="OF-NOBODY01")
    received(TestRequestFactory(tumour=demo_tumour, owner=colleague, reference="OF-OVERDUE1"), timedelta(days=4))
    TestRequestFactory(tumour=demo_tumour, owner=sales, reference="OF-DUE00001", next_action_on=today)
    TestRequestFactory(tumour=demo_tumour, owner=sales, reference="OF-LATER001", next_action_on=today + timedelta(1))
    TestRequestFactory(tumour=demo_tumour, owner=colleague, reference="OF-THEIRDUE", next_action_on=today)
    html = listing(sales_client, view="unassigned")
    assert rows(html) == ["OF-NOBODY01"]
    assert rows(listing(sales_client, view="overdue")) == ["OF-OVERDUE1"]
    assert rows(listing(sales_client, view="follow_up")) == ["OF-DUE00001"]
    assert len(rows(listing(sales_client, view="all"))) == 5
    sidebar = html[html.index('id="changelist-filter"') :]
    for name in ("My open", "Unassigned", "Overdue", "Follow-up due today", "All"):
        assert f">{name}</a>" in sidebar


@pytest.mark.parametrize(
    "query", ["+44 20 7946 0000", "020 7946 0000", "(020) 7946-0000", "+442079460000", "7946 0000", "OF-PHONE01"]
)
def test_search_finds_a_phone_number_however_it_is_typed(sales_client, demo_tumour, query):
    TestRequestFactory(tumour=demo_tumour, reference="OF-PHONE01", phone="020 7946 0000", phone_e164="+442079460000")
    TestRequestFactory(tumour=demo_tumour, reference="OF-OTHER01", phone="+1 415 555 2671", phone_e164="+14155552671")
    assert rows(listing(sales_client, view="all", q=query)) == ["OF-PHONE01"]


def test_search_by_name_email_and_reference(sales_client, demo_tumour):
    TestRequestFactory(tumour=demo_tumour, reference="OF-GRACE001", full_name="Grace Hopper", email="g@example.com")
    TestRequestFactory(tumour=demo_tumour, reference="OF-ADA00001")
    for query in ("hopper", "g@example", "grace001"):
        assert rows(listing(sales_client, view="all", q=query)) == ["OF-GRACE001"], query


def test_stored_phone_is_e164_from_the_requesters_country(demo_tumour):
    from orders.services import create_test_request
    from tests.factories import TestKitFactory

    data = {"requester_type": "patient", "full_name": "A B", "email": "a@example.com", "country": "FR"}
    stored = create_test_request(
        tumour=demo_tumour, test_kit=TestKitFactory(), data={**data, "phone": "01 42 68 53 00"}
    )
    assert stored.phone_e164 == "+33142685300"
    assert stored.first_contact_due_at > stored.created_at


def test_owner_filter_lists_each_member_of_the_team(sales_client, colleague, demo_tumour):
    TestRequestFactory(tumour=demo_tumour, owner=colleague, reference="OF-BEA00001")
    TestRequestFactory(tumour=demo_tumour, reference="OF-NONE0001")
    html = listing(sales_client, view="all", owner=colleague.pk)
    assert rows(html) == ["OF-BEA00001"]
    assert ">Bea Colleague</a>" in html[html.index('id="changelist-filter"') :]


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("view", ["mine", "all"])
def test_list_queries_do_not_grow_with_rows(
    sales_client, sales, demo_tumour, count, view, django_assert_max_num_queries
):
    first = TestRequestFactory(tumour=demo_tumour, owner=sales)
    for _ in range(count - 1):
        TestRequestFactory(tumour=demo_tumour, owner=sales, duplicate_of=first)
    # Session, user, groups, team check, pg_class estimate (PostgreSQL), count, page, owner and tumour filters:
    # a fixed number whatever the rows.
    with django_assert_max_num_queries(12):
        html = listing(sales_client, view=view)
    assert html.count("OF-T") >= count
    assert TestRequest.objects.count() == count
