"""What the orders tests share besides fixtures (tests/orders/conftest.py): the visitor's answers and the way a
browser posts a form back. Forms are read with the one HTML form reader, tests/admin_forms.py."""

from django.test import Client
from django.urls import reverse

from tests.admin_forms import read_form

VALID = {
    "requester_type": "patient",
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0000",
    "country": "GB",
    "message": "Mornings are best.",
    "consent": "on",
}


def hidden_fields(html: str) -> dict:
    """The request form's hidden inputs (its signed one-time token)."""
    return {name: value for name, value in read_form(html, form_id=None).items() if name in ("form_token",)}


def fetched_form(client, url: str, data: dict | None = None) -> dict:
    """GET the request form as a visitor would and return its hidden fields (the signed one-time token)
    merged with data: what the browser would post."""
    response = client.get(url)
    assert response.status_code == 200
    return {**hidden_fields(response.content.decode()), **(VALID if data is None else data)}


def change_url(test_request) -> str:
    return reverse("admin:orders_testrequest_change", args=[test_request.pk])


def request_form(client: Client, test_request) -> dict:
    """The sales admin's form for this request as the browser shows it: what a Save posts back unchanged."""
    response = client.get(change_url(test_request))
    assert response.status_code == 200
    return read_form(response.content.decode(), form_id="testrequest_form")


def received(test_request, ago):
    """Make the request have arrived `ago` before now, with the first-contact deadline that time gives it."""
    from django.utils import timezone

    from orders.models import TestRequest
    from orders.working_hours import first_contact_due

    created = timezone.now() - ago
    TestRequest.objects.filter(pk=test_request.pk).update(
        created_at=created, first_contact_due_at=first_contact_due(created)
    )
    test_request.refresh_from_db()
    return test_request
