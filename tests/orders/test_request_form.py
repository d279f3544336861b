import pytest
from django.urls import reverse

from orders.consent import CONSENT_TEXT, CONSENT_VERSION
from orders.models import TestRequest
from tests.factories import TumourFactory
from tests.orders.helpers import VALID, fetched_form
from tumours.models import Tumour


def test_form_shows_tumour_kit_and_consent_wording(client, form_url):
    response = client.get(form_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Leiomyosarcoma" in html and "Oncofocus" in html
    assert CONSENT_TEXT in html
    for name in ("requester_type", "full_name", "email", "phone", "country", "message", "consent"):
        assert f'name="{name}"' in html


def test_valid_request_is_stored_once_and_confirmed(client, form_url, demo_tumour):
    response = client.post(form_url, fetched_form(client, form_url))
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:request_sent")
    stored = TestRequest.objects.get()
    assert stored.tumour == demo_tumour
    assert stored.test_kit.name == "Oncofocus"
    assert stored.status == "new"
    assert stored.full_name == "Ada Lovelace"
    assert stored.country == "GB"
    assert stored.consent_version == CONSENT_VERSION
    assert stored.consented_at is not None
    assert stored.reference.startswith("OF-") and len(stored.reference) == 11

    confirmation = client.get(response["Location"])
    html = confirmation.content.decode()
    assert stored.reference in html
    assert "What happens next" in html
    for personal in ("Ada", "ada@example.com", "7946"):
        assert personal not in html


def test_no_personal_data_in_redirect_url(client, form_url):
    response = client.post(form_url, fetched_form(client, form_url))
    assert "ada" not in response["Location"].lower()
    assert TestRequest.objects.get().reference not in response["Location"]


def test_empty_form_shows_an_error_at_each_required_field_and_stores_nothing(client, form_url):
    response = client.post(form_url, fetched_form(client, form_url, {}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter your full name." in html
    assert "Enter your email address" in html
    assert "Choose the country you live in." in html
    assert "Tick the box to agree" in html
    assert "Tell us whether you are a patient" in html
    assert TestRequest.objects.count() == 0


def test_invalid_form_keeps_what_was_typed(client, form_url):
    response = client.post(form_url, fetched_form(client, form_url, {**VALID, "email": "not-an-email", "consent": ""}))
    html = response.content.decode()
    assert 'value="Ada Lovelace"' in html
    assert 'value="not-an-email"' in html
    assert "Mornings are best." in html
    assert "Enter an email address in the right format" in html
    assert TestRequest.objects.count() == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("full_name", "x" * 201),
        ("email", "a" * 250 + "@example.com"),
        ("phone", "1" * 31),
        ("phone", "call me maybe"),
        ("message", "x" * 2001),
        ("country", "XX"),
        ("requester_type", "doctor"),
        ("full_name", "Ada\x00Lovelace"),
        ("full_name", "Ada\x07Lovelace"),
        ("email", "ada@example.com\r\nBcc: victim@example.com"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(client, form_url, field, value):
    response = client.post(form_url, fetched_form(client, form_url, {**VALID, field: value}))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert TestRequest.objects.count() == 0


def test_errors_are_tied_to_their_fields(client, form_url):
    html = client.post(form_url, fetched_form(client, form_url, {**VALID, "email": "nope"})).content.decode()
    assert 'aria-describedby="id_email-error"' in html
    assert 'id="id_email-error"' in html
    assert 'href="#id_email"' in html


def test_form_is_404_for_a_tumour_without_a_kit(client, db):
    tumour = TumourFactory()
    assert client.get(reverse("orders:request_test", args=[tumour.slug])).status_code == 404
    assert client.post(reverse("orders:request_test", args=[tumour.slug]), VALID).status_code == 404


def test_form_is_404_for_a_draft(client, kit):
    tumour = TumourFactory(status=Tumour.Status.DRAFT, published_at=None, test_kits=[kit])
    assert client.get(reverse("orders:request_test", args=[tumour.slug])).status_code == 404


def test_confirmation_without_a_request_goes_to_the_index(client, db):
    response = client.get(reverse("orders:request_sent"))
    assert response.status_code == 302
