"""Two salespeople on one request, each in their own session with a form opened before the other saved: nobody's
change is lost, and every change of status, owner, next action or note is in the timeline with who and when."""

from django.urls import reverse
from django.utils import timezone

from orders.models import FieldChange, InternalNote, RequestStatusChange
from tests.orders.helpers import change_url, request_form


def save(client, test_request, form, **changes):
    return client.post(change_url(test_request), {**form, **changes})


def timeline(client, test_request) -> str:
    html = client.get(change_url(test_request)).content.decode()
    return html[html.index("Timeline, newest first") :]


def test_a_status_set_by_one_survives_an_owner_change_from_an_older_form(
    sales_client, colleague_client, sales, colleague, test_request
):
    form_a = request_form(sales_client, test_request)
    form_b = request_form(colleague_client, test_request)  # opened before A saves
    assert save(sales_client, test_request, form_a, status="contacted").status_code == 302
    assert save(colleague_client, test_request, form_b, owner=colleague.pk).status_code == 302
    test_request.refresh_from_db()
    assert (test_request.status, test_request.owner) == ("contacted", colleague)
    changes = list(RequestStatusChange.objects.values_list("changed_by", "from_status", "to_status"))
    assert changes == [(sales.pk, "new", "contacted")]  # B never moved the status back
    assert FieldChange.objects.get(field="owner").changed_by == colleague
    events = timeline(sales_client, test_request)
    assert "Assigned to Bea Colleague" in events and "New → Contacted" in events and "Contacted → New" not in events


def test_an_assignment_survives_a_status_change_from_an_older_form(
    sales_client, colleague_client, sales, colleague, test_request
):
    form_a = request_form(sales_client, test_request)
    form_b = request_form(colleague_client, test_request)
    assert save(sales_client, test_request, form_a, owner=sales.pk).status_code == 302
    assert save(colleague_client, test_request, form_b, status="contacted").status_code == 302
    test_request.refresh_from_db()
    assert (test_request.owner, test_request.status) == (sales, "contacted")
    assignment = FieldChange.objects.get(field="owner")
    assert (assignment.changed_by, assignment.to_value) == (sales, "sales")
    assert RequestStatusChange.objects.get().changed_by == colleague
    events = timeline(colleague_client, test_request)
    assert "Assigned to sales" in events and "New → Contacted" in events


def test_two_changes_of_the_same_field_the_later_is_refused_naming_who_and_when(
    sales_client, colleague_client, sales, colleague, test_request
):
    sales.first_name, sales.last_name = "Sam", "Seller"
    sales.save()
    form_a = request_form(sales_client, test_request)
    form_b = request_form(colleague_client, test_request)
    save(sales_client, test_request, form_a, status="contacted")
    response = save(colleague_client, test_request, form_b, status="lost", reason="declined", new_note="Said no")
    assert response.status_code == 200
    html = response.content.decode()
    when = timezone.localtime(RequestStatusChange.objects.get().changed_at).strftime("%-d %b %Y at %H:%M")
    assert f"Sam Seller changed the status on {when}, after you opened this page." in html
    assert "Said no" in html  # B's text is still in the form
    test_request.refresh_from_db()
    assert test_request.status == "contacted"
    assert not InternalNote.objects.exists()


def test_next_action_changed_by_both_the_later_is_refused(sales_client, colleague_client, test_request):
    form_a = request_form(sales_client, test_request)
    form_b = request_form(colleague_client, test_request)
    save(sales_client, test_request, form_a, next_action_on="2026-12-01")
    response = save(colleague_client, test_request, form_b, next_action_on="2026-12-02")
    assert "changed the next action" in response.content.decode()
    test_request.refresh_from_db()
    assert test_request.next_action_on.isoformat() == "2026-12-01"


def test_notes_from_both_are_kept(sales_client, colleague_client, sales, colleague, test_request):
    form_a = request_form(sales_client, test_request)
    form_b = request_form(colleague_client, test_request)
    save(sales_client, test_request, form_a, new_note="From A")
    save(colleague_client, test_request, form_b, new_note="From B")
    assert set(InternalNote.objects.values_list("author", "text")) == {(sales.pk, "From A"), (colleague.pk, "From B")}


def test_assign_to_me_and_bulk_assignment_are_recorded(sales_client, sales, colleague, test_request):
    changelist = reverse("admin:orders_testrequest_changelist") + "?view=all"
    selected = {"_selected_action": [test_request.pk], "index": 0}
    sales_client.post(changelist, {"action": "assign_to_me", **selected})
    sales_client.post(changelist, {"action": "assign_to", "assign_to": colleague.pk, **selected})
    test_request.refresh_from_db()
    assert test_request.owner == colleague
    assert list(FieldChange.objects.values_list("changed_by", "from_value", "to_value")) == [
        (sales.pk, "", "sales"),
        (sales.pk, "sales", "Bea Colleague"),
    ]
    events = timeline(sales_client, test_request)
    assert "Assigned to Bea Colleague (was sales)" in events and "Assigned to sales" in events
