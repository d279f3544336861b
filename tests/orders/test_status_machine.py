"""The status machine holds whichever way a change comes: the services, the request's form or a bulk action."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from orders.models import Notification, RequestStatusChange, TestRequest
from orders.services import allowed_statuses, change_status
from tests.factories import TestRequestFactory
from tests.orders.helpers import change_url, request_form

CHANGELIST = "admin:orders_testrequest_changelist"


def walk(test_request, by, *statuses):
    for status in statuses:
        change_status(test_request=test_request, to_status=status, by=by)


def test_forward_one_step_at_a_time(test_request, sales):
    walk(test_request, sales, "contacted", "consent_received", "sample_received", "report_issued")
    assert test_request.status == "report_issued" and test_request.closed_at is not None
    assert list(RequestStatusChange.objects.values_list("to_status", flat=True)) == [
        "contacted",
        "consent_received",
        "sample_received",
        "report_issued",
    ]
    assert allowed_statuses(test_request) == []


@pytest.mark.parametrize(
    "path, target",
    [
        ((), "report_issued"),
        ((), "consent_received"),
        (("contacted", "consent_received", "sample_received", "report_issued"), "consent_received"),
        (("contacted",), "new"),
    ],
)
def test_skipping_or_going_back_is_refused_naming_the_allowed_moves_without_the_admin(
    test_request, sales, path, target
):
    walk(test_request, sales, *path)
    before = RequestStatusChange.objects.count()
    with pytest.raises(ValidationError) as refused:
        change_status(test_request=test_request, to_status=target, by=sales)
    assert "may go to" in refused.value.messages[0]
    test_request.refresh_from_db()
    assert test_request.status == (path[-1] if path else "new")
    assert RequestStatusChange.objects.count() == before


def test_new_to_report_issued_is_refused_with_the_allowed_moves_named(test_request, sales):
    with pytest.raises(ValidationError) as refused:
        change_status(test_request=test_request, to_status="report_issued", by=sales)
    assert refused.value.messages == [
        "A request cannot go from New to Report issued. From New it may go to: Contacted, Lost, Spam."
    ]


def test_lost_needs_a_reason_and_reopening_returns_to_where_it_was_with_a_note(test_request, sales):
    walk(test_request, sales, "contacted", "consent_received")
    with pytest.raises(ValidationError, match="Choose why"):
        change_status(test_request=test_request, to_status="lost", by=sales)
    change_status(test_request=test_request, to_status="lost", by=sales, reason="declined")
    assert (test_request.status, test_request.close_reason) == ("lost", "declined")
    assert test_request.closed_at is not None
    assert allowed_statuses(test_request) == ["consent_received"]
    with pytest.raises(ValidationError, match="why the request is reopened"):
        change_status(test_request=test_request, to_status="consent_received", by=sales)
    with pytest.raises(ValidationError, match="may go to: Consent received"):
        change_status(test_request=test_request, to_status="new", by=sales, note="Called back")
    change_status(test_request=test_request, to_status="consent_received", by=sales, note="She called back")
    test_request.refresh_from_db()
    assert (test_request.status, test_request.close_reason, test_request.closed_at) == ("consent_received", "", None)
    reopening = RequestStatusChange.objects.last()
    assert (reopening.from_status, reopening.to_status, reopening.note) == (
        "lost",
        "consent_received",
        "She called back",
    )


def test_the_form_offers_only_allowed_moves_and_refuses_others_with_a_message(sales_client, test_request):
    html = sales_client.get(change_url(test_request)).content.decode()
    select = html[html.index('name="status"') : html.index("</select>", html.index('name="status"'))]
    assert [label in select for label in ("New", "Contacted", "Lost", "Spam", "Report issued")] == [
        True,
        True,
        True,
        True,
        False,
    ]
    form = request_form(sales_client, test_request)
    response = sales_client.post(change_url(test_request), {**form, "status": "report_issued"})
    assert response.status_code == 200
    assert "From New it may go to: Contacted, Lost, Spam." in response.content.decode()
    response = sales_client.post(change_url(test_request), {**form, "status": "lost"})
    assert "Choose why the request is lost." in response.content.decode()
    assert TestRequest.objects.get().status == "new"
    response = sales_client.post(change_url(test_request), {**form, "status": "lost", "reason": "no_response"})
    assert response.status_code == 302
    assert TestRequest.objects.get().close_reason == "no_response"


@pytest.mark.parametrize("status", ["consent_received", "sample_received", "report_issued"])
def test_the_requester_gets_a_short_email_at_the_big_steps(
    test_request, sales, status, django_capture_on_commit_callbacks
):
    steps = ["contacted", "consent_received", "sample_received", "report_issued"]
    with django_capture_on_commit_callbacks(execute=True):
        walk(test_request, sales, *steps[: steps.index(status) + 1])
    updates = Notification.objects.filter(kind="status")
    assert updates.count() == steps.index(status)  # none for "contacted"
    message = mail.outbox[-1]
    assert message.to == ["ada@example.com"] and test_request.reference in message.subject
    for health_detail in ("Leiomyosarcoma", "tumour", "report", "sample", "consent", "Ada"):
        assert health_detail.lower() not in message.subject.lower()
    assert test_request.status_in_plain_words in message.body
    assert message.reply_to == ["Oncosite sales team <sales@oncosite.example>"]


def post_action(client, action, requests, **fields):
    data = {"action": action, "_selected_action": [r.pk for r in requests], "index": 0, **fields}
    return client.post(reverse(CHANGELIST) + "?view=all", data, follow=True)


def test_bulk_status_change_goes_through_the_machine_one_entry_per_request(sales_client, sales, demo_tumour):
    fresh = [TestRequestFactory(tumour=demo_tumour) for _ in range(2)]
    done = TestRequestFactory(tumour=demo_tumour, reference="OF-DONE0001", status="report_issued")
    response = post_action(sales_client, "change_status_of", [*fresh, done], to_status="contacted")
    html = response.content.decode()
    assert "2 request(s) moved to Contacted." in html
    assert "OF-DONE0001: A request cannot go from Report issued to Contacted" in html
    assert RequestStatusChange.objects.filter(to_status="contacted", changed_by=sales).count() == 2
    done.refresh_from_db()
    assert done.status == "report_issued"


def test_bulk_lost_needs_a_reason_and_mark_as_spam_records_each(sales_client, sales, demo_tumour):
    requests = [TestRequestFactory(tumour=demo_tumour) for _ in range(3)]
    html = post_action(sales_client, "change_status_of", requests, to_status="lost").content.decode()
    assert "Choose why the request is lost." in html
    assert not RequestStatusChange.objects.exists()
    post_action(sales_client, "change_status_of", requests[:1], to_status="lost", reason="cost")
    post_action(sales_client, "mark_as_spam", requests[1:])
    assert dict(TestRequest.objects.values_list("pk", "close_reason")) == {
        requests[0].pk: "cost",
        requests[1].pk: "junk",
        requests[2].pk: "junk",
    }
    assert RequestStatusChange.objects.filter(changed_by=sales).count() == 3
